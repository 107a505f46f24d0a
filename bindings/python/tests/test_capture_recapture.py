"""Capture-recapture against tests/reference/generate_capture_recapture.R (stats::glm
fits of the same log-linear models, the profile likelihood over the missing cell by
optimize/uniroot, Chapman by formula) on the diabetes data of Bruno et al. (1994) and
the hepatitis A data of Chao et al. (2001): every model at 1e-8 (estimates) and 1e-6
(profile limits), selection by AIC/BIC, per-person rows, errors naming the argument."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import fixture

EST_TOL = 1e-8
PROFILE_TOL = 1e-6
DATASETS = {"diabetes": ["c1", "c2", "c3", "c4"], "hepatitis": ["P", "Q", "E"],
            "hepatitis_PQ": ["P", "Q"], "diabetes_c1c2c3": ["c1", "c2", "c3"]}


def _data(ds):
    t = fixture("capture_recapture_counts.csv")
    t = t[t["dataset"] == ds]
    out = pd.DataFrame({n: (t["pattern"].to_numpy() >> j) & 1 for j, n in enumerate(DATASETS[ds])})
    out["n"] = t["count"].to_numpy()
    return out


def _close(ours, theirs, tol):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    assert np.all(np.abs(ours - theirs) <= tol * np.abs(theirs) + 1e-14), (ours, theirs)


@pytest.mark.parametrize("ds", list(DATASETS))
def test_every_model_matches_glm_and_the_profile_likelihood(ds):
    fx = fixture("capture_recapture_models.csv")
    fx = fx[fx["dataset"] == ds].set_index("model")
    r = hs.capture_recapture("n", DATASETS[ds], data=_data(ds))
    m = r.models.set_index("model")
    assert sorted(m.index) == sorted(fx.index)
    m = m.loc[fx.index]
    assert list(m["df"]) == list(fx["df"])
    dev_ok = np.abs(m["deviance"] - fx["deviance"]) <= EST_TOL * np.maximum(np.abs(fx["deviance"]), 1)
    assert dev_ok.all()
    for c in ["aic", "bic", "n_unobserved", "n_hat", "std_err", "wald_lower", "wald_upper"]:
        _close(m[c], fx[c], EST_TOL)
    for c in ["lower", "upper"]:
        _close(m[c], fx[c], PROFILE_TOL)


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_selection(criterion):
    sel = fixture("capture_recapture_selected.csv").set_index("dataset")
    fx = fixture("capture_recapture_models.csv")
    for ds in DATASETS:
        r = hs.capture_recapture("n", DATASETS[ds], criterion=criterion, data=_data(ds))
        assert r.selected == sel.loc[ds, criterion]
        row = fx[(fx["dataset"] == ds) & (fx["model"] == r.selected)].iloc[0]
        _close([r.n_hat, r.n_unobserved, r.std_err], [row["n_hat"], row["n_unobserved"], row["std_err"]], EST_TOL)
        _close([r.lower, r.upper, r.lower_unobserved + r.n_observed], [row["lower"], row["upper"], row["lower"]],
               PROFILE_TOL)
        s = r.summary()
        assert list(s["estimate"][:2]) == ["total", "unobserved"]
        assert "estimated total" in repr(r)


def test_chapman_two_sources():
    fx = fixture("capture_recapture_chapman.csv").iloc[0]
    r = hs.capture_recapture("n", ["P", "Q"], data=_data("hepatitis_PQ"))
    _close([r.chapman[k] for k in ("n_hat", "std_err", "lower", "upper")],
           [fx[k] for k in ("n_hat", "std_err", "lower", "upper")], EST_TOL)
    assert hs.capture_recapture("n", ["P", "Q", "E"], data=_data("hepatitis")).chapman is None


def test_per_person_rows_and_input_forms():
    d = _data("hepatitis")
    people = d.loc[d.index.repeat(d["n"]), ["P", "Q", "E"]].iloc[::-1].reset_index(drop=True)
    a = hs.capture_recapture("n", ["P", "Q", "E"], model="Q:E + P:Q", data=d)
    assert a.selected == "P:Q + Q:E"
    b = hs.capture_recapture(None, people, model="P:Q+Q:E")            # a DataFrame, one row per person
    c = hs.capture_recapture(None, people.astype(bool).to_dict("series"), model="P:Q + Q:E")
    e = hs.capture_recapture(d["n"].to_numpy(), d[["P", "Q", "E"]].to_numpy(), model="s1:s2 + s2:s3")
    for r in (b, c, e):
        assert r.n_hat == a.n_hat and r.lower == a.lower and r.upper == a.upper


def test_bad_input_names_the_argument():
    d = pd.DataFrame({"A": [1, 0, 1], "B": [1, 1, 2]})
    with pytest.raises(ValueError, match=r"argument `sources`, column `B`: a capture indicator must be 0 or 1 \(value 2\) at row 2"):
        hs.capture_recapture(None, ["A", "B"], data=d)
    d = pd.DataFrame({"A": [1, 0, 1], "B": [1, 0, 0]})
    with pytest.raises(ValueError, match=r"argument `sources`: found by no source .* at row 1"):
        hs.capture_recapture(None, ["A", "B"], data=d)
    d = pd.DataFrame({"A": [1, 0, 1], "B": [1, 1, 0], "n": [3, 2, 1.5]})
    with pytest.raises(ValueError, match=r"argument `counts`: a count must be a whole number \(value 1.5\) at row 2"):
        hs.capture_recapture("n", ["A", "B"], data=d)
    with pytest.raises(ValueError, match=r"argument `model`: the model A:B is saturated"):
        hs.capture_recapture(None, ["A", "B"], model="A:B", data=d)
    with pytest.raises(ValueError, match=r"argument `model`: .*not identifiable"):
        hs.capture_recapture("n", ["P", "Q", "E"], model="P:Q:E", data=_data("hepatitis"))
    with pytest.raises(ValueError, match=r"argument `criterion`"):
        hs.capture_recapture(None, ["A", "B"], criterion="aicc", data=d)
    with pytest.raises(ValueError, match=r"argument `sources`: needs 2 to 4 source columns, got 1"):
        hs.capture_recapture(None, ["A"], data=d)
