#!/usr/bin/env bash
# Build the release source tarball of the R package hrrstats: a package that installs
# with no network and no repository around it.
#
#   bash bindings/r/tools/build-tarball.sh [OUT_DIR]      (default: <repo>/dist)
#
# It contains
#   src/rust/hrrstats-core/   the core crate, standalone manifest (configure: cargo package)
#   src/rust/vendor.tar.xz    every crate of src/rust/Cargo.lock (cargo vendor --locked)
# and src/Makevars.in builds from them with --offline and a private CARGO_HOME.
# Needs the crates in ~/.cargo/registry or access to crates.io, and R.
# Prints the tarball's path as its last line.
set -euo pipefail

PKG=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$PKG/../.." && pwd)
OUT=${1:-"$ROOT/dist"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CARGO=${CARGO:-$(command -v cargo || echo "$HOME/.cargo/bin/cargo")}

TMP=$(mktemp -d)
cleanup() { rm -rf "$TMP" "$PKG/src/rust/vendor.tar.xz"; }
trap cleanup EXIT

cd "$PKG"
# Refresh the copy of the core (and write src/Makevars, which the build ignores).
./configure >&2

echo "== vendoring the crates of src/rust/Cargo.lock" >&2
(cd src/rust && "$CARGO" vendor --locked --versioned-dirs --quiet "$TMP/vendor" >/dev/null)
# Reproducible archive: sorted names, fixed times and owners.
tar --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner \
  -C "$TMP" -cf - vendor | xz -9 -T1 > src/rust/vendor.tar.xz
echo "   $(ls "$TMP/vendor" | wc -l) crates, vendor.tar.xz $(du -h src/rust/vendor.tar.xz | cut -f1)" >&2

echo "== R CMD build" >&2
(cd "$TMP" && R CMD build --no-build-vignettes --no-manual "$PKG" >&2)
VERSION=$(sed -n 's/^Version: *//p' "$PKG/DESCRIPTION")
TARBALL="$OUT/hrrstats_${VERSION}.tar.gz"
mv "$TMP/hrrstats_${VERSION}.tar.gz" "$TARBALL"
echo "   $(du -h "$TARBALL" | cut -f1) $TARBALL" >&2
echo "$TARBALL"
