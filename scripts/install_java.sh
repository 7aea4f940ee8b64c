#!/usr/bin/env bash
# Install a Java runtime (Debian's default-jre-headless) for `prov spark-scan` and its
# test (pyspark starts a JVM); does nothing when `java` is there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/apt_install.sh" java default-jre-headless
