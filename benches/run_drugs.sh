#!/usr/bin/env bash
# Drug exposure timings (issue 17): episodes and adherence for n dispensings of n / 50
# persons through the Python binding (one run; no side-by-side: AdhereR, the anchor of
# the definitions, is CRAN only and not installable here).
#   bash benches/run_drugs.sh [n] [persons]   (default 1e7 and n / 50; the issue's target
#                                       is 1e8 for 2e6 persons in under 60 s:
#                                       bash benches/run_drugs.sh 1e8 2e6 on a quiet
#                                       machine with ~10 GB free; wrap in /usr/bin/time -v
#                                       for the peak memory of the whole process)
#   PYTHON=/path/to/python (with hrrstats installed) chooses the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
"${PYTHON:-python3}" benches/drugs_bench.py "${1:-1e7}" ${2:+"$2"} > "$OUT"
echo "| task | dispensings | persons | seconds | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
while IFS=, read -r task size persons sec rss; do
  echo "| $task | $size | $persons | $sec | $rss |"
done < "$OUT"
rm -f "$OUT"
