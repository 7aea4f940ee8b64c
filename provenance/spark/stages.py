"""The executor side of ``prov spark-scan``: provenance's own stages, one row at a time.

Every function here is module-level and picklable: Spark ships references to them to the
executors, which import this module (and prov) without a SparkSession and without
pyspark at import time (``Row`` is only a type). They read page and source files
(``ingest``), turn Parquet rows into pages, fingerprint page contents and sources, and
align and score candidate pairs (``pipeline``), the same code ``prov scan`` runs; the
driver that wires them into a job is :mod:`provenance.spark.driver`.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from provenance.crawl.scanstore import date_columns, dates_of, record_date
from provenance.errors import InputError
from provenance.index.records import StoredText
from provenance.ingest.files import Page, read_text
from provenance.ingest.web import iter_pages
from provenance.match.copies import passage_dicts
from provenance.match.evidence import UNRELATED
from provenance.match.fingerprint import fingerprint
from provenance.match.results import Alteration, Score
from provenance.params import Params, Policy
from provenance.pipeline import index_spans, prepare, source_dates
from provenance.spark import meaning as meaning_stage
from provenance.text.dates import Direction, bounded
from provenance.text.segment import Segmented
from provenance.verify import compare_segmented

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import Row

#: Prepared sources an executor keeps between pages (each is aligned with many pages).
SOURCE_CACHE = 64
#: The columns of the pages table, in the order :func:`read_page_files` yields them
#: (``warnings``: how the page was read, a JSON list, "" for none).
PAGE_FIELDS = (
    "key", "url", "fetched_at", "text", "boilerplate", "sha256", "kind", "error", "warnings",
)  # fmt: skip


def _page_row(p: Page) -> tuple[str, ...]:
    warned = json.dumps(p.warnings, ensure_ascii=False) if p.warnings else ""
    return (p.key, p.url, p.fetched_at, p.text, p.boilerplate, p.sha256, p.kind, p.error, warned)


def page_of(row: dict[str, Any]) -> Page:
    """A row of the pages table as the :class:`Page` it was made from."""
    key, url, fetched, text, boiler, sha, kind, err = (
        str(row.get(f) or "") for f in PAGE_FIELDS[:-1]
    )
    warned = row.get("warnings")
    return Page(
        key, url, fetched, text, boiler, sha, kind, err, tuple(json.loads(warned)) if warned else ()
    )


def read_page_files(paths: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """The pages of input files (``iter_pages`` of each), as rows of the pages table."""
    for path in paths:
        for page in iter_pages([path]):
            yield _page_row(page)


def _iso(value: object) -> str:
    """A Parquet timestamp, date or ISO 8601 string as ``2025-02-05T00:00:00Z`` (naive is
    UTC, as for JSONL input); other strings unchanged."""
    when = value
    if isinstance(value, str):
        try:
            when = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(when, datetime.date) and not isinstance(when, datetime.datetime):
        when = datetime.datetime(when.year, when.month, when.day)
    if not isinstance(when, datetime.datetime):
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parquet_page(row: Row) -> tuple[str, ...]:
    """A page from a row of a Parquet input (``url``, ``text``; ``key``, ``fetched_at``)."""
    d = row.asDict()
    url = str(d.get("url") or "")
    key = str(d.get("key") or url)
    when = _iso(d.get("fetched_at") or d.get("date") or "")
    text = d.get("text") or ""
    if not text.strip():
        return (
            key, url, str(when), "", "", "", "parquet", f"{key}: no text (empty text column)", "",
        )  # fmt: skip
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (key, url, str(when), text, "", digest, "parquet", "", "")


def read_source_file(
    item: tuple[int, str],
) -> Iterator[tuple[int, str, str, str, str, str | None]]:
    """``(ordinal, path, sha256, text, error, date)`` of one source file (``read_text``;
    no date given: the one its text carries counts)."""
    ordinal, path = item
    try:
        raw = read_text(path)
    except InputError as e:
        yield ordinal, path, "", "", str(e), None
        return
    yield ordinal, path, raw.sha256, raw.text, "", None


def fingerprint_pages(rows: Iterable[Row], params: Params) -> Iterator[tuple[Any, ...]]:
    """``(sha256, lang, words, passages, keys)`` of each page content: all its passages'
    band keys, flattened (position ``row * bands + band``), as ``find_sources`` has them."""
    for r in rows:
        seg = prepare(r.text)
        spans = [(p.first, p.last) for p in seg.passages]
        fp = fingerprint(seg.norm.words, spans, params)
        yield r.sha256, seg.lang, seg.body_words(), len(spans), fp.keys.reshape(-1).tolist()


def fingerprint_sources(rows: Iterable[Row], params: Params) -> Iterator[tuple[int, int, int]]:
    """``(key, source_id, passage)`` of each indexed passage of each source, as ``prov add``."""
    for r in rows:
        seg = prepare(r.text)
        fp = fingerprint(seg.norm.words, index_spans(seg), params)
        for pid, keys in enumerate(fp.keys.tolist()):
            for key in keys:
                yield key, r.source_id, pid


def _alteration_dict(a: Alteration) -> dict[str, Any]:
    return {
        "kind": a.kind, "risk": a.risk, "in_quote": a.in_quote, "source": a.source,
        "copy": a.copy, "source_context": a.source_context, "copy_context": a.copy_context,
        "source_span": list(a.source_span), "copy_span": list(a.copy_span),
    }  # fmt: skip


def page_dating(
    source_date: str | None,
    copy_date: str | None,
    copy_from: str | None,
    kind: str | None,
    fetched_at: str | None,
) -> tuple[str | None, str | None, str | None]:
    """``(page_date, page_date_from, direction)`` of a result, from its columns, by the
    rule of the ``results`` view (:func:`provenance.text.dates.bounded`, the record date
    of :func:`provenance.crawl.scanstore.record_date`)."""
    record = Page("", "", fetched_at or "", "", "", "", kind or "")
    by = record_date(record)
    d = dates_of(source_date, "", copy_date, copy_from)
    older = None if d is None else bounded(d, by)
    if copy_date:
        return copy_date, copy_from, older
    if by is not None:
        return by.isoformat(), "WARC-Date" if kind == "warc" else "record date", older
    return None, None, older


def _stored(r: Row) -> StoredText:
    return StoredText(r.source_id, r.source, "", r.source_text, "", r.source_date)


def _match_row(sha: str, stored: StoredText, s: Score, d: Direction) -> tuple[Any, ...]:
    """A row of the matches table (``_MATCH_SCHEMA`` of the driver): the result's
    columns, then ``find_sources``' ranking key (copy words explained) and ``False``
    (a match, not a source proposed by the neighbour search)."""
    alts = [_alteration_dict(a) for a in s.alterations]
    risky = sum(1 for a in s.alterations if a.risk != "wording")
    return (
        sha, stored.id, stored.path, s.verdict, s.meaning_changed, s.fidelity,
        s.source_coverage, s.copy_coverage, len(alts), risky,
        json.dumps(alts, ensure_ascii=False), s.extent, s.wording, s.copied_words, s.reason,
        json.dumps(passage_dicts(s.pairs)), *date_columns(d), s.copy_coverage * s.copy_words,
        False,
    )  # fmt: skip


def _neighbour_row(sha: str, source_id: int) -> tuple[Any, ...]:
    """A source the neighbour search proposes for a page: verified in a second round."""
    return (sha, source_id, *([None] * 19), True)


def verify_pages(
    rows: Iterable[Row], policy: Policy, meaning: Broadcast[Any] | None = None
) -> Iterator[tuple[Any, ...]]:
    """Align and score candidate pairs; rows come sorted by page content, so each page
    is prepared once; sources are kept prepared in a small cache. Every copy found
    (the driver keeps each page's best ``MATCHES_PER_PAGE``, as ``find_sources``).

    ``meaning``: every source vector (broadcast by the driver: see
    :mod:`provenance.spark.meaning`), when the semantic step is on: the copies' passages
    found by meaning are added, and the sources the neighbour search proposes for the
    page's still unexplained passages come out as rows of their own (then every page
    comes, with a row without a source when LSH proposed none).
    """
    cache: OrderedDict[int, Segmented] = OrderedDict()
    for sha, group in itertools.groupby(rows, key=lambda r: r.sha256):
        page: Segmented | None = None
        text = ""
        found: list[tuple[StoredText, Score, Segmented, Any]] = []
        for r in group:
            if page is None:
                page, text = prepare(r.text), r.text
            if r.source_id is None:  # a page without candidates (the semantic step's)
                continue
            source = cache.get(r.source_id)
            if source is None:
                source = cache[r.source_id] = prepare(r.source_text)
                if len(cache) > SOURCE_CACHE:
                    cache.popitem(last=False)
            else:
                cache.move_to_end(r.source_id)
            s = compare_segmented(source, page, policy)
            if s.verdict != UNRELATED:
                sv = meaning_stage.source_vectors(r) if meaning is not None else None
                found.append((_stored(r), s, source, sv))
        if page is None:
            continue
        ids: list[int] = []
        if meaning is not None:
            copies, ids = meaning_stage.first_round(page, found, policy, meaning.value)
        else:
            copies = [(stored, s) for stored, s, _, _ in found]
        for stored, s in copies:
            yield _match_row(sha, stored, s, source_dates(stored, text))
        for sid in ids:
            yield _neighbour_row(sha, sid)


def verify_neighbours(rows: Iterable[Row], policy: Policy) -> Iterator[tuple[Any, ...]]:
    """The second round of the semantic step (:mod:`provenance.spark.meaning`): the
    sources the neighbour search proposed, verified; rows of the matches table."""
    for r, s in meaning_stage.verify_neighbours(rows, policy):
        stored = _stored(r)
        yield _match_row(r.sha256, stored, s, source_dates(stored, r.text))
