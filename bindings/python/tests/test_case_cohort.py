"""Case-cohort analysis against survival::cch (fixtures from
tests/reference/generate_case_cohort.R: the nwtco example of cch's help page):
coefficients at 1e-8 and variances at 1e-6 (the issue's tolerances) for Prentice,
SelfPrentice, LinYing (and its robust variance), I.Borgan and II.Borgan, and with
delayed entry; cch's checks of
bad input as errors naming the argument."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, num

CASES = [("Prentice", "Prentice", False), ("SelfPrentice", "SelfPrentice", False),
         ("LinYing", "LinYing", False), ("LinYing_robust", "LinYing", True),
         ("I.Borgan", "I.Borgan", False), ("II.Borgan", "II.Borgan", False),
         ("Prentice_entry", "Prentice", False), ("LinYing_entry", "LinYing", False),
         ("II.Borgan_entry", "II.Borgan", False)]


def nwtco():
    return fixture("data_cch_nwtco.csv")


def fit(method, robust=False, **kw):
    d = kw.pop("data", None)
    d = nwtco() if d is None else d
    if method.endswith("Borgan"):
        kw.setdefault("stratum", "instit")
        kw.setdefault("cohort_size", {1: 3622, 2: 406})   # table(nwtco$instit)
    else:
        kw.setdefault("cohort_size", 4028)
    return hs.case_cohort("edrel", "rel", ["stage", "histol", "age"], "subcohort", method=method,
                          robust=robust, id="seqno", data=d, **kw)


@pytest.mark.parametrize("case,method,robust", CASES)
def test_case_cohort_matches_cch(case, method, robust):
    f = fit(method, robust, **({"entry": "entry"} if case.endswith("_entry") else {}))
    coef = fixture(f"cch_{case}_coef.csv")
    var = fixture(f"cch_{case}_var.csv")
    fx = fixture(f"cch_{case}_fit.csv")
    assert f.names == list(coef["term"])
    assert_close("coef", f.coef, num(coef, "coef"), rtol=1e-8)
    assert_close("se", f.se, num(coef, "se"), rtol=1e-6)
    assert_close("var", f.var.ravel(), num(var, "var"), rtol=1e-6)
    assert_close("naive_var", f.naive_var.ravel(), num(var, "naive_var"), rtol=1e-6)
    if np.isnan(fx["loglik0"][0]):
        assert f.loglik is None
    else:
        assert_close("loglik", f.loglik, [fx["loglik0"][0], fx["loglik1"][0]], rtol=1e-8)
    assert f.n == fx["n"][0] and f.cohort_size.sum() == fx["cohort"][0]
    s = f.summary()
    assert list(s.index) == list(coef["term"])
    assert_close("summary se", s["se"], num(coef, "se"), rtol=1e-6)
    assert_close("exp_coef", s["exp_coef"], np.exp(num(coef, "coef")), rtol=1e-8)
    assert method in repr(f)


def test_case_cohort_design_matrix_and_spellings():
    d = nwtco()
    x = d[["stageII", "stageIII", "stageIV", "histolUH", "age"]]
    a = hs.case_cohort(d["edrel"], d["rel"], x, d["subcohort"].astype(bool), cohort_size=4028,
                       method="SelfPren")
    b = fit("SelfPrentice")
    assert a.method == "SelfPrentice"
    assert_close("coef", a.coef, b.coef, rtol=1e-12)
    # cohort sizes as a sequence in level order and as a Series keyed by level
    c = fit("I.Borgan", cohort_size=[3622, 406])
    e = fit("I.Borgan", cohort_size=pd.Series([406, 3622], index=[2, 1]))
    assert_close("coef", c.coef, e.coef, rtol=1e-12)
    with pytest.raises(ValueError, match="`method`.*accepted.*LinYing"):
        fit("linying")


def test_case_cohort_bad_input_names_the_argument():
    d = nwtco()
    bad = d.copy()
    bad.loc[3, "subcohort"] = 2
    with pytest.raises(ValueError, match=r"`subcohort`.*0/1.*row 3"):
        fit("Prentice", data=bad)
    with pytest.raises(ValueError, match=r"`cohort_size`.*1154"):
        fit("Prentice", cohort_size=1000)
    bad = d.copy()
    row = int(np.flatnonzero(d["rel"].to_numpy() == 0)[0])
    bad.loc[row, "subcohort"] = 0
    with pytest.raises(ValueError, match=rf"`subcohort`.*censored.*row {row}"):
        fit("LinYing", data=bad)
    bad = d.copy()
    bad.loc[10, "seqno"] = bad.loc[4, "seqno"]
    with pytest.raises(ValueError, match=r"`id`.*row 10"):
        fit("Prentice", data=bad)
    with pytest.raises(ValueError, match=r"`cohort_size`.*2 strata"):
        fit("I.Borgan", cohort_size=4028)
    with pytest.raises(ValueError, match=r"`stratum`.*required"):
        hs.case_cohort("edrel", "rel", ["age"], "subcohort", cohort_size=[3622, 406], method="II.Borgan",
                       data=d)
    with pytest.raises(ValueError, match=r"`cohort_size`.*one number"):
        fit("Prentice", cohort_size=[3622, 406])


def test_case_cohort_warns_as_cch():
    with pytest.warns(RuntimeWarning, match="robust.*ignored.*Prentice"):
        fit("Prentice", robust=True)
    with pytest.warns(RuntimeWarning, match="do not agree"):
        fit("I.Borgan", cohort_size={"a": 3622, "b": 406})
