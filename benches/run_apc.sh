#!/usr/bin/env bash
# Side-by-side age-period-cohort timings: a 100 age x 60 period table (6000 cells),
# natural splines (npar 5, parm "ACP": apc.fit's defaults), one run, same data, ratio
# against Epi::apc.fit.
#   bash benches/run_apc.sh   (needs the venv with hrrstats and the hrrstats R package
#                              and Epi installed; ~10 seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
{
  Rscript benches/apc_side_by_side.R "$DATA" 100 60
  "$PY" - "$DATA" <<'PYEOF'
import sys, time
from pathlib import Path
import pandas as pd
import hrrstats as hs
d = pd.read_csv(Path(sys.argv[1]) / "apc.csv")
def once():
    t0 = time.perf_counter()
    hs.apc_fit("D", "Y", "A", "P", data=d)
    return time.perf_counter() - t0
print(f"python,hrrstats.apc_fit,{min(once() for _ in range(3)):.4f}")
PYEOF
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
ref = {tool: float(sec) for _, tool, sec in rows}["Epi::apc.fit"]
print("Age-period-cohort model, 100 ages x 60 periods, natural splines (seconds; apc.fit timed once, hrrstats best of 3)\n")
print("| language | tool | seconds | apc.fit / tool |")
print("|---|---|---:|---:|")
for lang, tool, sec in rows:
    print(f"| {lang} | {tool} | {float(sec):.3f} | {ref / float(sec):.1f}x |")
PYEOF
rm -rf "$DATA"
