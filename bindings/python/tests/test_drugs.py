"""Drug exposure (issue 17) against the day-by-day coverage-vector definitions of
tests/reference/generate_drugs.R: episodes exactly, adherence (PDC, MPR) at 1e-12;
dates in, dates out; bad input names the argument and the row."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture

ADHERENCE_TOL = 1e-12
CASES = ["overlap_stockpile", "overlap_no_stockpile", "same_day", "grace_boundary", "grace_zero",
         "single", "unsorted_ids", "proportional_end_grace", "proportional_no_stockpile",
         "window_start", "random_stockpile", "random_no_stockpile"]


def _case(case):
    cs = fixture("drugs_cases.csv")
    cs = cs[cs["case"] == case].iloc[0]
    d = fixture("drugs_dispensings.csv")
    return cs, d[d["case"] == case].reset_index(drop=True)


@pytest.mark.parametrize("case", CASES)
def test_episodes_equal_the_day_by_day_definition(case):
    cs, d = _case(case)
    e = hs.drug_exposure("id", "date", "amount", daily_dose="daily_dose", grace=cs["grace"],
                         grace_fraction=cs["grace_fraction"], stockpile=bool(cs["stockpile"]),
                         end_grace=bool(cs["end_grace"]), data=d)
    ref = fixture("drugs_episodes.csv")
    ref = ref[ref["case"] == case].reset_index(drop=True)
    assert list(e.columns) == ["id", "start", "end", "dispensings", "supplied"]
    for c in e.columns:
        np.testing.assert_array_equal(e[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), err_msg=c)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("measure", ["pdc", "mpr"])
def test_adherence_equals_the_day_by_day_definition(case, measure):
    cs, d = _case(case)
    ws = None if d["window_start"].isna().all() else "window_start"
    a = hs.adherence("id", "date", "amount", daily_dose="daily_dose", window=cs["window"], window_start=ws,
                     measure=measure, stockpile=bool(cs["stockpile"]), data=d)
    ref = fixture("drugs_adherence.csv")
    ref = ref[ref["case"] == case].reset_index(drop=True)
    for c in ["id", "window_start", "window_end", "dispensings"]:
        np.testing.assert_array_equal(a[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), err_msg=c)
    for c in ["supplied", "covered", measure]:
        assert_close(c, a[c], ref[c].to_numpy(dtype=float), rtol=ADHERENCE_TOL)


def test_dates_in_dates_out_and_ids_kept():
    d = pd.DataFrame({"pid": ["b", "a", "b", "a"],
                      "when": pd.to_datetime(["2020-01-01", "2020-03-01", "2020-01-21", "2020-05-01"]),
                      "ddd": [30.0, 60.0, 30.0, 10.0]})
    e = hs.drug_exposure("pid", "when", "ddd", grace=10, data=d)
    assert list(e["id"]) == ["a", "b"]
    assert e["start"].tolist() == list(pd.to_datetime(["2020-03-01", "2020-01-01"]))
    # a: 60 days from Mar 1 run out Apr 30, refill May 1 (gap 1 <= 10) -> May 11;
    # b: 30 days from Jan 1, refill Jan 21 stockpiled -> runs out on Mar 1 (2020 is a leap year)
    assert e["end"].tolist() == list(pd.to_datetime(["2020-05-11", "2020-03-01"]))
    a = hs.adherence("pid", "when", "ddd", window=30, data=d)
    assert a["window_start"].tolist() == list(pd.to_datetime(["2020-03-01", "2020-01-01"]))
    assert a["pdc"].tolist() == [1.0, 1.0]
    # numbers in, numbers out; a scalar daily dose divides the amount
    e = hs.drug_exposure([1, 1], [0.0, 40.0], [60.0, 60.0], daily_dose=2.0, grace=9)
    assert e["end"].tolist() == [30.0, 70.0] and e["id"].tolist() == [1, 1]


@pytest.mark.parametrize("kw, msg", [
    (dict(date=[0.0, np.nan, 5.0]), "argument `date`: missing value (NaN) at row 1"),
    (dict(amount=[30.0, 30.0, -1.0]), "argument `amount`: negative value (value -1) at row 2"),
    (dict(amount=[30.0, np.nan, 1.0]), "argument `amount`: missing value (NaN) at row 1"),
    (dict(daily_dose=[1.0, 2.0, 0.0]), "argument `daily_dose`: daily dose is zero (value 0) at row 2"),
    (dict(daily_dose=[1.0, -2.0, 1.0]), "argument `daily_dose`: negative daily dose (value -2) at row 1"),
    (dict(id=["a", None, "b"]), "argument `id`: missing value at row 1"),
    (dict(grace=-1), "argument `grace`: must be a finite number of days >= 0, got -1"),
])
def test_bad_input_names_the_argument_and_row(kw, msg):
    args = dict(id=["a", "a", "b"], date=[0.0, 10.0, 5.0], amount=[30.0, 30.0, 30.0])
    args.update(kw)
    with pytest.raises(Exception, match=msg.replace("(", r"\(").replace(")", r"\)")):
        hs.drug_exposure(args.pop("id"), args.pop("date"), args.pop("amount"), **args)


def test_adherence_bad_options():
    with pytest.raises(Exception, match="argument `measure`"):
        hs.adherence([1], [0.0], [30.0], measure="cma9")
    with pytest.raises(Exception, match="argument `window`"):
        hs.adherence([1], [0.0], [30.0], window=0)
    with pytest.raises(Exception, match="argument `window_start`: window start differs"):
        hs.adherence([1, 1], [0.0, 1.0], [30.0, 30.0], window_start=[0.0, 1.0])


def test_window_start_and_python_dates():
    import datetime as dt
    days = [dt.date(2021, 1, 1), dt.date(2021, 1, 11), dt.date(2021, 4, 11)]
    a = hs.adherence([7, 7, 7], days, [90.0, 90.0, 30.0], window=60,
                     window_start=pd.to_datetime(["2021-03-01"] * 3))
    # 90 + 90 stockpiled days from Jan 1 cover the whole window Mar 1 - Apr 30
    assert a["window_start"].tolist() == [pd.Timestamp("2021-03-01")]
    assert a["pdc"].tolist() == [1.0] and a["supplied"].tolist() == [30.0]
    with pytest.raises(TypeError, match="argument `window_start`"):
        hs.adherence([7], days[:1], [30.0], window_start=[0.0])


def test_episodes_feed_lexis_cut():
    # follow-up 0-365 for persons 1 and 2; person 1 starts treatment on day 100, person 2 never
    e = hs.drug_exposure([1, 1], [100.0, 130.0], [30.0, 30.0])
    first = e.groupby("id")["start"].min()
    cohort = pd.DataFrame({"id": [1, 2], "entry": [0.0, 0.0], "exit": [365.0, 365.0], "status": [0.0, 1.0]})
    cohort["cut"] = cohort["id"].map(first).astype(float)  # NaN: never exposed
    cut = hs.lexis_cut("entry", "exit", "status", time_scales={"t": "entry"}, cut="cut", new_state=1.0,
                       id="id", data=cohort)
    p1 = cut[cut["id"] == 1]
    assert p1["duration"].tolist() == [100.0, 265.0] and p1["entry_status"].tolist() == [0.0, 1.0]
    assert cut[cut["id"] == 2]["duration"].tolist() == [365.0]


# ---- per (id, drug) -------------------------------------------------------------------

GROUPED = ["two_drugs", "random_atc", "random_atc_no_stockpile"]


def _grouped(case):
    cs = fixture("drugs_grouped_cases.csv")
    cs = cs[cs["case"] == case].iloc[0]
    d = fixture("drugs_grouped_dispensings.csv")
    return cs, d[d["case"] == case].reset_index(drop=True)


@pytest.mark.parametrize("case", GROUPED)
def test_episodes_per_id_and_drug(case):
    cs, d = _grouped(case)
    e = hs.drug_exposure("id", "date", "amount", daily_dose="daily_dose", grace=cs["grace"],
                         grace_fraction=cs["grace_fraction"], stockpile=bool(cs["stockpile"]),
                         end_grace=bool(cs["end_grace"]), drug="drug", data=d)
    ref = fixture("drugs_grouped_episodes.csv")
    ref = ref[ref["case"] == case].reset_index(drop=True)
    assert list(e.columns) == ["id", "drug", "start", "end", "dispensings", "supplied"]
    assert list(e["drug"]) == list(ref["drug"])
    for c in ["id", "start", "end", "dispensings", "supplied"]:
        np.testing.assert_array_equal(e[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), err_msg=c)


@pytest.mark.parametrize("case", GROUPED)
@pytest.mark.parametrize("measure", ["pdc", "mpr"])
def test_adherence_per_id_and_drug(case, measure):
    cs, d = _grouped(case)
    a = hs.adherence(d["id"], d["date"], d["amount"], daily_dose=d["daily_dose"], window=cs["window"],
                     measure=measure, stockpile=bool(cs["stockpile"]), drug=d["drug"].to_numpy())
    ref = fixture("drugs_grouped_adherence.csv")
    ref = ref[ref["case"] == case].reset_index(drop=True)
    assert list(a["drug"]) == list(ref["drug"])
    for c in ["id", "window_start", "window_end", "dispensings"]:
        np.testing.assert_array_equal(a[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), err_msg=c)
    for c in ["supplied", "covered", measure]:
        assert_close(c, a[c], ref[c].to_numpy(dtype=float), rtol=ADHERENCE_TOL)


def test_drug_pooling_and_errors():
    _, d = _grouped("two_drugs")
    pooled = hs.drug_exposure("id", "date", "amount", grace=10, data=d)
    assert list(pooled["id"]) == [1, 2]          # one pooled episode for person 1
    with pytest.raises(ValueError, match=r"argument `drug` has length 4 but `date` has length 5"):
        hs.drug_exposure(d["id"], d["date"], d["amount"], drug=d["drug"].to_numpy()[:4])
    with pytest.raises(ValueError, match=r"argument `id` has length 4 but `date` has length 5"):
        hs.adherence(d["id"].to_numpy()[:4], d["date"], d["amount"], drug=d["drug"])
