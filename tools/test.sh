#!/usr/bin/env bash
# Runs every test: fetches the test data (real tokenizer files), builds all bundles, runs the unit and
# reference tests and the tests of the exported runtime, then prints one "N passed, N failed" line.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
  if [[ -n "$c" && -x "$c/bin/java" ]] && "$c/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
    export JAVA_HOME="$c"; break
  fi
done
"${JAVA_HOME:-/nonexistent}/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])' \
  || { echo "test: Java 25 is needed (set JAVA_HOME)"; echo "0 passed, 1 failed"; exit 1; }
command -v mvn >/dev/null || { echo "test: Maven (mvn) is needed"; echo "0 passed, 1 failed"; exit 1; }

bash tools/fetch-test-data.sh || { echo "test: could not fetch the test data"; echo "0 passed, 1 failed"; exit 1; }
bash tools/fetch-default-model.sh >/dev/null || { echo "test: could not fetch the default model"; echo "0 passed, 1 failed"; exit 1; }

# The terminal tests of ./unicorn chat drive it through tmux: install it where we may (else they are skipped).
if ! command -v tmux >/dev/null && command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
  { apt-get install -y -qq tmux || { apt-get update -qq && apt-get install -y -qq tmux; }; } >/dev/null 2>&1 \
    || echo "test: could not install tmux; the chat terminal tests will be skipped"
fi

find . -path '*/target/surefire-reports' -type d -prune -exec rm -rf {} + 2>/dev/null
timeout 1800 mvn -B install -Dsurefire.failIfNoSpecifiedTests=false "$@"
status=$?

# One closing line over every module's surefire reports.
python3 - "$status" <<'PY' || { echo "0 passed, 1 failed"; exit 1; }
import glob, sys, xml.etree.ElementTree as ET
tests = failed = skipped = 0
for f in glob.glob('**/target/surefire-reports/TEST-*.xml', recursive=True):
    s = ET.parse(f).getroot()
    tests += int(s.get('tests', 0)); skipped += int(s.get('skipped', 0))
    failed += int(s.get('failures', 0)) + int(s.get('errors', 0))
if sys.argv[1] != '0' and failed == 0:
    failed = 1  # the build itself failed outside any test
print(f"{tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
if [[ $status -ne 0 ]]; then
  echo "test: the Maven build failed (status $status)"
fi
exit $status
