"""Checks moved into the core by the rpt round: the same input, the same error in Python
and R."""
import numpy as np
import pytest

import hrrstats as hs

SCALES = {"per": None, "age": np.array([50.0, 60.0, 70.0])}
ENTRY, EXIT, STATUS = [0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [0, 1, 0]


@pytest.mark.parametrize("fun", ["lexis_split", "lexis_cut"])
def test_lexis_id_length_checked_by_the_core(fun):
    kw = {"breaks": {"per": [0, 1, 5]}} if fun == "lexis_split" else {
        "cut": [1.0, np.nan, 3.0], "new_state": 2}
    with pytest.raises(ValueError, match=r"^argument `id` has length 2 but `entry` has length 3$"):
        getattr(hs, fun)(ENTRY, EXIT, STATUS, time_scales=SCALES, id=["a", "b"], **kw)
    out = getattr(hs, fun)(ENTRY, EXIT, STATUS, time_scales=SCALES, id=["a", "b", "c"], **kw)
    assert set(out["id"]) <= {"a", "b", "c"} and len(out) >= 3
