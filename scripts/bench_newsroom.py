"""Benchmark `check` on a newsroom index: near-copies everywhere.

Usage::

    .venv/bin/python scripts/bench_newsroom.py                    # 100 stories x 10 (~20k passages)
    .venv/bin/python scripts/bench_newsroom.py --stories 500 --copies 20   # ~200k passages
    .venv/bin/python scripts/bench_newsroom.py --keep /tmp/newsroom --json-out new.json \
        --compare old.json                                  # answers identical to a run before?

A real newsroom index is not one source per story: wire stories are republished by many
sites (each with its own header and footer, some with a sentence reworded or a paragraph
dropped) and press releases follow templates. The corpus here is made with
``scripts/bench.py``'s generator (Zipf vocabulary, ~50-word sentences): ``--stories``
stories, each republished ``--copies`` times by one of 12 sites (2% of words respun, one
paragraph dropped in a third of them), plus ``--releases`` press releases from 5
templates (the same paragraphs, a few names and figures changed). All are indexed with
``indexing.add``. Suspects: a whole story (lightly spun), three paragraphs of one
between unrelated text, a templated release, and an unrelated text.

For each suspect: ``check`` in this process (uncached: the index open but no stored
source segmented in memory, CPU p50; warm: ``--runs`` times more, p50 and p95), the
number of candidates verified (aligned) and of those scored in full (the reworded-text
search and the alterations: see ``provenance.verify``), the answer (top sources and
verdicts; with ``--json`` or ``--json-out`` their scores, to compare runs exactly, and
where they stand among the candidates in LSH vote order); then ``prov check`` in a fresh
process (cold, median of ``--cold-runs``). With ``--keep`` the corpus and index are kept
and measured again by later runs (base and new code on copies of one index: before and
after a change); ``--compare`` reads another run's ``--json-out`` and says whether every
answer is the same, field for field. Times are wall time and CPU time of this process
(the machine may be loaded by other work: compare CPU). The word path is measured:
``PROV_SEMANTIC=0`` unless ``--semantic`` (then ``add`` embeds every document, which
takes the better part of an hour at the issue's size). This is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Generator, Paragraph, percentile, render  # noqa: E402

from provenance import indexing, pipeline, verify  # noqa: E402
from provenance.index.store import Store  # noqa: E402
from provenance.ingest.files import read_document  # noqa: E402
from provenance.match.fingerprint import fingerprint  # noqa: E402

_SITES = 12


def _site(gen: Generator, k: int) -> tuple[str, str]:
    """A site's header and footer (its boilerplate: the same on every page of it)."""
    topic = gen.topic()
    head = f"Site {k} News. " + " ".join(gen.sentence(topic)[:12]) + ".\n\n"
    foot = "\n\n" + render([[gen.sentence(topic)]]).strip() + f" Copyright Site {k}.\n"
    return head, foot


def build(args: argparse.Namespace, work: Path) -> tuple[Generator, list[list[Paragraph]], Path]:
    gen = Generator(5000, 50, args.seed)
    sites = [_site(gen, k) for k in range(_SITES)]
    stories = [gen.document(int(gen.rng.integers(16, 25))) for _ in range(args.stories)]
    docs = work / "docs"
    docs.mkdir(parents=True)
    n = 0
    for i, story in enumerate(stories):
        for c in range(args.copies):
            body = gen.spin(story, 0.02)
            if c % 3 == 2 and len(body) > 2:
                del body[int(gen.rng.integers(len(body)))]
            head, foot = sites[(i + c) % _SITES]
            (docs / f"story{i:04d}-{c:02d}.txt").write_text(
                head + render(body) + foot, encoding="utf-8"
            )
            n += 1
    templates = [gen.document(8) for _ in range(5)]
    for r in range(args.releases):
        body = gen.spin(templates[r % len(templates)], 0.03)
        (docs / f"release{r:04d}.txt").write_text(render(body), encoding="utf-8")
    db = work / "index.db"
    t = time.perf_counter()
    for _ in indexing.add([docs], db):
        pass
    with Store.open(db) as store:
        passages = store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    print(
        f"indexed {n + args.releases:,} documents, {passages:,} passages "
        f"in {time.perf_counter() - t:.0f} s",
        flush=True,
    )
    return gen, stories, db


def suspects(gen: Generator, stories: list[list[Paragraph]], work: Path) -> dict[str, Path]:
    topic = gen.topic()

    def unrelated(k: int) -> str:
        return render([[gen.sentence(topic) for _ in range(3)] for _ in range(k)])

    story = stories[len(stories) // 2]
    part = stories[len(stories) // 3]
    out = {
        "whole story": render(gen.spin(story, 0.05)),
        "part of one": "\n".join((unrelated(3), render(gen.spin(part[1:4], 0.05)), unrelated(3))),
        "release": (work / "docs" / "release0002.txt").read_text(encoding="utf-8"),
        "none": unrelated(8),
    }
    paths = {}
    for name, text in out.items():
        p = work / f"suspect-{name.replace(' ', '-')}.txt"
        p.write_text(text, encoding="utf-8")
        paths[name] = p
    return paths


def _clear_source_cache() -> None:
    """Forget the stored sources this process segmented (prov's in-process cache)."""
    verify._source_cache.clear()
    verify._source_cache_chars = 0


class _Scored:
    """Counts the candidates ``verify`` scores in full (the reworded-text search and the
    alterations: what the rank by alignment spares)."""

    def __init__(self) -> None:
        self.calls = 0
        self._real = verify._scored

        def scored(*args: Any) -> Any:
            self.calls += 1
            return self._real(*args)

        verify._scored = scored  # type: ignore[assignment]


def measure(db: Path, path: Path, runs: int, cold_runs: int, scored: _Scored) -> dict[str, Any]:
    raw = read_document(path)
    wall, cpu, first = [], [], []
    with Store.open(db) as store:
        for _ in range(runs):  # the index open, no stored source segmented in memory yet
            _clear_source_cache()
            t = time.process_time()
            pipeline.check_text(store, raw, 5)
            first.append(time.process_time() - t)
        scored.calls = 0
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            result = pipeline.check_text(store, raw, 5)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        full = scored.calls / runs
        ranks = vote_ranks(store, raw)
    cold = []
    for _ in range(cold_runs):
        cmd = [sys.executable, "-m", "provenance", "check", "--db", str(db), str(path), "--json"]
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        cold.append(time.perf_counter() - t)
    return {
        "warm_p50_ms": 1000 * statistics.median(wall),
        "warm_p95_ms": 1000 * percentile(wall, 0.95),
        "cpu_p50_ms": 1000 * statistics.median(cpu),
        "cpu_p95_ms": 1000 * percentile(cpu, 0.95),
        "uncached_cpu_p50_ms": 1000 * statistics.median(first),
        "cold_ms": 1000 * statistics.median(cold) if cold else None,
        "candidates": result.candidates,
        "scored": full,
        "answer": [(Path(m.source).name, m.score.verdict) for m in result.matches],
        "detail": [
            (
                Path(m.source).name,
                m.score.verdict,
                m.score.copied_words,
                m.score.found_words,
                round(m.score.copy_coverage, 6),
                round(m.score.source_coverage, 6),
                round(m.score.fidelity, 6),
            )
            for m in result.matches
        ],  # fmt: skip
        "vote_ranks": ranks,
    }


def vote_ranks(store: Store, raw: Any) -> list[int]:
    """Where the sources of the answer stand in the order candidates are verified (by
    LSH votes, 1 = most): how early a pruning by votes could stop (``top`` 5)."""
    seg = pipeline.prepare(raw.text)
    fp = fingerprint(seg.norm.words, [(p.first, p.last) for p in seg.passages], store.params)
    votes: Counter[int] = Counter(sid for _, sid in {(r, s) for r, s, _ in store.lookup(fp.keys)})
    order = [sid for sid, _ in votes.most_common(max(verify.MAX_CANDIDATES, 20))]
    found, _ = verify.find_sources(store, seg, 5, stock_min=pipeline.STOCK_MIN_DOCS)
    return [order.index(stored.id) + 1 for stored, _ in found if stored.id in order]


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument("--stories", type=int, default=100)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--releases", type=int, default=100)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--keep", type=Path, help="keep the corpus and index here (reused if there)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--json-out", type=Path, help="write the figures and answers here")
    ap.add_argument("--compare", type=Path, help="another run's --json-out: same answers?")
    ap.add_argument("--semantic", action="store_true", help="leave PROV_SEMANTIC as set")
    args = ap.parse_args()
    if not args.semantic:
        os.environ["PROV_SEMANTIC"] = "0"
    scored = _Scored()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        db = work / "index.db"
        if db.exists():  # a kept corpus: measure it again (before and after a change)
            named = {
                p.stem.removeprefix("suspect-").replace("-", " "): p
                for p in work.glob("suspect-*.txt")
            }
        else:
            gen, stories, db = build(args, work)
            named = suspects(gen, stories, work)
        out = {}
        print(f"{'suspect':<14}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'cpu p95':>8}", end="")
        print(f"{'uncached':>9}{'cold ms':>9}{'cands':>7}{'scored':>7}  answer")
        for name, path in sorted(named.items()):
            r = measure(db, path, args.runs, args.cold_runs, scored)
            out[name] = r
            cold = f"{r['cold_ms']:.0f}" if r["cold_ms"] is not None else "-"
            top = ", ".join(f"{s} {v}" for s, v in r["answer"][:3]) or "none"
            print(
                f"{name:<14}{r['warm_p50_ms']:>8.1f}{r['warm_p95_ms']:>8.1f}"
                f"{r['cpu_p50_ms']:>8.1f}{r['cpu_p95_ms']:>8.1f}{r['uncached_cpu_p50_ms']:>9.1f}"
                f"{cold:>9}{r['candidates']:>7}{r['scored']:>7.1f}  {top}",
                flush=True,
            )
        if args.json:
            print(json.dumps(out, indent=1))
        if args.json_out:
            args.json_out.write_text(json.dumps(out, indent=1), encoding="utf-8")
        if args.compare:
            compare(
                json.loads(json.dumps(out)), json.loads(args.compare.read_text(encoding="utf-8"))
            )


def compare(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Say whether two runs gave the same answers (sources, verdicts, copied and found
    words, coverages, fidelity) on every suspect both measured."""
    same = [name for name in new if name in old and new[name]["detail"] == old[name]["detail"]]
    differ = [name for name in new if name in old and name not in same]
    print(f"answers identical on {len(same)} of {len(same) + len(differ)} suspects", end="")
    print(f" (differ: {', '.join(differ)})" if differ else "")
    for name in differ:
        print(
            f"  {name}: was {old[name]['detail']}\n  {' ' * len(name)}  now {new[name]['detail']}"
        )


if __name__ == "__main__":
    main()
