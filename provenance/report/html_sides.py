"""The side-by-side view of a comparison, and the helpers every section of the report uses.

:func:`side_by_side` is the section that shows both texts: one row for each aligned
passage, in source order, with the source cell and the copy cell; every alteration marked
on both sides (its words, or a caret where the other side added or dropped words) and
tagged with a link back to its line in the alteration list; the copy's added text dashed;
each missing source passage against an empty copy cell; source text outside the compared
body folded. :func:`place` (which row shows an alteration), :func:`extend` and
:class:`Paragraphs` also serve
the other sections of :mod:`provenance.report.html`, as do the small helpers and the
report's vocabulary at the top, which live here, the lower module, once.

Document text is hostile input: it reaches the page only through :func:`esc`
(``html.escape`` with ``quote=True``), in text or double-quoted attributes; identifiers,
classes and titles are built from the report's own vocabulary and numbers.
"""

from __future__ import annotations

import html
import math
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import PurePath

from provenance.match.evidence import AlignedPair
from provenance.match.results import Alteration, CompareResult, Score
from provenance.match.risk import (
    ATTRIBUTION,
    CLAIM,
    MEANING_RISKS,
    NAME,
    NUMBER,
    POLARITY,
    QUALIFIER,
    WORDING,
)
from provenance.report.json import plural

__all__ = [
    "CARET",
    "KIND_WORDS",
    "RISK_LABELS",
    "Paragraphs",
    "count_words",
    "esc",
    "extend",
    "file_name",
    "pct",
    "place",
    "side_by_side",
]

#: Kind of alteration -> the verb a reader sees.
KIND_WORDS = {"insertion": "added", "deletion": "dropped", "substitution": "replaced"}
RISK_LABELS = {
    POLARITY: "Polarity",
    QUALIFIER: "Qualifier",
    ATTRIBUTION: "Attribution",
    CLAIM: "Claim",
    NAME: "Name",
    NUMBER: "Number",
    WORDING: "Wording",
}
_RISK_HELP = {
    POLARITY: "a word replaced by its opposite: the claim may now say the reverse",
    QUALIFIER: (
        "a qualifier (negation, hedge, modality, quantifier, degree) changed: "
        "the claim's strength changed"
    ),
    ATTRIBUTION: "who says it, or how they say it, changed: the claim's source changed",
    CLAIM: "a statement about someone or something was added or dropped",
    NAME: "a name or title changed: who is involved changed",
    NUMBER: "a number, date or quantity changed",
    WORDING: "wording changed; the meaning is probably the same",
}
CARET = "\u2038"  # ‸ : where words were added or dropped on the other side


def esc(text: str) -> str:
    """Document text -> safe HTML text or attribute value (always double-quoted)."""
    return html.escape(text, quote=True)


def pct(x: float) -> str:
    """A share with one decimal where needed; a part never shows as 100%."""
    v = 100 * x
    if 99.95 <= v < 100:
        return f"{math.floor(v * 10) / 10:.1f}%"
    return f"{v:.0f}%" if abs(v - round(v)) < 0.05 else f"{v:.1f}%"


def count_words(text: str) -> int:
    return len(text.split())


def file_name(path: str) -> str:
    return PurePath(path).name or path


class Paragraphs:
    """Paragraph numbers (non-empty lines, 1-based) of offsets in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [m.start() for m in re.finditer(r"(?m)^[ \t\f\v\u00a0\u202f]*\S", text)]

    def at(self, offset: int) -> int:
        return max(1, bisect_right(self.starts, offset))


@dataclass(frozen=True, slots=True)
class _Mark:
    """A piece of one cell to wrap: an alteration's words, a caret, or added text."""

    start: int
    end: int
    html_open: str
    html_close: str
    after: str = ""


def _render_text(text: str, offset: int, marks: list[_Mark]) -> str:
    """``text`` (which starts at ``offset`` in its document), escaped, with ``marks``."""
    out: list[str] = []
    pos = 0
    for m in sorted(marks, key=lambda m: (m.start, m.end)):
        a, b = m.start - offset, m.end - offset
        if b < pos or a > len(text) or b < 0:
            continue
        a = max(a, pos)
        b = min(max(b, a), len(text))
        out.append(esc(text[pos:a]))
        out.append(m.html_open + esc(text[a:b]) + m.html_close + m.after)
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


_TRAILING = re.compile(r"[^\w\s]+")


def extend(text: str, end: int) -> int:
    """``end`` moved past the punctuation right after it (spans end at a word)."""
    m = _TRAILING.match(text, end)
    return m.end() if m else end


def _inside(span: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


def place(score: Score) -> dict[int, int]:
    """Alteration index -> the index of the aligned pair whose row shows it."""
    where: dict[int, int] = {}
    for ai, a in enumerate(score.alterations):
        for pi, p in enumerate(score.pairs):
            if a.source_span[1] > a.source_span[0] and _inside(a.source_span, p.source_span):
                where[ai] = pi
                break
            if a.copy_span[1] > a.copy_span[0] and _inside(a.copy_span, p.copy_span):
                where[ai] = pi
                break
        else:
            for pi, p in enumerate(score.pairs):
                if _inside(a.source_span, p.source_span) and _inside(a.copy_span, p.copy_span):
                    where[ai] = pi
                    break
    return where


def _alt_title(n: int, a: Alteration) -> str:
    quote = ", inside a quotation" if a.in_quote else ""
    return f"#{n} {a.risk}: {KIND_WORDS.get(a.kind, a.kind)}{quote}. {_RISK_HELP.get(a.risk, '')}"


def _alt_attrs(p: str, n: int, a: Alteration, side: str) -> str:
    risk, kind = esc(a.risk), esc(a.kind)
    return (
        f'class="alt risk-{risk} kind-{kind} side-{side}" data-risk="{risk}" '
        f'data-kind="{kind}" data-side="{side}" data-alt="{n}" '
        f'title="{esc(_alt_title(n, a))}"'
    )


def _tag(p: str, n: int, a: Alteration) -> str:
    risky = a.risk in MEANING_RISKS
    label = f"{n}\u00a0{esc(RISK_LABELS.get(a.risk, a.risk))}" if risky else str(n)
    cls = f"tag risk-{esc(a.risk)}" + (" risky" if risky else "")
    hidden = "" if risky else f'<span class="sr"> {esc(a.risk)}</span>'
    return f'<a class="{cls}" href="#{p}item-{n}" title="back to the list">{label}{hidden}</a>'


def _cell_marks(p: str, alts: list[tuple[int, Alteration]]) -> tuple[list[_Mark], list[_Mark]]:
    """The marks of one row: (source side, copy side)."""
    left: list[_Mark] = []
    right: list[_Mark] = []
    for n, a in alts:
        title = esc(_alt_title(n, a))
        cls = f"gap risk-{esc(a.risk)}"
        if a.kind == "insertion":
            s0 = a.source_span[0]
            caret = f'<span class="{cls}" id="{p}alt-{n}-src" title="{title}">{CARET}</span>'
            left.append(_Mark(s0, s0, caret, ""))
        else:
            ident = f"{p}alt-{n}" if a.kind == "deletion" else f"{p}alt-{n}-src"
            left.append(
                _Mark(
                    a.source_span[0],
                    a.source_span[1],
                    f'<mark {_alt_attrs(p, n, a, "source")} id="{ident}">',
                    "</mark>",
                    _tag(p, n, a) if a.kind == "deletion" else "",
                )
            )
        if a.kind == "deletion":
            c0 = a.copy_span[0]
            right.append(
                _Mark(
                    c0,
                    c0,
                    f'<span class="{cls}" id="{p}alt-{n}-copy" title="{title}">{CARET}</span>',
                    "",
                )
            )
        else:
            right.append(
                _Mark(
                    a.copy_span[0],
                    a.copy_span[1],
                    f'<mark {_alt_attrs(p, n, a, "copy")} id="{p}alt-{n}">',
                    "</mark>",
                    _tag(p, n, a),
                )
            )
    return left, right


def _added_marks(r: CompareResult, p: str, span: tuple[int, int]) -> list[_Mark]:
    out = []
    for k, ad in enumerate(r.score.added, 1):
        a, b = max(ad.copy_span[0], span[0]), min(ad.copy_span[1], span[1])
        if a < b:
            reason = esc(ad.reason)
            out.append(
                _Mark(
                    a,
                    b,
                    f'<span class="added-inline" data-reason="{reason}" '
                    f'title="added by the copy: {reason}">',
                    "</span>",
                    f'<a class="tag" href="#{p}added-{k}" title="added: {reason}">+</a>',
                )
            )
    return out


def _disjoint(spans: list[tuple[int, int]]) -> bool:
    spans = sorted(spans)
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def _shown(s: Score, src_par: Paragraphs, copy_par: Paragraphs) -> tuple[list[str], Score]:
    """The passages as rows: a passage found by meaning that joins several paragraphs
    (``parts``) is shown paragraph by paragraph, each row saying which passage it is
    part of (when its parts do not overlap); and each row's note."""
    pairs: list[AlignedPair] = []
    notes: list[str] = []
    for pair in s.pairs:
        parts = pair.parts
        if not (pair.kind and parts and _disjoint([q.source_span for q in parts])
                and _disjoint([q.copy_span for q in parts])):  # fmt: skip
            pairs.append(pair)
            notes.append("")
            continue
        (a0, a1), (b0, b1) = pair.source_span, pair.copy_span
        whole = (
            f"one passage of source ¶\u00a0{src_par.at(a0)}-{src_par.at(max(a0, a1 - 1))}, "
            f"copy ¶\u00a0{copy_par.at(b0)}-{copy_par.at(max(b0, b1 - 1))}, "
            f"{pct(pair.similarity)} similar"
        )
        for k, q in enumerate(parts, 1):
            pairs.append(replace(q, moved=pair.moved))
            notes.append(
                f'<span class="pill" title="{esc(whole)}">paragraph {k} of {len(parts)}</span>'
            )
    return notes, replace(s, pairs=tuple(pairs))


def side_by_side(r: CompareResult, p: str, h: int) -> str:
    src_par, copy_par = Paragraphs(r.source_text), Paragraphs(r.copy_text)
    notes, s = _shown(r.score, src_par, copy_par)
    where = place(s)
    by_pair: dict[int, list[tuple[int, Alteration]]] = {}
    for ai, pi in where.items():
        by_pair.setdefault(pi, []).append((ai + 1, s.alterations[ai]))
    order = sorted(range(len(s.pairs)), key=lambda i: s.pairs[i].copy_span[0])
    copy_rank = {pi: k + 1 for k, pi in enumerate(order)}

    rows: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for pi, pair in enumerate(s.pairs):
        left, right = _cell_marks(p, by_pair.get(pi, []))
        right += _added_marks(r, p, pair.copy_span)
        (a0, a1), (b0, b1) = pair.source_span, pair.copy_span
        a1, b1 = extend(r.source_text, a1), extend(r.copy_text, b1)
        moved = (
            '<span class="pill moved" title="this passage is at another place in the copy">'
            "moved in the copy</span>"
            if pair.moved
            else ""
        )
        if pair.kind:
            what = (
                f"translated ({html.escape(pair.lang)})"
                if pair.kind == "translation"
                else "reworded"
            )
            moved += (
                f'<span class="pill" title="matched by meaning, sentence by sentence: '
                f'{html.escape(what)}">{html.escape(what)}</span>'
            )
        moved += notes[pi]
        if not pair.found:
            moved += (
                '<span class="pill" title="a similar sentence, too little on its own to count '
                'as copied">not counted</span>'
            )
        n_alts = len(by_pair.get(pi, []))
        risky = sum(1 for _, a in by_pair.get(pi, []) if a.risk in MEANING_RISKS)
        counts = plural(n_alts, "alteration") + (f", {risky} risky" if risky else "")
        head = (
            f'<div class="rowhead"><a href="#{p}row-{pi + 1}">passage {pi + 1}</a>'
            f"<span>source ¶\u00a0{src_par.at(a0)}</span>"
            f'<span class="copy-pos">copy ¶\u00a0{copy_par.at(b0)} '
            f"(passage {copy_rank[pi]} in copy order)</span>{moved}"
            f"<span>{pct(pair.similarity)} similar</span><span>{counts}</span></div>"
        )
        covered.append((a0, a1))
        rows.append(
            (
                a0,
                0,
                f'<div class="row pair" id="{p}row-{pi + 1}" data-pair="{pi + 1}" '
                f'data-copy-start="{b0}" data-moved="{"true" if pair.moved else "false"}">{head}'
                f'<div class="cell src"><div class="cellhead">Source</div><div class="text">'
                f"{_render_text(r.source_text[a0:a1], a0, left)}</div></div>"
                f'<div class="cell copy"><div class="cellhead">Copy</div><div class="text">'
                f"{_render_text(r.copy_text[b0:b1], b0, right)}</div></div></div>",
            )
        )
    for k, m in enumerate(s.missing, 1):
        a0, a1 = m.source_span[0], extend(r.source_text, m.source_span[1])
        covered.append((a0, a1))
        rows.append(
            (
                a0,
                0,
                f'<div class="row missing" id="{p}missing-{k}" data-missing="{k}">'
                f'<div class="rowhead"><span class="badge risk-wording">missing</span>'
                f"<span>source ¶\u00a0{src_par.at(a0)}</span>"
                f"<span>{plural(count_words(m.text), 'word')}"
                " the copy does not reproduce</span></div>"
                f'<div class="cell src"><div class="cellhead">Source</div>'
                f'<div class="text">{esc(r.source_text[a0:a1])}</div></div>'
                f'<div class="cell copy"><div class="cellhead">Copy</div>'
                f'<span class="notice">not in the copy</span></div></div>',
            )
        )
    # Source text outside its body (title, boilerplate): shown folded, for completeness.
    pos = 0
    for a0, a1 in sorted(covered) + [(len(r.source_text), len(r.source_text))]:
        gap = r.source_text[pos:a0]
        if gap.strip():
            rows.append(
                (
                    pos,
                    1,
                    f'<div class="row outside" data-outside="true"><div class="cell src">'
                    f"<details><summary>source text not compared (title, heading or "
                    f"boilerplate; {plural(count_words(gap), 'word')})</summary>"
                    f'<div class="text">{esc(gap.strip())}</div></details></div>'
                    f'<div class="cell copy"></div></div>',
                )
            )
        pos = max(pos, a1)
    rows.sort(key=lambda t: (t[0], t[1]))

    hh = f"h{h}"
    legend = (
        '<p class="legend">'
        '<span><mark class="alt risk-polarity side-copy">polarity</mark> '
        '<mark class="alt risk-qualifier side-copy">qualifier</mark> '
        '<mark class="alt risk-attribution side-copy">attribution</mark> '
        '<mark class="alt risk-claim side-copy">claim</mark> '
        '<mark class="alt risk-name side-copy">name</mark> '
        '<mark class="alt risk-number side-copy">number</mark> '
        '<mark class="alt risk-wording side-copy">wording</mark> changed words</span>'
        '<span><mark class="alt risk-wording side-source">struck</mark> '
        "source words the copy dropped or replaced</span>"
        f'<span><span class="gap">{CARET}</span> '
        "where the other side added or dropped words</span>"
        '<span><span class="added-inline">dashed</span> added by the copy</span></p>'
    )
    body = "".join(html_ for _, _, html_ in rows) or '<p class="none">Nothing to show.</p>'
    return (
        f'<section id="{p}side-by-side" class="sbs"><{hh}>Side by side, in source order</{hh}>'
        f"{legend}"
        f'<div class="sbs-head" aria-hidden="true"><div>Source · <code>{esc(file_name(r.source))}'
        f"</code></div><div>Copy · <code>{esc(file_name(r.copy))}</code></div></div>"
        f"{body}</section>"
    )
