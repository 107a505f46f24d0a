#!/usr/bin/env bash
# Builds the Python documentation (docs/) offline into docs/_build/html with Sphinx,
# warnings as errors: the user guide, the API reference of every public name
# (hrrstats.__all__ and hrrstats.dask), and the notebooks in docs/notebooks (stored
# without outputs, executed during the build by myst-nb; a failing cell fails the
# build). Then runs the docstrings' examples as doctests, and the notebooks under nbmake.
#
#   bash scripts/build-docs.sh                 # with the Python of $HRRSTATS_VENV (default .venv)
#
# Needs hrrstats installed in that venv (maturin develop) and the packages of
# DOCS_PACKAGES in scripts/test-all.sh (sphinx numpydoc myst-nb ipykernel nbmake).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${HRRSTATS_VENV:-$PWD/.venv}
PY="$VENV/bin/python"
export PYDEVD_DISABLE_FILE_VALIDATION=1
unset MPLBACKEND   # the kernels draw inline, so the figures show in the pages
rm -rf docs/_build docs/generated docs/jupyter_execute
# the notebooks run in the venv's own kernel
"$PY" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
"$PY" -m sphinx -W --keep-going -q -b html -d docs/_build/doctrees docs docs/_build/html
echo "docs: built docs/_build/html/index.html"
# the docstrings' Examples (doctests) and the notebooks once more under nbmake (one test each)
MPLBACKEND=Agg "$PY" -m pytest -q -p no:cacheprovider --doctest-modules --nbmake --pyargs hrrstats docs/notebooks/*.ipynb \
  -o doctest_optionflags="ELLIPSIS NORMALIZE_WHITESPACE NUMBER"
