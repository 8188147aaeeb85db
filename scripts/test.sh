#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, format, types, layer contracts, then pytest in a
# private D-Bus session with its own unlocked gnome-keyring and an Xvfb display.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff";        ruff check .
echo "== ruff format"; ruff format --check .
echo "== mypy";        mypy
echo "== import contracts"; lint-imports
echo "== pytest"
exec dbus-run-session -- bash scripts/test-session.sh "$@"
