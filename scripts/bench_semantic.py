"""prov[semantic]: the encoder's load time and memory, sentences embedded per second on one
core, and seed 000 against seed 001 with the semantic path off and on; with ``--index N``,
an index of N passages with sentence vectors (``scripts/bench.py``'s generated corpus):
its size per passage, the nearest-neighbour search over its vectors, and ``check`` warm
and cold with the extra; with ``--search 100000,1000000``, the nearest-neighbour search
alone over that many clustered int8 vectors, exact and approximate (``--search-only``
skips the rest).

    .venv/bin/python scripts/bench_semantic.py
    .venv/bin/python scripts/bench_semantic.py --index 100000 --search 100000,1000000

How the index is made: the corpus is added with ``PROV_SEMANTIC=0`` (the word index),
then ``--sample`` (2,000) of its passages are embedded (the rate printed is on those) and
every source's body passages get vectors in the ``vectors`` table, taken in turn from the
sample's: embedding 100,000 passages would take ~4 minutes of CPU and tell nothing more,
since a vector's size and the search's cost do not depend on what it says. ``check`` is
timed on bench.py's suspect (a spun copy between unrelated paragraphs: the word path
finds the copy; the unrelated paragraphs are embedded and searched for).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from provenance import pipeline  # noqa: E402
from provenance.semantic import encoder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status(r: pipeline.CompareResult) -> str:
    s = r.score
    tr = [p for p in s.pairs if p.kind == "translation"]
    left = [a for a in s.added if a.reason.startswith("other language (it)")]
    words = sum(len(a.text.split()) for a in left)
    return (
        f"verdict {s.verdict}; {len(tr)} translated passages (lang "
        f"{','.join(sorted({p.lang for p in tr})) or '-'}); Italian words still 'added': {words}"
    )


def _clustered(n: int, seed: int) -> tuple[object, object]:
    """``n`` int8 rows (and scales) of unit vectors around ``n // 50`` centres (at most
    20,000), as sentence vectors are: two of one cluster at cosine ~0.8."""
    import numpy as np

    from provenance.index import vectors

    rng = np.random.default_rng(seed)
    dims = encoder.DIMENSIONS
    centres = rng.standard_normal((min(20_000, max(100, n // 50)), dims)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    codes = np.empty((n, dims), np.int8)
    scales = np.empty(n, np.float32)
    for lo in range(0, n, 50_000):
        c = centres[rng.integers(0, len(centres), min(50_000, n - lo))]
        v = c + 0.5 * rng.standard_normal(c.shape).astype(np.float32) / np.sqrt(dims)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        q, sc = vectors.quantize(v)
        codes[lo : lo + len(v)] = np.frombuffer(q, np.int8).reshape(-1, dims)
        scales[lo : lo + len(v)] = np.frombuffer(sc, "<f4")
    return codes, scales


def search_figures(sizes: list[int], queries: int = 32) -> None:
    """The nearest-neighbour search (``vectors.nearest``) over clustered vectors: exact
    (brute force) and by sign bits re-ranked; recall@4 of the latter against the former
    on copies (cosine ~0.85 to a stored row), paraphrases (~0.7) and unrelated queries;
    and the load of the vectors from an index (one row per source of 30 passages)."""
    import numpy as np

    from provenance.index import vectors
    from provenance.index.store import Store
    from provenance.semantic import bitext

    rng = np.random.default_rng(1)
    dims = encoder.DIMENSIONS
    for n in sizes:
        codes, scales = _clustered(n, seed=0)
        assert isinstance(codes, np.ndarray) and isinstance(scales, np.ndarray)
        m = vectors.Matrix(codes, scales, np.arange(n, dtype=np.int64))
        rows = rng.integers(0, n, queries)
        base = codes[rows].astype(np.float32) * scales[rows, None]
        sets = [
            base + e * rng.standard_normal(base.shape).astype(np.float32) / np.sqrt(dims)
            for e in (0.6, 1.0)
        ]
        sets.append(rng.standard_normal(base.shape).astype(np.float32))
        qs = [(q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32) for q in sets]
        c0 = time.process_time()
        vectors.nearest(m, qs[0][:2], 4, exact_below=0)  # builds the sign-bit index
        build = time.process_time() - c0
        figures = {}
        for name, below in (("exact", n + 1), ("sign bits", 0)):
            cpu, got = 0.0, []
            for q in qs:
                c0 = time.process_time()
                got.append(vectors.nearest(m, q, 4, exact_below=below))
                cpu += time.process_time() - c0
            figures[name] = (1000 * cpu / len(qs), got)
        exact = figures["exact"][1]
        approx = figures["sign bits"][1]
        recall = [
            np.mean([len(set(a) & set(b)) / 4 for a, b in zip(x[0], y[0], strict=True)])
            for x, y in zip(approx, exact, strict=True)
        ]
        wanted = sum(int((y[1] >= bitext.PAIR_MIN).sum()) for y in exact)
        kept = sum(
            len(set(yo[ys >= bitext.PAIR_MIN]) & set(xo))
            for x, y in zip(approx, exact, strict=True)
            for xo, yo, ys in zip(x[0], y[0], y[1], strict=True)
        )
        print(
            f"nearest-neighbour search over {n:,} clustered int8 vectors "
            f"({codes.nbytes / 2**20:,.0f} MB), ms CPU per {queries} queries: exact "
            f"{figures['exact'][0]:,.0f}, sign bits + re-rank {figures['sign bits'][0]:,.1f} "
            f"(index of the sign bits built in {build:.2f} s CPU, "
            f"{n * dims / 8 / 2**20:,.0f} MB); recall@4 against exact: copies "
            f"{recall[0]:.3f}, paraphrases {recall[1]:.3f}, unrelated {recall[2]:.3f}; "
            f"neighbours at cosine >= {bitext.PAIR_MIN}: {kept}/{wanted} found"
        )
        with tempfile.TemporaryDirectory(prefix="prov-bench-search-") as tmp:
            with Store.open(Path(tmp) / "v.db", create=True) as store:
                store.begin()
                for sid, lo in enumerate(range(0, n, 30), start=1):
                    store.db.execute(
                        "INSERT INTO vectors (source_id, dims, spans, scales, vectors) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [
                            sid,
                            dims,
                            np.zeros((len(codes[lo : lo + 30]), 2), "<i4").tobytes(),
                            scales[lo : lo + 30].tobytes(),
                            codes[lo : lo + 30].tobytes(),
                        ],
                    )
                store.commit()
            del m, codes, scales
            with Store.open(Path(tmp) / "v.db") as store:
                c0, t0 = time.process_time(), time.perf_counter()
                loaded = vectors.matrix(store)
                load = time.process_time() - c0, time.perf_counter() - t0
                c0 = time.process_time()
                vectors.nearest(loaded, qs[0], 4)
                first = time.process_time() - c0
        print(
            f"  loading the {n:,} vectors from the index (once per process): "
            f"{load[0]:.2f} s CPU ({load[1]:.2f} s wall); first search after it "
            f"{1000 * first:,.0f} ms CPU (builds the sign-bit index when >= "
            f"{vectors.EXACT_BELOW:,}); max RSS {_rss_mb():,.0f} MB"
        )


def index_figures(passages: int, work: Path, sample: int, runs: int, cold_runs: int) -> None:
    """An index of ``passages`` passages with vectors: size, search, check warm and cold."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    from provenance.index import vectors
    from provenance.index.store import Store

    gen = bench.Generator(5000, 50, 20240601)
    corpus = gen.corpus(passages)
    folder = work / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(corpus.texts):
        (folder / f"doc{i:06d}.txt").write_text(text, encoding="utf-8")
    db = work / "prov.db"
    env = dict(os.environ, PROV_SEMANTIC="0")
    cmd = [sys.executable, "-m", "provenance", "add", "--db", str(db), str(folder)]
    subprocess.run([*cmd, "--workers", "2"], check=True, env=env, capture_output=True)
    before = bench.db_bytes(db)
    texts = []
    with Store.open(db) as store:
        sids = store.source_ids()
        for stored in store.texts(sids[:50]):
            seg = pipeline.prepare(stored.text)
            texts += [seg.norm.original(p.first, p.last) for p in seg.body_passages()]
    texts = (texts * (1 + sample // max(1, len(texts))))[:sample]
    encoder.embed(texts[:1])
    c0 = time.process_time()
    pool = encoder.embed(texts)
    rate = len(texts) / (time.process_time() - c0)
    n_vec = 0
    with Store.open(db) as store:
        store.begin()
        for k, stored in enumerate(store.texts(sids)):
            spans = tuple((p.first, p.last) for p in pipeline.prepare(stored.text).body_passages())
            rows = np.take(pool, np.arange(n_vec, n_vec + len(spans)) % len(pool), axis=0)
            vectors.put(
                store, stored.id, encoder.encoder_name(), vectors.SourceVectors(spans, rows)
            )
            n_vec += len(spans)
            if k % 500 == 499:
                store.commit()
                store.begin()
        store.commit()
    subprocess.run(["sqlite3", str(db), "PRAGMA wal_checkpoint(TRUNCATE)"], check=False)
    after = bench.db_bytes(db)
    print(
        f"embedded {len(texts):,} of the corpus's passages: {rate:,.0f} passages/s per core; "
        f"index of {passages:,} passages ({n_vec:,} vectors): {before / passages:,.0f} "
        f"bytes/passage without vectors, {after / passages:,.0f} with "
        f"(+{(after - before) / max(1, n_vec):,.0f} bytes per vector)"
    )
    target = len(corpus.docs) // 2
    suspect = work / "suspect.txt"
    suspect.write_text(bench.make_suspect(gen, corpus, target), encoding="utf-8")
    os.environ["PROV_SEMANTIC"] = "1"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        (r,) = list(pipeline.check([suspect], db, top=5))
        times.append(time.perf_counter() - t0)
    found = bool(r.matches) and Path(r.matches[0].source).name == f"doc{target:06d}.txt"
    cold = []
    check = [sys.executable, "-m", "provenance", "check", "--db", str(db), str(suspect)]
    for _ in range(cold_runs):
        t0 = time.perf_counter()
        subprocess.run([*check, "--json"], capture_output=True, check=False)
        cold.append(time.perf_counter() - t0)
    os.environ["PROV_SEMANTIC"] = "0"
    plain = []
    for _ in range(cold_runs):
        t0 = time.perf_counter()
        subprocess.run([*check, "--json"], capture_output=True, check=False, env=env)
        plain.append(time.perf_counter() - t0)
    print(
        f"check with the extra at {passages:,} passages: warm p50 "
        f"{1000 * statistics.median(times):,.0f} ms (first {1000 * times[0]:,.0f} ms: loads "
        f"the model and the vectors), cold median {1000 * statistics.median(cold):,.0f} ms; "
        f"without it: cold median {1000 * statistics.median(plain):,.0f} ms; "
        f"found the right source: {found}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=int, default=0, help="passages of the vector index (0: none)")
    ap.add_argument("--search", default="", help="search sizes, e.g. 100000,1000000")
    ap.add_argument("--search-only", action="store_true", help="only the --search figures")
    ap.add_argument("--sample", type=int, default=2000, help="passages embedded for --index")
    ap.add_argument("--runs", type=int, default=20, help="warm checks")
    ap.add_argument("--cold-runs", type=int, default=5, help="cold checks")
    a = ap.parse_args()
    if not a.search_only:
        seeds()
    if a.search:
        search_figures([int(x) for x in a.search.split(",")])
    if a.index:
        with tempfile.TemporaryDirectory(prefix="prov-bench-semantic-") as tmp:
            index_figures(a.index, Path(tmp), a.sample, a.runs, a.cold_runs)


def seeds() -> None:
    src, copy = next(SEEDS.glob("001_*.txt")), next(SEEDS.glob("000_*.txt"))
    seg = pipeline.prepare(copy.read_text(encoding="utf-8"))
    sentences = [seg.norm.original(p.first, p.last) for p in seg.passages]
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    encoder.embed(sentences[:1])
    print(
        f"encoder {encoder.encoder_name()}: load {time.perf_counter() - t0:.2f} s wall "
        f"({time.process_time() - c0:.2f} s CPU), max RSS {rss0:.0f} -> {_rss_mb():.0f} MB"
    )
    batch = sentences * max(1, 400 // len(sentences))
    c0 = time.process_time()
    encoder.embed(batch)
    cpu = time.process_time() - c0
    chars = sum(map(len, batch)) / len(batch)
    print(
        f"embedded {len(batch)} sentences (mean {chars:.0f} chars) in {cpu:.2f} s CPU: "
        f"{len(batch) / cpu:.0f} sentences/s per core; max RSS {_rss_mb():.0f} MB"
    )
    os.environ["PROV_SEMANTIC"] = "0"
    print("seed 000 vs 001, semantic off:", _status(pipeline.compare(src, copy)))
    os.environ["PROV_SEMANTIC"] = "1"
    c0 = time.process_time()
    r = pipeline.compare(src, copy)
    print(f"seed 000 vs 001, semantic on:  {_status(r)} ({time.process_time() - c0:.2f} s CPU)")


if __name__ == "__main__":
    main()
