"""Shared by the side-by-side bench scripts (imported from the scripts' directory)."""
import time


def best(fn, repeat):
    """The smallest wall-clock time of `repeat` calls of `fn`, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
