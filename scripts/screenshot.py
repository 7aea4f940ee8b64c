"""Render the 004 vs 003 HTML report and screenshot it with headless Chromium.

Usage: python scripts/screenshot.py [OUT.png] [--height N] [--width N] [--html OUT.html]
Without OUT, writes the README's two pictures: samples/report.png (a 1280 px wide
screen) and samples/report-phone.png (a 390 px wide phone). Needs Chromium
(scripts/install_chromium.sh installs it); it runs with --no-sandbox, which Chromium
requires when run as root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance import pipeline  # noqa: E402
from provenance.report.html import render_compare_html  # noqa: E402

SOURCE = "samples/seeds/004_2dfa19232605a5b0.txt"
COPY = "samples/seeds/003_5d0c29417a0adc5d.txt"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("chromium not found: run `bash scripts/install_chromium.sh` as root")


def screenshot(html_path: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="prov-chromium-") as profile:
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                html_path.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", help="one picture here (default: the README's two)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=2400)
    ap.add_argument("--html", help="also keep the HTML report here")
    args = ap.parse_args()

    os.chdir(ROOT)  # the report shows the paths relative to the repository
    page = render_compare_html(pipeline.compare(SOURCE, COPY))
    shots = (
        [(Path(args.out), args.width, args.height)]
        if args.out
        else [
            (ROOT / "samples" / "report.png", 1280, 2400),
            (ROOT / "samples" / "report-phone.png", 390, 1400),
        ]
    )
    with tempfile.TemporaryDirectory(prefix="prov-report-") as tmp:
        html_path = Path(args.html).resolve() if args.html else Path(tmp) / "report.html"
        html_path.write_text(page, encoding="utf-8")
        for out, width, height in shots:
            out = out.resolve()
            out.parent.mkdir(parents=True, exist_ok=True)
            screenshot(html_path, out, width, height)
            print(f"{out} ({out.stat().st_size} bytes, {width} x {height})")


if __name__ == "__main__":
    main()
