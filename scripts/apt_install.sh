#!/usr/bin/env bash
# apt_install.sh COMMAND PACKAGE...: install Debian PACKAGEs unless COMMAND is already on
# the PATH. Idempotent and quiet; needs root (or passwordless sudo); exits non-zero when
# it cannot install. Used by install_chromium.sh and install_java.sh.
set -euo pipefail
command=$1
shift
if command -v "$command" >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "apt_install.sh: not root and no passwordless sudo; cannot install $*" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
command -v "$command" >/dev/null 2>&1
