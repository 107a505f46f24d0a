"""Type aliases of the public signatures (for type checkers; the package ships
``py.typed``). Annotations are not evaluated at run time (``from __future__ import
annotations``)."""
from __future__ import annotations

from typing import Any, Sequence, Union

import numpy as np
import pandas as pd

#: A column: a numpy array, a pandas or polars Series, a list, or (with ``data=``) the
#: name of a column of ``data``.
ArrayLike = Union[np.ndarray, pd.Series, Sequence[float], str, Any]
#: A table: a pandas or polars DataFrame (or a dict of columns).
DataFrameLike = Union[pd.DataFrame, dict, Any]
