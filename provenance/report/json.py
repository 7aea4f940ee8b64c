"""Stage 7: results -> what people and scripts read. Pure functions returning str."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import PurePath
from typing import Any

from provenance.index.store import SourceRow
from provenance.match.score import MEANING_RISKS, Alteration, CheckResult, CompareResult

JSON_VERSION = 1


def compare_dict(r: CompareResult) -> dict[str, Any]:
    """The ``compare --json`` object (README: "JSON contract")."""
    s = r.score
    return {
        "source": r.source,
        "copy": r.copy,
        "source_sha256": r.source_sha256,
        "copy_sha256": r.copy_sha256,
        "verdict": s.verdict,
        "extent": s.extent,
        "wording": s.wording,
        "copied_words": s.copied_words,
        "reason": s.reason,
        "rule": s.rule,
        "meaning_changed": s.meaning_changed,
        "fidelity": s.fidelity,
        "source_coverage": s.source_coverage,
        "copy_coverage": s.copy_coverage,
        "summary": summary(r),
        "warnings": list(s.warnings),
        "counts": {
            "source_words": s.source_words,
            "copy_words": s.copy_words,
            "found_words": s.found_words,
            "passages": s.passages,
            "passages_found": s.passages_found,
            "alterations": len(s.alterations),
            "meaning_changing": sum(1 for a in s.alterations if a.risk in MEANING_RISKS),
        },
        "alterations": [
            {
                "kind": a.kind,
                "risk": a.risk,
                "in_quote": a.in_quote,
                "source": a.source,
                "copy": a.copy,
                "source_context": a.source_context,
                "copy_context": a.copy_context,
                "source_span": list(a.source_span),
                "copy_span": list(a.copy_span),
            }
            for a in s.alterations
        ],
        "added": [
            {"text": a.text, "copy_span": list(a.copy_span), "reason": a.reason} for a in s.added
        ],
        "missing": [{"text": m.text, "source_span": list(m.source_span)} for m in s.missing],
        "passages": [
            {
                "source_span": list(p.source_span),
                "copy_span": list(p.copy_span),
                "similarity": p.similarity,
                "found": p.found,
                "moved": p.moved,
            }
            for p in s.pairs
        ],
    }


def render_compare_json(r: CompareResult) -> str:
    return json.dumps(compare_dict(r), ensure_ascii=False, indent=2)


def render_compare_jsonl(r: CompareResult) -> str:
    return json.dumps(compare_dict(r), ensure_ascii=False)


def check_dict(r: CheckResult) -> dict[str, Any]:
    return {
        "suspect": r.suspect,
        "suspect_sha256": r.suspect_sha256,
        "candidates": r.candidates,
        "matches": [compare_dict(m) for m in r.matches],
    }


def render_check_json(results: list[CheckResult]) -> str:
    """One JSON value: the object of a single suspect, an array for several."""
    if len(results) == 1:
        return json.dumps(check_dict(results[0]), ensure_ascii=False, indent=2)
    return json.dumps([check_dict(r) for r in results], ensure_ascii=False, indent=2)


def render_check_jsonl(r: CheckResult) -> str:
    """One line of JSON for one suspect (JSON Lines)."""
    return json.dumps(check_dict(r), ensure_ascii=False)


CSV_COLUMNS = (
    "source", "copy", "verdict", "meaning_changed", "fidelity", "source_coverage",
    "copy_coverage", "alterations", "meaning_changing", "source_sha256", "copy_sha256",
)  # fmt: skip


def csv_rows(results: list[CompareResult]) -> str:
    """CSV rows (no header) of the scores of each pair."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in results:
        s = r.score
        writer.writerow(
            [
                r.source, r.copy, s.verdict, str(s.meaning_changed).lower(), s.fidelity,
                s.source_coverage, s.copy_coverage, len(s.alterations),
                sum(1 for a in s.alterations if a.risk in MEANING_RISKS),
                r.source_sha256, r.copy_sha256,
            ]
        )  # fmt: skip
    return buf.getvalue()


def csv_header() -> str:
    return ",".join(CSV_COLUMNS) + "\n"


_VERDICT_WORDS = {
    "verbatim": "reproduces {cov} of {src} word for word",
    "near-verbatim": "reproduces {cov} of {src} almost word for word",
    "paraphrased": "is a reworded (paraphrased or spun) copy of {cov} of {src}",
    "partial": "reuses part of {src}: {cov} of it",
    "unrelated": "does not copy {src}",
}


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def summary(r: CompareResult) -> str:
    """One paragraph a journalist can read."""
    s = r.score
    src, copy = PurePath(r.source).name, PurePath(r.copy).name
    text = _VERDICT_WORDS[s.verdict].format(cov=_pct(s.source_coverage), src=src)
    out = f"{copy} {text}"
    if s.verdict == "unrelated":
        return out + "."
    risky = [a for a in s.alterations if a.risk in MEANING_RISKS]
    n = len(s.alterations)
    out += f", with {n} alteration{'s' if n != 1 else ''}"
    if risky:
        shown = "; ".join(_alteration_phrase(a) for a in risky[:3])
        more = f" and {len(risky) - 3} more" if len(risky) > 3 else ""
        out += f"; {len(risky)} of them may change the meaning: {shown}{more}"
    out += f". Fidelity of the copied text: {_pct(s.fidelity)}."
    if s.copy_coverage < 0.999 and s.copy_words:
        out += f" {_pct(1 - s.copy_coverage)} of the copy's own text is not from this source."
    return out


def flat(text: str) -> str:
    """Text on one line: runs of white space become one space."""
    return re.sub(r"\s+", " ", text).strip()


def _alteration_phrase(a: Alteration) -> str:
    if a.kind == "insertion":
        return f"added “{flat(a.copy)}” ({a.risk})"
    if a.kind == "deletion":
        return f"dropped “{flat(a.source)}” ({a.risk})"
    return f"“{flat(a.source)}” → “{flat(a.copy)}” ({a.risk})"


def render_sources_json(rows: list[SourceRow]) -> str:
    return json.dumps(
        [
            {
                "path": r.path,
                "sha256": r.sha256,
                "lang": r.lang,
                "words": r.words,
                "passages": r.passages,
                "added_at": r.added_at,
            }
            for r in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


# -- the crawl job's reports ------------------------------------------------------------

RESULT_COLUMNS = (
    "url", "key", "kind", "fetched_at", "scanned_at", "source", "verdict", "meaning_changed",
    "fidelity", "source_coverage", "copy_coverage", "alterations", "risky", "sha256",
)  # fmt: skip


def _result_row(r: dict[str, Any]) -> dict[str, Any]:
    row = {k: r.get(k) for k in RESULT_COLUMNS}
    row["meaning_changed"] = bool(row["meaning_changed"])
    return row


def render_rows(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> str:
    """Rows as ``json`` (one array), ``jsonl`` (one object per line) or ``csv``."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in r.items()})
    return buf.getvalue()


def render_results(rows: list[dict[str, Any]], fmt: str) -> str:
    return render_rows([_result_row(r) for r in rows], fmt, RESULT_COLUMNS)


CLUSTER_COLUMNS = (
    "source",
    "url",
    "verdict",
    "fidelity",
    "meaning_changed",
    "first_seen",
    "versions",
)


def render_clusters(clusters: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(clusters, ensure_ascii=False, indent=2) + "\n"
    flat = [{"source": c["source"], **copy} for c in clusters for copy in c["copies"]]
    return render_rows(flat, fmt, CLUSTER_COLUMNS)
