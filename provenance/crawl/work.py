"""Stage: checking pages in worker processes (the scan's worker side).

``scan.scan`` submits each page text to a :class:`Pool`: worker processes, spawned,
each with the index opened read-only, that run ``verify.find_sources`` on a few pages a
task (normalise, segment, fingerprint, look up, align, score) and answer with a
:class:`PageCheck`; or this process when the scan has one worker. Two versions of one
URL are compared here too (:func:`compare_versions`), never in the scan's writer. The
functions the pool runs are at module level: a spawned worker finds them by name.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from provenance.crawl.scanstore import Finding
from provenance.index.store import Store
from provenance.indexing import watch_parent
from provenance.match.fingerprint import passage_hashes
from provenance.match.results import Score
from provenance.params import Policy
from provenance.pipeline import prepare, source_dates
from provenance.verify import compare_segmented, find_sources

#: Matches kept per page at most.
MATCHES_PER_PAGE = 10
#: Pages a worker is sent at once (one task: fewer messages between the processes).
PAGES_PER_TASK = 4


@dataclass(frozen=True, slots=True)
class PageCheck:
    """A worker's answer for one page text."""

    lang: str
    words: int
    findings: tuple[Finding, ...]
    free_passages: tuple[int, ...]


_worker: dict[str, object] = {}


def _init_worker(db: str, stock_min: int, policy: Policy, parent: int) -> None:
    watch_parent(parent)
    _worker["store"] = Store.open(db)
    _worker["stock_min"] = stock_min
    _worker["policy"] = policy


def _check_in_worker(texts: list[str]) -> list[PageCheck]:
    store = _worker["store"]
    assert isinstance(store, Store)  # noqa: S101
    stock_min = _worker["stock_min"]
    policy = _worker["policy"]
    assert isinstance(stock_min, int) and isinstance(policy, Policy)  # noqa: S101
    return [check_page(store, text, stock_min, policy) for text in texts]


def compare_versions(prev_text: str, text: str, policy: Policy) -> Score:
    """What changed from one version of a page to the next (in a worker: two long
    versions take a worker, never the writer, the time of one bounded alignment)."""
    return compare_segmented(prepare(prev_text), prepare(text), policy)


def _compare_in_worker(prev_text: str, text: str) -> Score:
    policy = _worker["policy"]
    assert isinstance(policy, Policy)  # noqa: S101
    return compare_versions(prev_text, text, policy)


def check_page(store: Store, text: str, stock_min: int, policy: Policy) -> PageCheck:
    """Check one page's text against the index."""
    seg = prepare(text)
    norm = seg.norm
    hashes = passage_hashes(norm.words, [(p.first, p.last) for p in seg.passages])
    found, _ = find_sources(store, seg, MATCHES_PER_PAGE, policy, stock_min, hashes)
    findings = tuple(
        Finding(stored.id, stored.path, s, source_dates(stored, text)) for stored, s in found
    )
    # a sentence seen only as a quote may be a stock phrase (a footer on many pages): it
    # is learned as one unless it stands inside a longer copy
    covered = sorted(
        pair.copy_span
        for f in findings
        if f.score.extent != "quote"
        for pair in f.score.pairs
        if pair.found
    )
    free = []
    for p, h in zip(seg.passages, hashes, strict=True):
        start, end = norm.starts[p.first], norm.ends[p.last - 1]
        if not any(a < end and start < b for a, b in covered):
            free.append(h)
    return PageCheck(seg.lang, seg.body_words(), findings, tuple(free))


class Pool:
    """Worker processes, or this process when ``workers`` is 1."""

    def __init__(self, db: str, workers: int, stock_min: int, policy: Policy, store: Store):
        self.inline = workers <= 1
        self.store, self.stock_min, self.policy = store, stock_min, policy
        self.waiting: list[tuple[str, Future[PageCheck]]] = []  # not sent yet
        self.executor = (
            None
            if self.inline
            # spawned, not forked: a forked worker would inherit the scan lock and keep
            # it after the scan is killed
            else ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(db, stock_min, policy, os.getpid()),
            )
        )

    def submit(self, text: str) -> Future[PageCheck]:
        """A page's check: done here at once, or sent to a worker with the pages
        submitted with it (``PAGES_PER_TASK`` a task, or fewer when :meth:`send` is
        called: before a future is waited for)."""
        fut: Future[PageCheck] = Future()
        if self.executor is None:
            fut.set_result(check_page(self.store, text, self.stock_min, self.policy))
            return fut
        self.waiting.append((text, fut))
        if len(self.waiting) >= PAGES_PER_TASK:
            self.send()
        return fut

    def send(self) -> None:
        """Send the pages submitted and not sent yet to a worker, as one task."""
        if not self.waiting or self.executor is None:
            return
        futures = [fut for _, fut in self.waiting]
        task = self.executor.submit(_check_in_worker, [text for text, _ in self.waiting])
        self.waiting = []

        def done(task: Future[list[PageCheck]]) -> None:
            if task.cancelled():  # (the scan is ending: nobody waits for these)
                for fut in futures:
                    fut.cancel()
                return
            error = task.exception()
            if error is not None:
                for fut in futures:
                    fut.set_exception(error)
                return
            for fut, check in zip(futures, task.result(), strict=True):
                fut.set_result(check)

        task.add_done_callback(done)

    def compare(self, prev_text: str, text: str) -> Future[Score]:
        if self.executor is None:
            fut: Future[Score] = Future()
            fut.set_result(compare_versions(prev_text, text, self.policy))
            return fut
        self.send()  # (the pages before it keep the other workers busy meanwhile)
        return self.executor.submit(_compare_in_worker, prev_text, text)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
