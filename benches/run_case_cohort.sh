#!/usr/bin/env bash
# Side-by-side case-cohort timings (one run, same data) against survival::cch:
#   bash benches/run_case_cohort.sh [n] [frac]
#   (needs the hrrstats R package; defaults: a cohort of 1e6 with a 5% subcohort)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
Rscript benches/case_cohort_side_by_side.R "$@" > "$OUT"
echo "| task | tool | records | seconds |"
echo "|---|---|---:|---:|"
while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done < "$OUT"
rm -f "$OUT"
