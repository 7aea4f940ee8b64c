"""Benchmark prov: fingerprinting rate against datasketch, index build, check latency.

Usage::

    .venv/bin/python scripts/bench.py --quick            # 10,000 passages, ~1 minute
    .venv/bin/python scripts/bench.py                    # 100,000 passages
    .venv/bin/python scripts/bench.py --sizes 10000,100000 --json --keep /tmp/bench

Nothing is read from the network and every run with the same options builds the same
corpus (one ``numpy.random.default_rng`` seed, ``--seed``).

How the corpus is made
----------------------
*Vocabulary.* ~100 real English function words (ranks 1-100, in their usual frequency
order, so prov's language detector sees English), ~150 common English content words,
then pseudo-words made of 2-3 random syllables (onset + vowel + coda, sometimes an
English suffix such as ``-tion`` or ``-ing``) up to ``--vocab`` words (default 5,000).
Pseudo-words have at least four letters and are never one of prov's abbreviations or
site-furniture words (``cookies``, ``subscribe``...), which would change segmentation.

*Word draws.* Zipf-Mandelbrot: the word of rank r has probability proportional to
``1 / (r + 2.7) ** 1.07``. Each document also has 30 topic words (drawn from the
content words); 8% of its words are replaced by one of them, so documents differ in
subject as real ones do.

*Passages.* One passage is one sentence: a capitalised first word, a comma after about
one word in twelve, a content word (never a function word, so never an abbreviation)
before the final period. Sentence lengths are normal around ``--passage-words``
(default 50, sd 6) clipped to [10, 60]: prov cuts a sentence longer than
``segment.MAX_PASSAGE_WORDS`` (60) into pieces, so a passage of ~80 words cannot exist
in prov; 50 is the longest average that keeps one generated sentence = one prov
passage. (A larger ``--passage-words`` works; prov then cuts the sentences, and every
rate below is still per passage *as prov segments them*.)

*Documents.* 16-24 passages each (mean 20), in paragraphs of 2-5 sentences separated
by blank lines, no title; written as ``docNNNNN.txt``. The number of passages prov
segments is counted and printed (it equals ``--passages`` for the default settings).

*Suspect.* A spun copy of the middle document (15% of its words replaced by other
words drawn from the same distribution) between unrelated paragraphs (new sentences)
up to ~10 KB.

What is measured
----------------
- prov, "text in -> signatures out": ``pipeline.prepare(text)`` (normalise + segment),
  the body passages' spans, ``fingerprint(words, spans, params)``, per document, one
  core. Also the parts alone and ``fingerprint`` over batches of 200 documents.
- datasketch 2.x, ``MinHash(num_perm=128, seed=1)``, fed prov's 3-word shingles
  (words joined by spaces, UTF-8): one ``update`` per shingle on a subsample
  (``--ds-update``, default 2,000 passages), ``MinHash.bulk`` and ``update_batch``
  on ``--ds-bulk`` (default 20,000) passages. Building the shingle bytes is *not*
  timed for datasketch (it is for prov), so the ratios favour datasketch.
- the ceiling: ``xxhash.xxh3_64_intdigest`` once per shingle, and once over all the
  shingle bytes concatenated.
- index: ``list(pipeline.add([folder], db))`` in a fresh process (peak RSS is that
  process's ``ru_maxrss``, imports included; the time excludes imports).
- check: ``list(pipeline.check([suspect], db, top=5))`` 50 times in this process, and
  ``python -m provenance check --db DB SUSPECT --json`` 10 times as new processes.

This is a script, not a test: nothing under tests/ imports it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xxhash
from datasketch import MinHash

from provenance import pipeline
from provenance.fingerprint import fingerprint, shingle_hashes
from provenance.normalize import normalize
from provenance.params import Params
from provenance.segment import segment

# -- corpus ------------------------------------------------------------------------

FUNCTION_WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from "
    "at which but have an had they you were their one all we can her has there been if "
    "more when will would who so its into than only other new some could time these two "
    "may then do first any my now such like our over man me even most made after also "
    "did many before must through back years where much your way well down should "
    "because each just those people how too little state good very make world still own "
    "see men work long get here between both life being under never"
).split()
CONTENT_WORDS = (
    "government minister report country city police market company public council "
    "president water health school children family history research energy policy "
    "security economy budget election court law party agreement region village river "
    "forest coast island mountain harbour railway station bridge museum library "
    "hospital university student teacher doctor farmer worker soldier officer leader "
    "member committee decision statement interview meeting conference summit treaty "
    "border trade export import industry factory production price income tax cost "
    "growth crisis conflict attack defence army navy weather storm flood drought "
    "harvest season winter summer spring autumn morning evening night century decade "
    "church castle palace garden street square building house room window door table "
    "letter book paper story article question answer problem result evidence source "
    "figure number record level rate share value system network service project plan "
    "programme strategy effort support pressure change development movement campaign "
    "protest strike reform investment bank loan debt currency"
).split()
# Words that would change how prov segments or classifies a line.
AVOID = frozenset(
    "mr mrs ms dr prof st no nos gen sen rep gov lt col capt sgt jr sr inc ltd co corp vs "
    "etc e g i al fig approx dept est jan feb mar apr jun jul aug sep sept oct nov dec "
    "cookie cookies subscribe newsletter login advertisement privacy terms share follow "
    "sign log read skip related must stay".split()
)
_ONSETS = (
    "b c d f g h k l m n p r s t v w b d l m n p r s t br cr dr fr gr pr tr pl st ch sh th".split()
)
_VOWELS = "a e i o u a e i o a e ai ea ou".split()
_CODAS = ["", "", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "nt"]
_SUFFIXES = ["", "", "", "", "", "", "", "", "tion", "ment", "ing", "ed", "ly", "er", "al", "s"]

PROFILE_TOP = 25
#: prov's segment.MAX_PASSAGE_WORDS: longer sentences are cut into pieces.
MAX_SENTENCE = 60


def make_vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """Function words, content words, then pseudo-words, most frequent first."""
    words = list(dict.fromkeys(FUNCTION_WORDS + CONTENT_WORDS))
    seen = set(words) | AVOID
    while len(words) < size:
        n = (1, 2, 2, 2, 3)[int(rng.integers(5))]
        w = "".join(
            _ONSETS[rng.integers(len(_ONSETS))]
            + _VOWELS[rng.integers(len(_VOWELS))]
            + _CODAS[rng.integers(len(_CODAS))]
            for _ in range(n)
        )
        w += _SUFFIXES[rng.integers(len(_SUFFIXES))]
        if len(w) >= 4 and w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_probabilities(n: int, s: float = 1.07, q: float = 2.7) -> np.ndarray:
    p = 1.0 / (np.arange(1, n + 1) + q) ** s
    out: np.ndarray = p / p.sum()
    return out


Paragraph = list[list[str]]  # sentences of word tokens (commas attached)


@dataclass
class Corpus:
    """Generated documents, as paragraphs of sentences of tokens, and as text."""

    vocab: list[str]
    probs: np.ndarray
    first_content: int
    docs: list[list[Paragraph]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class Generator:
    """Draws sentences from the Zipf vocabulary (see the module docstring)."""

    def __init__(self, vocab_size: int, passage_words: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = make_vocabulary(vocab_size, self.rng)
        self.probs = zipf_probabilities(len(self.vocab))
        self.first_content = len(dict.fromkeys(FUNCTION_WORDS))
        content = self.probs[self.first_content :]
        self.content_probs = content / content.sum()
        self.passage_words = passage_words
        self._buffer = np.empty(0, dtype=np.int64)
        self._pos = 0

    def _draw(self, n: int) -> np.ndarray:
        """``n`` word ranks (drawn in large blocks: one ``choice`` call per 1M words)."""
        if self._pos + n > len(self._buffer):
            block = max(n, 1_000_000)
            self._buffer = self.rng.choice(len(self.vocab), size=block, p=self.probs)
            self._pos = 0
        out = self._buffer[self._pos : self._pos + n]
        self._pos += n
        return out

    def _content_word(self, topic: Sequence[str]) -> str:
        if topic and self.rng.random() < 0.3:
            return topic[int(self.rng.integers(len(topic)))]
        i = self.first_content + int(self.rng.choice(len(self.content_probs), p=self.content_probs))
        return self.vocab[i]

    def topic(self) -> list[str]:
        idx = self.first_content + self.rng.choice(
            len(self.content_probs), 30, p=self.content_probs
        )
        return [self.vocab[i] for i in idx.tolist()]

    def sentence(self, topic: Sequence[str]) -> list[str]:
        n = max(10, round(self.rng.normal(self.passage_words, 6)))
        if self.passage_words <= MAX_SENTENCE:
            n = min(n, MAX_SENTENCE)
        vocab = self.vocab
        words = [vocab[i] for i in self._draw(n - 1).tolist()]
        swap = self.rng.random(n - 1) < 0.08
        comma = self.rng.random(n - 1) < 1 / 12
        for j in np.flatnonzero(swap).tolist():
            words[j] = topic[int(self.rng.integers(len(topic)))]
        for j in np.flatnonzero(comma[1:-1]).tolist():
            words[j + 1] += ","
        words[0] = words[0].capitalize()
        words.append(self._content_word(topic) + ".")
        return words

    def document(self, passages: int) -> list[Paragraph]:
        topic = self.topic()
        paragraphs: list[Paragraph] = []
        left = passages
        while left > 0:
            k = min(left, int(self.rng.integers(2, 6)))
            paragraphs.append([self.sentence(topic) for _ in range(k)])
            left -= k
        return paragraphs

    def corpus(self, passages: int) -> Corpus:
        c = Corpus(self.vocab, self.probs, self.first_content)
        left = passages
        while left > 0:
            k = min(left, int(self.rng.integers(16, 25)))
            doc = self.document(k)
            c.docs.append(doc)
            c.texts.append(render(doc))
            left -= k
        return c

    def spin(self, doc: list[Paragraph], rate: float) -> list[Paragraph]:
        """A copy of ``doc`` with ``rate`` of its words replaced (case and commas kept)."""
        out: list[Paragraph] = []
        for para in doc:
            new_para = []
            for sent in para:
                new = list(sent)
                for j in np.flatnonzero(self.rng.random(len(sent)) < rate).tolist():
                    tok = sent[j]
                    core = tok.rstrip(",.")
                    tail = tok[len(core) :]
                    w = self.vocab[int(self._draw(1)[0])] if tail != "." else self._content_word(())
                    if core[:1].isupper():
                        w = w.capitalize()
                    new[j] = w + tail
                new_para.append(new)
            out.append(new_para)
        return out


def render(doc: list[Paragraph]) -> str:
    return "\n\n".join(" ".join(" ".join(s) for s in para) for para in doc) + "\n"


def make_suspect(gen: Generator, corpus: Corpus, index: int, size: int = 10_000) -> str:
    """The spun copy of document ``index`` between unrelated paragraphs, ~``size`` chars."""
    spun = render(gen.spin(corpus.docs[index], 0.15))
    before: list[str] = []
    after: list[str] = []
    topic = gen.topic()
    while len(spun) + sum(len(p) + 2 for p in before + after) < size:
        para = render([[gen.sentence(topic) for _ in range(3)]])
        (before if len(before) <= len(after) else after).append(para)
    return "".join(p + "\n" for p in before) + spun + "".join("\n" + p for p in after)


# -- measuring ---------------------------------------------------------------------


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def consume(it: Iterable[object]) -> None:
    """Run an iterator, keeping nothing (kept results would time the garbage collector)."""
    for _ in it:
        pass


def shingles_of(words: Sequence[str], k: int) -> list[bytes]:
    """prov's k-word shingles of a passage as UTF-8 bytes (one shingle when shorter)."""
    if len(words) < k:
        return [" ".join(words).encode()]
    return [" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)]


@dataclass
class Prepared:
    words: list[tuple[str, ...]]
    spans: list[list[tuple[int, int]]]

    @property
    def passages(self) -> int:
        return sum(len(s) for s in self.spans)


def prepare_all(texts: Sequence[str]) -> Prepared:
    words, spans = [], []
    for t in texts:
        seg = pipeline.prepare(t)
        words.append(seg.norm.words)
        spans.append([(p.first, p.last) for p in seg.body_passages()])
    return Prepared(words, spans)


def prov_text_to_signatures(texts: Sequence[str], params: Params) -> None:
    for t in texts:
        seg = pipeline.prepare(t)
        spans = [(p.first, p.last) for p in seg.body_passages()]
        fingerprint(seg.norm.words, spans, params)


def prov_fingerprint_only(prep: Prepared, params: Params) -> None:
    for words, spans in zip(prep.words, prep.spans, strict=True):
        fingerprint(words, spans, params)


def prov_fingerprint_batched(prep: Prepared, params: Params, batch: int = 200) -> None:
    for b in range(0, len(prep.words), batch):
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        for w, sp in zip(prep.words[b : b + batch], prep.spans[b : b + batch], strict=True):
            off = len(words)
            words.extend(w)
            spans.extend((s + off, e + off) for s, e in sp)
        fingerprint(words, spans, params)


def segment_time(texts: Sequence[str], repeat: int) -> float:
    """Seconds to segment the already normalised ``texts``."""
    norms = [normalize(t) for t in texts]
    return best_time(lambda: consume(map(segment, norms)), repeat)


def bench_fingerprint(
    corpus: Corpus, params: Params, args: argparse.Namespace
) -> tuple[dict[str, Any], Prepared]:
    texts = corpus.texts
    prep = prepare_all(texts)
    n = prep.passages
    r = args.repeat
    out: dict[str, Any] = {"passages": n, "documents": len(texts)}
    out["words"] = sum(len(w) for w in prep.words)
    out["shingles"] = sum(max(1, e - s - params.shingle + 1) for sp in prep.spans for s, e in sp)

    rates: dict[str, float] = {}
    rates["prov: prepare + fingerprint"] = n / best_time(
        lambda: prov_text_to_signatures(texts, params), r
    )
    rates["  normalize only"] = n / best_time(lambda: consume(map(normalize, texts)), r)
    rates["  segment only"] = n / segment_time(texts, r)
    rates["  fingerprint only"] = n / best_time(lambda: prov_fingerprint_only(prep, params), r)
    rates["  fingerprint, 200-doc batches"] = n / best_time(
        lambda: prov_fingerprint_batched(prep, params), r
    )

    # Flat passage list for the subsamples (corpus order).
    flat: list[Sequence[str]] = []
    for words, spans in zip(prep.words, prep.spans, strict=True):
        flat.extend(words[s:e] for s, e in spans)
        if len(flat) >= max(args.ds_update, args.ds_bulk):
            break
    k = params.shingle
    upd = [shingles_of(p, k) for p in flat[: args.ds_update]]
    blk = [shingles_of(p, k) for p in flat[: args.ds_bulk]]
    kw = {"num_perm": params.num_perm, "seed": params.seed}

    def ds_update() -> None:
        for sh in upd:
            m = MinHash(**kw)
            for s in sh:
                m.update(s)

    def ds_update_batch() -> None:
        for sh in blk:
            MinHash(**kw).update_batch(sh)

    h = xxhash.xxh3_64_intdigest

    def xx_each() -> None:
        for sh in blk:
            for s in sh:
                h(s)

    joined = b"".join(s for sh in blk for s in sh)
    rates["(building the shingle bytes, untimed above)"] = len(blk) / best_time(
        lambda: [shingles_of(p, k) for p in flat[: args.ds_bulk]], r
    )
    rates["datasketch MinHash.update per shingle"] = len(upd) / best_time(ds_update, r)
    rates["datasketch MinHash.bulk"] = len(blk) / best_time(lambda: MinHash.bulk(blk, **kw), r)
    rates["datasketch MinHash.update_batch"] = len(blk) / best_time(ds_update_batch, r)
    rates["xxh3_64 per shingle (ceiling)"] = len(blk) / best_time(xx_each, r)
    rates["xxh3_64 over concatenated bytes"] = len(blk) / best_time(lambda: h(joined), r)
    out["rates"] = rates
    out["subsample"] = {"update": len(upd), "bulk": len(blk)}
    head = rates["prov: prepare + fingerprint"]
    out["ratios"] = {
        "prov / datasketch update": head / rates["datasketch MinHash.update per shingle"],
        "prov / datasketch bulk": head / rates["datasketch MinHash.bulk"],
        "prov / datasketch update_batch": head / rates["datasketch MinHash.update_batch"],
        "prov fingerprint only / datasketch update": rates["  fingerprint only"]
        / rates["datasketch MinHash.update per shingle"],
    }
    out["datasketch_compatible"] = compatible(prep, params)
    return out, prep


def compatible(prep: Prepared, params: Params) -> bool:
    """prov's signatures equal datasketch's fed prov's shingle hashes (first passages)."""
    words, spans = prep.words[0], prep.spans[0][:5]
    fp = fingerprint(words, spans, params)
    for i, (s, e) in enumerate(spans):
        m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=lambda v: v)
        m.update_batch(shingle_hashes(words[s:e], params.shingle).tolist())
        if not np.array_equal(m.hashvalues.astype(np.uint32), fp.signatures[i]):
            return False
    return True


def profile(fn: Callable[[], object], top: int) -> str:
    """``fn``'s ``top`` functions by cumulative time (cProfile)."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = _StringSink()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)  # type: ignore[arg-type]
    return buf.text()


class _StringSink:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)

    def text(self) -> str:
        return "".join(self.parts)


_INDEX_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from provenance import pipeline
    t0 = time.perf_counter()
    results = list(pipeline.add([sys.argv[1]], sys.argv[2]))
    seconds = time.perf_counter() - t0
    # VmHWM is this process's own peak; ru_maxrss also counts the parent's RSS
    # at the time of the fork/exec, so it is only the fallback.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    print(json.dumps({
        "seconds": seconds,
        "documents": len(results),
        "passages": sum(r.passages for r in results),
        "statuses": sorted({r.status for r in results}),
        "peak_rss_mb": peak,
    }))
    """
)


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def bench_index(corpus: Corpus, work: Path) -> tuple[dict[str, Any], Path, list[Path]]:
    folder = work / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(corpus.texts):
        p = folder / f"doc{i:05d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    db = work / "prov.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", _INDEX_CHILD, str(folder), str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    res: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    res["passages_per_s"] = res["passages"] / res["seconds"]
    res["db_bytes"] = db_bytes(db)
    res["db_main_bytes"] = db.stat().st_size
    res["db_bytes_per_passage"] = res["db_bytes"] / max(1, res["passages"])
    return res, db, paths


def percentile(xs: Sequence[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def bench_check(
    gen: Generator,
    corpus: Corpus,
    db: Path,
    paths: list[Path],
    work: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    target = len(corpus.docs) // 2
    suspect = work / "suspect.txt"
    suspect.write_text(make_suspect(gen, corpus, target), encoding="utf-8")
    expected = os.path.normpath(str(paths[target]))
    times = []
    result = None
    for _ in range(args.check_runs):
        t0 = time.perf_counter()
        (result,) = list(pipeline.check([suspect], db, top=5))
        times.append(time.perf_counter() - t0)
    assert result is not None
    top = result.matches[0] if result.matches else None
    cold = []
    cold_ok = True
    cold_error = ""
    for _ in range(args.cold_runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "provenance", "check", "--db", str(db), str(suspect), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        cold.append(time.perf_counter() - t0)
        try:
            doc = json.loads(proc.stdout)
            doc = doc[0] if isinstance(doc, list) else doc  # an array for several suspects
            source = doc["matches"][0]["source"]
        except (ValueError, KeyError, IndexError):
            source = None
        if proc.returncode != 0 or source is None or os.path.normpath(source) != expected:
            cold_ok = False
            cold_error = cold_error or (
                f"exit {proc.returncode}, top source {source}, stderr: {proc.stderr.strip()[-300:]}"
            )
    return {
        "suspect_bytes": suspect.stat().st_size,
        "expected_source": expected,
        "found_source": top.source if top else None,
        "found_right_source": bool(top and os.path.normpath(top.source) == expected),
        "verdict": top.score.verdict if top else None,
        "source_coverage": top.score.source_coverage if top else None,
        "fidelity": top.score.fidelity if top else None,
        "matches": len(result.matches),
        "candidates": result.candidates,
        "in_process_median_ms": 1000 * statistics.median(times),
        "in_process_p95_ms": 1000 * percentile(times, 0.95),
        "cold_median_ms": 1000 * statistics.median(cold),
        "cold_found_right_source": cold_ok,
        "cold_error": cold_error,
        "runs": {"in_process": len(times), "cold": len(cold)},
    }


# -- output ------------------------------------------------------------------------


def print_report(size: int, fp: dict[str, Any], ix: dict[str, Any], ck: dict[str, Any]) -> None:
    print(f"\n=== {size:,} passages requested ===")
    print(
        f"corpus: {fp['documents']:,} documents, {fp['passages']:,} passages (as prov segments "
        f"them), {fp['words']:,} words, {fp['shingles']:,} shingles, "
        f"{fp['words'] / fp['passages']:.1f} words/passage"
    )
    print("\nfingerprinting (one core)                      passages/s  prov/this")
    head = fp["rates"]["prov: prepare + fingerprint"]
    for name, rate in fp["rates"].items():
        print(f"  {name:<44}{rate:>12,.0f}   {head / rate:>7.2f}x")
    sub = fp["subsample"]
    print(
        f"  (datasketch update on {sub['update']:,} passages; bulk, update_batch and xxh3 on "
        f"{sub['bulk']:,}; shingle bytes prepared outside the timing)"
    )
    for name, ratio in fp["ratios"].items():
        goal = "  (goal >= 20x)" if name == "prov / datasketch update" else ""
        print(f"  {name:<44}{ratio:>12.1f}x{goal}")
    print(f"  signatures equal datasketch's (hashfunc=identity): {fp['datasketch_compatible']}")
    print("\nindex (pipeline.add, fresh process)")
    print(f"  wall time        {ix['seconds']:.1f} s")
    print(f"  passages/s       {ix['passages_per_s']:,.0f}  ({ix['passages']:,} passages)")
    print(
        f"  database         {ix['db_bytes'] / 1e6:,.1f} MB  "
        f"({ix['db_bytes_per_passage']:.0f} bytes/passage; main file "
        f"{ix['db_main_bytes'] / 1e6:,.1f} MB, the rest -wal/-shm)"
    )
    print(f"  peak RSS         {ix['peak_rss_mb']:,.0f} MB")
    print(f"  file statuses    {', '.join(ix['statuses'])}")
    print(f"\ncheck ({ck['suspect_bytes']:,}-byte spun copy + unrelated text, top=5)")
    print(
        f"  in-process       median {ck['in_process_median_ms']:.1f} ms, "
        f"p95 {ck['in_process_p95_ms']:.1f} ms  ({ck['runs']['in_process']} runs)"
    )
    print(
        f"  cold process     median {ck['cold_median_ms']:.0f} ms  ({ck['runs']['cold']} runs, "
        f"right source: {ck['cold_found_right_source']})"
    )
    if ck["cold_error"]:
        print(f"  cold failure     {ck['cold_error']}")
    ok = "OK" if ck["found_right_source"] else "WRONG"
    cov, fid = ck["source_coverage"], ck["fidelity"]
    detail = f", coverage {cov:.2f}, fidelity {fid:.2f}" if cov is not None else ""
    print(
        f"  found            {ck['found_source']} [{ok}: expected "
        f"{Path(ck['expected_source']).name}] verdict {ck['verdict']}{detail}, "
        f"{ck['matches']} match(es) from {ck['candidates']} candidates"
    )


def run_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    params = Params()
    t0 = time.perf_counter()
    gen = Generator(args.vocab, args.passage_words, args.seed)
    corpus = gen.corpus(size)
    gen_seconds = time.perf_counter() - t0
    # The corpus is millions of long-lived objects: keep the collector from rescanning
    # them during every timing (prov's and datasketch's alike).
    gc.collect()
    gc.freeze()
    print(
        f"[{size:,}] generated {len(corpus.texts):,} documents in {gen_seconds:.1f} s; "
        "fingerprinting...",
        file=sys.stderr,
        flush=True,
    )
    fp, _ = bench_fingerprint(corpus, params, args)
    print(f"[{size:,}] indexing...", file=sys.stderr, flush=True)
    ix, db, paths = bench_index(corpus, work)
    print(f"[{size:,}] checking...", file=sys.stderr, flush=True)
    ck = bench_check(gen, corpus, db, paths, work, args)
    print_report(size, fp, ix, ck)
    out = {"requested_passages": size, "fingerprint": fp, "index": ix, "check": ck}
    if args.profile:
        text = profile(lambda: prov_text_to_signatures(corpus.texts, params), PROFILE_TOP)
        print("\ncProfile of prepare + fingerprint (cumulative):")
        print(text)
        db2 = work / "profile.db"
        text = profile(lambda: list(pipeline.add([work / "corpus"], db2)), PROFILE_TOP)
        print("\ncProfile of pipeline.add (cumulative):")
        print(text)
    gc.unfreeze()
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--passages", type=int, default=100_000, help="corpus size (passages)")
    ap.add_argument("--sizes", help="several corpus sizes, e.g. 10000,100000")
    ap.add_argument("--quick", action="store_true", help="10,000 passages (smoke run)")
    ap.add_argument("--keep", type=Path, help="keep the generated corpus and database here")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    ap.add_argument("--profile", action="store_true", help="cProfile prepare + fingerprint")
    ap.add_argument("--seed", type=int, default=20240601, help="corpus seed")
    ap.add_argument("--vocab", type=int, default=5000, help="vocabulary size")
    ap.add_argument("--passage-words", type=int, default=50, help="mean words per passage")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per rate")
    ap.add_argument("--ds-update", type=int, default=2000, help="datasketch update subsample")
    ap.add_argument("--ds-bulk", type=int, default=20000, help="datasketch bulk subsample")
    ap.add_argument("--check-runs", type=int, default=50)
    ap.add_argument("--cold-runs", type=int, default=10)
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = [10_000 if args.quick else args.passages]
    print(
        f"prov bench: python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"cpus {os.cpu_count()}, sizes {sizes}"
    )
    results = []
    for size in sizes:
        if args.keep:
            work = args.keep / f"n{size}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            results.append(run_size(size, args, work))
        else:
            with tempfile.TemporaryDirectory(prefix="prov-bench-") as tmp:
                results.append(run_size(size, args, Path(tmp)))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(bench process peak RSS {own:,.0f} MB)")
    if args.json:
        print(json.dumps({"sizes": results, "bench_peak_rss_mb": own}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
