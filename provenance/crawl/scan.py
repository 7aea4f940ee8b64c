"""The nightly crawl job: pages in, verified matches kept in the database.

``scan`` streams the input (folders, HTML, WARC, JSONL: ``ingest_web.iter_pages``), skips
what it has recorded before, sends the rest to a pool of worker processes (``work.Pool``:
each opens the index read-only and runs ``verify.find_sources``: normalise, segment,
fingerprint, look up, align, score), and writes the results from this one process, in
short transactions. Killed at any moment, a rerun of the same command finishes the
work: a page is recorded with its results in one transaction or not at all, and a
recorded page is skipped (``documents`` is unique on ``(key, sha256)``).
"""

from __future__ import annotations

import datetime
import itertools
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from provenance.crawl.scanstore import CHECKED, SEEN, Change, ScanStore, record_date
from provenance.crawl.work import PageCheck, Pool
from provenance.errors import InputError
from provenance.index.store import Store
from provenance.ingest.files import Page, storable
from provenance.ingest.web import SCAN_SUFFIXES, has_targets, iter_input_pages
from provenance.match.copies import is_copy
from provenance.match.risk import MEANING_RISKS
from provenance.params import DEFAULT_POLICY, Policy
from provenance.pipeline import STOCK_MIN_DOCS
from provenance.text.dates import bounded

#: Pages written per transaction at most, and seconds per transaction.
WRITE_BATCH = 100
WRITE_BATCH_SECONDS = 0.25
#: Checked pages whose results wait to be written together (in one transaction, once
#: all of them are checked), beyond those in the workers' hands; and the characters of
#: page text the scan holds at most before it writes (a crawl of huge pages stays flat).
WRITE_QUEUE = 32
QUEUED_CHARS = 8_000_000


@dataclass(slots=True)
class ScanStats:
    """What a scan did (updated as it goes, for the progress display).

    Attributes:
        read: pages read from the input (errors included).
        skipped: pages recorded by an earlier run over the same input (not counted again).
        seen: new pages whose content was checked before (not checked again).
        checked: pages checked against the index in this run.
        rechecked: stored contents checked again against a changed index (``--recheck``).
        errors: pages that could not be read (recorded with the reason).
        changed: pages at a known URL whose content changed since its last version.
        verdicts: pages of this run by the verdict of their best match.
        problems: one message per named input that gave nothing to check: missing
            (not scanned), or without one readable page (an empty folder, a folder of
            other kinds of files, files that could not be read). The scan is not a
            success then (``prov scan`` exits 3).
        risky: meaning-changing alterations in the copies checked in this run (not in
            the partial matches of pages that only share passages with a source).
    """

    read: int = 0
    skipped: int = 0
    seen: int = 0
    checked: int = 0
    rechecked: int = 0
    errors: int = 0
    changed: int = 0
    risky: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


# -- the writer side -------------------------------------------------------------------


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Writer:
    """Short write transactions: at most ``WRITE_BATCH`` pages or one second each."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.open = False
        self.count = 0
        self.since = 0.0

    def __enter__(self) -> _Writer:
        if not self.open:
            self.store.begin()
            self.open, self.count, self.since = True, 0, time.monotonic()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.store.rollback()
            self.open = False
            return
        self.count += 1
        if self.count >= WRITE_BATCH or time.monotonic() - self.since > WRITE_BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.open:
            self.store.commit()
            self.open = False


_T = TypeVar("_T")


def _committed_first(pages: Iterable[_T], writer: _Writer) -> Iterator[_T]:
    """The pages, with what was written committed before each is read: reading a page
    can take long (a huge HTML file), and a scan must not hold the write lock meanwhile."""
    it = iter(pages)
    while True:
        writer.flush()
        try:
            page = next(it)
        except StopIteration:
            return
        yield page


def scan(
    inputs: Iterable[str | Path],
    db: str | Path,
    *,
    workers: int | None = None,
    recheck: bool = False,
    stock_min: int = STOCK_MIN_DOCS,
    policy: Policy = DEFAULT_POLICY,
    on_progress: Callable[[ScanStats], None] | None = None,
) -> ScanStats:
    """Compare every new page of the input with the index and keep the results.

    Args:
        inputs: folders and files (text, HTML, WARC, JSONL).
        db: the index (it must exist: add sources first).
        workers: processes that check pages (default: one per core).
        recheck: also check again every stored page content last checked before the
            index changed (sources added or removed since).
        stock_min: a passage seen outside copied text in this many pages proposes
            nothing (0 turns stock phrases off).
        on_progress: called with the running figures after each page.
    """
    stats = ScanStats()
    named = [os.path.normpath(os.fspath(p)) for p in inputs]
    missing = [p for p in named if not os.path.lexists(p)]
    if missing and len(missing) == len(named) and not recheck:  # nothing to do: a typo?
        raise InputError(f"{', '.join(map(storable, missing))}: no such file or folder")
    named = [p for p in named if p not in missing]
    stats.problems.extend(
        f"{storable(p)}: no such file or folder (not scanned; the other inputs were)"
        for p in missing
    )
    seen, readable = [0] * len(named), [0] * len(named)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    with Store.open(db) as store, store.exclusive("scan"):
        results = ScanStore(store)
        store.complete_pending()  # (if an add runs, lookups read its pending sources)
        version = store.index_version()
        pool = Pool(store.path, n_workers, stock_min, policy, store)
        writer = _Writer(store)
        # (page or stored content, its check or None: to be written as read, its characters)
        pending: deque[tuple[Page | str, Future[PageCheck] | None, int]] = deque()
        inflight: set[str] = set()
        limit = max(4, 4 * n_workers)
        queued = 0  # characters of the pending pages' texts

        def progress() -> None:
            stats.seconds = time.monotonic() - stats.started
            if on_progress is not None:
                on_progress(stats)

        def queue(item: Page | str, text: str | None) -> None:
            """Send a page (or a stored content) to be checked, or with no text keep it
            to be written in its turn (an unreadable page, a content checked before).
            Pages are written in the order read, in batches once ``WRITE_QUEUE`` pages
            beyond those in the workers' hands wait."""
            nonlocal queued
            if text is None:
                pending.append((item, None, 0))
            else:
                if pool.inline:
                    writer.flush()  # checking here: hold no write lock meanwhile
                pending.append((item, pool.submit(text), len(text)))
                queued += len(text)
            if len(pending) >= limit + WRITE_QUEUE or queued > QUEUED_CHARS:
                drain(limit)

        def drain(keep: int) -> None:
            """Write the oldest pending pages until ``keep`` are left: a batch is waited
            for whole, holding no write lock, then written in one transaction (one
            commit a batch, not one a page)."""
            while len(pending) > keep:
                batch = min(len(pending) - keep, WRITE_BATCH)
                futures = [f for _, f, _ in itertools.islice(pending, batch) if f is not None]
                if not all(f.done() for f in futures):
                    pool.send()
                    writer.flush()  # hold no write lock while a worker is busy
                    wait(futures)
                for _ in range(batch):
                    write(*pending.popleft())

        def write(item: Page | str, fut: Future[PageCheck] | None, chars: int) -> None:
            nonlocal queued
            queued -= chars
            if fut is None:
                assert isinstance(item, Page)  # noqa: S101
                if item.error:
                    with writer:
                        results.record_error(item, _now())
                    stats.errors += 1
                else:  # a content checked before, or by a page before this one
                    change = _version_change(results, item, pool, writer)
                    with writer:
                        _write_seen(results, item, stats, change)
                progress()
                return
            check = fut.result()
            change = None if isinstance(item, str) else _version_change(results, item, pool, writer)
            with writer:
                if isinstance(item, str):
                    results.replace_matches(item, check.findings, version, _now())
                    stats.rechecked += 1
                else:
                    inflight.discard(item.sha256)
                    _write_checked(results, item, check, version, stats, change)
            progress()

        try:
            for n, page in _committed_first(iter_input_pages(named), writer):
                stats.read += 1
                seen[n] += 1
                readable[n] += not page.error
                if results.has_document(page.key, "" if page.error else page.sha256):
                    stats.skipped += 1
                elif page.error or page.sha256 in inflight:  # (in flight: a mirror)
                    queue(page, None)
                else:
                    checked = results.checked_version(page.sha256)
                    if checked is not None and not (recheck and checked < version):
                        queue(page, None)
                    else:
                        inflight.add(page.sha256)
                        queue(page, page.text)
                progress()
            drain(0)
            if recheck:
                for sha, text in results.stale_contents(version):
                    queue(sha, text)
                drain(0)
        finally:
            writer.flush()
            pool.close()
        progress()
    for path, pages, good in zip(named, seen, readable, strict=True):
        if pages and not good:
            what = "its only page could not" if pages == 1 else f"none of its {pages:,} pages could"
            stats.problems.append(f"{storable(path)}: {what} be read (`prov errors` lists why)")
        elif not pages and not has_targets(path):  # (pages of a path named twice: once)
            kinds = ", ".join(SCAN_SUFFIXES)
            stats.problems.append(f"{storable(path)}: nothing to scan (no {kinds} files in it)")
    return stats


def _version_change(results: ScanStore, page: Page, pool: Pool, writer: _Writer) -> Change | None:
    """What changed since the page's previous version, if it has one: compared by a
    worker while the writer holds no write lock (a pair of long versions costs the scan
    one worker's bounded alignment, not the writer's time)."""
    if page.kind in ("jsonl", "warc") and page.url == page.key:
        # a record without a URL is named by its place in its file (path:line): another
        # text at that place later is another page, not a new version of this one
        return None
    prev = results.previous(page.url, page.sha256)
    if prev is None:
        return None
    prev_id, prev_text = prev
    writer.flush()
    return Change(prev_id, pool.compare(prev_text, page.text).result())


def _record_change(
    results: ScanStore, document_id: int, change: Change | None, stats: ScanStats
) -> None:
    if change is not None:
        results.record_change(document_id, change)
        stats.changed += 1


def _write_checked(
    results: ScanStore,
    page: Page,
    check: PageCheck,
    version: int,
    stats: ScanStats,
    change: Change | None,
) -> None:
    now = _now()
    results.record_content(page, check.lang, check.words, check.findings, version, now)
    doc = results.record_document(page, CHECKED, now, None)
    _record_change(results, doc, change, stats)
    results.count_free_passages(check.free_passages)
    stats.checked += 1
    if check.findings:
        stats.verdicts[check.findings[0].score.verdict] += 1
        # only copies: a page that shares passages with a source changed nothing of it;
        # and a page older than its source may be the original: differences, not changes
        existed_by = record_date(page)
        stats.risky += sum(
            1
            for f in check.findings
            if is_copy(f.score) and (f.dates is None or bounded(f.dates, existed_by) != "copy")
            for a in f.score.alterations
            if a.risk in MEANING_RISKS
        )


def _write_seen(results: ScanStore, page: Page, stats: ScanStats, change: Change | None) -> None:
    doc = results.record_document(page, SEEN, _now(), None)
    _record_change(results, doc, change, stats)
    stats.seen += 1
    best = results.best_verdict(page.sha256)
    if best:
        stats.verdicts[best] += 1


# -- what `prov results`, `history` and `clusters` ask ---------------------------------


def results(
    db: str | Path, since: str | None = None, verdict: str | None = None
) -> list[dict[str, Any]]:
    """Every (page, source) match, newest scan first."""
    with Store.open(db) as store:
        return ScanStore(store).results(since=since, verdict=verdict)


def errors(db: str | Path, since: str | None = None) -> list[dict[str, Any]]:
    """The pages scans could not read, newest first, with the reason (not those read
    since)."""
    with Store.open(db) as store:
        return ScanStore(store).errors(since=since)


def scanned(db: str | Path) -> tuple[int, int]:
    """How many pages the scans recorded, and how many (page, source) matches."""
    with Store.open(db) as store:
        return ScanStore(store).totals()


def history(db: str | Path, url: str) -> list[dict[str, Any]]:
    """The versions of a URL, oldest first, with what changed between them."""
    with Store.open(db) as store:
        return ScanStore(store).history(storable(url))


def clusters(db: str | Path) -> list[dict[str, Any]]:
    """Pages grouped by the source they copy."""
    with Store.open(db) as store:
        return ScanStore(store).clusters()
