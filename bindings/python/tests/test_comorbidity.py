"""Comorbidity indices against comorbidipy (fixtures from
tests/reference/generate_comorbidity.py; the tests do not import comorbidipy): flags
exactly, scores at 1e-12, Charlson (original and Quan 2011 weights) and Elixhauser (van
Walraven and Swiss weights) with a 365-day look-back window."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import fixture

SCORE_TOL = 1e-12
CASES = [("charlson", "charlson"), ("charlson", "quan"), ("elixhauser", "van_walraven"), ("elixhauser", "swiss")]


def _input():
    return fixture("comorbidity_input.csv")


@pytest.mark.parametrize("index,weights", CASES)
def test_comorbidity_matches_comorbidipy(index, weights):
    inp = _input()
    fx = fixture(f"comorbidity_{index}.csv")
    r = hs.comorbidity("id", "code", date="date", index_date="index_date", lookback=365, index=index,
                       weights=weights, data=inp)
    assert list(r["id"]) == list(fx["id"])
    cats = [c for c in fx.columns if c != "id" and "score" not in c]
    assert len(cats) == (17 if index == "charlson" else 31)
    assert list(r.columns) == ["id"] + cats + ["score"]
    for c in cats:
        assert np.array_equal(r[c].to_numpy(), fx[c].to_numpy()), c
    assert np.max(np.abs(r["score"].to_numpy() - fx[f"score_{weights}"].to_numpy())) <= SCORE_TOL
    assert r.attrs["index"] == index and r.attrs["weights"] == weights
    assert len(r.attrs["categories"]) == len(cats)


def test_dates_as_dates_give_the_same_answer():
    inp = _input()
    epoch = pd.Timestamp("1970-01-01")
    d = inp.assign(date=epoch + pd.to_timedelta(inp["date"], unit="D"),
                   index_date=epoch + pd.to_timedelta(inp["index_date"], unit="D"))
    a = hs.comorbidity("id", "code", date="date", index_date="index_date", lookback=365, data=inp)
    b = hs.comorbidity(d["id"], d["code"], date=d["date"], index_date=d["index_date"],
                       lookback=pd.Timedelta(days=365))
    pd.testing.assert_frame_equal(a, b)


def test_written_codes_and_one_index_date():
    r = hs.comorbidity(["a", "a", "b", "b", "c"], ["E10.9", "e11.2", "C50.9", "C78 7", "Z00"],
                       date=[1, 2, 3, 4, 5], index_date=10)
    assert list(r["id"]) == ["a", "b", "c"]
    assert list(r["diab"]) == [1, 0, 0] and list(r["diabwc"]) == [1, 0, 0]
    assert list(r["canc"]) == [0, 1, 0] and list(r["metacanc"]) == [0, 1, 0]
    # hierarchy: diabetes with complications (2) instead of both (3); metastatic (6) only
    assert list(r["score"]) == [2.0, 6.0, 0.0]


def test_missing_ids_and_codes_are_named_or_dropped():
    with pytest.raises(ValueError, match=r"argument `code`: missing value at row 1"):
        hs.comorbidity([1, 1, 2], ["I21", None, "I50"])
    with pytest.raises(ValueError, match=r"argument `id`: missing value at row 2"):
        hs.comorbidity([1.0, 1.0, np.nan], ["I21", "C50", "I50"])
    with pytest.raises(ValueError, match=r"argument `date`: missing value \(NaN\) at row 1"):
        hs.comorbidity([1, 1, 2], ["I21", "C50", "I50"], date=[1, np.nan, 2], index_date=5)
    r = hs.comorbidity([1, 1, 2, None], ["I21", None, "I50", "C50"], na_action="drop")
    assert list(r["id"]) == [1, 2] and list(r["ami"]) == [1, 0] and list(r["chf"]) == [0, 1]
    assert r.attrs["n_dropped"] == 2


def test_unknown_options_are_the_cores_errors():
    with pytest.raises(ValueError, match=r"argument `index`: unknown value \"elix\"; accepted: \"charlson\", \"elixhauser\""):
        hs.comorbidity([1], ["I21"], index="elix")
    with pytest.raises(ValueError, match=r"argument `weights`: \"swiss\" is not a weighting of the charlson index"):
        hs.comorbidity([1], ["I21"], weights="swiss")
    with pytest.raises(ValueError, match=r"argument `index_date`: is required with `date`"):
        hs.comorbidity([1], ["I21"], date=[1])


# AHRQ Elixhauser indices (Moore et al. 2017; comorbidipy has none): the weights published
# in AHRQ's comindex2012-2015.txt, by AHRQ variable -> (our category, mortality, readmission)
AHRQ = {"AIDS": ("aids", 0, 19), "ALCOHOL": ("alcohol", -1, 6), "ANEMDEF": ("dane", -2, 9),
        "ARTH": ("rheumd", 0, 4), "BLDLOSS": ("blane", -3, 3), "CHF": ("chf", 9, 13),
        "CHRNLUNG": ("cpd", 3, 8), "COAG": ("coag", 11, 7), "DEPRESS": ("depre", -5, 4),
        "DM": ("diabunc", 0, 6), "DMCX": ("diabc", -3, 9), "DRUG": ("drug", -7, 14),
        "HYPOTHY": ("hypothy", 0, 0), "LIVER": ("ld", 4, 10), "LYMPH": ("lymph", 6, 16),
        "LYTES": ("fed", 11, 8), "METS": ("metacanc", 14, 21), "NEURO": ("ond", 5, 7),
        "OBESE": ("obes", -5, -3), "PARA": ("para", 5, 6), "PERIVASC": ("pvd", 3, 4),
        "PSYCH": ("psycho", -5, 10), "PULMCIRC": ("pcd", 6, 5), "RENLFAIL": ("rf", 6, 15),
        "TUMOR": ("solidtum", 7, 15), "ULCER": ("pud", 0, 0), "VALVE": ("valv", 0, 0),
        "WGHTLOSS": ("wloss", 9, 10)}


@pytest.mark.parametrize("weights,k", [("ahrq_mortality", 1), ("ahrq_readmission", 2)])
def test_elixhauser_ahrq_indices_by_hand(weights, k):
    inp = _input()
    fx = fixture("comorbidity_elixhauser.csv")
    r = hs.comorbidity("id", "code", date="date", index_date="index_date", lookback=365, index="elixhauser",
                       weights=weights, data=inp)
    s = np.zeros(len(fx))
    for v, t in AHRQ.items():
        f = fx[t[0]].to_numpy() == 1
        if v == "DM":
            f &= fx["diabc"].to_numpy() == 0
        if v == "TUMOR":
            f &= fx["metacanc"].to_numpy() == 0
        s += t[k] * f
    s += -1.0 * ((fx["hypunc"].to_numpy() == 1) | (fx["hypc"].to_numpy() == 1))  # HTN_C, once
    assert np.max(np.abs(r["score"].to_numpy() - s)) <= SCORE_TOL
    assert r.attrs["weights"] == weights
