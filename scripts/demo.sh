#!/usr/bin/env bash
# The main job on the embedded default: synthetic MIMIC-IV -> dbt build -> benchmark artifacts on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH" DO_NOT_TRACK=1
PATIENTS="${PATIENTS:-200}"

mimicbench synth --out build/synthetic --patients "$PATIENTS" --seed 0 --force
mimicbench build
mimicbench cohort --limit 20 --out-dir output
echo "Done: warehouse build/warehouse.duckdb, cohort output/top20_by_admission_count.csv"
