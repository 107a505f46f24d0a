#!/usr/bin/env bash
# Side-by-side capture-recapture timings (same data, one run each): hrrstats against the
# plain-R glm()/optimize()/uniroot() computation of the same 64 models with profile limits.
#   bash benches/run_capture_recapture.sh      # PYTHON=/path/to/python with hrrstats
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
"${PYTHON:-python}" benches/capture_recapture_side_by_side.py > "$OUT"
Rscript benches/capture_recapture_side_by_side.R >> "$OUT"
echo "| task | tool | size | seconds |"
echo "|---|---|---|---:|"
while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done < "$OUT"
rm -f "$OUT"
