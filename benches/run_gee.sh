#!/usr/bin/env bash
# Side-by-side GEE timings (one run, same data): hrrstats::gee against geepack::geeglm,
# binomial, exchangeable working correlation.
#   bash benches/run_gee.sh [n] [clusters]
#   (needs the hrrstats R package and r-cran-geepack installed; defaults are the issue's
#   size: 1e6 rows in 2e5 clusters)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
Rscript benches/gee_side_by_side.R "$@" > "$OUT"
echo "| task | tool | size | seconds |"
echo "|---|---|---:|---:|"
while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done < "$OUT"
rm -f "$OUT"
