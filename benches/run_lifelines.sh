#!/usr/bin/env bash
# hrrstats against lifelines (issue #14's targets): Weibull AFT at 1e6 rows x 5 covariates
# (WeibullAFTFitter) and the Royston-Parmar spline without covariates at M rows (default
# 1e5; SplineFitter). Same data (benches/cox_data.py), one run.
#   bash benches/run_lifelines.sh   (needs the venv with hrrstats and lifelines; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
"$PY" benches/cox_data.py --n "${N:-1e6}" --p 5 --out "$DATA" >&2
"$PY" benches/lifelines_side_by_side.py "$DATA" "${M:-1e5}"
rm -rf "$DATA"
