"""Lexis splitting, cuts, person-time tables, rates, standardisation and SIR through the
Python package, against Epi / popEpi / stats::poisson.test / epitools (fixtures from
tests/reference/generate_lexis.R). The issue asks 1e-10 for the split and the tables;
the rates reach it too."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

matplotlib.use("Agg")
TOL = 1e-10


def _breaks(s):
    return {part.split("=")[0]: [float(v) for v in part.split("=")[1].split(" ")] for part in s.split(";")}


def _scales(case):
    names, cols = case["scales"].split(" "), case["entry"].split(" ")
    return {n: (None if k == 0 else c) for k, (n, c) in enumerate(zip(names, cols))}, cols[0]


LEXIS = manifest("lexis_cases.csv")


@pytest.mark.parametrize("case", LEXIS, ids=[c["case"] for c in LEXIS])
# rows of zero-length follow-up are dropped with a warning, as Epi::Lexis drops them with a
# note: the reference cohorts have such rows on purpose
@pytest.mark.filterwarnings("ignore:.*zero-length follow-up:RuntimeWarning")
def test_split_and_table_match_epi_popepi(case):
    d = fixture(f"data_{case['data']}.csv")
    scales, entry = _scales(case)
    br = _breaks(case["breaks"])
    drop = case["drop"] == "TRUE"
    s = hs.lexis_split(entry, case["exit"], case["status"], time_scales=scales, breaks=br, id="id",
                       entry_status=case["entry_status"], drop=drop, data=d)
    ref = fixture(f"lexis_{case['case']}_split.csv")
    assert_close("id", s["id"], ref["id"], TOL)
    for sc in scales:
        assert_close(sc, s[sc], num(ref, sc), TOL)
        ours_band = s[f"{sc}_band"] if f"{sc}_band" in s else np.full(len(s), np.nan)
        assert_close(f"{sc}_band", ours_band, num(ref, f"{sc}_band"), TOL)
    assert_close("duration", s["duration"], num(ref, "lex_dur"), TOL)
    assert_close("entry_status", s["entry_status"], num(ref, "lex_Cst"), TOL)
    assert_close("status", s["status"], num(ref, "lex_Xst"), TOL)

    t = hs.person_time_table(entry, case["exit"], case["status"], time_scales=scales, breaks=br,
                             entry_status=case["entry_status"], drop=drop, data=d)
    f = fixture(f"lexis_{case['case']}_table.csv")
    keys = [f"{n}_band" for n in br] + ["entry_status"]
    f = f.rename(columns={"lex_Cst": "entry_status"})
    for k in ("events_1", "events_2"):
        if k not in t:
            t[k] = 0.0
    m = f.merge(t, on=keys, how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), f"cells differ: {m[m['_merge'] != 'both'][keys]}"
    assert_close("person_time", m["person_time"], m["pyrs"], TOL)
    assert_close("events_1", m["events_1_y"], m["events_1_x"], TOL)
    assert_close("events_2", m["events_2_y"], m["events_2_x"], TOL)
    assert_close("events", m["events"], m["events_1_x"] + m["events_2_x"], TOL)


CUTS = manifest("lexis_cut_cases.csv")


@pytest.mark.parametrize("case", CUTS, ids=[c["case"] for c in CUTS])
# rows of zero-length follow-up are dropped with a warning, as Epi::Lexis drops them with a
# note: the reference cohorts have such rows on purpose
@pytest.mark.filterwarnings("ignore:.*zero-length follow-up:RuntimeWarning")
def test_cut_matches_epi_cutlexis(case):
    d = fixture(f"data_{case['data']}.csv")
    scales, entry = _scales(case)
    pre = [float(x) for x in (case["precursor_states"] or "").split(" ") if x]
    c = hs.lexis_cut(entry, case["exit"], case["status"], time_scales=scales, cut=case["cut"],
                     new_state=case["new_state"], timescale=case["timescale"], precursor_states=pre,
                     progressive=case["progressive"] == "TRUE", entry_status=case["entry_status"], id="id", data=d)
    ref = fixture(f"lexis_cut_{case['case']}.csv")
    if case["breaks"] is None:
        out = c
        assert_close("lex_dur", out["duration"], num(ref, "lex_dur"), TOL)
    else:
        first = list(scales)[0]
        out = hs.lexis_split(first, "exit", "status", time_scales={n: (None if k == 0 else n) for k, n in enumerate(scales)},
                             breaks=_breaks(case["breaks"]), entry_status="entry_status", id="id", data=c)
        for sc in scales:
            assert_close(f"{sc}_band", out[f"{sc}_band"], num(ref, f"{sc}_band"), TOL)
        assert_close("lex_dur", out["duration"], num(ref, "lex_dur"), TOL)
    assert_close("id", out["id"], num(ref, "id"), TOL)
    for sc in scales:
        assert_close(sc, out[sc], num(ref, sc), TOL)
    assert_close("lex_Cst", out["entry_status"], num(ref, "lex_Cst"), TOL)
    assert_close("lex_Xst", out["status"], num(ref, "lex_Xst"), TOL)


def test_person_time_table_by_matches_the_split():
    d = fixture("data_lexis_sim.csv")
    d["region"] = np.where(d["id"] % 3 == 0, "north", "south")
    kw = dict(time_scales={"per": None, "age": "age_at_entry"}, breaks={"age": range(30, 101, 10), "per": [2000, 2005, 2010, 2015, 2021]},
              data=d)
    t = hs.person_time_table("entry", "exit", "status", by=["sex", "region"], **kw)
    s = hs.lexis_split("entry", "exit", "status", id="id", **kw)
    s = s.merge(d[["id", "sex", "region"]], on="id")
    s["ev"] = (s["status"] != 0).astype(float)
    agg = s.groupby(["age_band", "per_band", "sex", "region"], as_index=False).agg(pt=("duration", "sum"), ev=("ev", "sum"))
    m = agg.merge(t, on=["age_band", "per_band", "sex", "region"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert_close("pt", m["person_time"], m["pt"], TOL)
    assert_close("events", m["events"], m["ev"], TOL)
    assert set(t["region"]) == {"north", "south"}


def test_rates_match_poisson_test():
    f = fixture("rate_crude.csv")
    for i, row in f.iterrows():
        r = hs.rate(row["events"], row["pyrs"], null_rate=row["null_rate"], conf_level=row["conf_level"])
        assert_close(f"rate {i}", r[["rate", "lower", "upper", "p_value"]].to_numpy()[0],
                     row[["rate", "lower", "upper", "p_value"]].to_numpy(dtype=float), TOL)
    # vectorised, with `per` and data=
    g = f[f["conf_level"] == 0.95]
    r = hs.rate("events", "pyrs", per=1000, data=g)
    assert list(r.columns[:len(g.columns)]) == list(g.columns)
    assert_close("rate per 1000", r["lower"].to_numpy() / 1000, g["lower"], TOL)


def test_rate_ratio_and_difference():
    f = fixture("rate_ratio.csv")
    for i, row in f.iterrows():
        r = hs.rate_ratio(row["events1"], row["pyrs1"], row["events2"], row["pyrs2"], null_ratio=row["null_ratio"],
                          conf_level=row["conf_level"])
        assert_close(f"ratio {i}", r[["rate_ratio", "lower", "upper", "p_value"]].to_numpy()[0],
                     row[["ratio", "lower", "upper", "p_value"]].to_numpy(dtype=float), TOL)
    f = fixture("rate_difference.csv")
    for cl in f["conf_level"].unique():
        g = f[f["conf_level"] == cl]
        r = hs.rate_difference("events1", "pyrs1", "events2", "pyrs2", conf_level=cl, data=g)
        for a, b in (("rate_difference", "difference"), ("se", "se"), ("lower", "lower"), ("upper", "upper"), ("p_value", "p_value")):
            assert_close(a, r[a], g[b], TOL)


def test_standard_populations_and_direct_standardisation():
    for name in ("who2000", "esp2013", "nordic2000", "segi1960", "esp1976"):
        sp = hs.standard_population(name)
        f = fixture(f"rate_standard_{name}.csv")
        assert_close(f"{name} weight", sp["weight"], f["weight"], 0)
        assert_close(f"{name} lower", sp["age_lower"], f["age_lower"], 0)
        assert sp.attrs["source"]
    assert hs.standard_population("nordic").attrs["name"] == "nordic2000"
    cases = manifest("rate_dsr_cases.csv")
    ref = fixture("rate_dsr.csv").set_index("case")
    for c in cases:
        d = fixture(f"data_{c['data']}.csv")
        exp = ref.loc[c["case"]]
        # by name (ages mapped to the standard's groups) and by explicit weights
        r1 = hs.direct_standardize(c["count"], c["pyrs"], c["standard"], age="age_lower", conf_level=float(c["conf_level"]), data=d)
        w = hs.standard_population(c["standard"])["weight"]
        r2 = hs.direct_standardize(d[c["count"]], d[c["pyrs"]], w, conf_level=float(c["conf_level"]))
        for r in (r1, r2):
            assert_close(c["case"], r[["crude_rate", "rate", "lower", "upper", "events", "person_time"]].to_numpy()[0],
                         exp[["crude", "dsr", "lower", "upper", "events", "pyrs"]].to_numpy(dtype=float), TOL)


def test_direct_standardisation_pools_finer_ages_and_needs_every_group():
    d = fixture("data_lexis_stdrates.csv")
    # split each five-year row into two halves: pooling gives the same answer
    half = pd.concat([d.assign(age=d["age_lower"], c=d["count_a"] // 2, p=d["pyrs_a"] / 2),
                      d.assign(age=d["age_lower"] + 2.5, c=d["count_a"] - d["count_a"] // 2, p=d["pyrs_a"] / 2)])
    r = hs.direct_standardize("c", "p", "who2000", age="age", data=half)
    ref = fixture("rate_dsr.csv").set_index("case").loc["a_who2000"]
    assert_close("pooled", r[["rate", "lower", "upper"]].to_numpy()[0], ref[["dsr", "lower", "upper"]].to_numpy(dtype=float), TOL)
    with pytest.raises(ValueError, match="no person-time in the standard's age group"):
        hs.direct_standardize("count_a", "pyrs_a", "who2000", age="age_lower", data=d[d["age_lower"] >= 20])
    with pytest.raises(ValueError, match="age="):
        hs.direct_standardize("count_a", "pyrs_a", "who2000", data=d)


@pytest.mark.parametrize("case", manifest("sir_cases.csv"), ids=lambda c: c["case"])
def test_sir_matches_reference(case):
    d = fixture("data_lexis_sim.csv")
    t = hs.person_time_table("entry", "exit", "status", time_scales={"per": None, "age": "age_at_entry"},
                             breaks={"age": range(30, 101, 10), "per": [2000, 2005, 2010, 2015, 2021]},
                             entry_status="entry_status", by="sex", data=d)
    rr = fixture("data_lexis_refrates.csv").rename(columns={"age_lower": "age_band", "per_lower": "per_band"})
    t = t.merge(rr, on=["age_band", "sex", "per_band"], how="left")
    assert not t["rate"].isna().any()
    s = hs.sir("events_1", "person_time", "rate", by=case["strata"], data=t)
    ref = fixture(f"sir_{case['case']}.csv")
    tab = s.table()
    for a, b in (("observed", "observed"), ("expected", "expected"), ("person_time", "pyrs"), ("sir", "sir"),
                 ("lower", "lower"), ("upper", "upper"), ("p_value", "p_exact"), ("p_chisq", "p_chisq")):
        assert_close(f"{case['case']} {a}", tab[a], ref[b], TOL)
    assert_close("overall", [s.sir, s.lower, s.upper], ref[["sir", "lower", "upper"]].to_numpy()[-1], TOL)
    if case["strata"]:
        h = fixture("sir_homogeneity.csv").set_index("case").loc[case["case"]]
        assert_close("homogeneity", s.homogeneity["statistic"], [h["lrt"], h["pearson"]], TOL)
        assert_close("homogeneity p", s.homogeneity["p_value"], [h["p_lrt"], h["p_pearson"]], TOL)
        assert "homogeneity" in repr(s)
    else:
        assert s.homogeneity is None


def test_bad_input_names_argument_and_row():
    d = fixture("data_lexis_hand.csv")
    kw = dict(time_scales={"per": None, "age": "age_at_entry"}, breaks={"age": [0, 40, 60, 80]})
    bad = d.copy()
    bad.loc[2, "exit"] = bad.loc[2, "entry"] - 1
    with pytest.raises(ValueError, match=r"exit.*row 2"):
        hs.lexis_split("entry", "exit", "status", data=bad, **kw)
    with pytest.raises(ValueError, match="no time scale named `tsd`"):
        hs.person_time_table("entry", "exit", "status", time_scales=kw["time_scales"], breaks={"tsd": [0, 1]}, data=d)
    with pytest.raises(ValueError, match="first scale"):
        hs.lexis_split("entry", "exit", "status", time_scales={"per": "age_at_entry", "age": "age_at_entry"},
                       breaks=kw["breaks"], data=d)
    with pytest.raises(TypeError, match="time_scales"):
        hs.lexis_split("entry", "exit", "status", time_scales=["per"], breaks=kw["breaks"], data=d)
    with pytest.raises(ValueError, match=r"events.*whole number.*row 1"):
        hs.rate([1, 2.5], [10, 10])
    with pytest.raises(ValueError, match=r"person_time.*row 0"):
        hs.rate([1], [0])
    with pytest.raises(ValueError, match="no events in either group"):
        hs.rate_ratio(0, 10, 0, 10)
    with pytest.raises(ValueError, match=r'argument `name`: unknown value "martian"; accepted: "who2000"'):
        hs.standard_population("martian")
    with pytest.raises(ValueError, match=r"by.*missing value at row 1"):
        hs.sir([1, 2], [10, 10], [0.1, 0.1], by=np.array(["a", None], dtype=object))


def test_plots_draw():
    d = fixture("data_lexis_sim.csv")
    kw = dict(time_scales={"per": None, "age": "age_at_entry"}, data=d)
    ax = hs.lexis_diagram("entry", "exit", "status", sample=50, breaks={"age": range(30, 101, 10)}, **kw)
    assert len(ax.collections[0].get_segments()) == 50
    t = hs.person_time_table("entry", "exit", "status", breaks={"age": range(30, 101, 10), "per": [2000, 2021]}, by="sex", **kw)
    ax = hs.plot_rates(t, "age_band", by="sex")
    assert len(ax.get_lines()) == 2


def test_one_vocabulary_and_one_option_parser():
    # the same columns as R (std_err; se kept as its old name) and one parser for `kind`
    r = hs.rate_difference([5, 12], [100, 250], [3, 20], [120, 200])
    assert list(r.columns) == ["rate_difference", "std_err", "se", "lower", "upper", "p_value"]
    assert_close("se is std_err", r["se"], r["std_err"], 0)
    from hrrstats._protocol import call
    args = {"events1": np.array([5.0]), "person_time1": np.array([100.0]), "events2": np.array([3.0]),
            "person_time2": np.array([120.0])}
    with pytest.raises(ValueError, match=r'argument `kind`: unknown value "differnce"; accepted: "ratio", "difference"'):
        call("compare_rates", {**args, "kind": "differnce"})
    d, _ = call("compare_rates", {**args, "kind": "difference"})
    assert_close("compare_rates", d["rate_difference"], hs.rate_difference(5, 100, 3, 120)["rate_difference"], 0)


def test_the_first_time_scale_is_checked_in_the_core():
    # None stands for `entry`; any other value must equal it (the core's check and
    # message, the same in R); breaks must be numeric
    kw = dict(breaks={"age": [0, 50, 100]})
    a = hs.lexis_split([50.0, 60.0], [55.0, 70.0], [0, 1], time_scales={"age": None}, **kw)
    b = hs.lexis_split([50.0, 60.0], [55.0, 70.0], [0, 1], time_scales={"age": [50.0, 60.0]}, **kw)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match=r"^argument `time_scales`: the first scale \(`age`\) is "
                                         r"the one `entry` and `exit` are measured on; its value "
                                         r"at entry must be `entry` \(give NULL in R, None in "
                                         r"Python\)$"):
        hs.lexis_split([50.0, 60.0], [55.0, 70.0], [0, 1], time_scales={"age": [50.0, 61.0]}, **kw)
    with pytest.raises(TypeError, match=r"^argument `breaks`: the breaks of `age` must be numeric$"):
        hs.lexis_split([50.0, 60.0], [55.0, 70.0], [0, 1], time_scales={"age": None},
                       breaks={"age": ["a", "b"]})
