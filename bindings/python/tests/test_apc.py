"""Age–period–cohort models (hs.apc_fit) against Epi::apc.fit (fixtures from
tests/reference/generate_apc.R: lungDK and a simulated table, every parametrisation,
spline and factor effects, both drift extractions) at the issue's 1e-8; bad input names
the argument."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

matplotlib.use("Agg")
CASES = manifest("apc_cases.csv")
EFFECT_COLS = ["value", "estimate", "lower", "upper"]
ANOVA_COLS = ["aic", "mod_df", "mod_dev", "test_df", "test_dev", "p", "dev_df"]


def _fit(case):
    d = fixture("apc_input.csv")
    d = d[d["data"] == case["data"]].reset_index(drop=True)
    if case["knots"] == "1":
        k = fixture("apc_knots.csv")
        k = k[k["case"] == case["case"]]
        df = {e: k.loc[k["effect"] == e, "knot"].to_numpy() for e in ("A", "P", "C")}
    else:
        df = [int(case["npar_A"]), int(case["npar_P"]), int(case["npar_C"])]
    dr = float(case["dr_num"]) if case["dr_extr"] == "number" else case["dr_extr"]
    if dr == "vector":
        dr = np.sqrt(d["Y"]) + d["D"]
    ref = {k: float(case[k]) for k in ("ref_c", "ref_p") if case[k] not in (None, "NA")}
    return hs.apc_fit("D", "Y", "A", "P", model=case["model"], parm=case["parm"], df=df, dr_extr=dr,
                      scale=float(case["scale"]), alpha=float(case["alpha"]), data=d, **ref)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_apc_fit_matches_epi_apc_fit(case):
    fit = _fit(case)
    eff = fixture("apc_effects.csv")
    eff = eff[eff["case"] == case["case"]]
    for e in ("age", "period", "cohort"):
        theirs = eff[eff["effect"] == e]
        ours = getattr(fit, e)
        assert list(ours.columns) == EFFECT_COLS
        for c in EFFECT_COLS:
            assert_close(f"{case['case']} {e} {c}", ours[c], num(theirs, c))
    dr = fixture("apc_drift.csv")
    dr = dr[dr["case"] == case["case"]]
    for c in ("estimate", "lower", "upper"):
        assert_close(f"{case['case']} drift {c}", fit.drift[c], num(dr, c))
    aov = fixture("apc_anova.csv")
    aov = aov[aov["case"] == case["case"]]
    a = fit.anova()
    assert list(a["model"]) == ["Age", "Age-drift", "Age-Cohort", "Age-Period-Cohort", "Age-Period", "Age-drift"]
    for c in ANOVA_COLS:
        assert_close(f"{case['case']} anova {c}", a[c], num(aov, c))


def _lung():
    d = fixture("apc_input.csv")
    return d[d["data"] == "lungDK"].reset_index(drop=True)


def test_apc_fit_result_and_plot():
    d = _lung()
    fit = hs.apc_fit(d["D"], d["Y"], d["A"], d["P"])
    assert fit.parm == "ACP" and fit.model == "ns" and fit.dr_extr == "weighted"
    assert set(fit.knots) == {"age", "period", "cohort"} and len(fit.knots["age"]) == 5
    # the default reference cohort: the median birth date of the cases
    assert fit.ref_c == pytest.approx(1911.333333, abs=1e-5)
    coh = fit.cohort
    assert list(fit.drift["term"]) == ["APC (Y-weights)", "A-d"]
    assert "drift" in repr(fit)
    t = fit.table()
    assert list(t["effect"].unique()) == ["age", "period", "cohort"]
    axes = fit.plot()
    assert len(axes) == 3 and all(a.get_yscale() == "log" for a in axes)
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    assert fit.plot(ax=ax) is ax
    # a given reference cohort makes the cohort effect 1 there (a value of the data)
    fit2 = hs.apc_fit("D", "Y", "A", "P", ref_c=float(coh["value"].iloc[10]), data=d)
    assert fit2.cohort["estimate"].iloc[10] == pytest.approx(1.0, abs=1e-12)
    # "weighted" is apc.fit's default inner product (person-time); "Y" the same
    fit3 = hs.apc_fit("D", "Y", "A", "P", dr_extr="Y", data=d)
    assert_close("dr_extr Y", fit3.cohort["estimate"], fit.cohort["estimate"])
    # df as a dict by effect
    fit4 = hs.apc_fit("D", "Y", "A", "P", df={"age": 6, "P": 4, "cohort": 7}, data=d)
    ref = fixture("apc_effects.csv")
    ref = ref[(ref["case"] == "c33") & (ref["effect"] == "cohort")]
    assert_close("df dict", fit4.cohort["estimate"], num(ref, "estimate"))


def test_apc_fit_bad_input_names_the_argument():
    d = _lung()
    y = d["Y"].to_numpy().copy()
    y[3] = -1.0
    with pytest.raises(ValueError, match=r"`person_time`.*row 3"):
        hs.apc_fit(d["D"], y, d["A"], d["P"])
    ev = d["D"].to_numpy().copy()
    ev[5] = -2
    with pytest.raises(ValueError, match=r"`events`: negative count.*row 5"):
        hs.apc_fit(ev, d["Y"], d["A"], d["P"])
    with pytest.raises(ValueError, match=r"`parm`.*\"ACP\""):
        hs.apc_fit("D", "Y", "A", "P", parm="PCA", data=d)
    with pytest.raises(ValueError, match=r"`dr_extr`.*\"weighted\""):
        hs.apc_fit("D", "Y", "A", "P", dr_extr="Q", data=d)
    with pytest.raises(ValueError, match=r"`model`"):
        hs.apc_fit("D", "Y", "A", "P", model="loess", data=d)
    with pytest.raises(ValueError, match=r"`period`.*length"):
        hs.apc_fit(d["D"], d["Y"], d["A"], d["P"][:-1])
    with pytest.raises(ValueError, match=r"`period`"):
        hs.apc_fit(d["D"], d["Y"], d["A"], np.full(len(d), 1990.0), model="factor")
