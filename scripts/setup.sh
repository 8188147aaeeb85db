#!/usr/bin/env bash
# Sets the workbench up on Debian: the system packages Qt, QtWebEngine and the Secret Service
# need, then a virtual environment in .venv with the workbench installed (editable).
# `--test` adds what the test suite needs: Xvfb and the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[[ "${1:-}" == "--test" ]] && with_test=1

packages=(
  # Qt's xcb platform plugin
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libfontconfig1
  libdbus-1-3 fonts-dejavu-core
  # QtWebEngine (Chromium)
  libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libgbm1 libxshmfence1
  # the Secret Service the key lives in
  dbus dbus-x11 gnome-keyring
)
((with_test)) && packages+=(xvfb xauth wrk desktop-file-utils appstream)
# The snippet tests run the generated Node code; most machines here have Node already.
((with_test)) && ! command -v node >/dev/null && packages+=(nodejs npm)

sudo_cmd=()
[[ "$(id -u)" != 0 ]] && sudo_cmd=(sudo)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for pkg in "${packages[@]}"; do installed "$pkg" || missing+=("$pkg"); done
# ALSA's library was renamed in Debian 13; take whichever this release has.
if ! installed libasound2 && ! installed libasound2t64; then missing+=("@asound"); fi

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  if [[ " ${missing[*]} " == *" @asound "* ]]; then
    missing=("${missing[@]/@asound/}")
    if apt-cache show libasound2t64 >/dev/null 2>&1; then missing+=(libasound2t64); else missing+=(libasound2); fi
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    ${missing[@]} python3-venv >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
extra=""
((with_test)) && extra="[test]"
# pip's log is shown only when it fails (a machine's pip configuration can be chatty).
if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra}" \
    > .venv/pip.log 2>&1; then
  grep -v "is ignored: it is neither a file nor a directory" .venv/pip.log >&2
  echo "setup: pip could not install the workbench (the lines above say why)" >&2
  exit 1
fi
echo "setup: ready (.venv/bin/workbench)"
