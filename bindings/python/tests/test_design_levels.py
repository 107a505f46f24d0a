"""Unused factor levels give no design column (issue 21, "GLMs keep unused factor levels
as NA coefficients"): as stats::glm (model.frame's drop.unused.levels = TRUE), a pandas
Categorical's unused categories, and levels whose every row na_action="drop" removed,
are dropped before dummy coding, so there is no all-zero column and no NA ("aliased")
coefficient. The same holds in R (tests/testthat/test-formula.R): cox_ph and fine_gray
drop them too (coxph would show an NA row for such a level; the other coefficients are
the same)."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs


def _data(n=300, seed=7):
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], size=n)
    x = rng.normal(size=n)
    lp = 0.4 * x + np.where(g == "b", 0.5, 0.0) + np.where(g == "c", -0.3, 0.0)
    time = rng.exponential(np.exp(-lp))
    cens = rng.exponential(1.5, size=n)
    return pd.DataFrame({
        "time": np.minimum(time, cens),
        "status": (time <= cens).astype(float),
        "y": rng.poisson(np.exp(0.2 + lp)).astype(float),
        "x": x,
        "g": g,
    })


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=tol, atol=1e-13)


def test_glm_unused_categories_give_no_column():
    d = _data()
    used = d.assign(g=pd.Categorical(d["g"], categories=["a", "b", "c"]))
    unused = d.assign(g=pd.Categorical(d["g"], categories=["a", "b", "z", "c", "w"]))
    ref = hs.glm_fit("y", ["g", "x"], family="poisson", data=used)
    fit = hs.glm_fit("y", ["g", "x"], family="poisson", data=unused)
    assert fit.names == ["(Intercept)", "gb", "gc", "x"]
    assert not fit.aliased.any()
    _close(fit.coef, ref.coef)
    _close(fit.se, ref.se)
    assert fit.df_residual == ref.df_residual
    # predictions for new data with the used levels
    nd = d.iloc[:5]
    _close(fit.predict(["g", "x"], data=nd), ref.predict(["g", "x"], data=nd))
    _close(fit.predict(["g", "x"], data=unused.iloc[:5]), ref.predict(["g", "x"], data=nd))


def test_glm_first_category_unused_uses_the_first_used_level_as_reference():
    d = _data()
    ref = hs.glm_fit("y", ["g", "x"], family="poisson", data=d)
    fit = hs.glm_fit("y", ["g", "x"], family="poisson",
                     data=d.assign(g=pd.Categorical(d["g"], categories=["0", "a", "b", "c"])))
    assert fit.names == ["(Intercept)", "gb", "gc", "x"]
    _close(fit.coef, ref.coef)


@pytest.mark.parametrize("as_category", [False, True])
def test_glm_level_removed_by_na_drop_gives_no_column(as_category):
    d = _data()
    d["g"] = np.where(d.index < 20, "gone", d["g"])
    d.loc[d.index < 20, "x"] = np.nan
    if as_category:
        d["g"] = pd.Categorical(d["g"])
    fit = hs.glm_fit("y", ["g", "x"], family="poisson", data=d, na_action="drop")
    kept = d.iloc[20:].copy()
    kept["g"] = np.asarray(kept["g"], dtype=object)
    ref = hs.glm_fit("y", ["g", "x"], family="poisson", data=kept)
    assert fit.n_dropped == 20
    assert fit.names == ["(Intercept)", "gb", "gc", "x"]
    assert not fit.aliased.any()
    _close(fit.coef, ref.coef)
    with pytest.raises(ValueError, match="level 'gone'"):
        fit.predict(["g", "x"], data=d.iloc[:3].fillna({"x": 0.0}))  # pandas 2 (lifelines pins <3) cannot fill a categorical with 0.0


def test_cox_unused_categories_and_na_drop_give_no_column():
    d = _data()
    ref = hs.cox_ph("time", "status", ["g", "x"], data=d)
    fit = hs.cox_ph("time", "status", ["g", "x"],
                    data=d.assign(g=pd.Categorical(d["g"], categories=["a", "b", "c", "d"])))
    assert fit.names == ["gb", "gc", "x"]
    assert not np.asarray(fit.aliased).any()
    _close(fit.coef, ref.coef)
    d2 = d.copy()
    d2["g"] = np.where(d2.index < 15, "gone", d2["g"])
    d2.loc[d2.index < 15, "x"] = np.nan
    fit2 = hs.cox_ph("time", "status", ["g", "x"], data=d2, na_action="drop")
    ref2 = hs.cox_ph("time", "status", ["g", "x"], data=d.iloc[15:])
    assert fit2.names == ["gb", "gc", "x"]
    _close(fit2.coef, ref2.coef)
