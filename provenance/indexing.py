"""Building and keeping the index: ``add``, ``reindex`` and ``doctor``.

``add`` reads, segments and fingerprints source files (in worker processes for a large
folder) and writes them in batched transactions; ``reindex`` rebuilds every stored
source after an upgrade; ``doctor`` checks the index's health. The CLI calls these
commands here; the stages they run (``prepare``, ``index_spans``) are ``pipeline``'s,
and reading files and the database happens in ``ingest`` and ``store``.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.errors import InputError
from provenance.index.records import SourceRecord, source_record
from provenance.index.store import Store
from provenance.index.vectors import SourceVectors, check_encoder
from provenance.ingest.files import expand_paths, read_document
from provenance.match.fingerprint import fingerprint, kernel
from provenance.params import NORM_VERSION, Params
from provenance.pipeline import index_spans, prepare, source_names
from provenance.semantic import step
from provenance.semantic.step import put_vectors, semantic, source_vectors
from provenance.text.language import UNDETERMINED

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Sources written per transaction by ``add`` at most, and seconds per transaction.
ADD_BATCH = 200
ADD_BATCH_SECONDS = 1.0

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
                failed.append(AddResult(source_names(f)[0], FAILED, 0, error=str(e)))
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
        known = in_index(store, names, raw.sha256)
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
    keyed = [(f, source_names(f)) for f in files]
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
    known = in_index(store, names, sha256)
    if known is None and isinstance(prepared, Known):  # no longer in the index: read it
        prepared = _prepare_file(f, names, store)
        if isinstance(prepared, InputError):
            return AddResult(shown, FAILED, 0, error=str(prepared))
        known = prepared if isinstance(prepared, Known) else None
    if known is not None:
        return put_known(store, names, known)
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


def in_index(store: Store, names: tuple[str, str], sha256: str) -> Known | None:
    """What the index holds of this content already: the file under its path
    (unchanged, as a source or as an alias) or another path's source (duplicate).
    ``names``: the path as shown and as filed (see :func:`pipeline.source_names`)."""
    shown, key = names
    old = store.source_by_key(key, shown) or store.alias_by_key(key, shown)
    if old is not None and old.sha256 == sha256:
        return Known(UNCHANGED, old.passages, sha256)
    twin = store.source_by_sha(sha256)
    if twin is not None:
        return Known(DUPLICATE, twin.passages, sha256, twin.path, twin.id)
    return None


def put_known(store: Store, names: tuple[str, str], known: Known) -> AddResult:
    """Record a path whose content the index holds already (call inside a
    transaction): a duplicate is kept once and filed under this path too, which then
    no longer holds a text of its own."""
    shown, key = names
    if known.status == DUPLICATE:
        store.put_alias(key, shown, known.source_id)
    return AddResult(shown, known.status, known.passages, same_as=known.same_as)


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
