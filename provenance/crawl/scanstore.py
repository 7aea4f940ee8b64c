"""The crawl job's tables (schema in ``store.m002_scan``): all their SQL lives here.

- ``contents``: each distinct page text once (zlib-compressed), with the index version
  it was last checked against;
- ``documents``: each input record once, keyed by ``(key, sha256)`` so that a rerun over
  the same input records nothing twice; ``previous_id`` links a page's earlier version;
- ``matches`` and ``alterations``: what a content copies, per source;
- ``changes``: what changed between two versions of a URL;
- ``passage_freq``: in how many pages each passage was seen outside copied text (the
  stock phrases);
- the ``results`` view joins documents and matches, for SQL and Datasette.
"""

from __future__ import annotations

import datetime
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from provenance.index.store import Store
from provenance.ingest.files import Page
from provenance.match.copies import passage_dicts
from provenance.match.results import Score
from provenance.text.dates import Direction, DocumentDate

#: Statuses of a document row.
CHECKED, SEEN, ERROR = "checked", "seen", "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """A source a page copies, with its score (what a worker sends back)."""

    source_id: int
    source_path: str
    score: Score
    #: the dates of the source and of the page's text (the page's record date, which
    #: differs between the records of one content, joins them in the ``results`` view)
    dates: Direction | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """What changed between a page's previous version and this one."""

    previous_id: int
    score: Score


def _legacy_keys(key: str, cwd: str | None) -> list[str]:
    """``key``, and for a resolved file path its spelling relative to the working folder
    ``cwd`` (None: there is none)."""
    if cwd is None or not os.path.isabs(key):
        return [key]
    try:
        return list(dict.fromkeys([key, os.path.relpath(key, cwd)]))
    except ValueError:  # (another drive, on Windows)
        return [key]


#: Kinds of page whose ``fetched_at`` is the record's own date (the WARC-Date, a JSONL
#: or Parquet line's date), a bound on the page's date; a file's is its modification
#: time, which copying it changes (the ``results`` view applies the same rule).
RECORD_DATED = ("warc", "jsonl", "parquet")


def record_date(page: Page) -> datetime.date | None:
    """The date a page existed by, from its record (see :data:`RECORD_DATED`)."""
    if page.kind not in RECORD_DATED:
        return None
    try:
        return datetime.date.fromisoformat(page.fetched_at[:10])
    except ValueError:
        return None


def date_columns(d: Direction | None) -> tuple[str | None, str | None, str | None, str | None]:
    """``(source_date, source_date_from, copy_date, copy_date_from)`` of a match."""
    if d is None:
        return None, None, None, None
    s, c = d.source, d.copy
    return (
        s.date.isoformat() if s else None, s.how if s else None,
        c.date.isoformat() if c else None, c.how if c else None,
    )  # fmt: skip


def dates_of(
    source_date: str | None, source_from: str | None, copy_date: str | None, copy_from: str | None
) -> Direction | None:
    """The :class:`Direction` that :func:`date_columns` wrote (None: nothing known)."""
    if not source_date and not copy_date:
        return None

    def one(value: str | None, how: str | None) -> DocumentDate | None:
        return DocumentDate(datetime.date.fromisoformat(value), how or "") if value else None

    return Direction(one(source_date, source_from), one(copy_date, copy_from))


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes | None) -> str:
    return zlib.decompress(blob).decode("utf-8") if blob else ""


class ScanStore:
    """Reads and writes the crawl job's tables on an open :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    @cached_property
    def _cwd(self) -> str | None:
        """The working folder, read once (a scan asks for every page), None if gone."""
        try:
            return os.getcwd()
        except OSError:
            return None

    # -- reads -----------------------------------------------------------------

    def has_document(self, key: str, sha256: str) -> bool:
        """Whether this record was recorded with this content. Files are keyed by their
        resolved path; an older prov keyed them by the path as given, which is tried
        too, relative to the working folder (where a nightly job scans from)."""
        keys = _legacy_keys(key, self._cwd)
        row = self.db.execute(
            f"SELECT 1 FROM documents WHERE sha256 = ? AND key IN ({','.join('?' * len(keys))}) "  # noqa: S608 - placeholders only
            "LIMIT 1",
            [sha256, *keys],
        ).fetchone()
        return row is not None

    def checked_version(self, sha256: str) -> int | None:
        """The index version a content was checked against, or None if never checked."""
        row = self.db.execute(
            "SELECT checked_version FROM contents WHERE sha256 = ?", [sha256]
        ).fetchone()
        return None if row is None else int(row[0])

    def previous(self, url: str, sha256: str) -> tuple[int, str] | None:
        """The latest earlier version of ``url`` with other content: ``(id, text)``."""
        row = self.db.execute(
            "SELECT d.id, c.text FROM documents d JOIN contents c ON c.sha256 = d.sha256 "
            "WHERE d.url = ? AND d.sha256 != ? AND d.status != 'error' "
            "ORDER BY d.fetched_at DESC, d.id DESC LIMIT 1",
            [url, sha256],
        ).fetchone()
        return None if row is None else (int(row[0]), _unpack(row[1]))

    def content_text(self, sha256: str) -> str | None:
        """The text of a stored page content, or None if there is none by that digest."""
        row = self.db.execute("SELECT text FROM contents WHERE sha256 = ?", [sha256]).fetchone()
        return None if row is None else _unpack(row[0])

    def best_verdict(self, sha256: str) -> str | None:
        """The verdict of a content's best match (most of its text explained)."""
        row = self.db.execute(
            "SELECT verdict FROM matches WHERE sha256 = ? "
            "ORDER BY copy_coverage DESC, fidelity DESC LIMIT 1",
            [sha256],
        ).fetchone()
        return None if row is None else str(row[0])

    def stale_contents(self, version: int) -> Iterator[tuple[str, str]]:
        """``(sha256, text)`` of every content last checked before index ``version``."""
        rows = self.db.execute(
            "SELECT sha256 FROM contents WHERE checked_version < ? ORDER BY sha256", [version]
        ).fetchall()
        for (sha,) in rows:
            row = self.db.execute("SELECT text FROM contents WHERE sha256 = ?", [sha]).fetchone()
            if row:
                yield sha, _unpack(row[0])

    # -- writes (inside Store.transaction) --------------------------------------

    def record_error(self, page: Page, scanned_at: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO documents (key, url, fetched_at, sha256, kind, scanned_at, "
            "status, error) VALUES (?, ?, ?, '', ?, ?, 'error', ?)",
            [page.key, page.url, page.fetched_at, page.kind, scanned_at, page.error],
        )

    def record_document(
        self, page: Page, status: str, scanned_at: str, previous_id: int | None
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO documents (key, url, fetched_at, sha256, kind, scanned_at, status, "
            "previous_id, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                page.key, page.url, page.fetched_at, page.sha256, page.kind, scanned_at,
                status, previous_id,
                json.dumps(page.warnings, ensure_ascii=False) if page.warnings else None,
            ],
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def record_content(
        self,
        page: Page,
        lang: str,
        words: int,
        findings: Iterable[Finding],
        version: int,
        checked_at: str,
    ) -> None:
        """Store a content's text and replace its matches with ``findings``."""
        self.db.execute(
            "INSERT INTO contents (sha256, text, boilerplate, lang, words, checked_version, "
            "checked_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
            "checked_version = excluded.checked_version, checked_at = excluded.checked_at",
            [page.sha256, _pack(page.text), _pack(page.boilerplate), lang, words, version,
             checked_at],
        )  # fmt: skip
        self.replace_matches(page.sha256, findings, version, checked_at)

    def replace_matches(
        self, sha256: str, findings: Iterable[Finding], version: int, checked_at: str
    ) -> None:
        old = [m for (m,) in self.db.execute("SELECT id FROM matches WHERE sha256 = ?", [sha256])]
        for mid in old:
            self.db.execute("DELETE FROM alterations WHERE match_id = ?", [mid])
        self.db.execute("DELETE FROM matches WHERE sha256 = ?", [sha256])
        self.db.execute(
            "UPDATE contents SET checked_version = ?, checked_at = ? WHERE sha256 = ?",
            [version, checked_at, sha256],
        )
        for f in findings:
            s = f.score
            risky = sum(1 for a in s.alterations if a.risk != "wording")
            cur = self.db.execute(
                "INSERT INTO matches (sha256, source_id, source_path, verdict, meaning_changed, "
                "fidelity, source_coverage, copy_coverage, alterations, risky, index_version, "
                "checked_at, extent, wording, copied_words, reason, passages, source_date, "
                "source_date_from, copy_date, copy_date_from) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sha256, f.source_id, f.source_path, s.verdict, int(s.meaning_changed),
                 s.fidelity, s.source_coverage, s.copy_coverage, len(s.alterations), risky,
                 version, checked_at, s.extent, s.wording, s.copied_words, s.reason,
                 json.dumps(passage_dicts(s.pairs)), *date_columns(f.dates)],
            )  # fmt: skip
            mid = int(cur.lastrowid or 0)
            self.db.conn.executemany(
                "INSERT INTO alterations (match_id, idx, kind, risk, in_quote, source, copy, "
                "source_context, copy_context, source_start, source_end, copy_start, copy_end) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (mid, i, a.kind, a.risk, int(a.in_quote), a.source, a.copy,
                     a.source_context, a.copy_context, *a.source_span, *a.copy_span)
                    for i, a in enumerate(s.alterations)
                ],
            )  # fmt: skip

    def record_change(self, document_id: int, change: Change) -> None:
        """Link a page to its previous version and keep what changed between them."""
        self.db.execute(
            "UPDATE documents SET previous_id = ? WHERE id = ?", [change.previous_id, document_id]
        )
        s = change.score
        alts = [
            {"kind": a.kind, "risk": a.risk, "before": a.source, "after": a.copy,
             "before_context": a.source_context, "after_context": a.copy_context}
            for a in s.alterations
        ]  # fmt: skip
        self.db.execute(
            "INSERT OR REPLACE INTO changes (document_id, previous_id, meaning_changed, fidelity, "
            "alterations) VALUES (?, ?, ?, ?, ?)",
            [document_id, change.previous_id, int(s.meaning_changed), s.fidelity,
             json.dumps(alts, ensure_ascii=False)],
        )  # fmt: skip

    def count_free_passages(self, hashes: Iterable[int]) -> None:
        """One more page holds each of these passages outside any copied text."""
        self.db.conn.executemany(
            "INSERT INTO passage_freq (hash, docs) VALUES (?, 1) "
            "ON CONFLICT (hash) DO UPDATE SET docs = docs + 1",
            [(h,) for h in dict.fromkeys(hashes)],
        )

    # -- reports ---------------------------------------------------------------

    def results(self, since: str | None = None, verdict: str | None = None) -> list[dict[str, Any]]:
        """Every (page, source) match, newest scan first, optionally filtered."""
        where, args = [], []
        if since:
            where.append("scanned_at >= ?")
            args.append(since)
        if verdict:
            where.append("verdict = ?")
            args.append(verdict)
        # only fixed clauses are joined; values go in as parameters
        sql = "SELECT * FROM results" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
        sql += " ORDER BY scanned_at DESC, document_id DESC, fidelity DESC"
        cur = self.db.execute(sql, args)
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        for r in rows:  # (NULL in rows written before schema m007: nothing known)
            r["passages"] = json.loads(r["passages"]) if r.get("passages") else []
            r["warnings"] = json.loads(r["warnings"]) if r.get("warnings") else []
        return rows

    def errors(self, since: str | None = None) -> list[dict[str, Any]]:
        """The input records that could not be read, newest scan first, with the
        reason; a record read later (the same key, with content) is left out."""
        sql = (
            "SELECT d.key, d.url, d.kind, d.fetched_at, d.scanned_at, d.error "
            "FROM documents d WHERE d.status = 'error' AND (? IS NULL OR d.scanned_at >= ?) "
            "AND NOT EXISTS (SELECT 1 FROM documents r WHERE r.key = d.key "
            "AND r.status != 'error' AND r.id > d.id) "
            "ORDER BY d.scanned_at DESC, d.id DESC"
        )
        out = []
        for key, url, kind, fetched, scanned, err in self.db.execute(sql, [since, since]):
            reason = str(err or "").removeprefix(f"{key}: ")
            out.append(
                {"key": key, "url": url, "kind": kind, "fetched_at": fetched,
                 "scanned_at": scanned, "reason": reason}
            )  # fmt: skip
        return out

    def totals(self) -> tuple[int, int]:
        """Pages recorded (documents) and rows of the ``results`` view."""
        docs = self.db.execute("SELECT count(*) FROM documents").fetchone()[0]
        rows = self.db.execute("SELECT count(*) FROM results").fetchone()[0]
        return int(docs), int(rows)

    def history(self, url: str) -> list[dict[str, Any]]:
        """The versions of ``url``, oldest first, with their best match and what changed."""
        rows = self.db.execute(
            "SELECT d.id, d.key, d.fetched_at, d.scanned_at, d.sha256, d.previous_id, "
            "ch.meaning_changed, ch.fidelity, ch.alterations FROM documents d "
            "LEFT JOIN changes ch ON ch.document_id = d.id "
            "WHERE d.url = ? AND d.status != 'error' ORDER BY d.fetched_at, d.id",
            [url],
        ).fetchall()
        out = []
        for did, key, fetched, scanned, sha, prev, changed, fid, alts in rows:
            best = self.db.execute(
                "SELECT source_path, verdict, fidelity, source_coverage, meaning_changed "
                "FROM matches WHERE sha256 = ? ORDER BY copy_coverage DESC, fidelity DESC",
                [sha],
            ).fetchall()
            out.append(
                {
                    "document_id": did, "key": key, "fetched_at": fetched, "scanned_at": scanned,
                    "sha256": sha, "previous_id": prev,
                    "matches": [
                        {"source": m[0], "verdict": m[1], "fidelity": m[2],
                         "source_coverage": m[3], "meaning_changed": bool(m[4])}
                        for m in best
                    ],
                    "change": None if prev is None or alts is None else {
                        "meaning_changed": bool(changed), "fidelity": fid,
                        "alterations": json.loads(alts),
                    },
                }
            )  # fmt: skip
        return out

    def clusters(self) -> list[dict[str, Any]]:
        """Pages grouped by the source they copy, most copied source first. A page (URL)
        is one copy, with its latest version's verdict and how many versions copy it."""
        rows = self.db.execute(
            "SELECT m.source_path, coalesce(d.url, d.key), d.sha256, m.verdict, m.fidelity, "
            "m.meaning_changed, coalesce(d.fetched_at, d.scanned_at) AS seen "
            "FROM matches m JOIN documents d ON d.sha256 = m.sha256 "
            "ORDER BY m.source_path, seen, d.id"
        ).fetchall()
        copies: dict[tuple[str, str], dict[str, Any]] = {}
        shas: dict[tuple[str, str], set[str]] = {}
        for src, url, sha, verdict, fid, changed, seen in rows:
            key = (src, url)
            entry = copies.setdefault(key, {"url": url, "first_seen": seen})
            entry.update(verdict=verdict, fidelity=fid, meaning_changed=bool(changed))
            shas.setdefault(key, set()).add(sha)
        clusters: dict[str, list[dict[str, Any]]] = {}
        for (src, _url), entry in copies.items():
            entry["versions"] = len(shas[(src, _url)])
            clusters.setdefault(src, []).append(entry)
        out = [{"source": s, "copies": c} for s, c in clusters.items()]
        out.sort(key=lambda c: (-len(c["copies"]), c["source"]))
        return out
