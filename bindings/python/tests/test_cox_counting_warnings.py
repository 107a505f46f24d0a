"""Infinite-coefficient warnings of Cox fits in survival's words: right-censored data as
coxph.fit ("Loglik converged before variable  j ; coefficient may be infinite. "),
counting-process data (``entry``: ``Surv(start, stop, event)``) as agreg.fit ("... ; beta may
be infinite. "). The same cases as tests/cox_counting_warnings.rs (numbers: survival 3.5-3,
run live in the R test), in memory and over Dask partitions."""
import warnings

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs

TIME = [0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762, 1.238,
        4.424, 1.055, 1.035]
Z = [-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24,
     -0.54, -0.43]
STATUS = [1., 0., 1., 1., 0., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 0.]
ENTRY = [0.0, 0.355, 0.015, 0.0, 0.218, 0.579, 0.0, 0.162, 0.096, 0.0, 0.696, 0.152, 0.0, 1.327,
         0.106, 0.0]
X01 = [float(i % 2) for i in range(16)]
SEPARATED = [1.0 - v for v in X01]
BETA = "Loglik converged before variable  1 ; beta may be infinite. "
COEFFICIENT = "Loglik converged before variable  1 ; coefficient may be infinite. "


def _data(status, entry=ENTRY):
    return pd.DataFrame({"time": TIME, "x": X01, "z": Z, "status": status, "entry": entry})


def _warned(f, *a, **kw):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        out = f(*a, **kw)
    return out, [str(w.message) for w in ws]


def test_counting_process_data_warn_in_agreg_fits_words():
    m, ws = _warned(hs.cox_ph, "time", "status", ["x", "z"], entry="entry", data=_data(SEPARATED))
    assert ws == [BETA]
    assert m.coef[0] < -15
    np.testing.assert_allclose(m.coef[1], -0.12395934077446687, atol=1e-6)
    # entry 0 for everyone is still counting-process data for coxph
    m, ws = _warned(hs.cox_ph, "time", "status", ["x", "z"], entry="entry",
                    data=_data(SEPARATED, [0.0] * 16))
    assert ws == [BETA]
    np.testing.assert_allclose(m.coef[1], -0.089083000298503009, atol=1e-6)


def test_right_censored_data_keep_coxph_fits_words():
    _, ws = _warned(hs.cox_ph, "time", "status", ["x", "z"], data=_data(SEPARATED))
    assert ws == [COEFFICIENT]


def test_ordinary_counting_process_data_do_not_warn():
    m, ws = _warned(hs.cox_ph, "time", "status", ["x", "z"], entry="entry", data=_data(STATUS))
    assert ws == []
    np.testing.assert_allclose(m.coef, [-0.10227636680424078, -0.21054040808010277], atol=1e-8)


def test_dask_cox_counting_process_warns_in_agreg_fits_words():
    # the partitioned fit issues its record's warnings as the in-memory fit does
    dd = pytest.importorskip("dask.dataframe")
    import hrrstats.dask as hd
    ddf = dd.from_pandas(_data(SEPARATED), npartitions=2)
    m, ws = _warned(hd.cox_ph, "time", "status", ["x", "z"], entry="entry", data=ddf)
    assert ws == [BETA] and list(m._res["warnings"]) == [BETA]
    np.testing.assert_allclose(m.coef[1], -0.12395934077446687, atol=1e-6)
    m, ws = _warned(hd.cox_ph, "time", "status", ["x", "z"], data=ddf)
    assert ws == [COEFFICIENT]
    _, ws = _warned(hd.cox_ph, "time", "status", ["x", "z"], entry="entry",
                    data=dd.from_pandas(_data(STATUS), npartitions=2))
    assert ws == []
