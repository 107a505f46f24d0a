"""The Python side of benches/clogit_side_by_side.R (run that first: it writes the data)."""
import time, pandas as pd, hrrstats as hs
d = pd.read_csv("/tmp/clogit_data.csv")
best = 1e9
for _ in range(3):
    t = time.perf_counter(); hs.conditional_logistic("case", ["x1", "x2", "x3", "x4", "x5"], "set", data=d, method="exact"); best = min(best, time.perf_counter() - t)
print(f"Python: hrrstats {best:.3f} s (best of 3)")
