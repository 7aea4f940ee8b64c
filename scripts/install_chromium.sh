#!/usr/bin/env bash
# Install headless Chromium and its driver (Debian packages) for the browser test and the
# report screenshot; does nothing when both are there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/apt_install.sh" chromium chromium chromium-driver
bash "$here/apt_install.sh" chromedriver chromium-driver
