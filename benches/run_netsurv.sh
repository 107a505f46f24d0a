#!/usr/bin/env bash
# Pohar-Perme net survival: relsurv::rs.surv vs hrrstats (Python and R), one run, same
# data (rdata resampled to n patients, slopop rate table).
#   bash benches/run_netsurv.sh [n]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1e6}
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$PY" benches/rs_data.py --n "$N" --out "$DATA"
{
  Rscript benches/rs_side_by_side.R "$DATA" both 3
  "$PY" benches/rs_side_by_side.py --data "$DATA"
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" "$N" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
ref = next(float(r[2]) for r in rows if r[1].startswith("relsurv"))
print(f"Pohar-Perme net survival, {float(sys.argv[2]):.0e} patients (rdata resampled), slopop, daily integration "
      "(seconds; relsurv once, hrrstats best of 3)\n")
print("| language | tool | seconds | rs.surv / tool | final net survival |")
print("|---|---|---:|---:|---:|")
for lang, tool, sec, s in rows:
    print(f"| {lang} | {tool} | {float(sec):.2f} | {ref / float(sec):.0f}x | {float(s):.6f} |")
PYEOF
