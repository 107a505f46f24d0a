"""Ctrl-C stops long computations (issue "No silent wrong answers": "an interrupt does not
stop it"): the core polls Python's signal handlers (PyErr_CheckSignals) in its long loops,
so a SIGINT during a call raises KeyboardInterrupt within a fraction of a second, and an
exception raised by the user's own SIGINT handler comes through as it is."""
import os
import signal
import threading
import time

import pandas as pd
import pytest

import hrrstats as hs

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name == "nt",
                                reason="needs POSIX signals")


def _long_net_survival_inputs():
    # 100,000 persons on a fine grid (0.05 day): minutes of work without an interrupt.
    d = pd.concat([hs.example_cohort()] * 5, ignore_index=True)
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex",
                                 rate="rate", time_unit="days")
    return d, rt


def _sigint_after(seconds):
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.start()
    return t


def test_ctrl_c_stops_net_survival():
    d, rt = _long_net_survival_inputs()
    timer = _sigint_after(0.5)
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            hs.net_survival("time", "status", "age", "year", "sex", rt, precision=0.05, data=d)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - start
    assert elapsed < 5, f"stopped only after {elapsed:.1f} s"


def test_own_sigint_handler_exception_comes_through():
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop("stopped by my handler")

    d, rt = _long_net_survival_inputs()
    previous = signal.signal(signal.SIGINT, handler)
    timer = _sigint_after(0.5)
    try:
        with pytest.raises(Stop, match="stopped by my handler"):
            hs.net_survival("time", "status", "age", "year", "sex", rt, precision=0.05, data=d)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


def test_after_an_interrupt_the_next_call_answers():
    d, rt = _long_net_survival_inputs()
    timer = _sigint_after(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            hs.net_survival("time", "status", "age", "year", "sex", rt, precision=0.05, data=d)
    finally:
        timer.cancel()
    fit = hs.net_survival("time", "status", "age", "year", "sex", rt, data=d.head(200))
    assert fit is not None
