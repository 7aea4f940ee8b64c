#!/usr/bin/env bash
# Install a Java runtime (Debian's default-jre-headless) for `prov spark-scan` and its
# test (pyspark starts a JVM). Idempotent and quiet: does nothing when `java` is there.
# Needs root (or passwordless sudo); exits non-zero when it cannot install.
set -euo pipefail

if command -v java >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install_java.sh: not root and no passwordless sudo; cannot install a Java runtime" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
command -v java >/dev/null 2>&1
