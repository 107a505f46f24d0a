"""Plots: Kaplan–Meier censoring marks and number-at-risk table, forest plots.

What is drawn must be the core's numbers: the risk table is ``survival_at``'s n_risk
(as ``summary(survfit, times)$n.risk``), the forest plot the fit's summary table.
"""
import matplotlib
import numpy as np
import pytest

import hrrstats as hs

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def cohort():
    return hs.example_cohort()


def test_risk_table_shows_the_number_at_risk_at_the_times(cohort):
    km = hs.kaplan_meier("time", "status", strata="sex", data=cohort)
    times = [0, 2, 5, 10, 20]
    ax = km.plot(risk_table=True, risk_times=times, xscale=365.25)
    texts = [t for t in ax.texts if t.get_gid() == "risk_table"]
    assert len(texts) == 2 * len(times)
    want = km.survival_at_table(np.asarray(times) * 365.25)["n_risk"].to_numpy()
    assert [float(t.get_text()) for t in texts] == list(want)
    assert [t.xy[0] for t in texts] == times * 2
    assert want[0] == (cohort.sex == 1).sum() and want[-1] < want[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() is None]
    assert labels == ["Number at risk", "sex=1", "sex=2"]
    plt.close("all")


def test_default_risk_times_are_the_ticks_inside_the_axis(cohort):
    km = hs.kaplan_meier("time", "status", data=cohort)
    ax = km.plot(risk_table=True, ci=False)
    xs = [t.xy[0] for t in ax.texts if t.get_gid() == "risk_table"]
    lo, hi = ax.get_xlim()
    assert xs and all(lo <= x <= hi for x in xs)
    plt.close("all")


def test_censor_marks_at_the_censoring_times_and_xscale(cohort):
    km = hs.kaplan_meier("time", "status", strata="sex", data=cohort)
    ax = km.plot(xscale=365.25)
    marks = [ln for ln in ax.lines if ln.get_gid() == "censor_marks"]
    assert len(marks) == 2
    tab = km.table()
    for k, lev in enumerate(km.strata_levels):
        rows = tab[(tab.strata == lev) & (tab.n_censor > 0)]
        np.testing.assert_array_equal(marks[k].get_xdata(), rows.time.to_numpy() / 365.25)
        np.testing.assert_array_equal(marks[k].get_ydata(), rows.survival.to_numpy())
    ends = [ln.get_xdata().max() for ln in ax.lines if ln.get_gid() is None]
    assert max(ends) == tab.time.max() / 365.25
    ax = km.plot(censor_marks=False)
    assert not [ln for ln in ax.lines if ln.get_gid() == "censor_marks"]
    plt.close("all")


def test_bad_plot_arguments_name_the_argument(cohort):
    km = hs.kaplan_meier("time", "status", data=cohort)
    with pytest.raises(ValueError, match="`xscale`"):
        km.plot(xscale=0)
    with pytest.raises(ValueError, match="`risk_times`"):
        km.plot(risk_table=True, risk_times=[1, float("nan")])
    plt.close("all")


def test_forest_plot_draws_the_fits_ratios_and_limits(cohort):
    fit = hs.cox_ph("time", "status", ["age", "sex", "stage"], data=cohort)
    ax = hs.forest_plot(fit, conf_level=0.9)
    tab = fit.summary(conf_level=0.9)
    est = ax.lines[-1]
    np.testing.assert_array_equal(est.get_xdata(), tab["exp_coef"].to_numpy())
    segs = ax.collections[-1].get_segments()
    np.testing.assert_array_equal([s[0][0] for s in segs], tab["exp_lower"].to_numpy())
    np.testing.assert_array_equal([s[1][0] for s in segs], tab["exp_upper"].to_numpy())
    assert ax.get_xscale() == "log"

    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == ["age", "sex", "stage"]
    ax = hs.forest_plot(fit, terms=["stage", "age"])
    np.testing.assert_array_equal(ax.lines[-1].get_xdata(),
                                  tab.loc[["stage", "age"], "exp_coef"].to_numpy())
    plt.close("all")


def test_forest_plot_of_a_gaussian_glm_is_on_the_coefficient_scale(cohort):
    g = hs.glm("age", ["sex"], family="gaussian", data=cohort)
    ax = hs.forest_plot(g)
    np.testing.assert_array_equal(ax.lines[-1].get_xdata(),
                                  g.summary().loc[["sex"], "coef"].to_numpy())
    assert ax.get_xscale() == "linear"
    ax = hs.forest_plot(g, intercept=True)
    assert len(ax.lines[-1].get_xdata()) == 2
    with pytest.raises(ValueError, match="argument `exp`"):
        hs.forest_plot(g, exp=True)
    with pytest.raises(ValueError, match=r"argument `terms`: x not among the fit's terms \(\(Intercept\), sex\)"):
        hs.forest_plot(g, terms=["x"])
    with pytest.raises(TypeError, match="argument `fit`: a regression fit is needed, not int"):
        hs.forest_plot(1)
    plt.close("all")


# ---- net survival and cumulative incidence: the same risk table and censoring marks

@pytest.fixture(scope="module")
def net(cohort):
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex",
                                 rate="rate", time_unit="days")
    d = cohort.iloc[:2000]
    return d, hs.net_survival("time", "status", "age", "year", "sex", rt, strata="sex", data=d)


def test_net_survival_risk_table_counts_the_persons_still_followed(net):
    d, ns = net
    times = [0, 2, 5, 10, 50]
    ax = ns.plot(risk_table=True, risk_times=times, xscale=365.25, xlabel="years")
    texts = [t for t in ax.texts if t.get_gid() == "risk_table"]
    want = [float((d.time[d.sex == s] >= t * 365.25).sum()) for s in (1, 2) for t in times]
    assert [float(t.get_text()) for t in texts] == want
    assert want[0] == (d.sex == 1).sum() and want[4] == 0
    assert [t.xy[0] for t in texts] == times * 2
    assert [t.get_text() for t in ax.texts if t.get_gid() is None] == ["Number at risk", "1", "2"]
    assert ax.get_xlabel() == "years"
    assert ax.figure is not None
    plt.close("all")


def test_net_survival_censor_marks_and_xscale(net):
    d, ns = net
    ax = ns.plot(xscale=365.25)
    marks = [ln for ln in ax.lines if ln.get_gid() == "censor_marks"]
    assert len(marks) == 2
    tab = ns.table()
    for k, lev in enumerate(ns.strata):
        rows = tab[(tab.strata == lev) & (tab.n_censor > 0)]
        assert len(rows) > 0
        np.testing.assert_array_equal(marks[k].get_xdata(), rows.time.to_numpy() / 365.25)
        np.testing.assert_array_equal(marks[k].get_ydata(), rows.survival.to_numpy())
    assert not [ln for ln in ns.plot(censor_marks=False).lines if ln.get_gid() == "censor_marks"]
    with pytest.raises(ValueError, match="`xscale`"):
        ns.plot(xscale=-1)
    with pytest.raises(ValueError, match="`risk_times`"):
        ns.plot(risk_table=True, risk_times=[float("inf")])
    plt.close("all")


def test_cumulative_incidence_risk_table_and_censor_marks(cohort):
    d = cohort.iloc[:3000].copy()
    # two causes: death before / after 5 years of follow-up, censored otherwise
    d["cause"] = np.where(d.status == 1, np.where(d.time < 5 * 365.25, 1, 2), 0)
    ci = hs.cumulative_incidence("time", "cause", group="sex", data=d)
    times = [0, 1, 5, 10, 40]
    ax = ci.plot(risk_table=True, risk_times=times, xscale=365.25)
    texts = [t for t in ax.texts if t.get_gid() == "risk_table"]
    want = [float((d.time[d.sex == s] >= t * 365.25).sum()) for s in (1, 2) for t in times]
    assert [float(t.get_text()) for t in texts] == want
    assert want[-1] == 0
    marks = [ln for ln in ax.lines if ln.get_gid() == "censor_marks"]
    assert len(marks) == 2 * 2                     # per group and cause
    tab = ci.table()
    cens = d[(d.sex == 1) & (d.cause == 0)].time.unique()
    np.testing.assert_array_equal(np.sort(marks[0].get_xdata()), np.sort(cens) / 365.25)
    # each mark sits on its curve: the estimate at the latest time at or before it
    c1 = tab[(tab.group == 1) & (tab.cause == 1)]
    for x, y in zip(np.sort(cens)[:50], marks[0].get_ydata()[:50]):
        before = c1[c1.time <= x]
        assert y == (before.estimate.iloc[-1] if len(before) else 0.0)
    ax = ci.plot(stacked=True, risk_table=True, risk_times=[0, 5])
    assert not [ln for ln in ax.lines if ln.get_gid() == "censor_marks"]
    assert [float(t.get_text()) for t in ax.texts if t.get_gid() == "risk_table"] == \
        [float((d.sex == 1).sum()), float((d.time[d.sex == 1] >= 5).sum())]
    plt.close("all")
