"""Benchmark ``prov serve``: a warm check over HTTP beside the same check in-process.

    .venv/bin/python scripts/bench_serve.py                       # 100k passages, ~2-3 min
    .venv/bin/python scripts/bench_serve.py --passages 10000 --requests 100
    .venv/bin/python scripts/bench_serve.py --work /tmp/bs         # keep (and reuse) the index

Builds the corpus of ``scripts/bench.py`` (its generator, same seed: Zipf English-like
sentences, 20 per document) and indexes it with ``prov add``, then measures, on the same
~10 KB spun copy of the middle document that bench.py checks:

1. in-process: ``pipeline.check_text`` on an open index, p50 / p95 (bench.py's "warm");
2. ``prov serve`` (a separate process, 4 index threads) asked ``POST /api/check`` over
   loopback by a Python client (httpx, keep-alive) with 1 and then 4 concurrent
   connections: p50 / p95 latency per request and requests per second;
3. the same 4 clients while ``prov scan`` (another process) writes the results of a
   crawl of spun copies and unrelated pages into the same index: latencies, errors, and
   how long the scan took.

Every answer is checked: status 200 and the right top source. Prints one table. Nothing
is timed in the test suite; these are the figures for the README.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance import pipeline  # noqa: E402
from provenance.index.store import Store  # noqa: E402
from provenance.ingest.files import read_document  # noqa: E402


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("prov_bench", ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["prov_bench"] = module
    spec.loader.exec_module(module)
    return module


def percentile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def build(work: Path, passages: int, seed: int) -> tuple[Path, Path, str, Any, Any]:
    bench = load_bench()
    gen = bench.Generator(5000, 50, seed)
    corpus = gen.corpus(passages)
    folder = work / "corpus"
    db = work / "prov.db"
    target = len(corpus.docs) // 2
    expected = os.path.normpath(str(folder / f"doc{target:06d}.txt"))
    if not db.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(corpus.texts):
            (folder / f"doc{i:06d}.txt").write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "provenance", "add", "--db", str(db), str(folder)],
            check=True, capture_output=True,
        )  # fmt: skip
        print(f"indexed {passages:,} passages in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    suspect = work / "suspect.txt"
    suspect.write_text(bench.make_suspect(gen, corpus, target), encoding="utf-8")
    return db, suspect, expected, gen, corpus


def paired(
    db: Path, suspect: Path, url: str, expected: str, runs: int
) -> tuple[list[float], list[float], list[float], list[str]]:
    """The same check in-process and over HTTP (one client), alternately, so that both
    see the same load on a shared machine."""
    raw = read_document(suspect)
    body = suspect.read_bytes()
    local: list[float] = []
    remote: list[float] = []
    inside: list[float] = []
    errors: list[str] = []
    with Store.open(db) as store, httpx.Client(timeout=120) as client:
        pipeline.check_text(store, raw, 5)  # warm the caches
        client.post(url, content=body)
        for _ in range(runs):
            t0 = time.perf_counter()
            pipeline.check_text(store, raw, 5)
            local.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = client.post(url, content=body)
            remote.append(time.perf_counter() - t0)
            timing = dict(
                part.strip().split(";dur=") for part in r.headers["server-timing"].split(",")
            )
            inside.append(sum(float(v) for v in timing.values()) / 1000)
            if r.status_code != 200 or (
                os.path.normpath(r.json()["matches"][0]["source"]) != expected
            ):
                errors.append(f"{r.status_code} {r.text[:200]}")
    return local, remote, inside, errors


def load(url: str, body: bytes, expected: str, clients: int, requests: int) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, ``requests`` in all."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per = max(1, requests // clients)

    def client() -> None:
        with httpx.Client(timeout=120) as c:
            c.post(url, content=body)  # the connection, and this thread's index, warm
            for _ in range(per):
                t0 = time.perf_counter()
                r = c.post(url, content=body)
                dt = time.perf_counter() - t0
                ok = r.status_code == 200 and (
                    os.path.normpath(r.json()["matches"][0]["source"]) == expected
                )
                with lock:
                    times.append(dt)
                    if not ok:
                        errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"times": times, "errors": errors, "rps": len(times) / wall, "wall": wall}


def make_crawl(work: Path, gen: Any, corpus: Any, pages: int) -> Path:
    """A JSONL crawl: spun copies of indexed documents and unrelated pages, new on every
    run (a scan skips the pages it has seen)."""
    import numpy as np

    bench = load_bench()
    gen.rng = np.random.default_rng(time.time_ns())
    crawl = work / "crawl.jsonl"
    with crawl.open("w", encoding="utf-8") as fh:
        for i in range(pages):
            if i % 2 == 0:
                doc = corpus.docs[(i * 7919) % len(corpus.docs)]
                text = bench.render(gen.spin(doc, 0.1))
            else:
                text = bench.render(gen.document(20))
            url = f"https://site{i % 13}.example/p/{i}"
            fh.write(json.dumps({"url": url, "text": text}) + "\n")
    return crawl


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", "serve", "--db", str(db), "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/sources?q=nothing", timeout=5)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("prov serve did not start") from None
            time.sleep(0.2)


def row(name: str, times: list[float], extra: str = "") -> str:
    p50, p95 = 1000 * statistics.median(times), 1000 * percentile(times, 0.95)
    return f"| {name} | {p50:.1f} | {p95:.1f} | {len(times)} | {extra} |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=400, help="requests per load run")
    ap.add_argument("--pages", type=int, default=400, help="pages in the concurrent scan")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1, help="prov serve --workers")
    ap.add_argument("--work", type=Path, default=None, help="folder kept between runs")
    args = ap.parse_args()
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="prov-bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    db, suspect, expected, gen, corpus = build(work, args.passages, args.seed)
    body = suspect.read_bytes()
    proc = start_server(db, args.port, args.workers)
    url = f"http://127.0.0.1:{args.port}/api/check"
    try:
        local, one_times, inside, one_errors = paired(
            db, suspect, url, expected, args.requests // 2
        )
        four = load(url, body, expected, 4, args.requests)
        crawl = make_crawl(work, gen, corpus, args.pages)
        scan_db_args = ["--db", str(db), str(crawl), "--workers", "1"]
        t0 = time.perf_counter()
        scanner = subprocess.Popen(
            [sys.executable, "-m", "provenance", "scan", *scan_db_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        during: dict[str, Any] = {"times": [], "errors": [], "rps": 0.0}
        runs = 0
        while scanner.poll() is None:
            r = load(url, body, expected, 4, 40)
            during["times"] += r["times"]
            during["errors"] += r["errors"]
            runs += 1
        scan_s = time.perf_counter() - t0
        assert scanner.returncode == 0, scanner.stderr.read() if scanner.stderr else ""
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"\nprov serve --workers {args.workers} at {args.passages:,} passages "
          f"({db.stat().st_size / 1e6:,.0f} MB), a {len(body):,}-byte suspect; "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| check | p50 ms | p95 ms | requests | |")
    print("|---|---|---|---|---|")
    print(row("in-process `pipeline.check_text` (bench.py's warm)", local, "alternating with:"))
    print(row("HTTP, 1 client", one_times, f"{len(one_times) / sum(one_times):.0f} req/s"))
    print(row("  of which in the server's check and JSON (Server-Timing)", inside))
    print(row("HTTP, 4 concurrent clients", four["times"], f"{four['rps']:.0f} req/s"))
    print(
        row(
            "HTTP, 4 clients while `prov scan` writes",
            during["times"],
            f"scan of {args.pages} pages took {scan_s:.1f} s",
        )
    )
    errors = one_errors + four["errors"] + during["errors"]
    print(
        f"\nerrors or wrong answers: {len(errors)}" + (f" (first: {errors[0]})" if errors else "")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
