"""The whole path: files in, verified and scored matches out.

Each command of the CLI calls one function here (those that build and keep the index,
``add``, ``reindex`` and ``doctor``, are in :mod:`provenance.indexing`). This module
orchestrates the stages; reading files and the database happens in ``ingest`` and ``store``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from provenance.errors import InputError
from provenance.index.records import SourceRow, StoredText
from provenance.index.store import Store
from provenance.ingest.files import RawText, read_document, storable
from provenance.match.results import CheckResult, CompareResult
from provenance.params import DEFAULT_POLICY, Policy
from provenance.semantic import step
from provenance.text.dates import Direction, direction
from provenance.text.language import UNDETERMINED
from provenance.text.prepare import prepare as prepare  # (the commands' name for it)
from provenance.text.segment import Segmented
from provenance.verify import compare_segmented, find_sources

#: A passage seen outside copied text in this many scanned pages is a stock phrase.
STOCK_MIN_DOCS = 20


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


def source_names(path: str | Path) -> tuple[str, str]:
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
    found, candidates = find_sources(store, seg, top, policy, STOCK_MIN_DOCS)
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
        main = sum(counts.get(k, 0) for k in {row.lang, UNDETERMINED})  # (once if "und")
        others = sorted(((k, n) for k, n in counts.items() if k not in (row.lang, UNDETERMINED)),
                        key=lambda kn: -kn[1])  # fmt: skip
        out.append(replace(row, passages=main, languages=((row.lang, main), *others)))
    return out


def remove(db: str | Path, path: str) -> SourceRow:
    """Remove a source by its path (any spelling of it: the index files the resolved
    path). A source whose text another path added holds too stays, under that path."""
    shown, key = source_names(path)
    with Store.open(db) as store, store.transaction():
        return store.remove(shown, key)
