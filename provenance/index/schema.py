"""The index's schema, as sqlite-utils migrations (imported only to create or migrate an
index, or to list the migrations applied: importing sqlite-utils costs ~30 ms, a tenth
of a cold ``prov check``)."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("prov")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("sources").create(
        {
            "id": int,
            "path": str,
            "sha256": str,
            "text": str,
            "encoding": str,
            "lang": str,
            "words": int,
            "passages": int,
            "added_at": str,
        },
        pk="id",
        not_null={"path", "sha256", "text"},
    )
    db.table("sources").create_index(["path"], unique=True)
    db.table("sources").create_index(["sha256"])
    db.table("blocks").create(
        {
            "source_id": int,
            "idx": int,
            "start": int,
            "end": int,
            "lang": str,
            "kind": str,
            "reason": str,
        },
        pk=("source_id", "idx"),
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("passages").create(
        {
            "id": int,
            "source_id": int,
            "idx": int,
            "first": int,
            "last": int,
            "start": int,
            "end": int,
            "signature": bytes,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("passages").create_index(["source_id", "idx"], unique=True)
    db.execute(
        "CREATE TABLE band_keys (key INTEGER NOT NULL, source_id INTEGER NOT NULL, "
        "passage_id INTEGER NOT NULL, PRIMARY KEY (key, source_id, passage_id)) WITHOUT ROWID"
    )


@migrations()
def m002_scan(db: Database) -> None:
    """The crawl job's results: pages, their contents, matches and versions."""
    db.execute(
        "CREATE TABLE contents (sha256 TEXT PRIMARY KEY, text BLOB NOT NULL, boilerplate BLOB, "
        "lang TEXT, words INTEGER, checked_version INTEGER, checked_at TEXT)"
    )
    db.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, key TEXT NOT NULL, url TEXT, "
        "fetched_at TEXT, sha256 TEXT NOT NULL DEFAULT '', kind TEXT, scanned_at TEXT, "
        "status TEXT NOT NULL, error TEXT, previous_id INTEGER REFERENCES documents(id), "
        "UNIQUE (key, sha256))"
    )
    db.execute("CREATE INDEX documents_url ON documents (url, fetched_at)")
    db.execute("CREATE INDEX documents_sha ON documents (sha256)")
    db.execute(
        "CREATE TABLE matches (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, "
        "source_id INTEGER NOT NULL, source_path TEXT NOT NULL, verdict TEXT NOT NULL, "
        "meaning_changed INTEGER NOT NULL, fidelity REAL, source_coverage REAL, "
        "copy_coverage REAL, alterations INTEGER, risky INTEGER, index_version INTEGER, "
        "checked_at TEXT, UNIQUE (sha256, source_id))"
    )
    db.execute("CREATE INDEX matches_source ON matches (source_id)")
    db.execute(
        "CREATE TABLE alterations (match_id INTEGER NOT NULL REFERENCES matches(id), "
        "idx INTEGER NOT NULL, kind TEXT, risk TEXT, in_quote INTEGER, source TEXT, copy TEXT, "
        "source_context TEXT, copy_context TEXT, source_start INTEGER, source_end INTEGER, "
        "copy_start INTEGER, copy_end INTEGER, PRIMARY KEY (match_id, idx))"
    )
    db.execute(
        "CREATE TABLE changes (document_id INTEGER PRIMARY KEY REFERENCES documents(id), "
        "previous_id INTEGER NOT NULL REFERENCES documents(id), meaning_changed INTEGER, "
        "fidelity REAL, alterations TEXT)"
    )
    db.execute(
        "CREATE TABLE passage_freq (hash INTEGER PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "CREATE VIEW results AS SELECT d.id AS document_id, d.url, d.key, d.kind, d.fetched_at, "
        "d.scanned_at, d.status, m.source_path AS source, m.verdict, m.meaning_changed, "
        "m.fidelity, m.source_coverage, m.copy_coverage, m.alterations, m.risky, d.sha256 "
        "FROM documents d JOIN matches m ON m.sha256 = d.sha256"
    )


@migrations()
def m003_keys_pending(db: Database) -> None:
    """LSH keys written at the end of an ``add``, sorted: sources whose keys are not
    written yet are pending (an interrupted ``add`` leaves them so, the next writes them).
    Passages keep their band keys (256 bytes) instead of their signature (512 bytes),
    which was kept only to find the keys again."""
    db.execute("ALTER TABLE sources ADD COLUMN keys_pending INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE passages ADD COLUMN keys BLOB")


@migrations()
def m004_keys_and_aliases(db: Database) -> None:
    """Sources keyed by their resolved path (``key``), ``path`` being the spelling the
    user gave, shown; the paths whose text was kept once as another source's
    (``aliases``); and an index of the pending sources, which every lookup asks for.

    Sources added before keep their old key (the path as spelled): lookups try it too.
    """
    db.execute("ALTER TABLE sources ADD COLUMN key TEXT")
    db.execute("UPDATE sources SET key = path")
    db.execute("DROP INDEX IF EXISTS idx_sources_path")
    db.execute("CREATE INDEX sources_path ON sources (path)")
    db.execute("CREATE UNIQUE INDEX sources_key ON sources (key)")
    db.execute("CREATE INDEX sources_pending ON sources (id) WHERE keys_pending = 1")
    db.execute(
        "CREATE TABLE aliases (key TEXT PRIMARY KEY, path TEXT NOT NULL, "
        "source_id INTEGER NOT NULL REFERENCES sources(id), added_at TEXT)"
    )
    db.execute("CREATE INDEX aliases_source ON aliases (source_id)")


@migrations()
def m005_segments(db: Database) -> None:
    """Each source's segmentation (words with offsets, blocks, passages: what a check
    reads to verify it), encoded by :mod:`provenance.index.segments`, so that a check
    does not segment each candidate again. Sources written before have none: a check
    segments them, and ``prov reindex`` stores it."""
    db.execute(
        "CREATE TABLE segments (source_id INTEGER PRIMARY KEY REFERENCES sources(id), "
        "format INTEGER NOT NULL, data BLOB NOT NULL)"
    )


@migrations()
def m006_vectors(db: Database) -> None:
    """Sentence vectors of each source's body (``prov[semantic]``): one row per source
    holding its body passages' word ranges, int8 vectors and their scales (see
    :mod:`provenance.index.vectors`); the encoder that made them is in ``meta``."""
    db.execute(
        "CREATE TABLE vectors (source_id INTEGER PRIMARY KEY REFERENCES sources(id), "
        "dims INTEGER NOT NULL, spans BLOB NOT NULL, scales BLOB NOT NULL, "
        "vectors BLOB NOT NULL)"
    )


@migrations()
def m007_dates_and_evidence(db: Database) -> None:
    """Dates, for which text is older, and the evidence of each scan result.

    - ``sources.date``: the source's date given to ``prov add --date`` (ISO); NULL: the
      date the text carries, found when it is checked.
    - ``matches``: the two-axis verdict (``extent``, ``wording``, ``copied_words``,
      ``reason``), the copied ``passages`` (JSON), and the dates of both texts
      (``source_date``/``copy_date``, ISO, with how each was found); a page's own date
      is the one its text carries (a record's fetch date is in ``documents``).
    - ``documents.warnings``: how the page was read (stray control bytes...), JSON.
    - the ``results`` view carries them, and ``direction``: which text is older.

    Rows written before keep NULL in every new column (nothing known).
    """
    db.execute("ALTER TABLE sources ADD COLUMN date TEXT")
    for column in (
        "extent TEXT", "wording TEXT", "copied_words INTEGER", "reason TEXT", "passages TEXT",
        "source_date TEXT", "source_date_from TEXT", "copy_date TEXT", "copy_date_from TEXT",
    ):  # fmt: skip
        db.execute(f"ALTER TABLE matches ADD COLUMN {column}")
    db.execute("ALTER TABLE documents ADD COLUMN warnings TEXT")
    db.execute("DROP VIEW IF EXISTS results")
    db.execute(RESULTS_VIEW)


#: A record's fetch date counts as the page's date when its text carries none: the
#: record of a crawl (WARC-Date), a JSONL or Parquet line's date; not a file's
#: modification time (copying a file changes it).
_RECORD_DATE = (
    "CASE WHEN d.kind IN ('warc', 'jsonl', 'parquet') AND d.fetched_at GLOB "
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(d.fetched_at, 1, 10) END"
)
#: The direction rule (README, "Which text is older"): dates the texts carry compare
#: both ways; a fetch date only bounds the page (it existed by then): the page is older
#: when the source is dated after it, else nothing is known.
RESULTS_VIEW = (
    "CREATE VIEW results AS SELECT d.id AS document_id, d.url, d.key, d.kind, "  # noqa: S608
    "d.fetched_at, d.scanned_at, d.status, m.source_path AS source, m.verdict, m.meaning_changed, "
    "m.fidelity, m.source_coverage, m.copy_coverage, m.alterations, m.risky, d.sha256, "
    "m.extent, m.wording, m.copied_words, m.reason, m.passages, "
    "m.source_date, m.source_date_from, "
    f"coalesce(m.copy_date, {_RECORD_DATE}) AS page_date, "
    "CASE WHEN m.copy_date IS NOT NULL THEN m.copy_date_from "
    f"WHEN {_RECORD_DATE} IS NOT NULL THEN CASE d.kind WHEN 'warc' THEN 'WARC-Date' "
    "ELSE 'record date' END END AS page_date_from, "
    "CASE WHEN m.source_date IS NULL THEN NULL "
    "WHEN m.copy_date IS NOT NULL THEN CASE WHEN m.source_date < m.copy_date THEN 'source' "
    "WHEN m.source_date = m.copy_date THEN 'same' ELSE 'copy' END "
    f"WHEN m.source_date > {_RECORD_DATE} THEN 'copy' END AS direction, "
    "d.warnings FROM documents d JOIN matches m ON m.sha256 = d.sha256"
)
