#!/usr/bin/env bash
# Side-by-side Kaplan-Meier timings: one run, same data, ratios against the anchors.
#   bash benches/run_km.sh [n] [strata] [--continuous]
#   (needs the venv with hrrstats + lifelines, and the hrrstats R package installed)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1e6}; K=${2:-10}; EXTRA=${3:-}
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
"$PY" benches/km_data.py --n "$N" --strata "$K" --out "$DATA" $EXTRA >&2
{
  "$PY" benches/km_side_by_side.py --data "$DATA"
  Rscript benches/km_side_by_side.R "$DATA"
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" "$N" "$K" "$EXTRA" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
t = {tool: float(sec) for _, tool, sec in rows}
surv = t["survival::survfit"]
life = t.get("lifelines.KaplanMeierFitter (per stratum)")
times = "continuous (untied) times" if sys.argv[4] == "--continuous" else "whole-day times (ties)"
print(f"Kaplan-Meier, n = {float(sys.argv[2]):.0e} rows, {sys.argv[3]} strata, {times} (best of 3, seconds; ratio = anchor / tool)\n")
print("| language | tool | seconds | survfit / tool | lifelines / tool |")
print("|---|---|---:|---:|---:|")
for lang, tool, sec in rows:
    s = float(sec)
    lr = f"{life / s:.1f}x" if life else "-"
    print(f"| {lang} | {tool} | {s:.3f} | {surv / s:.1f}x | {lr} |")
PYEOF
rm -rf "$DATA"
