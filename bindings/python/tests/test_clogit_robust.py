"""The robust variance of conditional_logistic against survival::clogit (fixtures from
tests/reference/generate_clogit_robust.R, infert) at 1e-6: robust=True (each row its
own cluster) and cluster= (by matched set or another grouping); the exact method
refuses them, as clogit."""
import numpy as np
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, num

CASES = [("approximate_robust", "approximate", dict(robust=True)),
         ("efron_cluster_set", "efron", dict(cluster="set")),
         ("approximate_cluster_pooled", "approximate", dict(cluster="pooled"))]


@pytest.mark.parametrize("case,method,kw", CASES)
def test_clogit_robust_matches_clogit(case, method, kw):
    d = fixture("data_clogit_robust_infert.csv")
    f = hs.conditional_logistic("case", ["spontaneous", "induced"], "set", method=method, data=d, **kw)
    coef = fixture(f"clogit_robust_{case}_coef.csv")
    var = fixture(f"clogit_robust_{case}_var.csv")
    fx = fixture(f"clogit_robust_{case}_fit.csv")
    assert_close("coef", f.coef, num(coef, "coef"), rtol=1e-8)
    assert_close("se", f.se, num(coef, "se"), rtol=1e-6)
    assert_close("naive_se", f.naive_se, num(coef, "naive_se"), rtol=1e-6)
    assert_close("var", f.var.ravel(), num(var, "var"), rtol=1e-6)
    assert_close("naive_var", f.naive_var.ravel(), num(var, "naive_var"), rtol=1e-6)
    assert_close("wald", [f.wald_test[0]], num(fx, "wald"), rtol=1e-6)
    assert_close("robust score", [f.robust_score_test[0]], num(fx, "rscore"), rtol=1e-6)
    assert f.robust and f.n_cluster == fx["n_cluster"][0]
    s = f.summary()
    assert_close("summary se", s["se"], num(coef, "se"), rtol=1e-6)
    assert_close("summary naive_se", s["naive_se"], num(coef, "naive_se"), rtol=1e-6)
    assert "Robust score test" in repr(f)


def test_clogit_robust_refused_by_the_exact_method():
    d = fixture("data_clogit_robust_infert.csv")
    with pytest.raises(ValueError, match="`robust`.*exact"):
        hs.conditional_logistic("case", ["spontaneous", "induced"], "set", robust=True, data=d)
    with pytest.raises(ValueError, match="`cluster`.*exact"):
        hs.conditional_logistic("case", ["spontaneous", "induced"], "set", cluster="set", data=d)
    f = hs.conditional_logistic("case", ["spontaneous", "induced"], "set", method="efron", data=d)
    assert f.robust_score_test is None and not f.robust
    assert np.array_equal(f.se, f.naive_se)
