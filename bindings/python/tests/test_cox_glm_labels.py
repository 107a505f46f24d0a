"""Names and labels the core attaches to Cox, GLM and log-rank results (the hosts no
longer build them): the Cox tests' labels in the repr, integer zph degrees of freedom,
GLM and log-rank matrices as arrays; residual matrices named by the coefficients."""
import numpy as np
import pandas as pd

import hrrstats as hs

TIME = [5.0, 8, 3, 9, 12, 4, 7, 15, 2, 11, 6, 10]
STATUS = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1]
D = pd.DataFrame({"time": TIME, "status": STATUS,
                  "age": [61.0, 55, 70, 48, 52, 66, 59, 45, 73, 50, 63, 57],
                  "treat": [0.0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0],
                  "site": ["north", "south"] * 6})


def fit(**kw):
    return hs.cox_ph("time", "status", ["age", "treat"], strata="site", data=D, **kw)


def test_cox_repr_lists_the_cores_tests():
    for robust in (False, True):
        f = fit(robust=robust)
        text = repr(f)
        tests = [("Likelihood ratio test", f.lr_test), ("Wald test", f.wald_test),
                 ("Score (logrank) test", f.score_test)]
        if robust:
            tests.append(("Robust score test", f.robust_score_test))
        lines = [line for line in text.splitlines() if " df, p = " in line]
        assert len(lines) == len(tests)
        width = len("Likelihood ratio test")
        for line, (label, (stat, df, _)) in zip(lines, tests):
            assert line.startswith(f"{label:<{width}} = {stat:.4g} on {df} df, p = ")
        assert ("Robust score test" in text) == robust


def test_cox_residual_matrices_are_named_by_the_coefficients():
    f = fit()
    for kind in ("score", "dfbeta", "dfbetas"):
        r = f.residuals(kind)
        assert isinstance(r, pd.DataFrame)
        assert list(r.columns) == ["age", "treat"]
        assert list(r.index) == list(range(len(TIME)))
    s = f.residuals("schoenfeld")
    assert list(s.columns) == ["row", "time", "age", "treat"]
    assert len(s) == sum(STATUS)
    assert isinstance(f.residuals("martingale"), np.ndarray)


def test_cox_zph_df_are_integers():
    z = fit().zph()
    assert z["df"].dtype.kind == "i"
    assert z["df"].tolist() == [1, 1, 2]


def test_glm_and_logrank_matrices_are_arrays():
    m = hs.logistic_glm("status", ["age", "treat"], robust=True, data=D)
    for k in ("var", "naive_var"):
        assert isinstance(getattr(m, k), np.ndarray) and getattr(m, k).shape == (3, 3)
    assert not np.allclose(m.var, m.naive_var)
    lr = hs.logrank_test("time", "status", "treat", strata="site", data=D)
    assert isinstance(lr.variance, np.ndarray) and lr.variance.shape == (2, 2)
    for k in ("observed_by_stratum", "expected_by_stratum"):
        assert isinstance(getattr(lr, k), np.ndarray) and getattr(lr, k).shape == (2, 2)
    np.testing.assert_allclose(lr.observed_by_stratum.sum(axis=1), lr.observed)


def test_kaplan_meier_strata_name_of_a_list_of_columns():
    km = hs.kaplan_meier("time", "status", strata=["site", "treat"], data=D)
    assert "site, treat=" in repr(km)
    km = hs.kaplan_meier("time", "status", strata="site", data=D)
    assert "site=north" in repr(km)
    km = hs.kaplan_meier(D["time"], D["status"], strata=D["site"])
    assert "site=" not in repr(km) and "north" in repr(km)
