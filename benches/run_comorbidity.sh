#!/usr/bin/env bash
# Side-by-side comorbidity timings (one run, same data): hrrstats.comorbidity against
# comorbidipy (Python) and the core alone (tests/reference_comorbidity.rs prints it).
#   bash benches/run_comorbidity.sh [persons] [codes]     # default: the issue's 1e5 x 5e6
#   PYTHON=/path/to/python (with hrrstats and, optionally, comorbidipy installed)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
"${PYTHON:-python}" benches/comorbidity_side_by_side.py "$@" > "$OUT"
echo "| index | tool | size | seconds |"
echo "|---|---|---|---:|"
while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done < "$OUT"
rm -f "$OUT"
