"""The whole path: files in, verified and scored matches out.

Each command of the CLI calls one function here. This module orchestrates the
stages; reading files and the database happens in ``ingest`` and ``store``.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.errors import InputError
from provenance.index.store import SourceRecord, SourceRow, Store, StoredText, source_record
from provenance.ingest.files import RawText, expand_paths, read_document
from provenance.match.align import align
from provenance.match.detect import MAX_DETECT_WORDS, Fragment, detect
from provenance.match.fingerprint import fingerprint, kernel, passage_hashes
from provenance.match.score import UNRELATED, CheckResult, CompareResult, Score, score
from provenance.params import DEFAULT_POLICY, NORM_VERSION, Params, Policy
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


def compare_segmented(source: Segmented, copy: Segmented, policy: Policy = DEFAULT_POLICY) -> Score:
    """Align and score ``copy`` against ``source``.

    A source with a translation beside it has two texts; the one the copy shares most
    words with is compared.
    """
    bounds = sorted({p.first for p in copy.passages} | {b.first for b in copy.blocks})
    copy_units = [(p.first, p.last) for p in copy.passages]
    too_long = max(len(source.norm), len(copy.norm)) > MAX_DETECT_WORDS
    best: Score | None = None
    for lang in source.languages():
        spans = [(p.first, p.last) for p in source.aligned_passages(lang)]
        alignment = align(source.norm.words, spans, copy.norm.words, policy.found, bounds)
        found = sum(m.src[1] - m.src[0] for m in alignment.matches)
        whole = found >= policy.complete * sum(e - s for s, e in spans)
        # a copy aligned word by word almost whole needs no search for reworded text
        fragments: tuple[Fragment, ...] | None = ()
        if not whole and too_long:
            fragments = None  # not searched: score() says so
        elif not whole:
            fragments = detect(source.norm.words, spans, copy.norm.words, copy_units)
        s = score(source, copy, alignment, policy, lang, fragments)
        if best is None or (s.copied_words, s.found_words, s.source_coverage) > (
            best.copied_words,
            best.found_words,
            best.source_coverage,
        ):
            best = s
    assert best is not None  # noqa: S101 - languages() is never empty
    return best


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
    s = compare_segmented(src_seg or prepare(source.text), prepare(copy.text), policy)
    return CompareResult(
        source.path, copy.path, source.sha256, copy.sha256, s, source.text, copy.text
    )


def compare(source: str | Path, copy: str | Path, policy: Policy = DEFAULT_POLICY) -> CompareResult:
    """Compare two files directly (no index)."""
    return _result(read_document(source), read_document(copy), policy)


def _key(path: Path) -> str:
    return os.path.normpath(str(path))


def add(
    paths: Iterable[str | Path],
    db: str | Path,
    params: Params | None = None,
    workers: int | None = 1,
) -> Iterator[AddResult]:
    """Register canonical texts (files, or the text files under folders).

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
    with Store.open(db, create=True, params=params) as store:
        prepared = _prepared(files, store, workers)
        try:
            while True:
                batch: list[AddResult] = []
                started = time.monotonic()
                with store.transaction():
                    for n, key, rec in prepared:
                        batch.append(replace(_write(store, key, rec), done=n, total=total))
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

#: What a worker returns for a file: its record, or ``(status, passages, same_as)``
#: for a file whose content is already in the index, or the error.
_Prepared = SourceRecord | tuple[str, int, str] | InputError


def _prepare_file(f: Path, key: str, store: Store) -> _Prepared:
    """Read, segment and fingerprint one file (in a worker, with its own read-only use
    of the index, or in the calling process); a file whose content is in the index
    already is only read."""
    try:
        raw = read_document(f)
        known = _in_index(store, key, raw.sha256)
        if known is not None:
            return known
        seg = prepare(raw.text)
        spans = index_spans(seg)
        if not spans:
            raise InputError(f"{f}: no body text to index (only boilerplate or headings)")
        fp = fingerprint(seg.norm.words, spans, store.params)
        return source_record(key, raw.sha256, raw.text, raw.encoding, seg, spans, fp)
    except InputError as e:
        return e


_worker: dict[str, Any] = {}


def _init_add_worker(db: str, parent: int) -> None:
    watch_parent(parent)
    _worker["store"] = Store.open(db)


def _prepare_chunk(chunk: list[tuple[Path, str]]) -> list[_Prepared]:
    return [_prepare_file(f, key, _worker["store"]) for f, key in chunk]


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
) -> Generator[tuple[int, str, _Prepared], None, None]:
    """``(n, key, prepared)`` for each file, in order."""
    keyed = [(f, _key(f)) for f in files]
    procs = min(workers or os.cpu_count() or 1, (len(files) + POOL_CHUNK - 1) // POOL_CHUNK)
    if procs <= 1 or len(files) < POOL_MIN_FILES:
        for n, (f, key) in enumerate(keyed, 1):
            yield n, key, _prepare_file(f, key, store)
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
                for (_, key), res in zip(chunks[chunk_at], results, strict=True):
                    n += 1
                    yield n, key, res
                chunk_at += 1
        finally:
            for fut in pending:
                fut.cancel()


def _write(store: Store, key: str, prepared: _Prepared) -> AddResult:
    """Write one prepared file; the index decides (files of this run included)."""
    if isinstance(prepared, InputError):
        return AddResult(key, FAILED, 0, error=str(prepared))
    # Asked again here: a worker reads the index as last committed, this run's open
    # batch included only here (the same text twice in one run is a duplicate).
    known = prepared if isinstance(prepared, tuple) else _in_index(store, key, prepared.sha256)
    if known is not None:
        status, passages, same_as = known
        return AddResult(key, status, passages, same_as=same_as)
    assert isinstance(prepared, SourceRecord)  # noqa: S101
    replaced = store.put_record(prepared, defer_keys=True)
    return AddResult(key, REPLACED if replaced else ADDED, len(prepared.passages))


def _in_index(store: Store, key: str, sha256: str) -> tuple[str, int, str] | None:
    """``(status, passages, same_as)`` when the content is in the index already: under
    this path (unchanged) or another (duplicate)."""
    old = store.source_by_path(key)
    if old is not None and old.sha256 == sha256:
        return (UNCHANGED, old.passages, "")
    twin = store.source_by_sha(sha256)
    if twin is not None and twin.path != key:
        return (DUPLICATE, twin.passages, twin.path)
    return None


def check(
    suspects: Sequence[str | Path], db: str | Path, top: int = 5, policy: Policy = DEFAULT_POLICY
) -> Iterator[CheckResult]:
    """Find the sources each suspect copies, verified by alignment, best first.

    A suspect that cannot be read gives a result with ``error`` set; the others go on.
    """
    with Store.open(db) as store:
        for path in suspects:
            try:
                raw = read_document(path)
            except InputError as e:  # one bad suspect does not stop the others
                yield CheckResult(str(path), "", (), 0, error=str(e))
                continue
            yield check_text(store, raw, top, policy)


def check_text(
    store: Store, raw: RawText, top: int, policy: Policy = DEFAULT_POLICY
) -> CheckResult:
    """Check one decoded suspect against an open index."""
    seg = prepare(raw.text)
    found, candidates = find_sources(store, seg, top, policy)
    matches = tuple(
        CompareResult(stored.path, raw.path, stored.sha256, raw.sha256, s, stored.text, raw.text)
        for stored, s in found
    )
    return CheckResult(raw.path, raw.sha256, matches, candidates)


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
    for row, sid, _pid in store.lookup(fp.keys):
        if (row, sid) not in seen:
            seen.add((row, sid))
            votes[sid] += 1
    ids = [sid for sid, _ in votes.most_common(max(MAX_CANDIDATES, 4 * top))]
    found = []
    for stored in store.texts(ids):
        s = compare_segmented(prepare(stored.text), seg, policy)
        if s.verdict != UNRELATED:
            found.append((stored, s))
    found.sort(
        key=lambda m: (
            -m[1].copy_coverage * m[1].copy_words,
            -m[1].source_coverage,
            -m[1].fidelity,
            m[0].path,
        )
    )
    return found[:top], len(ids)


def sources(db: str | Path) -> list[SourceRow]:
    """The sources in the index."""
    with Store.open(db) as store:
        return store.sources()


def remove(db: str | Path, path: str) -> SourceRow:
    """Remove a source by the path it was added under."""
    with Store.open(db) as store, store.transaction():
        return store.remove(_key(Path(path)))


def doctor(db: str | Path) -> tuple[bool, dict[str, Any]]:
    """Check an index's health; returns ``(healthy, report)``."""
    with Store.open(db) as store:
        report = store.health()
    report["kernel"] = kernel()
    healthy = (
        report["integrity"] == ["ok"]
        and not any(report["orphans"].values())
        and report["counts"]["band_keys"] == report["band_keys_expected"]
    )
    return healthy, report


def reindex(db: str | Path) -> int:
    """Rebuild every source's passages and keys from its stored text (after an upgrade)."""
    with Store.open(db, check_version=False) as store:
        params = Params(**{**store.params.as_dict(), "norm_version": NORM_VERSION})
        rows = store.sources()
        for row in rows:
            (stored,) = store.texts([row.id])
            seg = prepare(stored.text)
            spans = index_spans(seg)
            fp = fingerprint(seg.norm.words, spans, params)
            with store.transaction():
                store.put_record(
                    source_record(
                        row.path, row.sha256, stored.text, stored.encoding, seg, spans, fp
                    )
                )
        store.set_params(params)
        return len(rows)
