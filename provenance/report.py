"""Stage 7: results -> what people and scripts read. Pure functions returning str."""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from typing import Any

from provenance.score import MEANING_RISKS, Alteration, CheckResult, CompareResult
from provenance.store import SourceRow

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
        "meaning_changed": s.meaning_changed,
        "fidelity": s.fidelity,
        "source_coverage": s.source_coverage,
        "copy_coverage": s.copy_coverage,
        "summary": summary(r),
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
    }


def render_compare_json(r: CompareResult) -> str:
    return json.dumps(compare_dict(r), ensure_ascii=False, indent=2)


def check_dict(r: CheckResult) -> dict[str, Any]:
    return {
        "suspect": r.suspect,
        "suspect_sha256": r.suspect_sha256,
        "candidates": r.candidates,
        "matches": [compare_dict(m) for m in r.matches],
    }


def render_check_json(r: CheckResult) -> str:
    """One line of JSON per suspect (JSON Lines when several are checked)."""
    return json.dumps(check_dict(r), ensure_ascii=False)


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


def _flat(text: str) -> str:
    """Text on one line: runs of white space become one space."""
    return re.sub(r"\s+", " ", text).strip()


def _alteration_phrase(a: Alteration) -> str:
    if a.kind == "insertion":
        return f"added “{_flat(a.copy)}” ({a.risk})"
    if a.kind == "deletion":
        return f"dropped “{_flat(a.source)}” ({a.risk})"
    return f"“{_flat(a.source)}” → “{_flat(a.copy)}” ({a.risk})"


def render_compare_text(r: CompareResult, limit: int = 10) -> str:
    """The terminal answer for one pair."""
    s = r.score
    lines = [
        f"{s.verdict.upper()}{'  (meaning changed)' if s.meaning_changed else ''}",
        summary(r),
        f"  source coverage {s.source_coverage:.2f}   copy coverage {s.copy_coverage:.2f}   "
        f"fidelity {s.fidelity:.2f}   passages {s.passages_found}/{s.passages}",
    ]
    if s.alterations:
        lines.append(
            f"  alterations (riskiest first, {min(limit, len(s.alterations))} "
            f"of {len(s.alterations)}):"
        )
        for a in s.alterations[:limit]:
            quote = " in quote" if a.in_quote else ""
            lines.append(
                f"    {a.risk:<9} {a.kind:<12}{quote} “{_flat(a.source_context)}” → "
                f"“{_flat(a.copy_context)}”"
            )
    if s.added:
        words = sum(len(a.text.split()) for a in s.added)
        lines.append(f"  added by the copy: {words} words in {len(s.added)} places")
    if s.missing:
        words = sum(len(m.text.split()) for m in s.missing)
        lines.append(f"  missing from the copy: {words} words in {len(s.missing)} places")
    return "\n".join(lines)


def render_check_text(r: CheckResult, limit: int = 5) -> str:
    if not r.matches:
        return (
            f"{r.suspect}: no copy of an indexed source found ({r.candidates} candidates checked)"
        )
    out = [f"{r.suspect}: {len(r.matches)} source{'s' if len(r.matches) != 1 else ''} copied"]
    for i, m in enumerate(r.matches, 1):
        body = render_compare_text(m, limit).replace("\n", "\n   ")
        out.append(f"{i}. {body}")
    return "\n".join(out)


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


def render_sources_text(rows: list[SourceRow]) -> str:
    if not rows:
        return "no sources in the index (add some with `prov add`)"
    lines = [f"{len(rows)} source{'s' if len(rows) != 1 else ''}:"]
    lines += [
        f"  {r.path}  {r.words} words, {r.passages} passages, {r.lang}, added {r.added_at}"
        for r in rows
    ]
    return "\n".join(lines)
