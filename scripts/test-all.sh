#!/usr/bin/env bash
# Runs every test of hrrstats: Rust (core + reference fixtures), Python (pytest on the
# pyo3 binding) and R (testthat on the extendr package, installed from its offline
# source tarball). Installs what it needs on a fresh Debian machine: R and its
# packages from Debian's archive, Python packages into a venv (.venv by default).
#
#   bash scripts/test-all.sh            # everything
#   HRRSTATS_SKIP_R=1 bash scripts/...  # skip a language while iterating
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=never
LOG=$(mktemp -d)
declare -A PASSED FAILED

# Every R package any test loads, as Debian packages. The check below fails early, naming
# the package, if a test file loads one that is not in this list: a reference test
# skipped for a missing package counts as failed, so the install must not depend on
# what happens to be on the machine.
R_TEST_PACKAGES=(survival testthat MASS sandwich relsurv cmprsk mice Epi generics broom knitr geepack lpSolve rmarkdown ggplot2 data.table tibble)
# ... and the Debian package of each (same order).
R_TEST_APT=(r-cran-survival r-cran-testthat r-cran-mass r-cran-sandwich r-cran-relsurv r-cran-cmprsk r-cran-mice r-cran-epi r-cran-generics r-cran-broom r-cran-knitr r-cran-geepack r-cran-lpsolve r-cran-rmarkdown r-cran-ggplot2 r-cran-data.table r-cran-tibble)
# Python packages the tests import (besides hrrstats itself and the standard library).
PY_TEST_PACKAGES=(numpy pandas pytest matplotlib polars hypothesis dask distributed pyarrow scipy lifelines)
# ... with the extras they need (hrrstats.dask: dask's DataFrame).
PY_TEST_EXTRAS=("dask[dataframe]")
# lifelines (the second opinion of test_lifelines.py) pins pandas < 3 in its metadata; its
# fitters used there work with pandas 3, so it is installed without its dependencies
# (its other requirements listed here) and the tests keep the current pandas.
PY_NODEPS=("lifelines==0.30.3")
PY_NODEPS_REQUIRES=(autograd autograd-gamma formulaic)
# Python packages that build the documentation (scripts/build-docs.sh: Sphinx, numpydoc,
# the notebooks executed by myst-nb in an ipykernel) and run docs/notebooks under nbmake.
DOCS_PACKAGES=(sphinx numpydoc myst-nb ipykernel nbmake)

echo "== checking that the install lists cover every package the tests load"
missing=$(
  { grep -rhoE "(library|require|requireNamespace|skip_if_not_installed)\(\"?[A-Za-z][A-Za-z0-9.]*" \
      bindings/r/tests 2>/dev/null | sed -E 's/.*\("?//'
    # pkg::fun in code (comments and string literals stripped first)
    find bindings/r/tests -name '*.R' -exec sed -E 's/#.*$//; s/"[^"]*"//g' {} + \
      | grep -oE "\b[A-Za-z][A-Za-z0-9.]*::" | sed 's/::$//' \
      | grep -vxE "base|stats|utils|graphics|grDevices|datasets|methods|tools|parallel|splines|grid|testthat|hrrstats"
    printf 'PY:%s\n' $(grep -rhoE "^\s*(import|from) [A-Za-z_][A-Za-z0-9_]*" bindings/python/tests \
      | awk '{print $2}')
  } | sort -u | while read -r pkg; do
    case "$pkg" in
      hrrstats|PY:hrrstats|PY:conftest|PY:__future__) continue ;;
      PY:*) p=${pkg#PY:}
            python3 -c "import sys; sys.exit(0 if '$p' in sys.stdlib_module_names else 1)" 2>/dev/null && continue
            printf '%s\n' "${PY_TEST_PACKAGES[@]}" | grep -qx "$p" || echo "python:$p" ;;
      *) printf '%s\n' "${R_TEST_PACKAGES[@]}" | grep -qx "$pkg" || echo "R:$pkg" ;;
    esac
  done
)
if [ -n "$missing" ]; then
  echo "test files load packages that scripts/test-all.sh does not install:" $missing >&2
  echo "all languages: 0 passed, 1 failed"
  exit 1
fi

need_apt=()
command -v xz >/dev/null 2>&1 || need_apt+=(xz-utils)
if [ "${HRRSTATS_SKIP_R:-0}" != 1 ]; then
  command -v Rscript >/dev/null 2>&1 || need_apt+=(r-base-dev)
  # R CMD check --as-cran (bindings/r/tools/check.sh) needs qpdf and checkbashisms
  command -v qpdf >/dev/null 2>&1 || need_apt+=(qpdf)
  command -v checkbashisms >/dev/null 2>&1 || need_apt+=(devscripts)
  for i in "${!R_TEST_PACKAGES[@]}"; do
    pkg=${R_TEST_PACKAGES[$i]}
    if ! command -v Rscript >/dev/null 2>&1 ||
       ! Rscript -e "quit(status = !requireNamespace('$pkg', quietly = TRUE))" >/dev/null 2>&1; then
      need_apt+=("${R_TEST_APT[$i]}")
    fi
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing from Debian: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

echo "== Rust: cargo test (core, reference fixtures, bad input, example data)"
cargo test --release --workspace 2>&1 | tee "$LOG/rust.txt"
PASSED[rust]=$(awk '/^test result:/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^passed/) s += $i} END {print s + 0}' "$LOG/rust.txt")
FAILED[rust]=$(awk '/^test result:/ {for (i = 1; i < NF; i++) if ($(i+1) ~ /^failed/) s += $i} END {print s + 0}' "$LOG/rust.txt")

echo "== Rust: the example analysis runs"
cargo run --release --quiet --example registry_survival > "$LOG/example.txt"
grep -q "Log-rank test, stage" "$LOG/example.txt"

if [ "${HRRSTATS_SKIP_PYTHON:-0}" != 1 ]; then
  echo "== Python: build the pyo3 extension into a venv and run pytest"
  VENV=${HRRSTATS_VENV:-$ROOT/.venv}
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
  fi
  py_install=()
  for p in "${PY_TEST_PACKAGES[@]}"; do
    printf '%s\n' "${PY_NODEPS[@]}" | grep -q "^$p==" || py_install+=("$p")
  done
  "$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.16,<2" "${py_install[@]}" "${PY_TEST_EXTRAS[@]}" \
    "${PY_NODEPS_REQUIRES[@]}" "${DOCS_PACKAGES[@]}"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps "${PY_NODEPS[@]}"
  (cd bindings/python && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" maturin develop --release -q)
  set +e
  HRRSTATS_FIXTURES="$ROOT/tests/reference/fixtures" MPLBACKEND=Agg \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests 2>&1 | tee "$LOG/python.txt"
  py_rc=${PIPESTATUS[0]}
  set -e
  last=$(grep -E '[0-9]+ (passed|failed)' "$LOG/python.txt" | tail -1)
  PASSED[python]=$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
  FAILED[python]=$(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
  [ "$py_rc" -eq 0 ] || [ "${FAILED[python]}" -gt 0 ] || FAILED[python]=1

  echo "== Docs: Sphinx build (warnings as errors, notebooks executed) and the docstrings' doctests"
  set +e
  HRRSTATS_VENV="$VENV" bash scripts/build-docs.sh 2>&1 | tee "$LOG/docs.txt"
  docs_rc=${PIPESTATUS[0]}
  set -e
  PASSED[docs]=$(grep -E '[0-9]+ passed' "$LOG/docs.txt" | tail -1 | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
  if [ "$docs_rc" -eq 0 ]; then FAILED[docs]=0; PASSED[docs]=$((PASSED[docs] + 1)); else FAILED[docs]=1; fi
fi

if [ "${HRRSTATS_SKIP_R:-0}" != 1 ]; then
  echo "== R: build the offline source tarball, install it without network, run testthat"
  set +e
  HRRSTATS_FIXTURES="$ROOT/tests/reference/fixtures" HRRSTATS_REQUIRE_FIXTURES=1 HRRSTATS_R_LIB="$LOG/rlib" \
    HRRSTATS_R_DIST="$LOG/rdist" HRRSTATS_CARGO_TARGET_DIR="$LOG/r-cargo-target" \
    bash bindings/r/tools/test.sh 2>&1 | tee "$LOG/r.txt"
  r_rc=${PIPESTATUS[0]}
  set -e
  last=$(grep -E '^r: [0-9]+ passed, [0-9]+ failed' "$LOG/r.txt" | tail -1)
  PASSED[r]=$(echo "$last" | sed -E 's/^r: ([0-9]+) passed.*/\1/'); PASSED[r]=${PASSED[r]:-0}
  FAILED[r]=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/'); FAILED[r]=${FAILED[r]:-0}
  [ "$r_rc" -eq 0 ] || [ "${FAILED[r]}" -gt 0 ] || FAILED[r]=1

  echo "== R: R CMD build with the vignettes and R CMD check --as-cran of the tarball"
  set +e
  HRRSTATS_CARGO_TARGET_DIR="$LOG/r-cargo-target" bash bindings/r/tools/check.sh \
    "$(ls "$LOG"/rdist/hrrstats_*.tar.gz 2>/dev/null | head -n 1)" 2>&1 | tee "$LOG/rcheck.txt"
  set -e
  last=$(grep -E '^r-check: [0-9]+ passed, [0-9]+ failed' "$LOG/rcheck.txt" | tail -1)
  PASSED[r-check]=$(echo "$last" | sed -E 's/^r-check: ([0-9]+) passed.*/\1/'); PASSED[r-check]=${PASSED[r-check]:-0}
  FAILED[r-check]=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/'); FAILED[r-check]=${FAILED[r-check]:-1}
fi

if [ "${HRRSTATS_SKIP_R:-0}" != 1 ] && [ "${HRRSTATS_SKIP_PYTHON:-0}" != 1 ]; then
  echo "== Conformance: every core method through Python and R, same inputs, same answers"
  set +e
  (
    set -e
    cd tests/conformance
    "$VENV/bin/python" conformance.py run-python "$LOG/conf_py.tsv"
    "$VENV/bin/python" conformance.py emit-r "$LOG/conf_cases.R"
    R_LIBS="$LOG/rlib" Rscript --vanilla run.R "$LOG/conf_cases.R" "$LOG/conf_r.tsv"
    "$VENV/bin/python" conformance.py compare "$LOG/conf_py.tsv" "$LOG/conf_r.tsv"
  ) 2>&1 | tee "$LOG/conf.txt"
  conf_rc=${PIPESTATUS[0]}
  set -e
  last=$(grep -E '^conformance: [0-9]+ passed, [0-9]+ failed' "$LOG/conf.txt" | tail -1)
  PASSED[conformance]=$(echo "$last" | sed -E 's/^conformance: ([0-9]+) passed.*/\1/'); PASSED[conformance]=${PASSED[conformance]:-0}
  FAILED[conformance]=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/'); FAILED[conformance]=${FAILED[conformance]:-0}
  [ "$conf_rc" -eq 0 ] || [ "${FAILED[conformance]}" -gt 0 ] || FAILED[conformance]=1
fi

total_p=0; total_f=0
for k in "${!PASSED[@]}"; do
  echo "   $k: ${PASSED[$k]} passed, ${FAILED[$k]} failed"
  total_p=$((total_p + PASSED[$k])); total_f=$((total_f + FAILED[$k]))
done
echo "all languages: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
