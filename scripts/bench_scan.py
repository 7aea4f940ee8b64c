"""Benchmark `prov scan`: pages per second and peak memory as the crawl grows.

Usage::

    .venv/bin/python scripts/bench_scan.py                  # 2,500, 5,000 and 10,000 pages
    .venv/bin/python scripts/bench_scan.py --sizes 10000 --workers 2

For each size, ``scripts/make_crawl.py`` generates a crawl (HTML files, WARC and JSONL,
with known copies of seven sources; deterministic), the sources are indexed, and the scan
runs in a fresh process (``python -m provenance scan``) whose peak resident memory is
read from ``/proc/self/status`` (VmHWM) by a small wrapper. Peak memory must stay flat as
the crawl grows: pages are streamed, never loaded together. The CPU seconds of the scan's
main process (reading, writing) and of its workers (checking) are printed too: on a busy
machine wall time swings with the load, the CPU a scan needs much less. This is a script,
not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Runs the scan in this process and prints its peak RSS (the scan's own, not the parent's).
_WRAPPER = """
import json, sys, time
from provenance.crawl.scan import scan
cpu0 = time.process_time()
t = time.monotonic()
stats = scan([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3]))
seconds = time.monotonic() - t
hwm = 0
children = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        hwm = int(line.split()[1]) * 1024
import resource
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
children = kids.ru_maxrss * 1024
print(json.dumps({"read": stats.read, "checked": stats.checked, "seconds": seconds,
                  "copies": dict(stats.verdicts), "risky": stats.risky,
                  "peak_rss": hwm, "worker_peak_rss": children,
                  "cpu_main": own.ru_utime + own.ru_stime - cpu0,
                  "cpu_workers": kids.ru_utime + kids.ru_stime}))
"""


def run(pages: int, workers: int, keep: Path | None) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="prov-scan-bench-")) if keep is None else keep
    out = base / f"crawl-{pages}"
    t = time.monotonic()
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_crawl.py"), str(out), "--pages", str(pages)],
        check=True,
        capture_output=True,
    )
    generated = time.monotonic() - t
    db = out / "index.db"
    subprocess.run(
        [sys.executable, "-m", "provenance", "add", "--db", str(db), str(out / "sources")],
        check=True,
        capture_output=True,
    )
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(out / "crawl"), str(db), str(workers)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["pages"] = pages
    figures["generated_seconds"] = generated
    figures["crawl_bytes"] = sum(
        p.stat().st_size for p in (out / "crawl").rglob("*") if p.is_file()
    )
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="2500,5000,10000", help="crawl sizes in pages")
    ap.add_argument("--workers", type=int, default=2, help="scan worker processes")
    ap.add_argument("--keep", type=Path, help="keep the crawls and databases here")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = [
        run(int(n), args.workers, args.keep) for n in args.sizes.split(",")
    ]
    print(f"prov scan, {args.workers} workers, python {sys.version.split()[0]}")
    head = (
        "pages", "crawl MB", "seconds", "pages/s", "CPU s main", "CPU s workers",
        "main RSS MB", "worker RSS MB",
    )  # fmt: skip
    print("".join(f"{h:>14}" for h in head) + "  copies")
    for r in rows:
        cells = (
            f"{r['pages']:,}",
            f"{r['crawl_bytes'] / 1e6:.1f}",
            f"{r['seconds']:.1f}",
            f"{r['pages'] / r['seconds']:.0f}",
            f"{r['cpu_main']:.1f}",
            f"{r['cpu_workers']:.1f}",
            f"{r['peak_rss'] / 2**20:.0f}",
            f"{r['worker_peak_rss'] / 2**20:.0f}",
        )
        print("".join(f"{c:>14}" for c in cells) + f"  {r['copies']}")
    first, last = rows[0], rows[-1]
    growth = last["peak_rss"] / max(1, first["peak_rss"])
    pages_growth = last["pages"] / first["pages"]
    print(f"peak RSS grows {growth:.2f}x while the crawl grows {pages_growth:.1f}x")
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
