"""Benchmark prov: fingerprinting against its peers, ``prov add``, ``prov check``.

Prints one table (issue 7) with a column per corpus size, the growth from the
smallest size, and the goal beside each figure::

    .venv/bin/python scripts/bench.py --quick                 # 10,000 passages, ~30 s
    .venv/bin/python scripts/bench.py --sizes 10000,100000    # ~2 minutes
    .venv/bin/python scripts/bench.py                         # 10k, 100k and 1M (~20 minutes)
    .venv/bin/python scripts/bench.py --quick --json --keep /tmp/bench
    .venv/bin/python scripts/bench.py --quick --skew-docs 0   # no bucket-skew section
    .venv/bin/python scripts/bench.py --sizes 100000 --semantic  # + prov[semantic]'s line

The peers are datasketch (a dependency), rensa and gaoya (``pip install -e '.[bench]'``);
a peer that is missing or fails prints "not measured" with the reason. Nothing is read
from the network, and every run with the same options builds the same corpus (one
``numpy.random.default_rng`` seed, ``--seed``).

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
``segment.MAX_PASSAGE_WORDS`` (60) into pieces, so 50 is the longest average that
keeps one generated sentence = one prov passage.

*Documents.* 16-24 passages each (mean 20), in paragraphs of 2-5 sentences separated
by blank lines, no title; written as ``docNNNNNN.txt``. The number of passages prov
segments is counted and printed (it equals the requested size for the default settings).

*Suspect.* A spun copy of the middle document (15% of its words replaced by other
words drawn from the same distribution) between unrelated paragraphs (new sentences)
up to ~10 KB.

What is measured
----------------
Fingerprinting, "text in -> signatures out", num_perm=128, on one core (this process
is pinned to one CPU with ``sched_setaffinity`` and ``RAYON_NUM_THREADS=1`` is set for
the Rust peers), best of ``--repeat`` runs, in passages per second. Every tool gets the
same list of passage texts (Python ``str``, one generated sentence each) and its timed
path starts from those strings and ends with signatures:

- prov: ``fingerprint.fingerprint_texts(texts, Params())`` over batches of ``--batch``
  (1,000) texts, on every passage of the corpus, with the compiled kernel
  (``provenance/match/_kernel.c``) and again on its NumPy path (what an install without a C
  compiler runs; same signatures); and on real text: the passages prov
  finds in ``samples/seeds/`` (curly quotes, numbers, names, a translation: the chunks
  the tokeniser hands to its regular expression), repeated to 20,000. Sub-rows: the
  path ``prov add`` pays per document, ``pipeline.prepare(text)`` +
  ``pipeline.index_spans(seg)`` + ``fingerprint(seg.norm.words, spans, params)``, and
  its two parts alone.
- datasketch 2.x, ``MinHash(num_perm=128, seed=1)``: tokenising (``\\w+`` over the
  lower-cased text, which gives prov's words on this corpus: checked and printed) and
  building the 3-word shingles (UTF-8 bytes, joined by spaces) are timed. One
  ``update`` per shingle on ``--ds-update`` (2,000) passages; ``MinHash.bulk`` and
  ``update_batch`` on ``--ds-bulk`` (20,000). Subsamples are the first passages of
  the corpus; rates are per passage, so they compare with prov's on the whole corpus.
- rensa: ``RMinHash(128, 1)`` and ``CMinHash(128, 1)``, ``update(shingle strings)`` and
  ``digest()`` per passage, and ``RMinHash.digest_matrix_from_token_sets`` (its batch
  path) per ``--batch`` passages; same timed tokenising, on ``--peer-sample`` passages.
- gaoya: ``MinHash32StringIntIndexVec`` (128 hashes, word 3-grams, lower-cased), which
  tokenises in Rust: ``bulk_hash_docs`` per ``--batch`` texts and
  ``tokenize_and_minhash`` per text, on ``--peer-sample`` passages. Its tokens are
  whitespace-separated, punctuation kept: as many shingles as the others, not the same.
- the ceiling: ``xxhash.xxh3_64_intdigest`` once per shingle (the shingle bytes built
  outside the timing), and prov's rate as a share of it. It is the ceiling of any path
  that makes one Python call per shingle; prov's kernel makes none (it hashes each
  word once in C and combines word hashes into shingle hashes), so it can pass 100%.
- compatibility: prov's signatures equal datasketch's ``MinHash(hashfunc=identity)``
  fed ``fingerprint.shingle_hashes`` of the passage's words (first 20 passages).

Index: ``python -m provenance add --db DB FOLDER --workers 2`` (without ``--workers``
when ``add --help`` does not offer it; a note says so) in a fresh process: wall time
from outside, database size (db + -wal + -shm), and peak RSS of the process tree
(``/proc/PID/status`` VmRSS summed over the process and its descendants every 50 ms,
the maximum sum; also the sum of each process's VmHWM, and the largest one; ``wait4``'s
``ru_maxrss`` is not used: it counts the bench's own RSS at the fork).

Check: ``list(pipeline.check([suspect], db, top=5))`` ``--check-runs`` (200) times in
this process (p50, p95), and ``python -m provenance check --db DB SUSPECT --json``
``--cold-runs`` (10) times as new processes (median); both must find the right source.
``python -X importtime`` of that command gives the import time, by top-level package.

Bucket skew (``--skew-docs``, default 5,000; 0 skips it; run once, after the sizes):
does a passage shared by thousands of documents, a site's footer, make ``prov check``
slow? A separate index in the work folder: ``--skew-docs`` documents of 4 generated
passages (another seed), each ending with the same footer paragraph of two ordinary
~25-word sentences (``SKEW_FOOTER``: no site-furniture words, so prov indexes it as
body, checked), added with the same ``prov add`` command. Its largest band-key bucket
(``SELECT count(*) FROM band_keys GROUP BY key ORDER BY 1 DESC LIMIT 1``) must hold at
least ``--skew-docs`` postings. Two suspects: the middle document as indexed (footer
included: with 32 bands, 64 of its keys are over ``store.MAX_BUCKET``) and the same text
without the footer. ``list(pipeline.check([suspect], db, top=5))`` 100 times each (p50,
p95; both must find the right source); then ``Store.lookup`` of the keys ``check`` looks
up (every passage's ``fingerprint(...).keys``, as ``verify.find_sources`` makes them)
200 times each (p50), with the footer, without it, and with the footer and
``store.MAX_BUCKET`` patched to 2**62 (no cap: every bucket read whole; stopped after 30
s of runs, at least 5). Each lookup's SQLite virtual-machine instructions are counted
once (a progress handler every 1,000), a noise-free measure of the rows it reads.
Printed as its own block after the imports (one value per row, not per corpus size) and
as ``skew`` in ``--json``.

This is a script, not a test: nothing under tests/ imports it.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib
import importlib.metadata
import json
import math
import os
import platform
import pstats
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xxhash
from datasketch import MinHash

from provenance import pipeline
from provenance.index import lookup as lookup_mod
from provenance.index.store import Store
from provenance.match import fingerprint as fingerprint_mod
from provenance.match.fingerprint import fingerprint, fingerprint_texts, kernel, shingle_hashes
from provenance.params import Params
from provenance.text.normalize import normalize

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

SHINGLE = Params().shingle
_WORD = re.compile(r"\w+")
GAOYA_INDEX = "MinHash32StringIntIndexVec"


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@contextmanager
def one_core() -> Iterator[str]:
    """Pin this process to one CPU (the first it may use) for the duration."""
    if not hasattr(os, "sched_setaffinity"):
        yield "not pinned (no sched_setaffinity)"
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to cpu {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def words_of(text: str) -> list[str]:
    """The peers' tokeniser: ``\\w+`` runs of the lower-cased text."""
    return _WORD.findall(text.lower())


def shingle_strs(text: str) -> list[str]:
    """Tokenise and build the 3-word shingles, joined by spaces (one when shorter)."""
    w = _WORD.findall(text.lower())
    if len(w) < SHINGLE:
        return [" ".join(w)]
    return [" ".join(w[i : i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)]


def shingle_bytes(text: str) -> list[bytes]:
    """:func:`shingle_strs` as UTF-8 bytes (what datasketch hashes)."""
    w = _WORD.findall(text.lower())
    if len(w) < SHINGLE:
        return [" ".join(w).encode()]
    return [" ".join(w[i : i + SHINGLE]).encode() for i in range(len(w) - SHINGLE + 1)]


def batches(seq: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for b in range(0, len(seq), size):
        yield seq[b : b + size]


def passages_of(corpus: Corpus) -> list[str]:
    """Every generated sentence of the corpus as one passage text, in corpus order."""
    return [" ".join(sent) for doc in corpus.docs for para in doc for sent in para]


def optional(name: str) -> tuple[Any, str]:
    """Import an optional peer: the module, or None and why not."""
    try:
        return importlib.import_module(name), ""
    except ImportError as e:
        return None, f"not installed ({e}); pip install -e '.[bench]'"


@dataclass
class Rates:
    """passages/s by tool (None: not measured, with the reason in ``notes``)."""

    rates: dict[str, float | None] = field(default_factory=dict)
    sample: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def time(self, name: str, n: int, fn: Callable[[], object], repeat: int) -> None:
        print(f"    {name} ({n:,} passages)...", file=sys.stderr, flush=True)
        try:
            self.rates[name] = n / best_time(fn, repeat)
        except Exception as e:  # a peer that breaks is reported, not fatal
            self.rates[name] = None
            self.notes[name] = f"failed: {type(e).__name__}: {e}"
        self.sample[name] = n

    def skip(self, name: str, reason: str) -> None:
        self.rates[name] = None
        self.notes[name] = reason


# Row names (also the JSON keys).
PROV = "prov fingerprint_texts"
PROV_DOC = "prov add path: prepare+index_spans+fingerprint"
PROV_PREP = "  of which prepare (normalize+segment)"
PROV_FP = "  of which fingerprint()"
PROV_REAL = "prov fingerprint_texts, real news passages"
PROV_NUMPY = "prov fingerprint_texts, NumPy path (no compiler)"
#: The real web pages prov was made from (news and communiques, with their boilerplate).
SEEDS = Path(__file__).resolve().parent.parent / "samples" / "seeds"
REAL_PASSAGES = 20_000
DS_UPDATE = "datasketch update per shingle"
DS_BULK = "datasketch MinHash.bulk"
DS_BATCH = "datasketch update_batch"
RENSA_R = "rensa RMinHash update+digest"
RENSA_C = "rensa CMinHash update+digest"
RENSA_M = "rensa RMinHash.digest_matrix (batch)"
GAOYA_BULK = "gaoya bulk_hash_docs (Rust tokenising)"
GAOYA_ONE = "gaoya tokenize_and_minhash per text"
XXH = "xxh3_64 per shingle (ceiling)"
PEERS = (DS_UPDATE, DS_BULK, DS_BATCH, RENSA_R, RENSA_C, RENSA_M, GAOYA_BULK, GAOYA_ONE)


def bench_prov(corpus: Corpus, texts: list[str], params: Params, args: argparse.Namespace) -> Rates:
    r, out = args.repeat, Rates()
    n = len(texts)

    def prov_texts() -> None:
        for chunk in batches(texts, args.batch):
            fingerprint_texts(chunk, params)

    out.time(PROV, n, prov_texts, r)
    if fingerprint_mod._KERNEL is not None:  # what an install without a C compiler gets
        saved, fingerprint_mod._KERNEL = fingerprint_mod._KERNEL, None
        try:
            out.time(PROV_NUMPY, n, prov_texts, r)
        finally:
            fingerprint_mod._KERNEL = saved
    else:
        out.skip(PROV_NUMPY, "the compiled kernel is not built: the row above is the NumPy path")

    docs = corpus.texts
    words: list[tuple[str, ...]] = []
    spans: list[list[tuple[int, int]]] = []
    canon: dict[str, str] = {}  # one object per distinct word: ~50M words at 1M passages
    for t in docs:
        seg = pipeline.prepare(t)
        words.append(tuple([canon.setdefault(w, w) for w in seg.norm.words]))
        spans.append(pipeline.index_spans(seg))
    doc_passages = sum(len(s) for s in spans)
    out.notes["doc_passages"] = str(doc_passages)

    def doc_path() -> None:
        for t in docs:
            seg = pipeline.prepare(t)
            fingerprint(seg.norm.words, pipeline.index_spans(seg), params)

    def prepare_only() -> None:
        for t in docs:
            pipeline.index_spans(pipeline.prepare(t))

    def fingerprint_only() -> None:
        for w, sp in zip(words, spans, strict=True):
            fingerprint(w, sp, params)

    out.time(PROV_DOC, doc_passages, doc_path, r)
    out.time(PROV_PREP, doc_passages, prepare_only, r)
    out.time(PROV_FP, doc_passages, fingerprint_only, r)

    # Real text: every passage prov finds in samples/seeds/ (curly quotes, numbers,
    # names, an Italian translation), repeated to REAL_PASSAGES.
    real: list[str] = []
    for f in sorted(SEEDS.glob("*.txt")):
        seg = pipeline.prepare(f.read_text(encoding="utf-8"))
        real += [seg.norm.original(p.first, p.last) for p in seg.passages]
    if real:
        real = (real * (REAL_PASSAGES // len(real) + 1))[:REAL_PASSAGES]
        per = sum(len(pipeline.prepare(t).norm.words) for t in real[:2000]) / min(2000, len(real))
        out.notes["real_words"] = f"{per:.1f}"

        def prov_real() -> None:
            for chunk in batches(real, args.batch):
                fingerprint_texts(chunk, params)

        out.time(PROV_REAL, len(real), prov_real, r)
    else:
        out.skip(PROV_REAL, f"no texts in {SEEDS}")
    return out


def bench_peers(texts: list[str], params: Params, args: argparse.Namespace, out: Rates) -> None:
    r, k = args.repeat, {"num_perm": params.num_perm, "seed": params.seed}
    upd, blk, peer = (texts[: args.ds_update], texts[: args.ds_bulk], texts[: args.peer_sample])

    def ds_update() -> None:
        for t in upd:
            m = MinHash(**k)
            for s in shingle_bytes(t):
                m.update(s)

    def ds_bulk() -> None:
        MinHash.bulk([shingle_bytes(t) for t in blk], **k)

    def ds_batch() -> None:
        for t in blk:
            MinHash(**k).update_batch(shingle_bytes(t))

    out.time(DS_UPDATE, len(upd), ds_update, r)
    out.time(DS_BULK, len(blk), ds_bulk, r)
    out.time(DS_BATCH, len(blk), ds_batch, r)

    rensa, why = optional("rensa")
    if rensa is None:
        for name in (RENSA_R, RENSA_C, RENSA_M):
            out.skip(name, why)
    else:

        def per_object(cls: Any) -> Callable[[], None]:
            def run() -> None:
                for t in peer:
                    m = cls(params.num_perm, params.seed)
                    m.update(shingle_strs(t))
                    m.digest()

            return run

        def matrix() -> None:
            for chunk in batches(peer, args.batch):
                rensa.RMinHash.digest_matrix_from_token_sets(
                    [shingle_strs(t) for t in chunk], params.num_perm, params.seed
                ).to_rows()

        out.time(RENSA_R, len(peer), per_object(rensa.RMinHash), r)
        if hasattr(rensa, "CMinHash"):
            out.time(RENSA_C, len(peer), per_object(rensa.CMinHash), r)
        else:
            out.skip(RENSA_C, "rensa has no CMinHash")
        if hasattr(rensa.RMinHash, "digest_matrix_from_token_sets"):
            out.time(RENSA_M, len(peer), matrix, r)
        else:
            out.skip(RENSA_M, "rensa has no RMinHash.digest_matrix_from_token_sets")

    bench_gaoya(peer, params, args, out)

    h = xxhash.xxh3_64_intdigest
    prebuilt = [shingle_bytes(t) for t in peer]

    def xx_each() -> None:
        for sh in prebuilt:
            for s in sh:
                h(s)

    out.time(XXH, len(prebuilt), xx_each, r)


def bench_gaoya(peer: list[str], params: Params, args: argparse.Namespace, out: Rates) -> None:
    gaoya, why = optional("gaoya.minhash")
    cls = getattr(getattr(gaoya, "m", None), GAOYA_INDEX, None)
    if cls is None:
        why = why or f"gaoya.minhash has no {GAOYA_INDEX}"
        out.skip(GAOYA_BULK, why)
        out.skip(GAOYA_ONE, why)
        return
    try:
        index = cls(
            jaccard_threshold=0.5,
            num_bands=params.num_perm // 4,
            band_width=4,
            num_hashes=params.num_perm,
            analyzer="word",
            lowercase=True,
            ngram_range=(SHINGLE, SHINGLE),
        )
        sig = index.tokenize_and_minhash(peer[0])
        if len(sig) != params.num_perm:
            raise ValueError(f"{len(sig)} hashes, not {params.num_perm}")
    except Exception as e:
        out.skip(GAOYA_BULK, f"{type(e).__name__}: {e}")
        out.skip(GAOYA_ONE, f"{type(e).__name__}: {e}")
        return

    def bulk() -> None:
        for chunk in batches(peer, args.batch):
            index.bulk_hash_docs(list(chunk))

    def one() -> None:
        for t in peer:
            index.tokenize_and_minhash(t)

    out.time(GAOYA_BULK, len(peer), bulk, args.repeat)
    out.time(GAOYA_ONE, len(peer), one, args.repeat)


def compatible(texts: Sequence[str], params: Params, n: int = 20) -> bool:
    """prov's signatures equal datasketch's fed prov's shingle hashes (first passages)."""
    fp = fingerprint_texts(texts[:n], params)
    for i, t in enumerate(texts[:n]):
        m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=lambda v: v)
        m.update_batch(shingle_hashes(normalize(t).words, params.shingle).tolist())
        if not np.array_equal(m.hashvalues.astype(np.uint32), fp.signatures[i]):
            return False
    return True


def same_words(texts: Sequence[str], n: int = 1000) -> bool:
    """The peers' tokeniser gives prov's words (so every tool hashes the same shingles)."""
    return all(words_of(t) == list(normalize(t).words) for t in texts[:n])


def bench_fingerprint(
    corpus: Corpus, texts: list[str], params: Params, args: argparse.Namespace
) -> dict[str, Any]:
    with one_core() as pinned:
        rates = bench_prov(corpus, texts, params, args)
        bench_peers(texts, params, args, rates)
    head = rates.rates[PROV]
    xx = rates.rates[XXH]
    ratios: dict[str, float | None] = {}
    for name in PEERS:
        v = rates.rates.get(name)
        ratios[f"prov / {name}"] = head / v if head and v else None
    rensa_best = max((rates.rates.get(x) or 0.0 for x in (RENSA_R, RENSA_C, RENSA_M)), default=0)
    gaoya_best = max((rates.rates.get(x) or 0.0 for x in (GAOYA_BULK, GAOYA_ONE)), default=0)
    ratios["prov / rensa (its fastest)"] = head / rensa_best if head and rensa_best else None
    ratios["prov / gaoya (its fastest)"] = head / gaoya_best if head and gaoya_best else None
    doc_passages = int(rates.notes.pop("doc_passages"))
    real_words = rates.notes.pop("real_words", "")
    return {
        "passages": len(texts),
        "documents": len(corpus.texts),
        "prov_passages_in_documents": doc_passages,
        "real_passage_words": real_words,
        "words": sum(len(s) for d in corpus.docs for p in d for s in p),
        "rates": rates.rates,
        "sample": rates.sample,
        "notes": rates.notes,
        "ratios": ratios,
        "prov_share_of_xxh3": head / xx if head and xx else None,
        "datasketch_compatible": compatible(texts, params),
        "peer_tokens_equal_prov_words": same_words(texts),
        "batch": args.batch,
        "cpu": pinned,
    }


# -- prov add: a process tree watched through /proc -----------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _status_kb(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM of ``pid`` in kB (0 when gone or a zombie)."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


@dataclass
class TreeRun:
    returncode: int
    seconds: float
    peak_rss_sum_kb: int  # max over polls of the sum of VmRSS over the tree
    hwm_sum_kb: int  # sum over processes seen of each one's last VmHWM
    max_hwm_kb: int  # the largest single process's VmHWM
    processes: int
    stderr: str


def run_watched(cmd: list[str], poll: float = 0.05) -> TreeRun:
    """Run ``cmd`` (stdout discarded), polling its process tree's memory every ``poll`` s."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        hwm: dict[int, int] = {}
        status = 0
        while True:
            tree, todo = [], [proc.pid]
            kids = _children_map()
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(kids.get(pid, ()))
            total = 0
            for pid in tree:
                rss, h = _status_kb(pid)
                total += rss
                if h:
                    hwm[pid] = max(hwm.get(pid, 0), h)
            peak = max(peak, total)
            pid, status = os.waitpid(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(poll)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return TreeRun(
        proc.returncode,
        seconds,
        peak,
        sum(hwm.values()),
        max(hwm.values(), default=0),
        len(hwm),
        stderr,
    )


def add_accepts_workers() -> bool:
    proc = subprocess.run(
        [sys.executable, "-m", "provenance", "add", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    return "--workers" in proc.stdout


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def bench_index(
    corpus: Corpus, passages: int, work: Path, args: argparse.Namespace
) -> tuple[dict[str, Any], Path, list[Path]]:
    folder = work / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(corpus.texts):
        p = folder / f"doc{i:06d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    db = work / "prov.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "provenance", "add", "--db", str(db), str(folder)]
    workers = args.workers if add_accepts_workers() else None
    if workers:
        cmd += ["--workers", str(workers)]
    run = run_watched(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"prov add exited {run.returncode}: {run.stderr.strip()[-2000:]}")
    size = db_bytes(db)
    return (
        {
            "command": " ".join(["python", *cmd[1:]]),
            "workers": workers,
            "seconds": run.seconds,
            "passages_per_s": passages / run.seconds,
            "db_bytes": size,
            "db_main_bytes": db.stat().st_size,
            "db_bytes_per_passage": size / max(1, passages),
            "peak_rss_sum_mb": run.peak_rss_sum_kb / 1024,
            "hwm_sum_mb": run.hwm_sum_kb / 1024,
            "max_process_hwm_mb": run.max_hwm_kb / 1024,
            "processes": run.processes,
        },
        db,
        paths,
    )


# -- prov check -----------------------------------------------------------------------


def percentile(xs: Sequence[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def check_cmd(db: Path, suspect: Path) -> list[str]:
    return [sys.executable, "-m", "provenance", "check", "--db", str(db), str(suspect), "--json"]


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
        proc = subprocess.run(check_cmd(db, suspect), capture_output=True, text=True, check=False)
        cold.append(time.perf_counter() - t0)
        try:
            doc = json.loads(proc.stdout)
            doc = doc[0] if isinstance(doc, list) else doc  # an array for several suspects
            source = doc["matches"][0]["source"]
        except (ValueError, KeyError, IndexError, TypeError):
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
        "warm_p50_ms": 1000 * statistics.median(times),
        "warm_p95_ms": 1000 * percentile(times, 0.95),
        "cold_median_ms": 1000 * statistics.median(cold),
        "cold_found_right_source": cold_ok,
        "cold_error": cold_error,
        "runs": {"warm": len(times), "cold": len(cold)},
        "importtime": importtime(db, suspect, args.importtime_runs),
    }


@dataclass
class _Import:
    name: str
    self_us: int
    cum_us: int
    children: list[_Import] = field(default_factory=list)


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)\s*$")


def parse_importtime(stderr: str) -> list[_Import]:
    """The import tree of ``-X importtime`` output (children are printed before parents)."""
    pending: dict[int, list[_Import]] = {}
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if not m:
            continue
        level = (len(m.group(3)) - 1) // 2
        node = _Import(m.group(4), int(m.group(1)), int(m.group(2)), pending.pop(level + 1, []))
        pending.setdefault(level, []).append(node)
    return pending.get(0, [])


def import_packages(roots: list[_Import]) -> dict[str, dict[str, float]]:
    """Per top-level package: its modules' own time, and the cumulative time of its
    outermost imports (which includes the packages it imports), in ms."""
    out: dict[str, dict[str, float]] = {}

    def walk(node: _Import, above: frozenset[str]) -> None:
        pkg = node.name.split(".")[0]
        row = out.setdefault(pkg, {"self_ms": 0.0, "cumulative_ms": 0.0, "modules": 0})
        row["self_ms"] += node.self_us / 1000
        row["modules"] += 1
        if pkg not in above:
            row["cumulative_ms"] += node.cum_us / 1000
        for c in node.children:
            walk(c, above | {pkg})

    for r in roots:
        walk(r, frozenset())
    return out


def importtime(db: Path, suspect: Path, runs: int) -> dict[str, Any]:
    """``python -X importtime`` of the check command: the run with the median total."""
    results = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", *check_cmd(db, suspect)[1:]],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - t0
        roots = parse_importtime(proc.stderr)
        total = sum(r.cum_us for r in roots) / 1000
        results.append((total, wall, roots))
    results.sort(key=lambda x: x[0])
    total, wall, roots = results[len(results) // 2]
    packages = import_packages(roots)
    top = sorted(packages.items(), key=lambda kv: -kv[1]["cumulative_ms"])
    return {
        "total_ms": total,
        "process_ms": 1000 * wall,
        "modules": sum(int(v["modules"]) for v in packages.values()),
        "packages": dict(top),
        "runs": len(results),
    }


# -- bucket skew: a footer shared by thousands of documents ---------------------------

#: The shared footer: two ordinary sentences (~25 words each) that prov's segmenter
#: keeps as body (no site-furniture words), so every document indexes the same two
#: passages and their 64 band keys each hold one posting per document.
SKEW_FOOTER = (
    "The harbour museum was founded long ago by a small group of teachers and farmers "
    "who wanted the history of the coast to be kept in one place for their children.",
    "Its library holds letters, maps and records from every village along the river, "
    "and the reading room is open to students and visitors on most evenings of the year.",
)
SKEW_PASSAGES = 4
SKEW_CHECK_RUNS = 100
SKEW_LOOKUP_RUNS = 200
#: Wall-time budget of one series of timed lookups: the uncapped lookup of a large
#: bucket can take a good part of a second, so it may stop before SKEW_LOOKUP_RUNS.
SKEW_LOOKUP_BUDGET_S = 30.0


def timed_runs(fn: Callable[[], object], runs: int, budget_s: float = math.inf) -> list[float]:
    """Seconds of each of ``runs`` calls of ``fn`` (fewer, at least 5, when the calls
    together pass ``budget_s``)."""
    times: list[float] = []
    start = time.perf_counter()
    for i in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if i >= 4 and time.perf_counter() - start > budget_s:
            break
    return times


def largest_bucket(db: Path) -> int:
    """Postings in the fullest band-key bucket of the index."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT count(*) FROM band_keys GROUP BY key ORDER BY 1 DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return int(row[0]) if row else 0


def suspect_keys(store: Store, text: str) -> np.ndarray:
    """The band keys ``prov check`` looks up for ``text``: every passage's (as
    ``verify.find_sources`` makes them; a fresh index has no stock phrases)."""
    seg = pipeline.prepare(text)
    spans = [(p.first, p.last) for p in seg.passages]
    keys: np.ndarray = fingerprint(seg.norm.words, spans, store.params).keys
    return keys


def over_full_keys(store: Store, keys: np.ndarray) -> int:
    """How many of these distinct keys have more than ``lookup.MAX_BUCKET`` postings."""
    return sum(
        1
        for k in set(keys.reshape(-1).tolist())
        if store.db.execute(
            "SELECT 1 FROM band_keys WHERE key = ? LIMIT 1 OFFSET ?", [k, lookup_mod.MAX_BUCKET]
        ).fetchone()
    )


def vm_steps(store: Store, fn: Callable[[], object]) -> int:
    """SQLite virtual-machine instructions ``fn`` runs on ``store``'s connection, in
    thousands (a progress handler called every 1,000): a noise-free measure of the
    rows it reads."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    store.db.conn.set_progress_handler(tick, 1000)
    try:
        fn()
    finally:
        store.db.conn.set_progress_handler(None, 0)
    return count[0]


@contextmanager
def no_bucket_cap() -> Iterator[None]:
    """``Store.lookup`` as if it had no cap: every bucket read whole."""
    old = lookup_mod.MAX_BUCKET
    lookup_mod.MAX_BUCKET = 1 << 62
    try:
        yield
    finally:
        lookup_mod.MAX_BUCKET = old


def bench_skew(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``prov check`` against an index where every document ends with the same footer."""
    n = args.skew_docs
    gen = Generator(args.vocab, args.passage_words, args.seed + 1)
    footer: Paragraph = [s.split() for s in SKEW_FOOTER]
    folder = work / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    paths, bodies = [], []
    for i in range(n):
        body = gen.document(SKEW_PASSAGES)
        p = folder / f"doc{i:06d}.txt"
        p.write_text(render([*body, footer]), encoding="utf-8")
        paths.append(p)
        bodies.append(body)
    # the footer must be indexed as body: the last two passages prov indexes are its two
    seg = pipeline.prepare(render([*bodies[0], footer]))
    tail = [w for a, b in pipeline.index_spans(seg)[-len(footer) :] for w in seg.norm.words[a:b]]
    footer_indexed = tail == list(pipeline.prepare(" ".join(SKEW_FOOTER)).norm.words)
    db = work / "skew.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "provenance", "add", "--db", str(db), str(folder)]
    if args.workers and add_accepts_workers():
        cmd += ["--workers", str(args.workers)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    add_seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"prov add exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    biggest = largest_bucket(db)

    target = n // 2
    expected = os.path.normpath(str(paths[target]))
    with_footer = work / "suspect_footer.txt"
    with_footer.write_text(render([*bodies[target], footer]), encoding="utf-8")
    without = work / "suspect_no_footer.txt"
    without.write_text(render(bodies[target]), encoding="utf-8")

    def check(suspect: Path) -> dict[str, Any]:
        result = None

        def once() -> None:
            nonlocal result
            (result,) = list(pipeline.check([suspect], db, top=5))

        times = timed_runs(once, SKEW_CHECK_RUNS)
        assert result is not None
        top = result.matches[0] if result.matches else None
        return {
            "suspect_bytes": suspect.stat().st_size,
            "found_source": top.source if top else None,
            "found_right_source": bool(top and os.path.normpath(top.source) == expected),
            "verdict": top.score.verdict if top else None,
            "candidates": result.candidates,
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * percentile(times, 0.95),
            "runs": len(times),
        }

    checks = {"with_footer": check(with_footer), "without_footer": check(without)}

    lookups: dict[str, dict[str, Any]] = {}
    with Store.open(db) as store:
        cases = (
            ("with_footer", with_footer, False),
            ("without_footer", without, False),
            ("with_footer_no_cap", with_footer, True),
        )
        for name, suspect, uncapped in cases:
            keys = suspect_keys(store, suspect.read_text(encoding="utf-8"))
            with no_bucket_cap() if uncapped else nullcontext():
                postings = len(store.lookup(keys))
                lookup = functools.partial(store.lookup, keys)
                steps = vm_steps(store, lookup)
                times = timed_runs(lookup, SKEW_LOOKUP_RUNS, SKEW_LOOKUP_BUDGET_S)
            lookups[name] = {
                "keys": int(keys.size),
                "over_full_keys": over_full_keys(store, keys),
                "postings_returned": postings,
                "sqlite_vm_kilosteps": steps,
                "p50_ms": 1000 * statistics.median(times),
                "p95_ms": 1000 * percentile(times, 0.95),
                "runs": len(times),
            }
    return {
        "documents": n,
        "passages_per_document": SKEW_PASSAGES + len(footer),
        "footer": " ".join(SKEW_FOOTER),
        "footer_indexed_as_body": footer_indexed,
        "add_command": " ".join(["python", *cmd[1:]]),
        "add_seconds": add_seconds,
        "db_bytes": db_bytes(db),
        "largest_bucket": biggest,
        "bucket_cap": lookup_mod.MAX_BUCKET,
        "expected_source": expected,
        "check": checks,
        "lookup": lookups,
    }


# -- output ------------------------------------------------------------------------


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


@dataclass
class Row:
    label: str
    get: Callable[[dict[str, Any]], float | None]
    fmt: str = "{:,.0f}"
    goal: str = ""
    # goal check on the value at the largest size; None: no goal; at_least: from this size
    ok: Callable[[float], bool] | None = None
    at_least: int = 0


def _rate(name: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda r: r["fingerprint"]["rates"].get(name)


def _ratio(name: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda r: r["fingerprint"]["ratios"].get(name)


def rows() -> list[tuple[str, list[Row]]]:
    fp_rows = [
        Row(
            f"{PROV} (1,000-text batches)",
            _rate(PROV),
            goal=">= 100,000",
            ok=lambda v: v >= 100_000,
        ),
        *(Row(n, _rate(n)) for n in (PROV_DOC, PROV_PREP, PROV_FP)),
        Row(PROV_REAL, _rate(PROV_REAL)),
        Row(PROV_NUMPY, _rate(PROV_NUMPY)),
        *(Row(n, _rate(n)) for n in PEERS),
        Row(XXH, _rate(XXH)),
    ]
    ratio_rows = [
        Row(
            f"prov / {DS_UPDATE}",
            _ratio(f"prov / {DS_UPDATE}"),
            "{:,.1f}x",
            ">= 150x",
            lambda v: v >= 150,
        ),
        *(Row(f"prov / {n}", _ratio(f"prov / {n}"), "{:,.2f}x") for n in PEERS[1:3]),
        Row("prov / rensa (its fastest)", _ratio("prov / rensa (its fastest)"), "{:,.2f}x"),
        Row("prov / gaoya (its fastest)", _ratio("prov / gaoya (its fastest)"), "{:,.2f}x"),
        Row(
            "prov share of the xxh3 ceiling",
            lambda r: r["fingerprint"]["prov_share_of_xxh3"],
            "{:.1%}",
        ),
    ]
    ix = [
        Row(
            "add wall time (s)",
            lambda r: r["index"]["seconds"],
            "{:,.1f}",
            "< 300 at 1M",
            lambda v: v < 300,
            1_000_000,
        ),
        Row("add passages/s", lambda r: r["index"]["passages_per_s"]),
        Row(
            "database (MB)",
            lambda r: r["index"]["db_bytes"] / 1e6,
            "{:,.1f}",
            "< 2,000 at 1M",
            lambda v: v < 2000,
            1_000_000,
        ),
        Row("database bytes/passage", lambda r: r["index"]["db_bytes_per_passage"]),
        Row(
            "peak RSS, sum over processes (MB)",
            lambda r: r["index"]["peak_rss_sum_mb"],
            goal="< 2,000 at 1M",
            ok=lambda v: v < 2000,
            at_least=1_000_000,
        ),
        Row("  sum of each process's VmHWM (MB)", lambda r: r["index"]["hwm_sum_mb"]),
        Row("  largest process, VmHWM (MB)", lambda r: r["index"]["max_process_hwm_mb"]),
    ]
    ck = [
        Row(
            "check warm p50 (ms)",
            lambda r: r["check"]["warm_p50_ms"],
            "{:,.1f}",
            "< 20",
            lambda v: v < 20,
        ),
        Row("check warm p95 (ms)", lambda r: r["check"]["warm_p95_ms"], "{:,.1f}"),
        Row(
            "check cold median (ms)",
            lambda r: r["check"]["cold_median_ms"],
            "{:,.0f}",
            "< 300 at 1M",
            lambda v: v < 300,
            1_000_000,
        ),
        Row(
            "  of which imports (ms, -X importtime)",
            lambda r: r["check"]["importtime"]["total_ms"],
            "{:,.0f}",
        ),
        Row("check candidates verified", lambda r: r["check"]["candidates"], "{:,.0f}"),
        Row(
            "right source found (warm and cold)",
            lambda r: float(
                r["check"]["found_right_source"] and r["check"]["cold_found_right_source"]
            ),
            "{:.0f}",
            "1 (yes)",
            lambda v: v == 1,
        ),
    ]
    return [
        ("fingerprinting, passages/s on one core (text in -> signatures out)", fp_rows),
        ("ratios", ratio_rows),
        ("prov add of the whole corpus (fresh process)", ix),
        ("prov check of a ~10 KB suspect", ck),
    ]


def table(results: list[dict[str, Any]]) -> str:
    sizes = [r["requested_passages"] for r in results]
    labels = [size_label(s) for s in sizes]
    growth = [f"{lab}/{labels[0]}" for lab in labels[1:]]
    largest = sizes[-1]
    head = ["", *labels, *growth, "goal", f"met at {labels[-1]}"]
    lines: list[list[str]] = []
    for section, section_rows in rows():
        lines.append([f"-- {section}"])
        for row in section_rows:
            vals = [row.get(r) for r in results]
            cells = [row.fmt.format(v) if v is not None else "n/m" for v in vals]
            for v in vals[1:]:
                g = v / vals[0] if v is not None and vals[0] else None
                cells.append(f"x{g:.2f}" if g is not None else "")
            met = ""
            if row.ok is not None and vals[-1] is not None:
                met = (
                    ("yes" if row.ok(vals[-1]) else "NO")
                    if largest >= row.at_least
                    else f"(at {size_label(row.at_least)})"
                )
            lines.append([row.label, *cells, row.goal, met])
    width0 = max(len(x[0]) for x in lines if len(x) > 1)
    widths = [max(len(x[i]) for x in [head, *lines] if len(x) > 1) for i in range(1, len(head))]
    out = [
        "  ".join(
            [head[0].ljust(width0), *(h.rjust(w) for h, w in zip(head[1:], widths, strict=True))]
        ),
    ]
    for x in lines:
        if len(x) == 1:
            out.append(x[0])
        else:
            out.append(
                "  ".join(
                    [x[0].ljust(width0), *(c.rjust(w) for c, w in zip(x[1:], widths, strict=True))]
                )
            )
    return "\n".join(out)


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, Any]:
    cpu, ram = platform.processor() or platform.machine(), 0
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
        with open("/proc/meminfo", encoding="utf-8") as f:
            ram = next((int(ln.split()[1]) for ln in f if ln.startswith("MemTotal:")), 0)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "datasketch": version("datasketch"),
        "rensa": version("rensa"),
        "gaoya": version("gaoya"),
        "xxhash": version("xxhash"),
        "prov": version("prov"),
        "prov_kernel": kernel(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gb": ram / 1024**2,
    }


def print_final(results: list[dict[str, Any]], info: dict[str, Any]) -> None:
    m = info["machine"]
    print(
        f"\nmachine: python {m['python']}, numpy {m['numpy']}, datasketch {m['datasketch']}, "
        f"rensa {m['rensa']}, gaoya {m['gaoya']}, xxhash {m['xxhash']}; {m['cpu']}, "
        f"{m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']:.1f} GB RAM; "
        f"prov fingerprints with its {m.get('prov_kernel', '?')} kernel"
    )
    for r in results:
        fp, ix, ck = r["fingerprint"], r["index"], r["check"]
        print(
            f"corpus {size_label(r['requested_passages'])}: {fp['documents']:,} documents, "
            f"{fp['passages']:,} passages ({fp['prov_passages_in_documents']:,} as prov "
            f"segments the documents), {fp['words'] / fp['passages']:.1f} words/passage; "
            f"add ran `{ix['command']}`, {ix['processes']} process(es)"
        )
    print()
    print(table(results))
    last = results[-1]
    fp, ck = last["fingerprint"], last["check"]
    print("\nnotes:")
    sub = fp["sample"]
    print(
        f"  one core ({fp['cpu']}), best of {info['repeat']} run(s); prov on every passage in "
        f"batches of {fp['batch']:,} texts; datasketch update on {sub.get(DS_UPDATE, 0):,} "
        f"passages, bulk/update_batch on {sub.get(DS_BULK, 0):,}, rensa/gaoya/xxh3 on "
        f"{sub.get(XXH, 0):,} (first passages; rates are per passage). Peers' tokenising and "
        "shingle building are timed; xxh3's shingle bytes are built outside its timing."
    )
    print(
        f"  peer tokens (\\w+ of lower-cased text) equal prov's words: "
        f"{fp['peer_tokens_equal_prov_words']}; prov signatures equal datasketch "
        f"MinHash(hashfunc=identity) fed shingle_hashes (20 passages): "
        f"{fp['datasketch_compatible']}"
    )
    if fp.get("real_passage_words"):
        print(
            f"  {PROV_REAL}: the passages prov finds in samples/seeds/ (news pages and "
            f"communiques: curly quotes, numbers, names, an Italian translation), "
            f"{fp['real_passage_words']} words a passage, repeated to {REAL_PASSAGES:,}"
        )
    for name, why in fp["notes"].items():
        print(f"  {name}: not measured ({why})")
    if not last["index"]["workers"]:
        print("  prov add does not accept --workers yet: ran with one process")
    print(
        "  growth: rates and check should stay flat (x1.00) or grow like log n "
        f"(10k -> 1M: x{math.log(1e6) / math.log(1e4):.2f}); n/m = not measured"
    )
    for r in results:
        c = r["check"]
        ok = "right" if c["found_right_source"] else "WRONG"
        print(
            f"  check at {size_label(r['requested_passages'])}: {ok} source "
            f"{Path(c['found_source'] or '-').name} (expected {Path(c['expected_source']).name}),"
            f" verdict {c['verdict']}, {c['matches']} match(es) from {c['candidates']} "
            f"candidates; {c['suspect_bytes']:,}-byte suspect; warm {c['runs']['warm']} runs, "
            f"cold {c['runs']['cold']}"
            + (f"; cold failure: {c['cold_error']}" if c["cold_error"] else "")
        )
    it = ck["importtime"]
    print(
        f"\nimports of `python -X importtime -m provenance check --db DB SUSPECT --json` "
        f"({size_label(last['requested_passages'])}, median of {it['runs']} runs): "
        f"{it['total_ms']:,.0f} ms in {it['modules']} modules, of a {it['process_ms']:,.0f} ms "
        "process"
    )
    print(f"  {'package':<24}{'cumulative ms':>14}{'own ms':>10}{'modules':>9}")
    for name, v in list(it["packages"].items())[: info["import_top"]]:
        print(f"  {name:<24}{v['cumulative_ms']:>14,.1f}{v['self_ms']:>10,.1f}{v['modules']:>9.0f}")
    print("  (cumulative: its outermost imports, including what they import; own: its modules)")
    if info.get("skew"):
        print_skew(info["skew"])


def skew_lines(sk: dict[str, Any]) -> str:
    """The bucket-skew block: one value per row, with its goal."""
    n, ck, lk = sk["documents"], sk["check"], sk["lookup"]
    wf, nf = ck["with_footer"], ck["without_footer"]
    rows_: list[tuple[str, float | None, str, str, Callable[[float], bool] | None]] = [
        (
            "skew: largest band-key bucket (postings)",
            sk["largest_bucket"],
            "{:,.0f}",
            f">= {n:,}",
            lambda v: v >= n,
        ),
        (
            f"skew: check p50 with a footer shared by {n:,} docs (ms)",
            wf["p50_ms"],
            "{:,.1f}",
            "< 20",
            lambda v: v < 20,
        ),
        ("skew: check p95 with the footer (ms)", wf["p95_ms"], "{:,.1f}", "", None),
        ("skew: check p50 without the footer (ms)", nf["p50_ms"], "{:,.1f}", "", None),
        ("skew: check p95 without the footer (ms)", nf["p95_ms"], "{:,.1f}", "", None),
        (
            "skew: check p50 with / without the footer",
            wf["p50_ms"] / nf["p50_ms"],
            "{:,.2f}x",
            "",
            None,
        ),
        (
            "skew: lookup p50 with the footer, capped (ms)",
            lk["with_footer"]["p50_ms"],
            "{:,.2f}",
            "",
            None,
        ),
        (
            "skew: lookup p50 without the footer (ms)",
            lk["without_footer"]["p50_ms"],
            "{:,.2f}",
            "",
            None,
        ),
        (
            "skew: lookup p50 with the footer, no cap (ms)",
            lk["with_footer_no_cap"]["p50_ms"],
            "{:,.2f}",
            "",
            None,
        ),
        (
            "skew: lookup p50 with the footer, no cap / capped",
            lk["with_footer_no_cap"]["p50_ms"] / lk["with_footer"]["p50_ms"],
            "{:,.0f}x",
            "",
            None,
        ),
        (
            "skew: lookup SQLite VM steps with the footer, capped (k)",
            lk["with_footer"]["sqlite_vm_kilosteps"],
            "{:,.0f}",
            "",
            None,
        ),
        (
            "skew: lookup SQLite VM steps without the footer (k)",
            lk["without_footer"]["sqlite_vm_kilosteps"],
            "{:,.0f}",
            "",
            None,
        ),
        (
            "skew: lookup SQLite VM steps with the footer, no cap (k)",
            lk["with_footer_no_cap"]["sqlite_vm_kilosteps"],
            "{:,.0f}",
            "",
            None,
        ),
        (
            "skew: right source found (with and without the footer)",
            float(wf["found_right_source"] and nf["found_right_source"]),
            "{:.0f}",
            "1 (yes)",
            lambda v: v == 1,
        ),
    ]
    cells = [
        [
            label,
            fmt.format(v) if v is not None else "n/m",
            goal,
            ("yes" if ok(v) else "NO") if ok is not None and v is not None else "",
        ]
        for label, v, fmt, goal, ok in rows_
    ]
    head = ["", "value", "goal", "met"]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(4)]
    out = [
        f"-- bucket skew: {n:,} documents of {sk['passages_per_document']} passages, each "
        f"ending with the same two-sentence footer (its own index, cap {sk['bucket_cap']:,})",
    ]
    for c in [head, *cells]:
        out.append(
            "  ".join(
                [
                    c[0].ljust(widths[0]),
                    *(x.rjust(w) for x, w in zip(c[1:], widths[1:], strict=True)),
                ]
            )
        )
    return "\n".join(out)


def print_skew(sk: dict[str, Any]) -> None:
    print()
    print(skew_lines(sk))
    ck, lk = sk["check"], sk["lookup"]
    print(
        f"  footer indexed as body: {sk['footer_indexed_as_body']}; largest bucket "
        f"{sk['largest_bucket']:,} postings for {sk['documents']:,} documents"
        + ("" if sk["largest_bucket"] >= sk["documents"] else " (FOOTER NOT SHARED?)")
        + f"; `{sk['add_command']}` took {sk['add_seconds']:.1f} s, "
        f"{sk['db_bytes'] / 1e6:,.1f} MB"
    )
    print(
        f"  (the suspect with the footer has {sk['passages_per_document']} passages, the one "
        f"without {sk['passages_per_document'] - len(SKEW_FOOTER)}: more text to fingerprint "
        "and align, so the check ratio is not the footer's lookup cost alone)"
    )
    for name, c in ck.items():
        ok = "right" if c["found_right_source"] else "WRONG"
        print(
            f"  check {name.replace('_', ' ')}: {ok} source {Path(c['found_source'] or '-').name}"
            f" (expected {Path(sk['expected_source']).name}), verdict {c['verdict']}, "
            f"{c['candidates']} candidates, {c['suspect_bytes']:,}-byte suspect, {c['runs']} runs"
        )
    for name, v in lk.items():
        print(
            f"  lookup {name.replace('_', ' ')}: {v['keys']} keys, {v['over_full_keys']} "
            f"over the cap, {v['postings_returned']:,} postings returned, "
            f"{v['sqlite_vm_kilosteps']:,}k SQLite VM steps, p95 {v['p95_ms']:,.2f} ms, "
            f"{v['runs']} runs"
        )


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


def run_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    params = Params()
    t0 = time.perf_counter()
    gen = Generator(args.vocab, args.passage_words, args.seed)
    corpus = gen.corpus(size)
    texts = passages_of(corpus)
    gen_seconds = time.perf_counter() - t0
    # The corpus is millions of long-lived objects: keep the collector from rescanning
    # them during every timing (prov's and the peers' alike).
    gc.collect()
    gc.freeze()
    log = f"[{size_label(size)}]"
    print(
        f"{log} generated {len(corpus.texts):,} documents, {len(texts):,} passages in "
        f"{gen_seconds:.1f} s; fingerprinting...",
        file=sys.stderr,
        flush=True,
    )
    fp = bench_fingerprint(corpus, texts, params, args)
    print(f"{log} prov add...", file=sys.stderr, flush=True)
    ix, db, paths = bench_index(corpus, len(texts), work, args)
    print(f"{log} prov check...", file=sys.stderr, flush=True)
    ck = bench_check(gen, corpus, db, paths, work, args)
    out = {"requested_passages": size, "fingerprint": fp, "index": ix, "check": ck}
    if args.profile:
        print(f"\ncProfile of fingerprint_texts at {size_label(size)} (cumulative):")
        print(
            profile(
                lambda: [fingerprint_texts(c, params) for c in batches(texts, args.batch)],
                PROFILE_TOP,
            )
        )
    gc.unfreeze()
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument(
        "--sizes", default="10000,100000,1000000", help="corpus sizes in passages, comma-separated"
    )
    ap.add_argument("--quick", action="store_true", help="10,000 passages only (smoke run)")
    ap.add_argument("--keep", type=Path, help="keep the generated corpus and databases here")
    ap.add_argument("--json", action="store_true", help="also print every figure as JSON")
    ap.add_argument("--profile", action="store_true", help="cProfile fingerprint_texts")
    ap.add_argument("--seed", type=int, default=20240601, help="corpus seed")
    ap.add_argument("--vocab", type=int, default=5000, help="vocabulary size")
    ap.add_argument("--passage-words", type=int, default=50, help="mean words per passage")
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs per rate")
    ap.add_argument("--batch", type=int, default=1000, help="texts per batched call")
    ap.add_argument("--ds-update", type=int, default=2000, help="datasketch update subsample")
    ap.add_argument("--ds-bulk", type=int, default=20000, help="datasketch bulk subsample")
    ap.add_argument(
        "--peer-sample", type=int, default=100_000, help="rensa, gaoya and xxh3 subsample"
    )
    ap.add_argument("--workers", type=int, default=2, help="prov add --workers")
    ap.add_argument("--check-runs", type=int, default=200, help="warm in-process checks")
    ap.add_argument("--cold-runs", type=int, default=10, help="cold process checks")
    ap.add_argument(
        "--semantic",
        action="store_true",
        help="also prov[semantic] at the largest size: passages embedded per second, index "
        "size with vectors, check warm and cold (scripts/bench_semantic.py --index)",
    )
    ap.add_argument("--importtime-runs", type=int, default=3, help="-X importtime runs")
    ap.add_argument("--import-top", type=int, default=8, help="packages in the import block")
    ap.add_argument(
        "--skew-docs",
        type=int,
        default=5000,
        help="documents sharing one footer in the bucket-skew index (0: skip that section)",
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Rust peers (rayon) start one thread per core unless told; they are imported later.
    os.environ["RAYON_NUM_THREADS"] = "1"
    # the word path's figures, with or without prov[semantic] installed (--semantic: its own)
    os.environ["PROV_SEMANTIC"] = "0"
    if args.quick:
        sizes = [10_000]
    else:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    info: dict[str, Any] = {
        "machine": machine(),
        "sizes": sizes,
        "repeat": args.repeat,
        "import_top": args.import_top,
    }
    print(f"prov bench: sizes {', '.join(map(size_label, sizes))}", file=sys.stderr, flush=True)
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
    if args.skew_docs > 0:
        print(
            f"bucket skew: {args.skew_docs:,} documents with a shared footer...",
            file=sys.stderr,
            flush=True,
        )
        if args.keep:
            work = args.keep / "skew"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            info["skew"] = bench_skew(work, args)
        else:
            with tempfile.TemporaryDirectory(prefix="prov-bench-skew-") as tmp:
                info["skew"] = bench_skew(Path(tmp), args)
    print_final(results, info)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(bench process peak RSS {own:,.0f} MB)")
    if args.semantic:  # prov[semantic] at the largest size (scripts/bench_semantic.py)
        import bench_semantic

        print(f"\nprov[semantic], {size_label(sizes[-1])} passages:")
        with tempfile.TemporaryDirectory(prefix="prov-bench-semantic-") as tmp:
            bench_semantic.index_figures(sizes[-1], Path(tmp), 2000, 20, 5)
    if args.json:
        print(json.dumps({**info, "results": results, "bench_peak_rss_mb": own}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
