#!/usr/bin/env bash
# Joinpoint speed (one run each, same data): one 40-year series with up to 3 joinpoints and
# 4,999 permutations per test; 1,000 series in one call by BIC and by permutation tests.
#   bash benches/run_joinpoint.sh [n_series] [n_permutations]
#   (needs the hrrstats Python package; NCI's Joinpoint is Windows-only: no side-by-side)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# other work on the machine slows the runs: say how busy it was
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "| task | tool | size | seconds |"
echo "|---|---|---:|---:|"
"$PY" benches/joinpoint_bench.py "$@" | while IFS=, read -r task tool size sec; do
  echo "| $task | $tool | $size | $sec |"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
