"""Fits that run off to infinity along a direction of monotone likelihood say so (issue "No
silent wrong answers"): survival's rule (coxph.fit: the Newton step left at the estimate,
``|(V u)_j| > 1e-9`` and ``> sqrt(1e-9) |b_j|``, or information that vanished in the fit)
with coxph's warning, coxph's ``max(lp) > 500`` test on the fitted linear predictor of
flexible parametric fits, clogit's and cch's warnings in their words. The same cases as
tests/monotone_likelihood.rs (numbers: survival 3.5-3, checked live in the R tests)."""
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
X01 = [float(i % 2) for i in range(16)]
INFINITE_X = r"^Loglik converged before variable  2 ; coefficient may be infinite\. $"


def _data(status):
    return pd.DataFrame({"time": TIME, "x": X01, "z": Z, "status": status})


SEPARATED = [1.0 - v for v in X01]


def _silent(f, *a, **kw):
    """Call f with every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*a, **kw)


def _warned(f, *a, **kw):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        out = f(*a, **kw)
    return out, [str(w.message) for w in ws]


@pytest.mark.parametrize("dist,z", [("weibull", 0.1410925663563308),
                                    ("exponential", 0.27962341387609535),
                                    ("lognormal", 0.46150803495681636),
                                    ("loglogistic", 0.32590301912612446)])
def test_parametric_survival_warns_of_an_infinite_coefficient(dist, z):
    with pytest.warns(RuntimeWarning, match=INFINITE_X):
        m = hs.parametric_survival("time", "status", ["x", "z"], dist=dist, data=_data(SEPARATED))
    assert not m.converged and m.coef[1] > 5
    np.testing.assert_allclose(m.coef[2], z, rtol=1e-6)   # survreg's (which stops silently)
    m = _silent(hs.parametric_survival, "time", "status", ["x", "z"], dist=dist, data=_data(STATUS))
    assert m.converged


@pytest.mark.parametrize("df,j", [(1, 3), (2, 4), (3, 5)])
def test_flexible_parametric_warns_of_an_infinite_coefficient(df, j):
    with pytest.warns(RuntimeWarning, match=rf"^Loglik converged before variable  {j} ; coefficient may be infinite\. $"):
        f = hs.flexible_parametric("time", "status", ["x", "z"], df=df, data=_data(SEPARATED))
    assert not f.converged
    f = _silent(hs.flexible_parametric, "time", "status", ["x", "z"], df=df, data=_data(STATUS))
    assert f.converged


RS = pd.DataFrame({
    "time": [1000., 200., 400., 1200., 1100., 200., 1100., 1200., 200., 500., 800., 700., 200., 400.,
             400., 1100.],
    "status": [1., 0., 1., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 1., 1., 0.],
    "x": [-0.31, -0.12, 1.26, 1.43, -0.79, -0.61, 1.9, -1.16, -1.74, 0.98, -0.89, -1.43, 0.87, 0.04,
          -0.54, 0.13]})


RS2 = pd.DataFrame({
    "time": [700., 1200., 1100., 600., 1000., 800., 600., 500., 900., 1100., 100., 800., 800., 600.,
             600., 500., 400.],
    "status": [0., 1., 1., 1., 1., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1., 0., 1.],
    "x": [-0.8954322319883046, -1.4573558383952996, -0.6448490055472513, 0.8201179954272853,
          -1.5897153771736376, -1.598527139765027, -0.29309031496819093, -0.8411300084560631,
          -0.9009158840795268, -1.926607245446601, -1.2948612999865063, 1.5556754840407958,
          1.5595919216987193, -0.9381448299098989, -0.998489193197742, -0.7769677133392077,
          -0.8608419160075278],
    "bh": 0.000885072484880526})
EXCESS_ZERO = "the fitted excess hazard is numerically 0 at some event times"


def test_flexible_parametric_with_bhazard_says_when_the_excess_hazard_runs_off():
    f, ws = _warned(hs.flexible_parametric, "time", "status", ["x"], df=1, bhazard="bh",
                    data=RS.assign(bh=5.222e-4))
    assert not f.converged
    assert ws == ["Loglik converged before variable  2 ; coefficient may be infinite. ", ws[1]]
    assert ws[1].startswith(EXCESS_ZERO), ws
    f, ws = _warned(hs.flexible_parametric, "time", "status", ["x"], df=1, bhazard="bh", data=RS2)
    assert not f.converged and np.max(np.abs(f.coef)) > 100
    assert len(ws) == 2 and ws[0].startswith("one or more coefficients may be infinite"), ws
    assert ws[1].startswith(EXCESS_ZERO), ws
    for df in (1, 2, 3):
        f = _silent(hs.flexible_parametric, "time", "status", ["x"], df=df, bhazard="bh",
                    data=RS.assign(bh=1e-4))
        assert f.converged and np.all(np.abs(f.coef) < 5)


def test_flexible_parametric_needs_distinct_event_times_for_df():
    d = pd.DataFrame({"time": [1., 2., 2., 2., 3., 3., 3., 3., 4., 5.],
                      "status": [1., 1., 1., 1., 1., 1., 1., 0., 0., 1.]})
    for df in (1, 2, 3):
        _silent(hs.flexible_parametric, "time", "status", df=df, data=d)
    with pytest.raises(ValueError, match=r"argument `df`: too few distinct event times \(4\) for 4 "
                                         r"degrees of freedom"):
        hs.flexible_parametric("time", "status", df=4, data=d)
    with pytest.raises(ValueError, match="argument `event`: the model needs events at two or more distinct times"):
        hs.flexible_parametric("time", [0., 1., 1., 0., 0., 0., 0., 0., 0., 0.], data=d)


SUB = [1., 1., 0., 1., 1., 1., 0., 1., 1., 1., 1., 1., 0., 1., 1., 1.]
BETA = "Loglik converged before variable  1 ; beta may be infinite. "
RAN_OUT = "Ran out of iterations and did not converge"


@pytest.mark.parametrize("method,z,expected", [
    ("Prentice", 0.61081197208043925, [RAN_OUT, BETA]),
    ("SelfPrentice", 1.8724757016346001, [BETA]),
    ("LinYing", -0.089083000298503037, [BETA])])
def test_case_cohort_warns_in_cch_words(method, z, expected):
    d = _data(SEPARATED).assign(sub=SUB)
    f, ws = _warned(hs.case_cohort, "time", "status", ["x", "z"], "sub", cohort_size=40,
                    method=method, data=d)
    assert ws == expected
    assert f.coef[0] < -15
    np.testing.assert_allclose(f.coef[1], z, rtol=1e-6)
    _silent(hs.case_cohort, "time", "status", ["x", "z"], "sub", cohort_size=40, method=method,
            data=_data(STATUS).assign(sub=SUB))


@pytest.mark.parametrize("method", ["exact", "approximate", "efron"])
def test_conditional_logistic_separation_runs_out_of_iterations_as_clogit(method):
    case = [float((i + 1) % 2) for i in range(16)]
    d = pd.DataFrame({"case": case, "set": [i // 2 for i in range(16)], "z": Z,
                      "xx": [1., 0., 0., 1., 1., 1., 0., 0., 1., 0., 0., 1., 1., 0., 1., 1.]})
    with pytest.warns(RuntimeWarning, match=f"^{RAN_OUT}$"):
        f = hs.conditional_logistic("case", ["case", "z"], "set", method=method, data=d)
    assert not f.converged and f.coef[0] > 15
    f = _silent(hs.conditional_logistic, "case", ["xx", "z"], "set", method=method, data=d)
    np.testing.assert_allclose(f.coef, [0.31635000650592582, -0.4150721903016954], rtol=1e-6)


def test_logistic_separation_warns_as_glm():
    d = pd.DataFrame({"y": [float(z > 0) for z in Z], "z": Z, "status": STATUS})
    m, ws = _warned(hs.logistic_glm, "y", ["z"], data=d)
    assert ws == ["glm.fit: algorithm did not converge",
                  "glm.fit: fitted probabilities numerically 0 or 1 occurred"]
    _silent(hs.logistic_glm, "status", ["z"], data=d)
