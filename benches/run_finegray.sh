#!/usr/bin/env bash
# Fine-Gray timings: cmprsk::crr vs hrrstats (Python and R) at n = 8000 (same data, one
# run), and the scaling of hrrstats up to 1e6 rows.
#   bash benches/run_finegray.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$PY" benches/cr_data.py --n 8000 --out "$DATA/8000"
{
  Rscript benches/cr_side_by_side.R "$DATA/8000" both 3
  "$PY" benches/cr_side_by_side.py --data "$DATA/8000"
} > "$DATA/r8000.csv"
for n in 1e4 1e5 1e6; do
  "$PY" benches/cr_data.py --n "$n" --out "$DATA/$n"
  echo "$n,$("$PY" benches/cr_side_by_side.py --data "$DATA/$n" --repeat 1)" >> "$DATA/scale.csv"
done
"$PY" - "$DATA/r8000.csv" "$DATA/scale.csv" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
crr = next(float(r[2]) for r in rows if r[1] == "cmprsk::crr")
ref = next([float(x) for x in r[3:6]] for r in rows if r[1] == "cmprsk::crr")
print("Fine-Gray, n = 8000, 3 covariates, whole-day times (seconds; crr once, hrrstats best of 3)\n")
print("| language | tool | seconds | crr / tool | max abs coef difference from crr |")
print("|---|---|---:|---:|---:|")
for lang, tool, sec, *b in rows:
    diff = max(abs(float(x) - y) for x, y in zip(b, ref))
    print(f"| {lang} | {tool} | {float(sec):.3f} | {crr / float(sec):.0f}x | {diff:.1e} |")
print("\nScaling of hrrstats.fine_gray (Python, 3 covariates, incl. the sandwich variance)\n")
print("| rows | seconds |")
print("|---:|---:|")
for l in open(sys.argv[2]):
    n, lang, tool, sec, *_ = l.strip().split(",")
    print(f"| {float(n):.0e} | {float(sec):.3f} |")
PYEOF
