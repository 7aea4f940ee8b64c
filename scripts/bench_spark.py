"""Benchmark `prov spark-scan` (Spark, local mode) beside `prov scan` on the same crawl.

Usage::

    .venv/bin/python scripts/bench_spark.py                    # 3,000 pages, 2 cores
    .venv/bin/python scripts/bench_spark.py --pages 10000 --cores 2

``scripts/make_crawl.py`` generates the crawl (HTML files, WARC and JSONL, with known
copies of seven sources; deterministic) and the sources are indexed with ``prov add``.
Then, on the same number of cores:

- ``prov scan --workers N --stock-min 0`` (stock phrases off, as the Spark job has none);
- ``prov spark-scan --master local[N]``: the JVM's start is timed apart from the job.

Both print pages/s and page passages/s; the Spark figure per executor core and hour is
the sizing figure of the README. The two result sets are compared (same copies, verdicts
and scores within 1e-6). How it scales: the Spark job's work is per page content
(normalise, segment, fingerprint, align), spread over partitions with no step that
gathers the corpus, so the job time falls about linearly with executor cores until the
fixed costs (JVM and Python workers starting, a dozen small jobs, ~10 s here) dominate;
the driver only lists files and reads counters. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance import indexing  # noqa: E402
from provenance.crawl.scan import results, scan  # noqa: E402
from provenance.spark.driver import session, spark_scan  # noqa: E402

KEYS = ("url", "key", "fetched_at", "source", "verdict", "alterations", "risky")


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    want = {tuple(r[k] for k in KEYS): r for r in a}
    have = {tuple(r[k] for k in KEYS): r for r in b}
    return set(want) == set(have) and all(
        abs(want[k][s] - have[k][s]) <= 1e-6
        for k in want
        for s in ("fidelity", "source_coverage", "copy_coverage")
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args()
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    base = args.keep or Path(tempfile.mkdtemp(prefix="prov-spark-bench-"))
    out = base / f"crawl-{args.pages}"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_crawl.py"),
            str(out),
            "--pages",
            str(args.pages),
        ],
        check=True,
        capture_output=True,
    )
    db = out / "index.db"
    list(indexing.add([out / "sources"], db))

    t = time.monotonic()
    stats = scan([out / "crawl"], db, workers=args.cores, stock_min=0)
    scan_s = time.monotonic() - t

    t = time.monotonic()
    spark = session(f"local[{args.cores}]")
    start_s = time.monotonic() - t
    job = spark_scan(out / "sources", [out / "crawl"], out / "spark-out", spark=spark)
    spark.stop()
    pages = pq.read_table(out / "spark-out" / "pages", columns=["passages"]).to_pylist()
    passages = sum(p["passages"] or 0 for p in pages)
    same = _same(results(db), pq.read_table(out / "spark-out" / "results").to_pylist())

    rows = [
        ("prov scan --workers", scan_s, stats.read),
        ("prov spark-scan local", job.seconds, job.pages),
        ("  + JVM start", job.seconds + start_s, job.pages),
    ]
    print(f"{args.pages:,} pages, {passages:,} page passages, {args.cores} cores")
    print(f"{'':24} {'seconds':>8} {'pages/s':>8} {'passages/s':>11} {'passages/core/h':>16}")
    for name, secs, n in rows:
        rate = passages / secs
        print(
            f"{name:24} {secs:8.1f} {n / secs:8.1f} {rate:11,.0f} {rate * 3600 / args.cores:16,.0f}"
        )
    print(f"same results: {'yes' if same else 'NO'}; spark-scan counters: ", end="")
    print(
        json.dumps(
            {k: getattr(job, k) for k in ("contents", "candidates", "matches", "dropped_keys")}
        )
    )
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
