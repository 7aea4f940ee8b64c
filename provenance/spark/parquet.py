"""A prov database to and from Parquet, around ``prov spark-scan``.

:func:`export_sources` writes an index's sources to one Parquet file the job reads as
``--sources``; :func:`import_results` loads a job's output folder (``results/`` and
``pages/``) into a prov database, as ``prov scan`` would have recorded it. Both run on
one machine, with pyarrow (imported only when called) and without Spark.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.crawl.scanstore import CHECKED, SEEN, Finding, ScanStore, dates_of
from provenance.errors import InputError, ProvError
from provenance.index import vectors
from provenance.index.store import Store
from provenance.match.copies import passages_of
from provenance.match.results import Alteration, Score
from provenance.spark.stages import page_of


@dataclass(frozen=True, slots=True)
class ImportStats:
    """What :func:`import_results` wrote: documents, contents, matches; pages and
    matches the database held before (not written again)."""

    documents: int
    errors: int
    contents: int
    matches: int
    skipped: int
    skipped_matches: int = 0


def export_sources(db: str | Path, out: str | Path, batch: int = 256) -> int:
    """Write an index's sources to one Parquet file for :func:`spark_scan`: ``id``,
    ``path``, ``sha256``, ``text`` and ``params`` (the index's parameters, as JSON); and
    when the index has sentence vectors (``prov[semantic]``), each source's as the index
    stores them (``vec_encoder``, ``vec_dims``, ``vec_spans``, ``vec_scales``,
    ``vec_codes``: :func:`provenance.index.vectors.encode`; null for a source without).
    Returns the number of sources written."""
    pa, pq = _pyarrow()
    with Store.open(db) as store:
        params = json.dumps(store.params.as_dict())
        encoder = vectors.encoder_of(store) if vectors.any_(store) else ""
        fields = [
            ("id", pa.int64()), ("path", pa.string()), ("sha256", pa.string()),
            ("text", pa.string()), ("params", pa.string()), ("date", pa.string()),
        ]  # fmt: skip
        if encoder:
            fields += [("vec_encoder", pa.string()), ("vec_dims", pa.int32()),
                       ("vec_spans", pa.binary()), ("vec_scales", pa.binary()),
                       ("vec_codes", pa.binary())]  # fmt: skip
        schema = pa.schema(fields)
        rows = store.sources()
        with pq.ParquetWriter(os.fspath(out), schema) as writer:
            for i in range(0, len(rows), batch):
                texts = store.texts([r.id for r in rows[i : i + batch]])
                columns: dict[str, list[Any]] = {
                    "id": [t.id for t in texts], "path": [t.path for t in texts],
                    "sha256": [t.sha256 for t in texts], "text": [t.text for t in texts],
                    "params": [params] * len(texts), "date": [t.date for t in texts],
                }  # fmt: skip
                if encoder:
                    coded = [vectors.stored(store, t.id) for t in texts]
                    columns["vec_encoder"] = [encoder if c else None for c in coded]
                    for k, name in enumerate(("vec_dims", "vec_spans", "vec_scales", "vec_codes")):
                        columns[name] = [c[k] if c else None for c in coded]
                writer.write_table(pa.table(columns, schema=schema))
    return len(rows)


def _pyarrow() -> tuple[Any, Any]:
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ProvError("pyarrow is not installed; pip install 'prov[spark]'") from None


def _rows(folder: Path) -> Iterator[dict[str, Any]]:
    """The rows of a Spark output folder, part by part in name order, streamed."""
    _, pq = _pyarrow()
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; give the --out folder of a spark-scan")
    for part in sorted(folder.glob("*.parquet")):
        for b in pq.ParquetFile(part).iter_batches(batch_size=1000):
            yield from b.to_pylist()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _finding(row: dict[str, Any], source_id: int) -> Finding:
    alts = tuple(
        Alteration(
            a["kind"],
            a["risk"],
            a["source"],
            a["copy"],
            a["source_context"],
            a["copy_context"],
            (a["source_span"][0], a["source_span"][1]),
            (a["copy_span"][0], a["copy_span"][1]),
            a["in_quote"],
        )  # fmt: skip
        for a in json.loads(row["alterations_json"])
    )
    passages = passages_of(json.loads(row.get("passages_json") or "[]"))
    score = Score(
        row["verdict"], row["fidelity"], row["source_coverage"], row["copy_coverage"],
        row["meaning_changed"], alts, (), (), 0, 0, 0, 0, 0, passages,
        extent=row.get("extent") or "none", wording=row.get("wording") or "",
        copied_words=row.get("copied_words") or 0, reason=row.get("reason") or "",
    )  # fmt: skip
    dates = dates_of(
        row.get("source_date"), row.get("source_date_from"),
        row.get("copy_date"), row.get("copy_date_from"),
    )  # fmt: skip
    return Finding(source_id, row["source"], score, dates)


def import_results(out: str | Path, db: str | Path, batch: int = 500) -> ImportStats:
    """Load a ``spark_scan`` output folder into a prov database (created if missing):
    ``documents`` and ``contents`` from ``pages/``, ``matches`` and ``alterations`` from
    ``results/``, in transactions of ``batch`` pages. Pages the database already holds
    (same record, same content) are skipped, so importing twice records nothing twice.
    A source is linked to the index's source of the same path, else keeps the job's
    ``source_id``. Memory stays flat: both tables are streamed (``results/`` holds each
    content's rows together, in one part).
    """
    folder = Path(out)
    n = {"documents": 0, "errors": 0, "contents": 0, "matches": 0, "skipped": 0}
    n["skipped_matches"] = 0
    with Store.open(db, create=True) as store, store.exclusive("import-results"):
        scans = ScanStore(store)
        version = store.index_version()
        for chunk in _chunks(_rows(folder / "pages"), batch):
            with store.transaction():
                for r in chunk:
                    _import_page(scans, r, version, n)
        ids: dict[str, int] = {}

        def finding(row: dict[str, Any]) -> Finding:
            path = row["source"]
            if path not in ids:
                known = store.source_by_path(path)
                ids[path] = known.id if known else int(row["source_id"])
            return _finding(row, ids[path])

        contents = (
            (sha, list(rows))
            for sha, rows in itertools.groupby(_rows(folder / "results"), lambda r: r["sha256"])
        )
        for chunk in _chunks(contents, batch):
            with store.transaction():
                for sha, rows in chunk:
                    first: dict[str, dict[str, Any]] = {}
                    for r in rows:  # a row per page and source: the content's are the first's
                        first.setdefault(r["source"], r)
                    if scans.best_verdict(sha) is not None:  # imported (or scanned) before
                        n["skipped_matches"] += len(first)
                        continue
                    findings = [finding(r) for r in first.values()]
                    scans.replace_matches(sha, findings, version, rows[0]["scanned_at"])
                    n["matches"] += len(findings)
    return ImportStats(**n)


def _import_page(scans: ScanStore, r: dict[str, Any], version: int, n: dict[str, int]) -> None:
    page = page_of(r)
    if scans.has_document(page.key, page.sha256):
        n["skipped"] += 1
    elif page.error:
        scans.record_error(page, r["scanned_at"])
        n["errors"] += 1
    else:
        new = scans.checked_version(page.sha256) is None
        if new:
            scans.record_content(page, r["lang"], r["words"], (), version, r["scanned_at"])
            n["contents"] += 1
        scans.record_document(page, CHECKED if new else SEEN, r["scanned_at"], None)
        n["documents"] += 1
