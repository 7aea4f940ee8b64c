"""What the server does with the index: the same library calls as the CLI's commands.

:class:`Service` owns a fixed pool of threads, each with its own connection to the index,
opened once (SQLite connections belong to the thread that opened them); every read runs
on one of them, so a warm check costs what it costs in-process, and the event loop never
waits on SQLite. Writes (adding and removing sources) open a connection of their own for
their one transaction, as ``prov add`` would, while readers go on (WAL).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from provenance import indexing, pipeline, verify
from provenance.crawl.scanstore import ScanStore
from provenance.errors import InputError, NotFound
from provenance.index.records import SourceRow, source_record
from provenance.index.store import Store
from provenance.index.vectors import SourceVectors
from provenance.ingest.decode import decode_text
from provenance.ingest.files import RawText, web_text
from provenance.match.fingerprint import fingerprint
from provenance.match.results import CheckResult, CompareResult
from provenance.params import DEFAULT_POLICY
from provenance.semantic import step
from provenance.text.segment import Segmented

T = TypeVar("T")

#: Milliseconds a request waits for a lock on the index before the server answers 503.
BUSY_MS = 5_000
#: Most matches a check may ask for.
MAX_TOP = 50
#: Seconds a health check (``prov doctor``, which reads the whole index) is reused for.
HEALTH_MAX_AGE = 60.0


@dataclass(frozen=True, slots=True)
class ResultFilter:
    """What the scan results page and ``GET /api/results`` filter on."""

    verdict: str = ""
    meaning_changed: bool | None = None
    since: str = ""
    until: str = ""
    url: str = ""
    limit: int = 100
    offset: int = 0


def document(name: str, data: bytes, charset: str | None = None) -> RawText:
    """Bytes received (an upload, a request body) read as ``prov check`` reads a file of
    that name: an ``.html``/``.htm`` page by its main text, anything else as text. A
    declared ``charset`` (an HTTP body's) is read by the web's rules, as ``scan`` does."""
    html = name.lower().endswith((".html", ".htm"))
    digest = hashlib.sha256(data).hexdigest()
    if not html and charset is None:
        d = decode_text(data, name)  # stray control characters ignored, with a warning
        return RawText(name, d.text, digest, d.encoding, d.warnings)
    text = web_text(name, data, charset, html=html, what="HTML page" if html else "body")
    return RawText(name, text, digest, charset or "utf-8")


def pasted(name: str, text: str) -> RawText:
    """Text typed or pasted into a form or sent as a JSON string."""
    return document(name, text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Health:
    """A ``prov doctor`` answer, when it was made and for which index version."""

    healthy: bool
    report: dict[str, Any]
    checked_at: float
    version: int


class Service:
    """The index, opened once per worker thread, and the operations on it."""

    def __init__(self, db: str | Path, threads: int = 4, busy_ms: int = BUSY_MS) -> None:
        self.db = str(db)
        self.busy_ms = busy_ms
        self._health: Health | None = None
        self._health_lock = threading.Lock()
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="prov-index")

    def open_check(self) -> None:
        """Open the index once here, so that a missing or foreign file stops the start."""
        with Store.open(self.db):
            pass

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on an index thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args))

    def store(self) -> Store:
        """This thread's connection to the index (opened at its first use)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store.open(self.db)
            store.db.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")
            self._local.store = store
        return store

    # -- reads -----------------------------------------------------------------------

    def check(self, raw: RawText, top: int) -> CheckResult:
        return pipeline.check_text(self.store(), raw, max(1, min(top, MAX_TOP)))

    def compare(self, source: RawText, copy: RawText) -> CompareResult:
        """Two texts compared directly, as ``prov compare`` compares two files."""
        s = verify.compare_segmented(
            pipeline.prepare(source.text), pipeline.prepare(copy.text), by_meaning=True
        )
        return CompareResult(
            source.path, copy.path, source.sha256, copy.sha256, s, source.text, copy.text
        )

    def sources(self, query: str = "") -> list[SourceRow]:
        rows = pipeline.source_rows(self.store())
        q = query.strip().casefold()
        return [r for r in rows if q in r.path.casefold()] if q else rows

    def health(self, max_age: float = HEALTH_MAX_AGE) -> tuple[bool, dict[str, Any]]:
        """``prov doctor``'s answer: the last one if it is younger than ``max_age`` seconds
        and the index has not changed since, else a new one (one at a time)."""
        with self._health_lock:
            cached = self._health
            if cached is not None and self._health_fresh(cached, max_age):
                return cached.healthy, cached.report
            healthy, report = indexing.doctor(self.db)
            self._health = Health(healthy, report, time.time(), self._version())
            return healthy, report

    def last_health(self) -> Health | None:
        """The last health check, if there was one (never starts one: it reads the whole
        index, which takes a while on a large one)."""
        return self._health

    def _health_fresh(self, h: Health, max_age: float) -> bool:
        return time.time() - h.checked_at <= max_age and h.version == self._version()

    def _version(self) -> int:
        return self.store().index_version()

    def results(self, f: ResultFilter) -> tuple[list[dict[str, Any]], int]:
        """The scan's matches, newest first, filtered; and how many there are in all."""
        rows = ScanStore(self.store()).results(since=f.since or None, verdict=f.verdict or None)
        if f.meaning_changed is not None:
            rows = [r for r in rows if bool(r["meaning_changed"]) is f.meaning_changed]
        if f.until:
            rows = [r for r in rows if (r["scanned_at"] or "") <= _day_end(f.until)]
        if f.url:
            q = f.url.casefold()
            rows = [r for r in rows if q in (r["url"] or r["key"] or "").casefold()]
        return rows[f.offset : f.offset + f.limit], len(rows)

    def history(self, url: str) -> list[dict[str, Any]]:
        return ScanStore(self.store()).history(url)

    def page_report(self, sha256: str, source: str, url: str) -> CompareResult:
        """A scanned page (by its content's digest) compared again with a source."""
        store = self.store()
        text = ScanStore(store).content_text(sha256)
        if text is None:
            raise NotFound(f"no scanned page content {sha256[:16]}… in {self.db}")
        row = store.source_by_path(source)
        if row is None:
            raise NotFound(f"{source}: no such source in {self.db} (removed since the scan?)")
        (stored,) = store.texts([row.id])
        src, seg = pipeline.prepare(stored.text), pipeline.prepare(text)
        # translated and reworded passages as the scan found them: the stored vectors
        s = verify.compare_segmented(src, seg)
        s = step.with_stored(store, row.id, src, seg, s, DEFAULT_POLICY)
        return CompareResult(
            stored.path, url or sha256, stored.sha256, sha256, s, stored.text, text
        )

    # -- writes ----------------------------------------------------------------------

    def add(self, raw: RawText) -> indexing.AddResult:
        """Add one source under ``raw.path``, as ``prov add`` adds a file."""
        key = os.path.normpath(raw.path)
        seg = pipeline.prepare(raw.text)
        spans = pipeline.index_spans(seg)
        if not spans:
            raise InputError(f"{raw.path}: no body text to index (only boilerplate or headings)")
        sv = step.source_vectors(seg)  # (slow: before the write lock is taken)
        with Store.open(self.db) as store:
            store.db.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")
            with store.transaction():
                return self._put(store, key, raw, seg, spans, sv)

    def _put(
        self,
        store: Store,
        key: str,
        raw: RawText,
        seg: Segmented,
        spans: list[tuple[int, int]],
        sv: SourceVectors | None,
    ) -> indexing.AddResult:
        """Write the source, and its sentence vectors ``sv`` as ``prov add`` does."""
        known = indexing.in_index(store, (key, key), raw.sha256)
        if known is not None:
            return indexing.put_known(store, (key, key), known)
        fp = fingerprint(seg.norm.words, spans, store.params)
        rec = source_record(key, raw.sha256, raw.text, raw.encoding, seg, spans, fp)
        sid, replaced = store.put_record(rec)
        step.put_vectors(store, sid, sv)
        status = indexing.REPLACED if replaced else indexing.ADDED
        return indexing.AddResult(key, status, len(rec.passages))

    def remove(self, path: str) -> SourceRow:
        return pipeline.remove(self.db, path)


def _day_end(day: str) -> str:
    """An ``until`` date as the last moment of that day (a full time stays as it is)."""
    return day + "T23:59:59Z" if len(day) == 10 else day
