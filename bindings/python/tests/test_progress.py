"""Progress of long computations (#19): the core reports the fraction done from its long
loops through one hook (hrrstats_core::progress) that the extension installs for every
call; hrrstats._progress shows it (tqdm or a text line on stderr) or hands it to a
callable. The reports are monotone and end at 1 when the call succeeds; quiet calls,
set_progress(False) and non-terminal stderr (the default "auto") print nothing."""
import sys

import numpy as np
import pytest

import hrrstats as hs
from hrrstats import _progress


@pytest.fixture(autouse=True)
def _report_at_every_step(monkeypatch):
    # the core's hook runs at most every 200 ms: a fast machine would finish the long
    # table before the first report; the variable makes every report go through
    monkeypatch.setenv("HRRSTATS_PROGRESS_INTERVAL_MS", "0")


def _long_table(quiet=False):
    # 400,000 persons in 1-year bands of age and follow-up: about a second of work
    rng = np.random.default_rng(1)
    n = 400_000
    exit_ = rng.uniform(0.5, 30.0, n)
    age = rng.uniform(20.0, 80.0, n)
    status = (rng.uniform(size=n) < 0.3).astype(float)
    return hs.person_time_table(np.zeros(n), exit_, status, time_scales={"fu": None, "age": age},
                                breaks={"age": np.arange(20.0, 111.0, 1.0), "fu": np.arange(0.0, 31.0, 1.0)},
                                quiet=quiet)


def _same(a, b):
    # the parallel tabulation adds person-time in fixed groups in a fixed order
    # (hrrstats_core::par): the same bits with or without progress
    assert a.equals(b)


def _reports(run):
    seen = []
    with hs.progress(seen.append):
        out = run()
    return seen, out


def test_reports_are_monotone_fractions_ending_at_one():
    seen, out = _reports(_long_table)
    assert len(out) > 0
    assert len(seen) >= 2, f"too few reports: {seen}"
    assert all(0.0 <= f <= 1.0 for f in seen)
    assert all(a <= b for a, b in zip(seen, seen[1:]))
    assert seen[-1] == 1.0


def test_the_same_answer_with_and_without_progress():
    seen, with_progress = _reports(_long_table)
    assert seen
    with hs.progress(False):
        quiet = _long_table()
    _same(with_progress, quiet)


def test_lexis_split_reports_too():
    rng = np.random.default_rng(2)
    n = 100_000
    seen, out = _reports(lambda: hs.lexis_split(np.zeros(n), rng.uniform(1, 30, n), np.ones(n),
                                                 time_scales={"fu": None}, breaks={"fu": np.arange(0, 31, 0.25)}))
    assert len(out) > n
    assert seen and seen[-1] == 1.0 and all(a <= b for a, b in zip(seen, seen[1:]))


def test_short_calls_report_nothing():
    seen, _ = _reports(lambda: hs.rate(10, 1000.0))
    assert seen == []


def test_quiet_silences_a_forced_bar(capfd, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    with hs.progress(True):
        _long_table(quiet=True)
    assert capfd.readouterr().err == ""
    with hs.progress(False):
        _long_table()
    assert capfd.readouterr().err == ""


def test_auto_prints_nothing_when_stderr_is_not_a_terminal(capfd, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    with hs.progress("auto"):
        _long_table()
    assert capfd.readouterr().err == ""


def test_forced_bar_is_drawn_on_stderr(capfd, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "_new_bar", _progress._TextBar)   # the fallback without tqdm
    with hs.progress(True):
        _long_table()
    err = capfd.readouterr().err
    assert "hrrstats" in err and "100%" in err


def test_a_failing_callback_does_not_change_the_result(monkeypatch):
    def boom(f):
        raise RuntimeError("callback failed")
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with hs.progress(boom):
        out = _long_table()
    with hs.progress(False):
        _same(out, _long_table())
    assert len(unraisable) == 1 and "callback failed" in str(unraisable[0].exc_value)


def test_bad_setting_is_an_error_naming_the_argument():
    with pytest.raises(ValueError, match="argument `show`"):
        hs.set_progress("sometimes")
    assert hs.set_progress("auto") == "auto"


def test_dask_bar_follows_the_setting(monkeypatch):
    pytest.importorskip("dask")
    monkeypatch.setattr(_progress, "_isatty", lambda: False)
    from dask.diagnostics import ProgressBar
    with hs.progress(True):
        assert isinstance(_progress.dask_bar(), ProgressBar)
        with _progress.quiet():
            assert not isinstance(_progress.dask_bar(), ProgressBar)
    with hs.progress(False):
        assert not isinstance(_progress.dask_bar(), ProgressBar)
    with hs.progress("auto"):                     # stderr not a terminal: no bar
        assert not isinstance(_progress.dask_bar(), ProgressBar)
    monkeypatch.setattr(_progress, "_isatty", lambda: True)
    with hs.progress("auto"):
        assert isinstance(_progress.dask_bar(), ProgressBar)


def _long_series():
    rng = np.random.default_rng(3)
    x = np.arange(1990, 2020, dtype=float)
    y = np.where(x < 2005, 100 * 1.03 ** (x - 1990), 100 * 1.03 ** 15 * 0.97 ** (x - 2005))
    return x, y * np.exp(rng.normal(0, 0.02, len(x)))


def test_quiet_joinpoint_prints_nothing_with_a_forced_bar(capfd, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "_new_bar", _progress._TextBar)
    x, y = _long_series()
    with hs.progress(True):
        quiet = hs.joinpoint(x, y, max_joinpoints=2, selection="permutation", n_permutations=199, seed=1,
                             quiet=True)
    assert capfd.readouterr().err == ""
    seen, loud = _reports(lambda: hs.joinpoint(x, y, max_joinpoints=2, selection="permutation",
                                               n_permutations=199, seed=1))
    assert seen and seen[-1] == 1.0          # the same call reports when not quiet
    np.testing.assert_array_equal(quiet.joinpoints, loud.joinpoints)


def test_quiet_protect_table_prints_nothing_with_a_forced_bar(capfd, monkeypatch):
    import pandas as pd
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "_new_bar", _progress._TextBar)
    rng = np.random.default_rng(4)
    tab = pd.DataFrame([(a, b, int(rng.integers(0, 30))) for a in range(12) for b in range(8)],
                       columns=["a", "b", "n"]).astype({"a": str, "b": str})
    with hs.progress(True):
        quiet = hs.protect_table(tab, "n", ["a", "b"], threshold=5, quiet=True)
    assert capfd.readouterr().err == ""
    with hs.progress(False):
        pd.testing.assert_frame_equal(quiet, hs.protect_table(tab, "n", ["a", "b"], threshold=5))


def test_dask_functions_show_the_dask_bar_when_progress_is_shown(capfd, monkeypatch):
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pandas as pd
    import hrrstats.dask as hd
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    df = hs.example_cohort().head(2000)
    ddf = dd.from_pandas(df, npartitions=4)
    with dask.config.set(scheduler="sync"):
        with hs.progress(True):
            km = hd.kaplan_meier("time", "status", data=ddf)
        err = capfd.readouterr().err
        assert "100%" in err and "Completed" in err        # dask.diagnostics.ProgressBar's line
        with hs.progress(False):
            km_quiet = hd.kaplan_meier("time", "status", data=ddf)
        assert capfd.readouterr().err == ""
        with hs.progress("auto"):                          # stderr is not a terminal here
            hd.kaplan_meier("time", "status", data=ddf)
        assert capfd.readouterr().err == ""
    pd.testing.assert_frame_equal(km.table(), km_quiet.table())


def _net_survival(quiet=False):
    df = hs.example_cohort()
    rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    return hs.net_survival("time", "status", "age", "year", "sex", rt, strata="stage",
                           data=df, quiet=quiet)


def test_net_survival_reports_and_quiet_silences_it(capfd, monkeypatch):
    seen, out = _reports(_net_survival)
    assert seen and seen[-1] == 1.0 and all(a <= b for a, b in zip(seen, seen[1:]))
    with hs.progress(False):
        plain = _net_survival()
    assert out.table().equals(plain.table())
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    with hs.progress(True):
        _net_survival(quiet=True)
    assert capfd.readouterr().err == ""
