#!/usr/bin/env bash
# Side-by-side Poisson GLM timings (log offset, 30 covariates): 1e6 rows with all four
# tools, 1e7 rows without statsmodels (it needs more than this machine's 24 GiB there).
#   bash benches/run_glm.sh     (needs the venv with hrrstats + statsmodels and the
#                                hrrstats R package installed; ~10 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
echo "| rows | language | tool | seconds | glm / tool |"
echo "|---:|---|---|---:|---:|"
for n in 1e6 1e7; do
  "$PY" benches/glm_data.py --n "$n" --p 30 --out "$DATA" >/dev/null
  extra=""; [ "$n" = 1e7 ] && extra="--no-statsmodels"
  { "$PY" benches/glm_side_by_side.py --data "$DATA" --repeat 1 $extra; Rscript benches/glm_side_by_side.R "$DATA" 1; } > "$DATA/r.csv"
  glm=$(grep ',stats::glm,' "$DATA/r.csv" | cut -d, -f3)
  while IFS=, read -r lang tool sec; do
    "$PY" -c "print(f'| {float(\"$n\"):.0e} | $lang | $tool | {float($sec):.2f} | {float($glm) / float($sec):.1f}x |')"
  done < "$DATA/r.csv"
done
