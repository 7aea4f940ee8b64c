"""The whole path: files in, verified and scored matches out.

Each command of the CLI calls one function here. This module orchestrates the
stages; reading files and the database happens in ``ingest`` and ``store``.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.errors import InputError
from provenance.index import segments
from provenance.index.store import SourceRecord, SourceRow, Store, StoredText, source_record
from provenance.index.vectors import SourceVectors, check_encoder
from provenance.ingest.files import RawText, expand_paths, read_document, storable
from provenance.match import regions
from provenance.match.align import Alignment, align
from provenance.match.detect import MAX_DETECT_WORDS, Fragment, detect
from provenance.match.fingerprint import fingerprint, kernel, passage_hashes
from provenance.match.score import UNRELATED, CheckResult, CompareResult, Score, score
from provenance.params import DEFAULT_POLICY, NORM_VERSION, Params, Policy
from provenance.semantic import step
from provenance.semantic.step import by_meaning, put_vectors, semantic, source_vectors
from provenance.text.dates import Direction, direction
from provenance.text.language import UNDETERMINED
from provenance.text.normalize import normalize
from provenance.text.segment import Segmented, segment

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Characters of a text that are compared at most (about 700,000 words; see ``prepare``).
MAX_TEXT_CHARS = 4_000_000
#: Sources written per transaction by ``add`` at most, and seconds per transaction.
ADD_BATCH = 200
ADD_BATCH_SECONDS = 1.0
#: A passage seen outside copied text in this many scanned pages is a stock phrase.
STOCK_MIN_DOCS = 20
#: Sources verified per suspect at most (the LSH's best candidates).
MAX_CANDIDATES = 24

ADDED, REPLACED, UNCHANGED, DUPLICATE, FAILED = (
    "added", "replaced", "unchanged", "duplicate", "failed",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add`` did with one file."""

    path: str
    status: str
    passages: int
    same_as: str = ""
    error: str = ""
    done: int = 0
    total: int = 0
    warnings: tuple[str, ...] = ()
    #: of ``passages``, those of a second language (not the source's main one)
    other_passages: int = 0


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


def add(
    paths: Iterable[str | Path],
    db: str | Path,
    params: Params | None = None,
    workers: int | None = 1,
    source_date: date | None = None,
) -> Iterator[AddResult]:
    """Register canonical texts (files, or the text files under folders).

    ``source_date``: the texts' date (``add --date``), kept with each source added,
    replaced or unchanged, to tell which of a source and a copy is older; without it,
    the date a source's text carries counts.

    Files are read, segmented and fingerprinted by ``workers`` processes (``None``: one
    per core; folders of fewer than :data:`POOL_MIN_FILES` files are done in this
    process) and written by this one, in transactions of up to :data:`ADD_BATCH`
    sources or :data:`ADD_BATCH_SECONDS`. The LSH keys are written at the end, sorted,
    in one transaction (see :meth:`Store.put_record`); until then the sources are
    *pending*, and a run that is stopped leaves them so: the next ``add`` completes
    them, and loses at most the open batch, which it adds again.

    The same content under another path is kept once (``duplicate``); a changed file
    under a known path replaces the old text (``replaced``). A file that cannot be read
    is reported (``failed``, with the reason) and the others are still added.
    """
    paths = list(paths)
    files = list(expand_paths(paths))
    if not files:
        raise InputError("no text files found in " + ", ".join(str(p) for p in paths))
    total = len(files)
    if not Path(db).exists():
        # a new index is made only for something to put in it: files that cannot be read
        # are reported without leaving an empty database behind
        failed = []
        for f in files:
            try:
                read_document(f)
                break
            except InputError as e:
                failed.append(AddResult(_names(f)[0], FAILED, 0, error=str(e)))
        else:
            yield from (replace(r, done=n, total=total) for n, r in enumerate(failed, 1))
            return
    with Store.open(db, create=True, params=params) as store, store.adding():
        if semantic():  # vectors of two encoders are not comparable: refused before any work
            from provenance.semantic import encoder

            check_encoder(store, encoder.encoder_name())
        prepared = _prepared(files, store, workers)
        try:
            while True:
                batch: list[AddResult] = []
                started = time.monotonic()
                with store.transaction():
                    for n, f, names, rec in prepared:
                        done = _write(store, f, names, rec)
                        if source_date is not None and done.status in (ADDED, REPLACED, UNCHANGED):
                            store.set_date(names[1], names[0], source_date.isoformat())
                        batch.append(replace(done, done=n, total=total))
                        if (
                            len(batch) >= ADD_BATCH
                            or time.monotonic() - started > ADD_BATCH_SECONDS
                        ):
                            break
                if store.pending_keys > MAX_PENDING_KEYS:
                    store.flush_keys()
                if not batch or batch[-1].done == total:
                    store.flush_keys()
                    yield from batch
                    return
                yield from batch
        finally:
            prepared.close()


#: Files below this many are prepared in the calling process (starting workers costs
#: ~0.3 s).
POOL_MIN_FILES = 64
#: Files per task sent to a worker.
POOL_CHUNK = 16
#: LSH keys held in memory before they are written (~16 bytes each at the write).
MAX_PENDING_KEYS = 1 << 25


@dataclass(frozen=True, slots=True)
class _Read:
    """A file read and fingerprinted, with how it was read (``RawText.warnings``)."""

    record: SourceRecord
    warnings: tuple[str, ...]
    #: the body passages' sentence vectors (``prov[semantic]``), None without the extra
    vectors: SourceVectors | None = None


@dataclass(frozen=True, slots=True)
class Known:
    """A file whose content the index holds already: under its path (``unchanged``) or
    as source ``source_id`` under another (``duplicate``, shown as ``same_as``)."""

    status: str
    passages: int
    sha256: str
    same_as: str = ""
    source_id: int = 0


#: What a worker returns for a file: its record (with how it was read), or what the
#: index holds of its content, or the error.
_Prepared = _Read | Known | InputError


def _prepare_file(f: Path, names: tuple[str, str], store: Store) -> _Prepared:
    """Read, segment and fingerprint one file (in a worker, with its own read-only use
    of the index, or in the calling process); a file whose content is in the index
    already is only read."""
    shown, key = names
    try:
        raw = read_document(f)
        known = _in_index(store, names, raw.sha256)
        if known is not None:
            return known
        seg = prepare(raw.text)
        spans = index_spans(seg)
        if not spans:
            raise InputError(f"{f}: no body text to index ({seg.no_body()})")
        fp = fingerprint(seg.norm.words, spans, store.params)
        record = source_record(shown, raw.sha256, raw.text, raw.encoding, seg, spans, fp, key)
        return _Read(record, raw.warnings, source_vectors(seg))
    except InputError as e:
        return e


_worker: dict[str, Any] = {}


def _init_add_worker(db: str, parent: int) -> None:
    watch_parent(parent)
    _worker["store"] = Store.open(db)


def _prepare_chunk(chunk: list[tuple[Path, tuple[str, str]]]) -> list[_Prepared]:
    return [_prepare_file(f, names, _worker["store"]) for f, names in chunk]


def watch_parent(parent: int) -> None:
    """End this worker process when the process that started it is gone (killed with
    -9, its workers would otherwise wait on their call queue forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="prov-parent-watch").start()


def _prepared(
    files: list[Path], store: Store, workers: int | None
) -> Generator[tuple[int, Path, tuple[str, str], _Prepared], None, None]:
    """``(n, file, (shown, key), prepared)`` for each file, in order."""
    keyed = [(f, _names(f)) for f in files]
    procs = min(workers or os.cpu_count() or 1, (len(files) + POOL_CHUNK - 1) // POOL_CHUNK)
    if procs <= 1 or len(files) < POOL_MIN_FILES:
        for n, (f, names) in enumerate(keyed, 1):
            yield n, f, names, _prepare_file(f, names, store)
        return
    import multiprocessing  # (not on the path of a check: ~20 ms to import)
    from concurrent.futures import ProcessPoolExecutor

    chunks = [keyed[i : i + POOL_CHUNK] for i in range(0, len(keyed), POOL_CHUNK)]
    ctx = multiprocessing.get_context("spawn")
    init = (store.path, os.getpid())
    with ProcessPoolExecutor(procs, ctx, _init_add_worker, init) as pool:
        pending: deque[Future[list[_Prepared]]] = deque()
        it = iter(chunks)
        n = 0
        try:
            for chunk in it:
                pending.append(pool.submit(_prepare_chunk, chunk))
                if len(pending) >= 3 * procs:  # bounded: records hold the texts
                    break
            chunk_at = 0
            while pending:
                results = pending.popleft().result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.append(pool.submit(_prepare_chunk, nxt))
                for (f, names), res in zip(chunks[chunk_at], results, strict=True):
                    n += 1
                    yield n, f, names, res
                chunk_at += 1
        finally:
            for fut in pending:
                fut.cancel()


def _write(store: Store, f: Path, names: tuple[str, str], prepared: _Prepared) -> AddResult:
    """Write one prepared file; the index decides (files of this run included)."""
    shown, key = names
    if isinstance(prepared, InputError):
        return AddResult(shown, FAILED, 0, error=str(prepared))
    # Asked again here: a worker reads the index as last committed, this run's open
    # batch included only here (the same text twice in one run is a duplicate, and a
    # twin replaced earlier in this run no longer holds the text).
    sha256 = prepared.record.sha256 if isinstance(prepared, _Read) else prepared.sha256
    known = _in_index(store, names, sha256)
    if known is None and isinstance(prepared, Known):  # no longer in the index: read it
        prepared = _prepare_file(f, names, store)
        if isinstance(prepared, InputError):
            return AddResult(shown, FAILED, 0, error=str(prepared))
        known = prepared if isinstance(prepared, Known) else None
    if known is not None:
        if known.status == DUPLICATE:  # kept once, and findable under this path too
            store.put_alias(key, shown, known.source_id)
        return AddResult(shown, known.status, known.passages, same_as=known.same_as)
    assert isinstance(prepared, _Read)  # noqa: S101
    sid, replaced = store.put_record(prepared.record, defer_keys=True)
    put_vectors(store, sid, prepared.vectors)
    return AddResult(
        shown,
        REPLACED if replaced else ADDED,
        len(prepared.record.passages),
        warnings=prepared.warnings,
        other_passages=_other_language_passages(prepared.record),
    )


def _other_language_passages(rec: SourceRecord) -> int:
    """How many of a record's passages are in a language other than its main one."""
    main = (rec.lang, UNDETERMINED)
    starts = [b[0] for b in rec.blocks]
    other = 0
    for p in rec.passages:
        block = rec.blocks[max(0, bisect.bisect_right(starts, p[2]) - 1)]
        other += block[2] not in main
    return other


def _in_index(store: Store, names: tuple[str, str], sha256: str) -> Known | None:
    """What the index holds of this content already: the file under its path
    (unchanged, as a source or as an alias) or another path's source (duplicate)."""
    shown, key = names
    old = store.source_by_key(key, shown) or store.alias_by_key(key, shown)
    if old is not None and old.sha256 == sha256:
        return Known(UNCHANGED, old.passages, sha256)
    twin = store.source_by_sha(sha256)
    if twin is not None:
        return Known(DUPLICATE, twin.passages, sha256, twin.path, twin.id)
    return None


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
    out = step.vector_warnings(store)
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
    found, more = by_meaning(store, seg, found, policy, _prepared_source, compare_segmented)
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


def doctor(db: str | Path) -> tuple[bool, dict[str, Any]]:
    """Check an index's health; returns ``(healthy, report)``."""
    with Store.open(db) as store:
        report = store.health()
        report["kernel"] = kernel()
        report["semantic"] = step.doctor_report(store)
    healthy = (
        report["integrity"] == ["ok"]
        and not any(report["orphans"].values())
        and report["counts"]["band_keys"] == report["band_keys_expected"]
    )
    return healthy, report


def reindex(db: str | Path) -> int:
    """Rebuild every source's passages and keys from its stored text (after an upgrade).

    Safe beside a running ``add`` or ``remove``: sources are rebuilt outside any
    transaction, then written in batches (as ``add`` writes: :data:`ADD_BATCH` sources or
    :data:`ADD_BATCH_SECONDS`, one commit each; a commit per source cost one fsync each,
    9.5 min for 10,000 sources); the write checks each source again and leaves it alone
    if it was removed or replaced meanwhile (what replaced it was made by a current prov).
    With ``prov[semantic]`` the sources' sentence vectors are computed too (those of
    another encoder are dropped first). Returns how many sources were rebuilt.
    """
    with Store.open(db, check_version=False) as store:
        params = Params(**{**store.params.as_dict(), "norm_version": NORM_VERSION})
        if semantic():
            from provenance.index import vectors
            from provenance.semantic import encoder

            with store.transaction():
                vectors.drop_other(store, encoder.encoder_name())
        done = 0
        batch: list[tuple[int, str, SourceRecord, SourceVectors | None]] = []
        started = time.monotonic()

        def write() -> int:
            rewritten = 0
            with store.transaction():
                for sid, sha256, rec, sv in batch:
                    if store.rewrite_source(sid, sha256, rec):
                        rewritten += 1
                        put_vectors(store, sid, sv)
            batch.clear()
            return rewritten

        for sid in store.source_ids():
            texts = store.texts([sid])
            if not texts:  # removed since the list was read
                continue
            stored = texts[0]
            seg = prepare(stored.text)
            spans = index_spans(seg)
            fp = fingerprint(seg.norm.words, spans, params)
            rec = source_record(
                stored.path, stored.sha256, stored.text, stored.encoding, seg, spans, fp
            )
            if not batch:
                started = time.monotonic()
            batch.append((sid, stored.sha256, rec, source_vectors(seg)))
            if len(batch) >= ADD_BATCH or time.monotonic() - started >= ADD_BATCH_SECONDS:
                done += write()
        if batch:
            done += write()
        store.set_params(params)
        return done
