#!/usr/bin/env bash
# protect_table timings (one run): 2-D 50 x 20 and 3-D 50 x 20 x 10 tables with margins,
# a magnitude table (p%-rule, dominance), subtotals, controlled rounding (2-D, 3-D);
# about 3% of the cells below the threshold; the scipy LP audit of the 2-D pattern for
# comparison. sdcTable (the R anchor) is not installable here.
#   bash benches/run_sdc.sh [percent small cells]
#   PYTHON=/path/to/python (with hrrstats and scipy installed)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
"${PYTHON:-python}" benches/sdc_bench.py "$@" > "$OUT"
echo "| task | tool | size | seconds | suppressed cells |"
echo "|---|---|---|---:|---:|"
while IFS=, read -r task tool size sec nsup; do
  echo "| $task | $tool | $size | $sec | $nsup |"
done < "$OUT"
rm -f "$OUT"
