#!/usr/bin/env bash
# Installs the official OpenAI Python SDK into a virtual environment outside the repository, for the client
# tests (tests/clients). Prints the environment's python on success.
# Usage: tools/setup-clients.sh [dir]   (default: ${UNICORN_CLIENTS_VENV:-$HOME/.cache/unicorn/python-clients})
set -euo pipefail
dir="${1:-${UNICORN_CLIENTS_VENV:-$HOME/.cache/unicorn/python-clients}}"
version=3.57.0

fail() {
    echo "setup-clients: $*" >&2
    exit 1
}

command -v python3 >/dev/null || fail "python3 is not installed"
if [[ -x "$dir/bin/python" ]] && "$dir/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$version')" 2>/dev/null; then
    echo "$dir/bin/python"
    exit 0
fi
rm -rf "$dir"
python3 -m venv "$dir" >&2 || fail "cannot create a virtual environment in $dir (Debian: apt-get install python3-venv)"
"$dir/bin/pip" install -q "openai==$version" >&2 || fail "pip could not install openai==$version"
echo "$dir/bin/python"
