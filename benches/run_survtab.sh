#!/usr/bin/env bash
# Interval (life-table) Pohar-Perme net survival: popEpi::survtab vs hrrstats (Python and
# R, pp_weight = "popepi": the same estimate), one run, same data (popEpi's sire resampled
# to n patients, popmort, monthly intervals to 5 years), each tool in its own process.
#   bash benches/run_survtab.sh [n] [--no-anchor]
#   (needs the venv with hrrstats, R with Epi + popEpi, and the hrrstats R package with
#   interval_net_survival() installed -- its row is skipped otherwise; popEpi takes about
#   a minute at 1e5 patients, so --no-anchor for 1e6)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1e5}; NOANCHOR=${2:-}
PY=${PYTHON:-.venv/bin/python}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$PY" benches/survtab_data.py --n "$N" --out "$DATA"
{
  if [ "$NOANCHOR" != "--no-anchor" ]; then
    Rscript benches/survtab_side_by_side.R "$DATA" popepi 1
  fi
  "$PY" benches/survtab_side_by_side.py --data "$DATA"
  if Rscript -e 'quit(status = as.integer(!(requireNamespace("hrrstats", quietly = TRUE) &&
                  exists("interval_net_survival", asNamespace("hrrstats")))))' 2>/dev/null; then
    Rscript benches/survtab_side_by_side.R "$DATA" hrr 3
  else
    echo "hrrstats R package without interval_net_survival(): the R hrrstats row is skipped" >&2
  fi
} > "$DATA/results.csv"
"$PY" - "$DATA/results.csv" "$N" <<'PYEOF'
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1]) if l.strip()]
ref = next((r for r in rows if r[1].startswith("popEpi")), None)
print(f"Interval (life-table) Pohar-Perme net survival, {float(sys.argv[2]):.0e} patients (sire resampled), "
      "popmort, monthly intervals to 5 years (seconds: popEpi once, hrrstats best of 3; peak = process peak RSS; "
      "above data = peak minus RSS after loading the data)\n")
print("| language | tool | seconds | peak GB | above data GB | survtab / tool | 5-year net survival |")
print("|---|---|---:|---:|---:|---:|---:|")
for lang, tool, sec, s, peak, above in rows:
    ratio = f"{float(ref[2]) / float(sec):.0f}x" if ref else "-"
    print(f"| {lang} | {tool} | {float(sec):.3f} | {float(peak):.2f} | {float(above):.2f} | {ratio} | {float(s):.10f} |")
# pp_weight = "popepi" reproduces survtab: the estimates agree to rounding
base = ref or rows[0]
for r in rows:
    rel = abs(float(r[3]) / float(base[3]) - 1)
    if rel > 1e-8:
        print(f"\n!!!!! WARNING: {r[1]} gives {r[3]}, {base[1]} {base[3]}: relative difference {rel:.1e} > 1e-8 !!!!!")
if len(rows) > 1:
    print(f"\nlargest relative difference of the 5-year estimates from {base[1]}: "
          f"{max(abs(float(r[3]) / float(base[3]) - 1) for r in rows):.1e}")
PYEOF
