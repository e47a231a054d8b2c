#!/usr/bin/env bash
# The main job on the embedded default: synthetic MIMIC-IV -> dbt build -> benchmark artifacts on disk.
# Conversations come from the deterministic template backend, so no LLM server is needed; see the README
# for running the same steps against vLLM, llama.cpp or an allowed cloud endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH" DO_NOT_TRACK=1
PATIENTS="${PATIENTS:-600}"  # about 100 CDM cases per pathology

mimicbench synth --out build/synthetic --patients "$PATIENTS" --seed 0 --force
mimicbench build
mimicbench cohort --limit 20
mimicbench generate-cohort --cohort output/top20_by_admission_count.csv --backend template --concurrency 4
mimicbench export --output-root output --format jsonl --out output/dataset/conversations.jsonl
mimicbench cdm export --out output/cdm/cases.json
mimicbench qa build --out output/qa
echo "Done: warehouse build/warehouse.duckdb; conversations under output/<subject_id>/;"
echo "      dataset output/dataset/conversations.jsonl; CDM cases output/cdm/cases.json;"
echo "      questions across admissions output/qa/ (answer them with \`mimicbench qa run\`)"
