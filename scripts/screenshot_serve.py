"""Screenshots of `prov serve`'s pages (1280 px wide) for the README, in docs/screenshots/.

    .venv/bin/python scripts/screenshot_serve.py [--out docs/screenshots] [--height 1100]

Builds the README's demo index (seeds 001 and 004), scans a small JSONL crawl (seed 003
under one URL at two dates, the second with a number changed; seed 002 on a mirror),
starts the server in this process, and drives headless Chromium through chromedriver
(tests/webdriver.py; scripts/install_chromium.sh installs both): the check form with
seed 003 pasted in, its report, the sources page, the scan results and a page's history.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance import indexing  # noqa: E402
from provenance.crawl.scan import scan  # noqa: E402
from tests.webdriver import Browser, browser, find_browser, free_port  # noqa: E402

SEEDS = ROOT / "samples" / "seeds"
STORY = "https://news.example/2021/06/coalition-communique"


def seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def demo(work: Path) -> Path:
    import os

    db = work / "demo.db"
    old = os.getcwd()
    os.chdir(ROOT)  # sources named as the README's demo names them
    try:
        list(indexing.add([seed("001").relative_to(ROOT), seed("004").relative_to(ROOT)], db))
    finally:
        os.chdir(old)
    text3 = seed("003").read_text(encoding="utf-8")
    lines = [
        {"url": STORY, "fetched_at": "2024-03-01T09:00:00Z", "text": text3},
        {"url": STORY, "fetched_at": "2024-04-02T09:00:00Z",
         "text": text3.replace("eight million", "nine million", 1)},
        {"url": "https://mirror.example/c2020", "fetched_at": "2024-03-05T12:00:00Z",
         "text": seed("002").read_text(encoding="utf-8")},
    ]  # fmt: skip
    crawl = work / "crawl.jsonl"
    crawl.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    scan([crawl], db, workers=1)
    return db


def shoot(b: Browser, out: Path, height: int) -> None:
    full = int(b.script("return document.documentElement.scrollHeight"))
    b.resize(1280, min(full, height))
    time.sleep(0.3)
    out.write_bytes(b.screenshot())
    print(f"wrote {out} (1280 x {min(full, height)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--height", type=int, default=1100)
    args = ap.parse_args()
    tools = find_browser()
    if tools is None:
        raise SystemExit("chromium and chromedriver are needed: bash scripts/install_chromium.sh")
    import uvicorn

    from provenance.serve.app import ServeConfig, create_app
    from provenance.serve.security import LOOPBACK_NAMES

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = demo(Path(tmp))
        port = free_port()
        app = create_app(ServeConfig(db, port=port, allowed_hosts=LOOPBACK_NAMES))
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        site = f"http://127.0.0.1:{port}"
        try:
            with browser(*tools, width=1280, height=900) as b:
                b.get(site + "/")
                b.type(b.find("textarea#text"), seed("003").read_text(encoding="utf-8"))
                b.script("document.getElementById('text').scrollTop = 0")
                shoot(b, args.out / "check-form.png", 900)
                b.click(b.find("form[action='/check'] button[type=submit]"))
                b.wait_for("location.pathname === '/check' && document.readyState === 'complete'")
                shoot(b, args.out / "check-report.png", args.height)
                b.get(site + "/sources?health=1")
                shoot(b, args.out / "sources.png", args.height)
                b.get(site + "/results?meaning=yes")
                shoot(b, args.out / "results.png", args.height)
                b.get(site + "/history?url=" + STORY)
                shoot(b, args.out / "history.png", args.height)
        finally:
            server.should_exit = True
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
