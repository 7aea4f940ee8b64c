"""Stage 7: results -> what people and scripts read. Pure functions returning str."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import PurePath
from typing import Any

from provenance.index.records import SourceRow
from provenance.ingest.files import is_html
from provenance.match.copies import passage_dicts
from provenance.match.results import Alteration, CheckResult, CompareResult
from provenance.match.risk import MEANING_RISKS
from provenance.text.dates import Direction, direction

JSON_VERSION = 1


#: Characters JSON may carry raw but a terminal may act on: DEL, the C1 controls (8-bit
#: CSI, OSC) and the bidirectional overrides. ``json`` escapes only C0 controls itself.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def dumps(value: object, indent: int | None = None) -> str:
    """JSON text (UTF-8 characters kept) that is safe to print on a terminal: every
    control or bidirectional-override character is a ``\\uXXXX`` escape, which any
    JSON reader decodes back to the same string."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def direction_of(r: CompareResult, given: Direction | None = None) -> Direction:
    """Which text is older: ``given`` (dates from the command line), else the result's
    own (``check``: the suspect's ``--date``, the source's ``add --date``), else by the
    dates the two texts carry."""
    if given is not None:
        return given
    return r.dates if r.dates is not None else direction(r.source_text, r.copy_text)


def _direction_dict(d: Direction) -> dict[str, Any]:
    return {
        "source_date": d.source.date.isoformat() if d.source else None,
        "source_date_from": d.source.how if d.source else None,
        "copy_date": d.copy.date.isoformat() if d.copy else None,
        "copy_date_from": d.copy.how if d.copy else None,
        "older": d.older,
    }


def compare_dict(r: CompareResult, dates: Direction | None = None) -> dict[str, Any]:
    """The ``compare --json`` object (README: "JSON contract"). Spans are offsets into
    the texts compared; a side read from an HTML page carries that text (the page's
    extracted main text) as ``source_text`` / ``copy_text``. ``dates``: the texts'
    dates when given on the command line (else found in the texts)."""
    s = r.score
    d = direction_of(r, dates)
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
        "summary": summary(r, d),
        "direction": _direction_dict(d),
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
        "passages": passage_dicts(s.pairs),
        # spans index the texts compared: for an HTML page, the main text extracted from
        # it, which is not in the file: given here, so that every span can be looked up
        **({"source_text": r.source_text} if is_html(r.source) else {}),
        **({"copy_text": r.copy_text} if is_html(r.copy) else {}),
    }


def render_compare_json(r: CompareResult, dates: Direction | None = None) -> str:
    return dumps(compare_dict(r, dates), indent=2)


def render_compare_jsonl(r: CompareResult, dates: Direction | None = None) -> str:
    return dumps(compare_dict(r, dates))


def check_dict(r: CheckResult) -> dict[str, Any]:
    return {
        "suspect": r.suspect,
        "suspect_sha256": r.suspect_sha256,
        "candidates": r.candidates,
        "warnings": list(r.warnings),
        "matches": [compare_dict(m) for m in r.matches],
    }


def render_check_json(results: list[CheckResult]) -> str:
    """One JSON value: the object of a single suspect, an array for several."""
    if len(results) == 1:
        return dumps(check_dict(results[0]), indent=2)
    return dumps([check_dict(r) for r in results], indent=2)


def render_check_jsonl(r: CheckResult) -> str:
    """One line of JSON for one suspect (JSON Lines)."""
    return dumps(check_dict(r))


CSV_COLUMNS = (
    "source", "copy", "verdict", "meaning_changed", "fidelity", "source_coverage",
    "copy_coverage", "alterations", "meaning_changing", "source_sha256", "copy_sha256",
)  # fmt: skip


def csv_rows(results: list[CompareResult]) -> str:
    """CSV rows (no header) of the scores of each pair; names are :func:`csv_cell`s."""
    import csv  # (only for CSV output)

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in results:
        s = r.score
        writer.writerow(
            [
                csv_cell(r.source), csv_cell(r.copy), s.verdict, str(s.meaning_changed).lower(),
                s.fidelity, s.source_coverage, s.copy_coverage, len(s.alterations),
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
#: How many distinct meaning-changing alterations a summary names.
SHOWN = 3


def plural(n: int, word: str, many: str = "") -> str:
    """``1 source``, ``2 sources``, ``1,204 words`` (``many``: an irregular plural)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def pct(x: float) -> str:
    """A share as a percentage that never rounds a part up to the whole, nor a little
    down to nothing: 0.996 is "99.6%", 0.9999 "99.9%", 0.003 "0.3%"."""
    if 0.995 <= x < 1:
        return f"{math.floor(x * 1000) / 10:.1f}%"
    if 0 < x < 0.005:
        return f"{max(math.ceil(x * 1000) / 10, 0.1):.1f}%"
    return f"{round(100 * x)}%"


def grouped(alterations: tuple[Alteration, ...] | list[Alteration]) -> list[tuple[Alteration, int]]:
    """Identical alterations (same kind, class and words) once each, with how many times
    they occur, in order of first occurrence."""
    seen: dict[tuple[str, str, str, str], int] = {}
    out: list[tuple[Alteration, int]] = []
    for a in alterations:
        key = (a.kind, a.risk, flat(a.source).casefold(), flat(a.copy).casefold())
        if key in seen:
            first, n = out[seen[key]]
            out[seen[key]] = (first, n + 1)
        else:
            seen[key] = len(out)
            out.append((a, 1))
    return out


def summary(r: CompareResult, dates: Direction | None = None) -> str:
    """One paragraph a journalist can read.

    "Word for word" only when nothing was altered; a share under 100% is never shown as
    100%; an alteration made in several places is named once, with the count; the
    texts' dates, when both have one, say which is older.
    """
    s = r.score
    src, copy = PurePath(r.source).name, PurePath(r.copy).name
    verdict = s.verdict
    words = _VERDICT_WORDS[verdict]
    if verdict == "verbatim" and s.alterations:
        words = _VERDICT_WORDS["near-verbatim"]
    by_meaning = any(p.kind and p.found for p in s.pairs)
    # translated or reworded text found by meaning counts in the share copied
    cov = s.copied_words / s.source_words if by_meaning and s.source_words else s.source_coverage
    out = f"{copy} {words.format(cov=pct(cov), src=src)}"
    if verdict == "unrelated":
        return out + "."
    d = direction_of(r, dates)
    # a copy dated before its source may be the original: its differences are not
    # (necessarily) alterations made by a copyist
    noun = "difference" if d.older == "copy" else "alteration"
    risky = [a for a in s.alterations if a.risk in MEANING_RISKS]
    n = len(s.alterations)
    out += f", with {n} {noun}{'s' if n != 1 else ''}"
    if risky:
        groups = grouped(risky)
        shown = "; ".join(_alteration_phrase(a, k) for a, k in groups[:SHOWN])
        more = f" and {len(groups) - SHOWN} more" if len(groups) > SHOWN else ""
        out += f"; {len(risky)} of them may change the meaning: {shown}{more}"
    if by_meaning and not s.found_words:
        out += ". Matched by meaning (translated or reworded), not word by word."
    else:
        out += f". Fidelity of the copied text: {pct(s.fidelity)}."
    if s.copy_coverage < 0.999 and s.copy_words:
        out += f" {pct(1 - s.copy_coverage)} of the copy's own text is not from this source."
    told = d.describe(altered=bool(s.alterations))
    return f"{out} {told}" if told else out


def flat(text: str) -> str:
    """Text on one line: runs of white space become one space."""
    return re.sub(r"\s+", " ", text).strip()


#: What a terminal would act on instead of showing: C0 controls but tab and newline (ESC
#: starts colour, cursor and OSC 8 link sequences; BEL, CR, backspace), DEL, C1 controls
#: (CSI and OSC in 8 bits), the bidirectional overrides and isolates that reorder a line
#: ("Trojan Source"), and lone surrogates (half a UTF-16 pair: not encodable).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = True) -> str:
    """``text`` safe to print on a terminal: control characters, bidirectional overrides
    and lone surrogates written as visible escapes (``\\x1b``, ``\\u202e``; an
    undecodable byte of a file name as ``\\xff``). With ``lines=False`` tabs and line
    breaks are escaped too (one line per value).

    >>> printable("a\\x1b[2Jb\\x07 \\udcff")
    'a\\\\x1b[2Jb\\\\x07 \\\\xff'
    """
    out = _UNPRINTABLE.sub(_escape_char, text)
    if not lines:
        out = out.replace("\t", "\\t").replace("\n", "\\n")
    return out


#: A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
#: CR, moves it): OWASP's CSV injection list.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a
    leading apostrophe (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``), and its control
    characters are escaped as on the terminal (:func:`printable`); numbers are unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return printable(value)


def _alteration_phrase(a: Alteration, times: int = 1) -> str:
    what = f"{a.risk}, {times} places" if times > 1 else a.risk
    if a.kind == "insertion":
        return f"added “{flat(a.copy)}” ({what})"
    if a.kind == "deletion":
        return f"dropped “{flat(a.source)}” ({what})"
    return f"“{flat(a.source)}” → “{flat(a.copy)}” ({what})"


def render_sources_json(rows: list[SourceRow]) -> str:
    return dumps(
        [
            {
                "path": r.path,
                "sha256": r.sha256,
                "lang": r.lang,
                "words": r.words,
                "passages": r.passages,
                "languages": dict(r.languages),
                "added_at": r.added_at,
            }
            for r in rows
        ],
        indent=2,
    )


# -- the crawl job's reports ------------------------------------------------------------

RESULT_COLUMNS = (
    "url", "key", "kind", "fetched_at", "scanned_at", "source", "verdict", "meaning_changed",
    "fidelity", "source_coverage", "copy_coverage", "alterations", "risky", "sha256",
)  # fmt: skip
#: What ``prov results`` adds to a match (schema m007; empty in rows scanned before):
#: the two-axis verdict, which text is older and by which dates, how the page was read.
RESULT_EXTRA = (
    "extent", "wording", "copied_words", "reason", "direction", "source_date",
    "source_date_from", "page_date", "page_date_from", "warnings",
)  # fmt: skip


def _result_row(r: dict[str, Any], fmt: str) -> dict[str, Any]:
    row = {k: r.get(k) for k in (*RESULT_COLUMNS, *RESULT_EXTRA)}
    row["meaning_changed"] = bool(row["meaning_changed"])
    warnings = [str(w) for w in r.get("warnings") or []]
    row["warnings"] = "; ".join(warnings) if fmt == "csv" else warnings
    if fmt != "csv":  # the copied passages: spans into the source and the page's text
        row["passages"] = list(r.get("passages") or [])
    return row


def render_rows(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> str:
    """Rows as ``json`` (one array), ``jsonl`` (one object per line) or ``csv`` (text
    cells made safe for spreadsheets by :func:`csv_cell`)."""
    if fmt == "json":
        return dumps(rows, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(dumps(r) + "\n" for r in rows)
    import csv  # (only for CSV output)

    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {k: (str(v).lower() if isinstance(v, bool) else csv_cell(v)) for k, v in r.items()}
        )
    return buf.getvalue()


def render_results(rows: list[dict[str, Any]], fmt: str) -> str:
    """``prov results`` as ``json``, ``jsonl`` (with each match's passages) or ``csv``."""
    columns = (*RESULT_COLUMNS, *RESULT_EXTRA)
    return render_rows([_result_row(r, fmt) for r in rows], fmt, columns)


ERROR_COLUMNS = ("key", "url", "kind", "fetched_at", "scanned_at", "reason")


def render_errors(rows: list[dict[str, Any]], fmt: str) -> str:
    """``prov errors`` as ``json``, ``jsonl`` or ``csv``."""
    return render_rows(rows, fmt, ERROR_COLUMNS)


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
        return dumps(clusters, indent=2) + "\n"
    flat = [{"source": c["source"], **copy} for c in clusters for copy in c["copies"]]
    return render_rows(flat, fmt, CLUSTER_COLUMNS)
