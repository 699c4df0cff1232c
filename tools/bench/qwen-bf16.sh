#!/usr/bin/env bash
# Prefill and decode tokens/s of a Qwen2.5-0.5B-shaped BF16 checkpoint with random weights.
# Usage: tools/bench/qwen-bf16.sh [--prompt-tokens N] [--gen-tokens N] [--reps N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${UNICORN_BENCH_DIR:-$HOME/.cache/unicorn/bench}/qwen2.5-0.5b-bf16"
if [[ ! -s "$dir/model.safetensors" ]]; then
  python3 -c 'import numpy' 2>/dev/null || python3 -m pip install -q numpy
  python3 "$root/tools/bench/make_random_checkpoint.py" --preset qwen2.5-0.5b -o "$dir"
fi
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--prompt-tokens 128 --gen-tokens 64 --reps 3)
exec "$root/unicorn" bench --model "$dir" "${args[@]}"
