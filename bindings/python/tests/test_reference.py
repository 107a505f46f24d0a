"""Kaplan-Meier and log-rank against survival::survfit / survdiff (generate.R fixtures)."""
import numpy as np
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

KM_CASES = manifest("km_cases.csv")
LR_CASES = manifest("logrank_cases.csv")


def km_fit(case):
    data = fixture(f"data_{case['data']}.csv")
    return hs.kaplan_meier(case["time"], case["status"], entry=case["entry"], strata=case["strata"],
                           weights=case["weights"], conf_type=case["conf_type"],
                           conf_level=float(case["conf_level"]), data=data)


def test_case_count():
    assert len(KM_CASES) >= 15 and len(LR_CASES) >= 7


@pytest.mark.parametrize("case", KM_CASES, ids=[c["case"] for c in KM_CASES])
def test_km_table(case):
    fit = km_fit(case)
    ref = fixture(f"km_{case['case']}.csv")
    tab = fit.table()
    # strata codes in the data are 1..k, so the labels are the anchor's stratum numbers
    if case["strata"]:
        assert_close("strata", tab["strata"].astype(float), num(ref, "strata"))
    else:
        assert (tab["strata"] == "all").all() and (num(ref, "strata") == 1).all()
    for col in ["time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper",
                "cumulative_hazard", "std_err_cumulative_hazard"]:
        assert_close(f"{case['case']} {col}", tab[col], num(ref, col))


@pytest.mark.parametrize("case", KM_CASES, ids=[c["case"] for c in KM_CASES])
def test_km_quantiles(case):
    fit = km_fit(case)
    ref = fixture(f"km_{case['case']}_quantile.csv")
    q = fit.quantile([0.25, 0.5, 0.75])
    # ours: ordered by prob then stratum, as the fixture
    for col in ["quantile", "lower", "upper"]:
        assert_close(f"{case['case']} {col}", q[col], num(ref, col))
    assert_close("prob", q["prob"], num(ref, "prob"))


@pytest.mark.parametrize("case", KM_CASES, ids=[c["case"] for c in KM_CASES])
def test_km_survival_at(case):
    fit = km_fit(case)
    ref = fixture(f"km_{case['case']}_at.csv")
    strata = num(ref, "strata").astype(int)
    times = num(ref, "time")
    tab = fit.survival_at_table(np.unique(times))
    for (k, t), row in zip(zip(strata, times), range(len(ref))):
        lev = fit.strata_levels[k - 1]
        got = tab[(tab["strata"] == lev) & (tab["time"] == t)]
        assert len(got) == 1
        for col in ["n_risk", "survival", "std_err", "lower", "upper"]:
            assert_close(f"{case['case']} t={t} {col}", got[col].to_numpy(), num(ref, col)[row:row + 1])


@pytest.mark.parametrize("case", LR_CASES, ids=[c["case"] for c in LR_CASES])
def test_logrank(case):
    data = fixture(f"data_{case['data']}.csv")
    lr = hs.logrank_test(case["time"], case["status"], case["group"], strata=case["strata"],
                         rho=float(case["rho"]), data=data)
    ref = fixture(f"logrank_{case['case']}.csv")
    assert_close("observed", lr.observed, num(ref, "observed"))
    assert_close("expected", lr.expected, num(ref, "expected"))
    assert_close("n", lr.n, num(ref, "n"))
    assert_close("statistic", [lr.statistic], num(ref, "statistic")[:1])
    assert_close("df", [lr.df], num(ref, "df")[:1])
    assert_close("p_value", [lr.p_value], num(ref, "p_value")[:1])
    v = fixture(f"logrank_{case['case']}_var.csv")
    ours = [lr.variance[int(i) - 1, int(j) - 1] for i, j in zip(num(v, "i"), num(v, "j"))]
    assert_close("variance", ours, num(v, "value"))


def test_logrank_with_delayed_entry_matches_coxph_score():
    data = fixture("data_sim_entry.csv")
    lr = hs.logrank_test("exit", "status", "grp", entry="entry", data=data)
    ref = fixture("logrank_entry_coxph.csv")
    assert_close("observed", lr.observed, num(ref, "observed"))
    assert_close("expected", lr.expected, num(ref, "expected"))
    assert_close("statistic", [lr.statistic], num(ref, "statistic")[:1])
    assert_close("p_value", [lr.p_value], num(ref, "p_value")[:1])
