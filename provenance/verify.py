"""Verification: the candidate sources LSH proposes for a text, aligned and scored.

``check`` (and ``scan``, and the server) ask :func:`find_sources` which indexed sources a
text copies. LSH proposes up to :data:`MAX_CANDIDATES` sources; each is aligned with the
text word by word (a long one only around the passages LSH found:
:mod:`provenance.match.regions`), and the best ``top`` copies are kept, ranked by the
copy text they explain, then source coverage, then fidelity.

In a newsroom's index the candidates are mostly one story republished: twenty near-copies
that all explain the text, of which five are answered. Their rank comes from the
alignment alone (:func:`provenance.match.coverage.rank`, computed as ``score`` computes it);
only the search for reworded text and the classification of alterations cost more. So
every candidate is aligned, and then scored in rank order: the walk stops when ``top``
copies are found that no candidate left can outrank (a candidate's fidelity is bounded
from above without classifying its alterations). Near-copies often tie on coverage;
among them a candidate's fidelity is measured (its alterations classified) before it
is scored, and the search for reworded text, the dearest part of a score, is only made
for a candidate that outranks a copy kept. The answer is the one scoring every
candidate would give, field for field; the work is the alignments plus ``top`` full
scores (and the unrelated met on the way), not ``MAX_CANDIDATES`` of them.

With ``prov[semantic]`` on and an index with sentence vectors, the semantic step reads
every copy found (what they leave unexplained), so every candidate is scored then.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from provenance.index import segments
from provenance.match import regions
from provenance.match.align import Alignment, align
from provenance.match.alignwork import forget_copy
from provenance.match.coverage import Rank, rank, word_blocks
from provenance.match.detect import MAX_DETECT_WORDS, Fragment, detect
from provenance.match.evidence import UNRELATED
from provenance.match.fingerprint import fingerprint, passage_hashes
from provenance.match.results import Score
from provenance.match.risk import forget_edits
from provenance.match.score import fidelity, score
from provenance.params import DEFAULT_POLICY, Policy
from provenance.semantic import step
from provenance.text.language import UNDETERMINED
from provenance.text.prepare import prepare
from provenance.text.segment import Segmented

if TYPE_CHECKING:
    from provenance.index.records import StoredText
    from provenance.index.store import Store

#: Sources verified per suspect at most (the LSH's best candidates).
MAX_CANDIDATES = 24


def compare_segmented(
    source: Segmented,
    copy: Segmented,
    policy: Policy = DEFAULT_POLICY,
    by_meaning: bool = False,
    hits: Sequence[tuple[int, int]] | None = None,
) -> Score:
    """Align and score ``copy`` against ``source``.

    A source with a translation beside it has two texts; the one the copy shares most
    words with is compared. ``by_meaning``: also match the copy text left unexplained by
    meaning (translations, rewrites: ``prov[semantic]``, see
    :func:`provenance.semantic.step.semantic`).
    ``hits``: the word ranges of the source's passages the LSH found in the copy; a long
    source is then aligned only around them (see :mod:`provenance.match.regions`).
    """
    best: Score | None = None
    for lang in source.languages():
        s = _scored(source, copy, _aligned(source, copy, policy, lang, hits), policy, lang)
        if best is None or (s.copied_words, s.found_words, s.source_coverage) > (
            best.copied_words,
            best.found_words,
            best.source_coverage,
        ):
            best = s
    assert best is not None  # noqa: S101 - languages() is never empty
    if by_meaning and step.semantic():
        from provenance.semantic.crosslang import rescore

        best = rescore(source, copy, best, policy)
    return best


def _aligned(
    source: Segmented,
    copy: Segmented,
    policy: Policy,
    lang: str,
    hits: Sequence[tuple[int, int]] | None,
    bounds: list[int] | None = None,
) -> Alignment:
    """The alignment of ``copy`` with ``source``'s passages in ``lang``; ``bounds``: where
    the copy's passages and blocks start (computed when not given)."""
    if bounds is None:
        bounds = sorted({p.first for p in copy.passages} | {b.first for b in copy.blocks})
    spans = [(p.first, p.last) for p in source.aligned_passages(lang)]
    return _align_regions(source, spans, copy, policy, bounds, hits)


def _scored(
    source: Segmented, copy: Segmented, alignment: Alignment, policy: Policy, lang: str
) -> Score:
    """An alignment scored, with the reworded text searched when the alignment leaves
    some of the source unexplained."""
    spans = [(p.first, p.last) for p in source.aligned_passages(lang)]
    found = sum(m.src[1] - m.src[0] for m in alignment.matches)
    whole = found >= policy.complete * sum(e - s for s, e in spans)
    # a copy aligned word by word almost whole needs no search for reworded text
    fragments: tuple[Fragment, ...] | None = ()
    if not whole and max(len(source.norm), len(copy.norm)) > MAX_DETECT_WORDS:
        fragments = None  # not searched: score() says so
    elif not whole:
        # (over the whole source: its fragments may join neighbouring passages)
        copy_units = [(p.first, p.last) for p in copy.passages]
        src_blocks, copy_blocks = (
            [(b.first, b.last, b.kind) for b in d.blocks] for d in (source, copy)
        )
        fragments = detect(
            source.norm.words,
            spans,
            copy.norm.words,
            copy_units,
            src_blocks,
            copy_blocks,
            _foreign(copy, lang),
        )
    return score(source, copy, alignment, policy, lang, fragments)


#: Languages the synonym table (English WordNet) holds, and text whose language is
#: undetermined (short lines).
_SYNONYM_LANGS = frozenset({"en", UNDETERMINED})


def _foreign(copy: Segmented, lang: str) -> list[tuple[int, int]]:
    """The copy's word ranges the synonym search skips: all of it when the texts are
    compared in a language the table does not hold, else its blocks in such a language."""
    if lang not in _SYNONYM_LANGS:
        return [(0, len(copy.norm.words))]
    return [(b.first, b.last) for b in copy.blocks if b.lang not in _SYNONYM_LANGS]


def _align_regions(
    source: Segmented,
    spans: list[tuple[int, int]],
    copy: Segmented,
    policy: Policy,
    bounds: list[int],
    hits: Sequence[tuple[int, int]] | None,
) -> Alignment:
    """Align ``spans`` of ``source`` with ``copy``: all of them, or for a long source
    with ``hits``, the regions around the hits (grown while their edges are found); the
    alignment is of ``spans`` either way (passage indexes into it)."""
    words, copy_words = source.norm.words, copy.norm.words
    total = regions.words_in(spans, range(len(spans)))
    keep: list[int] | None = None
    if hits is not None and total >= regions.LONG_SOURCE_WORDS:
        keep = regions.near_hits(spans, hits, regions.MARGIN_PASSAGES) or None
    margin = regions.MARGIN_PASSAGES
    while keep is not None and regions.words_in(spans, keep) < regions.MAX_REGION_SHARE * total:
        part = [spans[i] for i in keep]
        sub = align(words, part, copy_words, policy.found, bounds)
        more = regions.grow(keep, (keep[m.passage] for m in sub.matches), len(spans), margin)
        if more is None:
            matches = tuple(replace(m, passage=keep[m.passage]) for m in sub.matches)
            return Alignment(matches, len(spans))
        keep, margin = more, 2 * margin
    return align(words, spans, copy_words, policy.found, bounds)


#: Characters of stored sources kept segmented between checks (a server, a scan worker
#: and a check of several suspects verify the same near-copies again and again). A
#: segmented text holds ~28 bytes per character (words, offsets, blocks: measured with
#: tracemalloc on the seeds), so this keeps ~110 MB per process.
SOURCE_CACHE_CHARS = 4_000_000
_source_cache: dict[str, Segmented] = {}
_source_cache_chars = 0
_source_cache_lock = threading.Lock()


def _source_kept(text: str) -> bool:
    """Whether ``text`` is kept segmented (:func:`_prepared_source` will not need its
    stored segmentation, unless another thread pushes it out meanwhile: then it is
    segmented again, the same)."""
    with _source_cache_lock:
        return text in _source_cache


def _prepared_source(text: str, stored: bytes | None = None) -> Segmented:
    """``prepare(text)`` for a stored source, kept (least recently used goes first):
    decoded from ``stored``, its segmentation as the index holds it, when there is one
    that fits the text (else, or when it is damaged, the text is segmented again)."""
    global _source_cache_chars  # noqa: PLW0603 - a process-wide cache, under its lock
    with _source_cache_lock:
        seg = _source_cache.pop(text, None)
        if seg is not None:
            _source_cache[text] = seg  # now the most recently used
            return seg
    seg = None
    if stored:
        try:
            seg = segments.decode(text, stored)
        except segments.BadSegments:
            seg = None
    if seg is None:
        seg = prepare(text)
    if len(text) <= SOURCE_CACHE_CHARS // 8:
        with _source_cache_lock:
            if text not in _source_cache:
                _source_cache[text] = seg
                _source_cache_chars += len(text)
            while _source_cache_chars > SOURCE_CACHE_CHARS:
                old = next(iter(_source_cache))
                _source_cache_chars -= len(old)
                del _source_cache[old]
    return seg


def find_sources(
    store: Store,
    seg: Segmented,
    top: int,
    policy: Policy = DEFAULT_POLICY,
    stock_min: int = 0,
    hashes: list[int] | None = None,
) -> tuple[list[tuple[StoredText, Score]], int]:
    """The indexed sources a segmented text copies, verified and scored, best first.

    LSH proposes candidate sources (passages seen in ``stock_min`` or more scanned pages
    outside copied text, stock phrases, propose nothing; 0: no such filter); each is
    aligned with the text, and only copies (any verdict but ``unrelated``) are kept.
    Returns the best ``top`` and how many candidates were verified (see the module
    docstring for which are scored).
    """
    forget_edits()  # (the memo of edits' words is this check's)
    with _gc_paused():
        try:
            return _find_sources(store, seg, top, policy, stock_min, hashes)
        finally:
            forget_copy(seg.norm.words)  # its memo freed while the collector is off
            forget_edits()


def _find_sources(
    store: Store,
    seg: Segmented,
    top: int,
    policy: Policy,
    stock_min: int,
    hashes: list[int] | None,
) -> tuple[list[tuple[StoredText, Score]], int]:
    spans = [(p.first, p.last) for p in seg.passages]
    if hashes is None and stock_min > 0 and spans and store.has_stock_counts():
        hashes = passage_hashes(seg.norm.words, spans)
    if stock_min > 0 and spans and hashes:
        stock = store.stock_among(hashes, stock_min)
        if stock:
            spans = [sp for sp, h in zip(spans, hashes, strict=True) if h not in stock]
    fp = fingerprint(seg.norm.words, spans, store.params)
    # the sources by how many of the text's passages share a key with them (ties: as
    # the lookup lists them)
    votes = Counter(dict(store.lookup_votes(fp.keys)))
    ids = [sid for sid, _ in votes.most_common(max(MAX_CANDIDATES, 4 * top))]
    texts = store.texts(ids)
    # (the stored segmentations read only for the sources not kept segmented already)
    stored_segs = store.segmentations([t.id for t in texts if not _source_kept(t.text)])
    prepared = [_prepared_source(t.text, stored_segs.get(t.id)) for t in texts]
    # a long source is aligned around the passages the suspect was found to share
    long = [t.id for t, src in zip(texts, prepared, strict=True)
            if len(src.norm) >= regions.LONG_SOURCE_WORDS]  # fmt: skip
    ranges = {}
    if long:
        hit: dict[int, set[int]] = {}
        for _row, sid, pid in store.lookup(fp.keys, long):
            hit.setdefault(sid, set()).add(pid)
        ranges = store.passage_ranges({pid for sid in long for pid in hit.get(sid, ())})
    candidates = [
        _Candidate(n, stored, src, ranges.get(stored.id))
        for n, (stored, src) in enumerate(zip(texts, prepared, strict=True))
    ]
    if not _meaning_on(store):
        return _best(candidates, seg, top, policy), len(ids)
    found = []
    for c in candidates:
        s = compare_segmented(c.source, seg, policy, hits=c.hits)
        if s.verdict != UNRELATED:
            found.append((c.stored, s))
    found, more = step.by_meaning(store, seg, found, policy, _prepared_source, compare_segmented)
    found.sort(key=lambda m: _order(m[1], m[0].path))
    return found[:top], len(ids) + more


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_on = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Cyclic garbage collection held off while a check verifies its candidates.

    Verifying allocates some ten thousand small containers a check (matches, edits,
    memo keys), none of them in a cycle: reference counting frees them all, and the
    collector, run ~18 times a check over them and whatever the process holds (a
    server's cached sources), only costs time (whole story on the newsroom bench: 5 ms
    of 45, and most of the p95). Pauses nest across threads: the collector runs again
    when the last one ends, if it ran before the first; a pause that ends while others
    still hold runs the collection that is due (as the collector would), so that checks
    overlapping without end (a busy server) never starve it.
    """
    global _gc_pauses, _gc_was_on  # noqa: PLW0603 - one process-wide switch, under its lock
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_on = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_on:
                gc.enable()
            elif _gc_was_on:
                _collect_due()


def _collect_due() -> None:
    """The collection CPython would run now, if one is due (the oldest generation over
    its threshold whose younger ones are over theirs)."""
    counts, limits = gc.get_count(), gc.get_threshold()
    if not limits[0] or counts[0] <= limits[0]:
        return
    generation = 0
    while generation < 2 and counts[generation + 1] > limits[generation + 1]:
        generation += 1
    gc.collect(generation)


def _meaning_on(store: Store) -> bool:
    """Whether the semantic step may change what the word path found (it reads every
    copy found): ``prov[semantic]`` on and the index's vectors usable."""
    return step.semantic() and not step.status(store)


def _order(s: Score, path: str) -> tuple[float, float, float, str]:
    """How copies are ranked, best first (then by their place among the candidates)."""
    return (-s.copy_coverage * s.copy_words, -s.source_coverage, -s.fidelity, path)


def _coverages(s: Score | Rank) -> tuple[float, float]:
    """The first two terms of :func:`_order`, which the alignment alone gives."""
    return (-s.copy_coverage * s.copy_words, -s.source_coverage)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A candidate source of a check: its place among the candidates, as stored, and
    segmented; ``hits``: its passages LSH found (word ranges) when it is long."""

    n: int
    stored: StoredText
    source: Segmented
    hits: Sequence[tuple[int, int]] | None


@dataclass(frozen=True, slots=True)
class _Ranked:
    """A candidate aligned: its coverages (:func:`_coverages`), a bound on its
    fidelity, and its alignment (in its one language) or, for a source in two
    languages, its score."""

    coverages: tuple[float, float]
    fidelity_bound: float
    candidate: _Candidate
    alignment: tuple[Alignment, str] | None
    score: Score | None

    def least(self) -> tuple[float, str, int]:
        """The best place it can take in its group (see :func:`_group`)."""
        return (-self.fidelity_bound, self.candidate.stored.path, self.candidate.n)


def _best(
    candidates: list[_Candidate], seg: Segmented, top: int, policy: Policy
) -> list[tuple[StoredText, Score]]:
    """The ``top`` copies among ``candidates``, best first: what scoring every one,
    dropping the unrelated and sorting by :func:`_order` (then place) gives, with only
    the candidates that can rank scored.

    Every candidate is aligned and ranked (:func:`provenance.match.coverage.rank`: the
    score's coverages, computed as ``score`` does, and a bound on its fidelity), then
    the groups of equal coverages are taken best first (:func:`_group`) until ``top``
    copies are kept. A source in two languages is scored at once (which of its texts is
    compared depends on the reworded text found in each).
    """
    bounds = sorted({p.first for p in seg.passages} | {b.first for b in seg.blocks})
    owner = word_blocks(seg)  # (for rank: made once)
    ranked: list[_Ranked] = []
    for c in candidates:
        langs = c.source.languages()
        if len(langs) > 1:
            s = compare_segmented(c.source, seg, policy, hits=c.hits)
            ranked.append(_Ranked(_coverages(s), s.fidelity, c, None, s))
            continue
        alignment = _aligned(c.source, seg, policy, langs[0], c.hits, bounds)
        r = rank(c.source, seg, alignment, policy, langs[0], owner)
        ranked.append(_Ranked(_coverages(r), r.fidelity_bound, c, (alignment, langs[0]), None))
    ranked.sort(key=lambda r: r.coverages)
    found: list[tuple[StoredText, Score]] = []
    i = 0
    while i < len(ranked) and len(found) < top:
        j = i + 1
        while j < len(ranked) and ranked[j].coverages == ranked[i].coverages:
            j += 1
        found += _group(ranked[i:j], top - len(found), seg, policy, owner)
        i = j
    return found


def _group(
    group: list[_Ranked], need: int, seg: Segmented, policy: Policy, owner: list[int]
) -> list[tuple[StoredText, Score]]:
    """The best ``need`` copies of a group of candidates of equal coverages, best first
    (by fidelity, then path and place). Candidates are taken in the order of their
    fidelity bound, until ``need`` copies are kept that the next candidate cannot
    outrank even at its bound: no candidate after it can either. Once ``need`` are
    kept, a candidate's fidelity is measured first (its alterations classified: what
    the score would say, ``owner`` the block of each copy word) and it is scored only
    when that outranks a kept one: the search for reworded text, most of a score's
    cost, is for the copies answered."""
    kept: list[tuple[tuple[float, str, int], StoredText, Score]] = []
    for r in sorted(group, key=_Ranked.least):
        if len(kept) >= need and kept[need - 1][0] < r.least():
            break
        c = r.candidate
        if r.score is not None:
            s = r.score
        else:
            assert r.alignment is not None  # noqa: S101 - one or the other
            alignment, lang = r.alignment
            if len(kept) >= need:
                exact = fidelity(c.source, seg, alignment, policy, lang, owner)
                if kept[need - 1][0] < (-exact, c.stored.path, c.n):
                    continue
            s = _scored(c.source, seg, alignment, policy, lang)
        if s.verdict != UNRELATED:
            kept.append(((-s.fidelity, c.stored.path, c.n), c.stored, s))
            kept.sort(key=lambda k: k[0])
    return [(stored, s) for _, stored, s in kept[:need]]
