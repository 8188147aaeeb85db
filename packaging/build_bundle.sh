#!/usr/bin/env bash
# Builds the standalone one-folder bundle with PyInstaller, then smoke-tests it:
# --version, `serve` answering, and `gui --screenshot` under Xvfb. Prints its size and start time.
#
#   bash packaging/build_bundle.sh          (after `bash scripts/setup.sh --test`)
#
# Linux here; on macOS and Windows the same spec builds with that platform's Python and
# PyInstaller (run `pyinstaller packaging/workbench.spec` in the project's virtual environment).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
"$python" -m pip install --quiet --disable-pip-version-check "pyinstaller>=6.3" >/dev/null 2>&1 \
  || { echo "build_bundle: cannot install PyInstaller" >&2; exit 1; }
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath build/bundle/dist --workpath build/bundle/work packaging/workbench.spec
bundle=build/bundle/dist/workbench
echo "bundle: $(du -sh "$bundle" | cut -f1) in $bundle"

export WORKBENCH_SSO_KEY="bundle-smoke-key-0123456789abcdef0123"
export QTWEBENGINE_DISABLE_SANDBOX=1
"$bundle/workbench" --version

data="$(mktemp -d)"
trap 'rm -rf "$data"; kill "$server" 2>/dev/null || true' EXIT
"$bundle/workbench" serve --port 0 --data-dir "$data/serve" > "$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "Serving" "$data/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$data/serve.log")
curl -fsS "$url/_workbench/api/spaces" | grep -q sp_general && echo "serve: answers at $url"
kill "$server"

started=$(date +%s.%N)
WORKBENCH_STARTUP_PROBE=startup xvfb-run -a "$bundle/workbench" gui --data-dir "$data/gui" \
  | grep -q "PROBE startup interactive"
echo "start-up to an interactive window: $(echo "$(date +%s.%N) - $started" | bc) s"
xvfb-run -a "$bundle/workbench" gui --data-dir "$data/gui" --screenshot "$data/shot.png" \
  --payload resources/payloads/dana.json 2>/dev/null
test -s "$data/shot.png" && echo "gui --screenshot: ok"
echo "bundle smoke test passed"
