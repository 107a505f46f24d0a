#!/usr/bin/env bash
# Side-by-side registry-design timings (one run, same data): exact conditional logistic
# regression against survival::clogit, nested case-control sampling against Epi::ccwc.
#   bash benches/run_designs.sh [sets] [n] [cases] [n_ccwc]
#   (needs the hrrstats R package and r-cran-epi installed; defaults are the issue's
#   sizes: 1e5 sets of 1:4 with 5 covariates; 5e6 persons with 1e5 cases)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
Rscript benches/designs_side_by_side.R "$@" > "$OUT"
echo "| task | tool | size | seconds |"
echo "|---|---|---:|---:|"
while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done < "$OUT"
rm -f "$OUT"
