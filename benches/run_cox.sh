#!/usr/bin/env bash
# Side-by-side Cox timings (one run, same data, ratios against the anchors) and the
# scaling curve of hrrstats alone.
#   bash benches/run_cox.sh            (needs the venv with hrrstats + lifelines and the
#                                       hrrstats R package installed; ~5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
"$PY" benches/cox_data.py --n 1e6 --p 5 --out "$DATA" >&2
{
  "$PY" benches/cox_side_by_side.py --data "$DATA"
  Rscript benches/cox_side_by_side.R "$DATA"
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
t = {tool: float(sec) for _, tool, sec in rows}
cox, life = t["survival::coxph"], t.get("lifelines.CoxPHFitter")
print("Cox model, n = 1e6 rows, 5 covariates, Efron ties, whole-day times (seconds; anchors timed once, hrrstats best of 3)\n")
print("| language | tool | seconds | coxph / tool | lifelines / tool |")
print("|---|---|---:|---:|---:|")
for lang, tool, sec in rows:
    s = float(sec)
    print(f"| {lang} | {tool} | {s:.3f} | {cox / s:.1f}x | {(f'{life / s:.1f}x' if life else '-')} |")
PYEOF
echo
echo "Scaling of hrrstats.cox_ph (Python), 5 covariates:"
echo
echo "| rows | seconds | seconds per 1e6 rows |"
echo "|---:|---:|---:|"
for n in 1e4 1e5 1e6 1e7; do
  "$PY" benches/cox_data.py --n "$n" --p 5 --out "$DATA" >/dev/null
  sec=$("$PY" benches/cox_side_by_side.py --data "$DATA" --no-lifelines --repeat 2 | cut -d, -f3)
  "$PY" -c "n=float('$n'); s=float('$sec'); print(f'| {n:.0e} | {s:.3f} | {s / n * 1e6:.3f} |')"
done
rm -rf "$DATA"
