#!/usr/bin/env bash
# Side-by-side parametric survival and concordance timings (Weibull AFT and the
# concordance of a Cox fit, 1e6 rows x 5 covariates; one
# run, same data, ratio against survival::survreg).
#   bash benches/run_survreg.sh   (needs the venv with hrrstats and the hrrstats R
#                                  package installed; ~1 minute)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
"$PY" benches/cox_data.py --n 1e6 --p 5 --out "$DATA" >&2
{
  Rscript benches/survreg_side_by_side.R "$DATA"
  "$PY" - "$DATA" <<'PYEOF'
import sys, time
from pathlib import Path
import numpy as np
import hrrstats as hs
d = Path(sys.argv[1]); p = int((d / "p.txt").read_text())
rd = lambda x: np.fromfile(d / f"{x}.f64", dtype="<f8")
X = np.column_stack([rd(f"x{j + 1}") for j in range(p)])
t, s = rd("time"), rd("status")
best = min((lambda t0: (hs.parametric_survival(t, s, X), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3))
print(f"python,hrrstats.parametric_survival,{best:.4f}")
PYEOF
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
t = {tool: float(sec) for _, tool, sec in rows}
ref = t["survival::survreg"]
print("Weibull AFT, n = 1e6 rows, 5 covariates (seconds; survreg timed once, hrrstats best of 3)\n")
print("| language | tool | seconds | survreg / tool |")
print("|---|---|---:|---:|")
for lang, tool, sec in rows:
    print(f"| {lang} | {tool} | {float(sec):.3f} | {ref / float(sec):.1f}x |")
PYEOF
rm -rf "$DATA"

# Concordance of a Cox fit, 1e6 rows (the issue: at least as fast as survival::concordance)
DATA=$(mktemp -d)
"$PY" benches/cox_data.py --n 1e6 --p 5 --out "$DATA" >&2
Rscript benches/concordance_side_by_side.R "$DATA" > "$DATA/results.csv"
echo
echo "Concordance of a Cox fit (linear predictor), n = 1e6 rows (seconds; survival timed once, hrrstats best of 3)"
echo
echo "| tool | seconds | survival / tool |"
echo "|---|---:|---:|"
ref=$(grep "survival::concordance" "$DATA/results.csv" | cut -d, -f3)
while IFS=, read -r lang tool sec; do
  "$PY" -c "print(f'| $tool | {float($sec):.3f} | {float($ref) / float($sec):.1f}x |')"
done < "$DATA/results.csv"
rm -rf "$DATA"
