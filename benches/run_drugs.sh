#!/usr/bin/env bash
# Drug exposure timings (issue 17): episodes and adherence for n dispensings of n / 50
# persons through the Python binding (one run; no side-by-side: AdhereR, the anchor of
# the definitions, is CRAN only and not installable here).
#   bash benches/run_drugs.sh [n]      (default 1e7; the issue's target is 1e8 for 2e6
#                                       persons in under 60 s: extrapolate n log n)
#   PYTHON=/path/to/python (with hrrstats installed) chooses the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
"${PYTHON:-python3}" benches/drugs_bench.py "${1:-1e7}" > "$OUT"
echo "| task | dispensings | persons | seconds | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
while IFS=, read -r task size persons sec rss; do
  echo "| $task | $size | $persons | $sec | $rss |"
done < "$OUT"
rm -f "$OUT"
