#!/usr/bin/env bash
# Side-by-side Lexis splitting / person-time table timings and peak memory: one run,
# same data, each tool in its own process; ratios against popEpi::splitMulti.
#   bash benches/run_lexis.sh [n persons] [--no-anchor]
#   (needs the venv with hrrstats, R with Epi + popEpi + data.table, and the hrrstats R
#   package installed; popEpi needs about 21 GB at 1e6 persons, so --no-anchor for 5e6)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1e6}; NOANCHOR=${2:-}
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$PY" benches/lexis_data.py --n "$N" --out "$DATA" >&2
{
  if [ "$NOANCHOR" != "--no-anchor" ]; then
    Rscript benches/lexis_side_by_side.R "$DATA" popepi_split 1
    Rscript benches/lexis_side_by_side.R "$DATA" popepi_table 1
  fi
  "$PY" benches/lexis_side_by_side.py --data "$DATA" --tool split
  "$PY" benches/lexis_side_by_side.py --data "$DATA" --tool table
  Rscript benches/lexis_side_by_side.R "$DATA" hrr_split 3
  Rscript benches/lexis_side_by_side.R "$DATA" hrr_table 3
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" "$N" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
t = {tool: float(sec) for _, tool, sec, *_ in rows}
split_ref = t.get("popEpi::splitMulti")
table_ref = t.get("popEpi::splitMulti + data.table aggregation")
print(f"Lexis split by 1-year age (0-110) x 1-year period (1990-2020), {float(sys.argv[2]):.0e} persons "
      "(seconds: best of 3 for hrrstats, 1 run for popEpi; peak = process peak RSS; above data = peak minus RSS after loading the data)\n")
print("| language | tool | seconds | rows out | peak GB | above data GB | popEpi / tool |")
print("|---|---|---:|---:|---:|---:|---:|")
for lang, tool, sec, nrow, peak, above in rows:
    s = float(sec)
    ref = table_ref if ("table" in tool or "aggregation" in tool) else split_ref
    ratio = f"{ref / s:.0f}x" if ref else "-"
    print(f"| {lang} | {tool} | {s:.3f} | {int(nrow):,} | {float(peak):.2f} | {float(above):.2f} | {ratio} |")
PYEOF
