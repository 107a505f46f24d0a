"""Ctrl-C stops long computations (issue "No silent wrong answers": "an interrupt does not
stop it"): the core polls Python's signal handlers (PyErr_CheckSignals) in its long loops,
so a SIGINT during a call raises KeyboardInterrupt within a fraction of a second, and an
exception raised by the user's own SIGINT handler comes through as it is.

The SIGINT is sent a moment after the call has entered the core (the host module's
reference to the extension is wrapped), so it always lands in the core's loops."""
import os
import signal
import threading
import time
import types

import pandas as pd
import pytest

import hrrstats as hs
from hrrstats import _protocol

pytestmark = pytest.mark.skipif(os.name == "nt", reason="needs POSIX signals")


@pytest.fixture(autouse=True)
def python_sigint_handler():
    """Python's own SIGINT handler (KeyboardInterrupt) for each test: a process started in
    the background by a non-interactive shell (`cmd &`) has SIGINT ignored, and Python then
    installs none, so the signal these tests send would be dropped."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def sigint_in_core(monkeypatch):
    """Send SIGINT 0.3 s after the next call of the core's net_survival enters the core;
    yields a dict with the time it entered."""
    state = {}
    real = _protocol._core

    def call(method, args):
        if method == "net_survival" and "timer" not in state:
            state["entered"] = time.monotonic()
            state["timer"] = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
            state["timer"].start()
        return real.call(method, args)

    monkeypatch.setattr(_protocol, "_core", types.SimpleNamespace(call=call, Fit=real.Fit))
    yield state
    if "timer" in state:
        state["timer"].cancel()


def _long_net_survival():
    # 100,000 persons on a 0.05-day grid: about a minute of work without an interrupt.
    d = pd.concat([hs.example_cohort()] * 5, ignore_index=True)
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex",
                                 rate="rate", time_unit="days")
    return lambda: hs.net_survival("time", "status", "age", "year", "sex", rt,
                                   precision=0.05, data=d)


def test_ctrl_c_stops_net_survival(sigint_in_core):
    run = _long_net_survival()
    with pytest.raises(KeyboardInterrupt):
        run()
    elapsed = time.monotonic() - sigint_in_core["entered"]
    assert 0.3 <= elapsed < 3, f"stopped {elapsed:.2f} s after entering the core"


def test_own_sigint_handler_exception_comes_through(sigint_in_core):
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop("stopped by my handler")

    run = _long_net_survival()
    previous = signal.signal(signal.SIGINT, handler)
    try:
        with pytest.raises(Stop, match="stopped by my handler"):
            run()
    finally:
        signal.signal(signal.SIGINT, previous)


def test_after_an_interrupt_the_next_call_answers(sigint_in_core):
    run = _long_net_survival()
    with pytest.raises(KeyboardInterrupt):
        run()
    sigint_in_core["timer"].cancel()
    d = hs.example_cohort().head(200)
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex",
                                 rate="rate", time_unit="days")
    fit = hs.net_survival("time", "status", "age", "year", "sex", rt, data=d)
    assert fit is not None


def test_calls_from_other_threads_answer():
    # Off the main thread Python runs no signal handlers: the core does not ask there.
    out = {}
    d = hs.example_cohort().head(500)
    t = threading.Thread(target=lambda: out.setdefault("km", hs.kaplan_meier(d.time, d.status)))
    t.start()
    t.join(60)
    assert "km" in out and len(out["km"].table()) > 0


def test_ctrl_c_stops_a_long_cox_evaluation(monkeypatch):
    # One evaluation of a Cox fit with many columns takes seconds (O(n p^2)); the core
    # polls inside its row loop, so Ctrl-C stops it within a fraction of a second, not
    # only between Newton steps.
    state = {}
    real = _protocol._core

    def call(method, args):
        if method == "cox_ph" and "timer" not in state:
            state["entered"] = time.monotonic()
            state["timer"] = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
            state["timer"].start()
        return real.call(method, args)

    monkeypatch.setattr(_protocol, "_core", types.SimpleNamespace(call=call, Fit=real.Fit))
    n = 100_000
    i = pd.RangeIndex(n)
    d = pd.DataFrame({"time": 1.0 + (i * 7919) % 9973, "status": (i % 3 != 0).astype(float),
                      "f": pd.Categorical((i * 31) % 300)})
    try:
        with pytest.raises(KeyboardInterrupt):
            hs.cox_ph("time", "status", ["f"], data=d)
    finally:
        if "timer" in state:
            state["timer"].cancel()
    elapsed = time.monotonic() - state["entered"]
    assert 0.3 <= elapsed < 2.0, f"stopped {elapsed:.2f} s after entering the core"
