#!/usr/bin/env bash
# Scale runs of hrrstats.dask (issue #18): person_time_table, the Poisson GLM and Cox
# over Parquet partitions on a distributed.LocalCluster, against the in-memory functions,
# and the 1 -> 2 worker scaling. Data are generated partition by partition under
# $DASK_SCALE_DIR (default /tmp) and removed afterwards.
#
#   bash benches/run_dask_scale.sh [PT_PERSONS] [GLM_ROWS] [COX_ROWS] [COX_SUBSET] [WORKERS] [MEMORY]
#
# The issue's sizes (defaults; need ~15 GB free under /tmp for the GLM's files and an
# hour or more on 2 cores):
#   bash benches/run_dask_scale.sh 2e7 1e8 2e7 2e6 2 4GiB
# A modest run (a few minutes):
#   bash benches/run_dask_scale.sh 2e6 1e7 2e6 2e5 2 4GiB
# Environment: PYTHON (default .venv/bin/python), PT_PARTS (20), ROWS_PER_PART (1e6: the
# GLM's and Cox's partition size, which bounds a worker's memory), PT_FIT (in-memory
# person_time_table size, default min(PT_PERSONS, 1e7)), GLM_FIT (in-memory GLM size,
# default min(GLM_ROWS, 1e7)), SKIP (space-separated: pt glm cox scaling).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PT_N=${1:-2e7}; GLM_N=${2:-1e8}; COX_N=${3:-2e7}; COX_SUB=${4:-2e6}
WORKERS=${5:-2}; MEM=${6:-4GiB}
PT_PARTS=${PT_PARTS:-20}; RPP=${ROWS_PER_PART:-1e6}; SKIP=${SKIP:-}
parts() { "$PY" -c "import math; print(max(1, math.ceil(float('$1') / float('$RPP'))))"; }
minof() { "$PY" -c "print(int(min(float('$1'), float('$2'))))"; }
PT_FIT=${PT_FIT:-$(minof "$PT_N" 1e7)}; GLM_FIT=${GLM_FIT:-$(minof "$GLM_N" 1e7)}
echo "| workload | data | workers x memory | over partitions | in memory | notes |"
echo "|---|---|---|---|---|---|"
case " $SKIP " in *" pt "*) ;; *) "$PY" benches/dask_scale.py pt "$PT_N" "$PT_PARTS" "$WORKERS" "$MEM" "$PT_FIT" ;; esac
case " $SKIP " in *" glm "*) ;; *) "$PY" benches/dask_scale.py glm "$GLM_N" "$(parts "$GLM_N")" "$WORKERS" "$MEM" "$GLM_FIT" ;; esac
case " $SKIP " in *" cox "*) ;; *) "$PY" benches/dask_scale.py cox "$COX_N" "$(parts "$COX_N")" "$WORKERS" "$MEM" "$COX_SUB" ;; esac
case " $SKIP " in *" scaling "*) ;; *) "$PY" benches/dask_scale.py scaling "$PT_N" "$PT_PARTS" "$MEM" ;; esac
