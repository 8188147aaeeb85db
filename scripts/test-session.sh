#!/usr/bin/env bash
# Runs inside `dbus-run-session`: a throwaway home, an unlocked keyring, Xvfb, then pytest.
set -euo pipefail
test_home="$(mktemp -d)"
trap 'rm -rf "$test_home"' EXIT
export HOME="$test_home" XDG_DATA_HOME="$test_home/.local/share" \
  XDG_CONFIG_HOME="$test_home/.config" XDG_CACHE_HOME="$test_home/.cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# The keyring of this session only; its password is irrelevant, it dies with the session.
eval "$(printf 'test-session' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
export QTWEBENGINE_DISABLE_SANDBOX=1 WORKBENCH_TEST_SESSION=1
unset WORKBENCH_SSO_KEY
status=0
xvfb-run -a -s "-screen 0 1600x1000x24" python -m pytest "$@" || status=$?
exit "$status"
