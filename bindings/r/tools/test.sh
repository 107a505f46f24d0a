#!/usr/bin/env bash
# Test the R package as users get it: build the release source tarball, install it
# into a temporary library with no network (unshare -n when permitted, else
# CARGO_NET_OFFLINE) and an empty CARGO_HOME, then run the testthat tests against the
# installed package with the reference fixtures.
#
#   bash bindings/r/tools/test.sh
#
# Honours CARGO_BUILD_JOBS. The last line is `r: N passed, M failed` (testthat tests);
# exits non-zero if any test failed or errored.
set -euo pipefail

PKG=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$PKG/../.." && pwd)
export HRRSTATS_FIXTURES=${HRRSTATS_FIXTURES:-"$ROOT/tests/reference/fixtures"}
if [ ! -f "$HRRSTATS_FIXTURES/km_cases.csv" ]; then
  echo "reference fixtures not found in $HRRSTATS_FIXTURES" >&2
  echo "r: 0 passed, 1 failed"
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# HRRSTATS_R_LIB keeps the installed package (e.g. for benches/run_km.sh).
LIB="${HRRSTATS_R_LIB:-$WORK/lib}"
mkdir -p "$LIB" "$WORK/cargo-home"

echo "== R: building the source tarball"
TARBALL=$(bash "$PKG/tools/build-tarball.sh" "$WORK/dist" 2>"$WORK/build.log" | tail -n 1) || {
  cat "$WORK/build.log" >&2
  echo "r: 0 passed, 1 failed"
  exit 1
}
echo "   $TARBALL ($(du -h "$TARBALL" | cut -f1))"
# HRRSTATS_R_DIST keeps a copy of the tarball (for tools/check.sh).
if [ -n "${HRRSTATS_R_DIST:-}" ]; then mkdir -p "$HRRSTATS_R_DIST" && cp "$TARBALL" "$HRRSTATS_R_DIST/"; fi

if unshare -n true 2>/dev/null; then
  NONET=(unshare -n)
  how="unshare -n (no network)"
else
  NONET=()
  export CARGO_NET_OFFLINE=true
  how="CARGO_NET_OFFLINE=true (unshare not permitted)"
fi
echo "== R: installing offline with $how and an empty CARGO_HOME"
if ! CARGO_HOME="$WORK/cargo-home" "${NONET[@]}" R CMD INSTALL --library="$LIB" "$TARBALL" \
    >"$WORK/install.log" 2>&1; then
  tail -n 40 "$WORK/install.log" >&2
  echo "r: 0 passed, 1 failed"
  exit 1
fi
grep -E "Finished|DONE" "$WORK/install.log" | sed 's/^/   /'

echo "== R: testthat against the installed package"
cat > "$WORK/run-tests.R" <<'EOF'
suppressPackageStartupMessages({
  library(testthat)
  library(hrrstats)
})
dir <- commandArgs(trailingOnly = TRUE)[1]
cat("   hrrstats from", dirname(find.package("hrrstats")), "\n")
res <- test_dir(dir, reporter = "summary", stop_on_failure = FALSE, stop_on_warning = FALSE)
d <- as.data.frame(res)
failed <- d$error | d$failed > 0
# In CI the fixtures must be there: a skipped reference test is a failure.
if (Sys.getenv("HRRSTATS_REQUIRE_FIXTURES") == "1") failed <- failed | d$skipped
skipped <- !failed & d$skipped
passed <- !failed & !skipped
if (any(skipped)) cat("   skipped:", sum(skipped), "tests\n")
cat(sprintf("   %d expectations in %d tests\n", sum(d$nb), nrow(d)))
cat(sprintf("r: %d passed, %d failed\n", sum(passed), sum(failed)))
quit(status = if (any(failed)) 1L else 0L)
EOF
status=0
R_LIBS="$LIB" Rscript --vanilla "$WORK/run-tests.R" "$PKG/tests/testthat" 2>&1 \
  | tee "$WORK/tests.log" || status=$?
# If R died before reporting, still end with the summary line.
if ! tail -n 1 "$WORK/tests.log" | grep -Eq '^r: [0-9]+ passed, [0-9]+ failed$'; then
  echo "r: 0 passed, 1 failed"
  exit 1
fi
exit "$status"
