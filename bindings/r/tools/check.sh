#!/usr/bin/env bash
# Build the R package with its vignettes (R CMD build) and check the tarball as CRAN
# would (R CMD check --as-cran): fails on any ERROR or WARNING, lists the NOTEs.
#
#   bash bindings/r/tools/check.sh [OFFLINE_TARBALL]
#
# OFFLINE_TARBALL: the source tarball of tools/build-tarball.sh (as tools/test.sh makes
# it: vendored crates, vignettes not built); it is unpacked and rebuilt with its vignettes.
# Without it, build-tarball.sh runs first. Options of the check:
#   --no-tests   the testthat suite runs on its own (tools/test.sh)
#   --no-manual  unless pdflatex is installed (the PDF manual needs LaTeX)
# and no remote look-ups (CRAN incoming, the clock server): CI runs offline.
# HRRSTATS_CARGO_TARGET_DIR (see src/Makevars.in), when set to the target directory of an
# earlier install of the same tarball, spares the two Rust builds (R CMD build's install
# for the vignettes, R CMD check's install). Honours CARGO_BUILD_JOBS.
# The last line is `r-check: N passed, M failed` (1 passed: no ERROR or WARNING).
set -euo pipefail

PKG=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "$1" >&2; echo "r-check: 0 passed, 1 failed"; exit 1; }
start=$(date +%s)

if [ -n "${1:-}" ]; then
  OFFLINE=$1
else
  OFFLINE=$(bash "$PKG/tools/build-tarball.sh" "$WORK/dist" 2>"$WORK/offline.log" | tail -n 1) ||
    { cat "$WORK/offline.log" >&2; fail "building the offline tarball failed"; }
fi
[ -f "$OFFLINE" ] || fail "no tarball $OFFLINE"

echo "== R CMD build (vignettes) from $(basename "$OFFLINE")"
mkdir -p "$WORK/src" "$WORK/out"
tar -xzf "$OFFLINE" -C "$WORK/src"
MANUAL=(--no-manual)
if command -v pdflatex >/dev/null 2>&1; then MANUAL=(); fi
(cd "$WORK/out" && R CMD build "${MANUAL[@]}" "$WORK/src/hrrstats" > "$WORK/build.log" 2>&1) ||
  { cat "$WORK/build.log" >&2; fail "R CMD build failed"; }
sed 's/^/   /' "$WORK/build.log"
TARBALL=$(ls "$WORK"/out/hrrstats_*.tar.gz)
tar -tzf "$TARBALL" | grep -E '^hrrstats/inst/doc/.*\.html$' | sed 's/^/   built: /'
built=$(date +%s)

echo "== R CMD check --as-cran --no-tests ${MANUAL[*]} $(basename "$TARBALL")"
status=0
(cd "$WORK/out" &&
  _R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_FUTURE_FILE_TIMESTAMPS_=false \
  _R_CHECK_SYSTEM_CLOCK_=false \
  R CMD check --as-cran --no-tests "${MANUAL[@]}" "$TARBALL" > "$WORK/check.log" 2>&1) ||
  status=$?
sed 's/^/   /' "$WORK/check.log"
# The NOTEs and WARNINGs with their explanations, as R writes them in 00check.log.
awk '/\.\.\. (NOTE|WARNING|ERROR)$/ {p = 1; print "   " $0; next}
     /^\* / {p = 0} p {print "   " $0}' "$WORK/out/hrrstats.Rcheck/00check.log" \
  > "$WORK/findings.log" 2>/dev/null || true
if [ -s "$WORK/findings.log" ]; then echo "== findings"; cat "$WORK/findings.log"; fi
end=$(date +%s)
echo "   build $((built - start)) s, check $((end - built)) s"
last=$(grep -E '^Status:' "$WORK/check.log" | tail -n 1 || true)
[ -n "$last" ] || fail "R CMD check did not finish (exit $status)"
if [ "$status" -ne 0 ] || echo "$last" | grep -Eq 'ERROR|WARNING'; then
  fail "R CMD check: $last"
fi
echo "r-check: 1 passed, 0 failed"
