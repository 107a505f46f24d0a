"""Flexible parametric (Royston-Parmar) models against the plain-R likelihood maximised
with optim (fixtures from tests/reference/generate_flexible.R), and the df = 1 model
against survreg's Weibull."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

CASES = manifest("flex_cases.csv")
TOL = 1e-6


def fit_case(c):
    d = fixture(f"data_flex_{c['data']}.csv")
    cov = c["covariates"].split(" ")
    kw = {k: c[k] for k in ("entry", "weights", "bhazard") if c[k]}
    if c["tvc"]:
        kw["tvc"] = {c["tvc"]: int(c["tvc_df"])}
    if c["knots"]:
        kw["knots"] = [float(v) for v in c["knots"].split(" ")]
    return hs.flexible_parametric("time", "status", cov, df=int(c["df"]), scale=c["scale"], data=d, **kw), d, cov


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_matches_optim(c):
    m, d, cov = fit_case(c)
    name = c["case"]
    f = fixture(f"flex_{name}_fit.csv")
    assert m.converged
    assert_close("loglik", m.loglik, f["loglik"][0], rtol=TOL)
    if not np.isnan(f["survreg_loglik"][0]):
        assert_close("loglik vs survreg", m.loglik, f["survreg_loglik"][0], rtol=1e-8)
    p = fixture(f"flex_{name}_pred.csv")
    for ty, est, se in (("survival", "surv", "se_surv"), ("hazard", "haz", "se_haz"), ("cumhaz", "cumhaz", "se_cumhaz")):
        for k in (1, 2):
            rows = p[p["pattern"] == k]
            r = m.predict(rows[cov].iloc[[0]], rows["time"].to_numpy(), ty)
            assert_close(f"{ty} {k}", r["estimate"], num(rows, est), rtol=TOL)
            assert_close(f"se {ty} {k}", r["std_err"], num(rows, se), rtol=TOL)
            if ty == "survival" and "survreg_surv" in p:
                assert_close("survival vs survreg", r["estimate"], num(rows, "survreg_surv"), rtol=1e-8)
    p1, p2 = p[p["pattern"] == 1], p[p["pattern"] == 2]
    hr = m.predict(p2[cov].iloc[[0]], p2["time"].to_numpy(), "hr", reference=p1[cov].iloc[[0]])
    assert_close("hr", hr["estimate"], num(p2, "hr"), rtol=TOL)
    assert_close("se hr", hr["std_err"], num(p2, "se_hr"), rtol=TOL)
    rm = fixture(f"flex_{name}_rmst.csv")
    for k in (1, 2):
        rr = rm[rm["pattern"] == k]
        r = m.predict(p[p["pattern"] == k][cov].iloc[[0]], rr["tau"].to_numpy(), "rmst")
        assert_close("rmst", r["estimate"], num(rr, "rmst"), rtol=TOL)
        assert_close("se rmst", r["std_err"], num(rr, "se_rmst"), rtol=TOL)
    st = fixture(f"flex_{name}_std.csv")
    for ty in ("survival", "rmst"):
        s = st[st["type"] == ty]
        if len(s):
            r = m.standardize(s["time"].to_numpy(), d[cov], ty)
            assert_close(f"standardized {ty}", r["estimate"], num(s, "estimate"), rtol=TOL)
            assert_close(f"se standardized {ty}", r["std_err"], num(s, "se"), rtol=TOL)
    s = st[st["type"] == "survival_diff"]
    d1, d0 = d[cov].copy(), d[cov].copy()
    d1[cov[-1]], d0[cov[-1]] = 1.0, 0.0
    r = m.standardize(s["time"].to_numpy(), d1, reference=d0)
    assert_close("standardized difference", r["difference"], num(s, "estimate"), rtol=TOL)
    assert_close("se standardized difference", r["difference_std_err"], num(s, "se"), rtol=TOL)


def test_summary_repr_and_errors():
    d = fixture("data_flex_lung.csv")
    m = hs.flexible_parametric("time", "status", ["age", "sex"], df=2, tvc={"sex": 1}, data=d)
    s = m.summary()
    assert list(s.index) == ["(Intercept)", "rcs1", "rcs2", "age", "sex", "rcs_sex1"]
    assert "Flexible parametric" in repr(m)
    with pytest.raises(ValueError, match="`tvc`.*\"ph\""):
        hs.flexible_parametric("time", "status", ["age"], tvc={"ph": 2}, data=d)
    with pytest.raises(ValueError, match="`scale`"):
        hs.flexible_parametric("time", "status", ["age"], scale="logit", data=d)
    bh = d["bh"].to_numpy().copy()
    bh[4] = -1
    with pytest.raises(ValueError, match="`bhazard`.*row 4"):
        hs.flexible_parametric(d["time"], d["status"], d[["age"]], bhazard=bh)
    with pytest.raises(ValueError, match="`times`"):
        m.predict(d[["age", "sex"]].iloc[:1], [-1.0])


def test_plot():
    import matplotlib
    matplotlib.use("Agg")
    d = fixture("data_flex_lung.csv")
    m = hs.flexible_parametric("time", "status", ["age", "sex"], df=3, data=d)
    ax = m.plot(pd.DataFrame({"age": [60, 70], "sex": [0, 1]}), "hazard")
    assert len(ax.lines) == 2
