"""Stage 7, HTML: results -> one self-contained report page. Pure functions returning str.

The page has no external resource: CSS is inline, the only script is a short constant
one (keyboard navigation, n / p) allowed by its hash in a strict Content-Security-Policy,
and every link is a fragment of the page itself. Everything works with JavaScript off.

Compared texts are hostile input (crawled pages): every piece of document text, file
names included, goes through :func:`_esc` (``html.escape`` with ``quote=True``) before
it reaches the page, and it is never put in the script, in a URL or in an unquoted
attribute. Identifiers, classes and titles are built from the report's own vocabulary
(risk, kind, numbers) only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from provenance.report import flat, summary
from provenance.score import (
    MEANING_RISKS,
    NAME,
    NUMBER,
    QUALIFIER,
    WORDING,
    Alteration,
    CheckResult,
    CompareResult,
    Score,
)

__all__ = ["CSP", "SCRIPT", "render_check_html", "render_compare_html"]

#: Kind of alteration -> the verb a reader sees.
_KIND_WORDS = {"insertion": "added", "deletion": "dropped", "substitution": "replaced"}
_RISK_LABELS = {QUALIFIER: "Qualifier", NAME: "Name", NUMBER: "Number", WORDING: "Wording"}
_RISK_HELP = {
    QUALIFIER: "a qualifier (negation, hedge, attribution, degree) changed: the claim changed",
    NAME: "a name or title changed: who is involved changed",
    NUMBER: "a number, date or quantity changed",
    WORDING: "wording changed; the meaning is probably the same",
}
_VERDICT_LABELS = {
    "verbatim": "Verbatim copy",
    "near-verbatim": "Near-verbatim copy",
    "paraphrased": "Paraphrased copy",
    "partial": "Partial reuse",
    "unrelated": "Unrelated",
}
_CONTEXT_WORDS = 4
#: Above this many, wording-only alterations are folded (a <details>, open in print).
_WORDING_SHOWN = 10
_CARET = "\u2038"  # ‸ : where words were added or dropped on the other side

# The only script of the page. Constant: no document text ever goes into it.
SCRIPT = """(function () {
  var d = document;
  d.documentElement.setAttribute("data-js", "on");
  var links = Array.prototype.slice.call(d.querySelectorAll("a.jump"));
  var targets = links.map(function (a) { return a.getAttribute("href").slice(1); });
  var items = links.map(function (a) { return a.getAttribute("data-item"); });
  var hint = d.createElement("p");
  hint.id = "js-hint";
  hint.className = "hint";
  hint.textContent = targets.length
    ? "Keys: n next alteration, p previous (riskiest first)."
    : "No alterations to step through.";
  var nav = d.querySelector("nav.toc .inner");
  if (nav) { nav.appendChild(hint); }
  var cur = -1;
  d.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !targets.length) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var k = e.key;
    if (k !== "n" && k !== "p" && k !== "j" && k !== "k") { return; }
    var h = location.hash.slice(1);
    var i = targets.indexOf(h);
    if (i < 0) { i = items.indexOf(h); }
    if (i < 0) { i = cur; }
    var fwd = k === "n" || k === "j";
    cur = fwd ? Math.min(i + 1, targets.length - 1) : Math.max(i - 1, 0);
    location.hash = targets[cur];
    e.preventDefault();
  });
})();"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")

#: The page's Content-Security-Policy: nothing may load, only our script may run.
CSP = (
    "default-src 'none'; "
    "style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)

_CSS = """
:root {
  --ink: #1c1f23; --muted: #5b6470; --line: #d9dde3; --bg: #ffffff; --panel: #f6f7f9;
  --q: #b3261e; --q-bg: #fde4e2;
  --n: #6a1b9a; --n-bg: #f1e2f7;
  --u: #9a4a00; --u-bg: #ffedd5;
  --w: #37576b; --w-bg: #e2eef7;
  --add: #5f5a4f; --add-bg: #f3f0e6;
  --miss: #8a5a00; --miss-bg: #fff6df;
  --v-verbatim: #1e6b34; --v-near-verbatim: #16695f; --v-paraphrased: #a04e0a;
  --v-partial: #1f57a4; --v-unrelated: #56616c;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "DejaVu Sans", sans-serif;
}
main { max-width: 1240px; margin: 0 auto; padding: 0 20px 48px; }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }
h2 { font-size: 1.3rem; margin: 36px 0 12px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.12rem; margin: 28px 0 10px; }
code, .mono { font-size: .9em;
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
a { color: #1f57a4; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }

/* banner */
.banner { color: #fff; background: var(--vc, #333); padding: 22px 0 18px; }
.banner .inner { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
.verdict-verbatim { --vc: var(--v-verbatim); }
.verdict-near-verbatim { --vc: var(--v-near-verbatim); }
.verdict-paraphrased { --vc: var(--v-paraphrased); }
.verdict-partial { --vc: var(--v-partial); }
.verdict-unrelated { --vc: var(--v-unrelated); }
.brand { font-size: .78rem; letter-spacing: .12em; text-transform: uppercase; opacity: .85; }
.banner h1 { font-size: 2rem; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 10px 16px;
  align-items: center; }
.banner .files { margin: 0; opacity: .95; overflow-wrap: anywhere; }
.banner .files code { background: rgba(255,255,255,.16); padding: 1px 6px; border-radius: 4px; }
.flag { display: inline-block; font-size: .95rem; font-weight: 700; letter-spacing: .02em;
  padding: 4px 12px; border-radius: 999px; background: #fff; color: var(--q);
  border: 2px solid #fff; }
.flag.ok { color: var(--v-verbatim); }

nav.toc { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.96);
  border-bottom: 1px solid var(--line); }
nav.toc .inner { max-width: 1240px; margin: 0 auto; padding: 8px 20px; display: flex;
  flex-wrap: wrap;
  gap: 4px 18px; align-items: baseline; font-size: .92rem; }
nav.toc a { text-decoration: none; font-weight: 600; }
nav.toc a:hover { text-decoration: underline; }
.hint { margin: 0 0 0 auto; color: var(--muted); font-size: .85rem; }

/* summary and scores */
p.summary { font-size: 1.12rem; line-height: 1.6; margin: 22px 0 16px; padding: 14px 18px;
  background: var(--panel); border-left: 5px solid var(--vc, #333); border-radius: 4px; }
p.summary .verdict { text-transform: uppercase; letter-spacing: .03em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  margin: 0 0 18px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.card .big { font-size: 1.75rem; font-weight: 700; line-height: 1.2; }
.card .lbl { color: var(--muted); font-size: .85rem; }
.card.risky { border-color: var(--q); background: var(--q-bg); }
.card.risky .big { color: var(--q); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px;
  border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: .88rem; }
.scores-wrap { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px;
  align-items: start; }
.help { background: var(--panel); border-radius: 8px; padding: 12px 16px; font-size: .88rem;
  color: #333b45; }
.help h4 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted);
  margin-bottom: 6px; }
.help dl { margin: 0; }
.help dt { font-weight: 700; margin-top: 8px; }
.help dd { margin: 2px 0 0; line-height: 1.5; }
.help .badge { min-width: 0; font-size: .66rem; padding: 1px 5px; }
table.scores th { width: 42%; color: var(--ink); font-weight: 500; }
table.scores td { font-variant-numeric: tabular-nums; }
.bar { display: inline-block; vertical-align: middle; width: 120px; height: 8px; margin-left: 10px;
  border-radius: 4px; background: #e7eaee; overflow: hidden; }
.bar i { display: block; height: 100%; background: var(--vc, #555); }

/* badges */
.badge { display: inline-block; min-width: 5.6em; text-align: center; font-size: .74rem;
  font-weight: 700;
  letter-spacing: .05em; text-transform: uppercase; padding: 2px 7px; border-radius: 4px;
  border: 1px solid currentColor; white-space: nowrap; }
.badge.risk-qualifier { background: var(--q); color: #fff; border-color: var(--q); }
.badge.risk-name { background: var(--n); color: #fff; border-color: var(--n); }
.badge.risk-number { background: var(--u); color: #fff; border-color: var(--u); }
.badge.risk-wording { background: #fff; color: var(--w); }
.badge.verdict { background: var(--vc); color: #fff; border-color: var(--vc); }
.pill { display: inline-block; font-size: .75rem; padding: 0 6px; border-radius: 999px;
  border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.pill.moved { border-color: var(--u); color: var(--u); font-weight: 600; }
.pill.quote { border-color: var(--n); color: var(--n); font-weight: 600; }

/* alteration table */
table.alts td { font-size: .93rem; }
table.alts td.num { color: var(--muted); font-variant-numeric: tabular-nums; width: 2.5em; }
table.alts td.ctx { width: 38%; }
table.alts tr.risky td { background: #fffafa; }
table.alts tr.risky.risk-qualifier td:first-child { box-shadow: inset 4px 0 0 var(--q); }
table.alts tr.risky.risk-name td:first-child { box-shadow: inset 4px 0 0 var(--n); }
table.alts tr.risky.risk-number td:first-child { box-shadow: inset 4px 0 0 var(--u); }
.ctx del, .ctx ins { text-decoration: none; font-weight: 700; padding: 0 2px; border-radius: 2px; }
.ctx del { background: var(--q-bg); text-decoration: line-through;
  text-decoration-color: var(--q); }
.ctx ins { background: #dff3e4; box-shadow: inset 0 -2px 0 #2e7d32; }
.ctx .empty { color: var(--muted); font-weight: 700; margin: 0 .15em; }
details.more { margin-top: 10px; }
details.more > summary { cursor: pointer; font-weight: 600; padding: 6px 0; }
:target { scroll-margin-top: 30vh; }
tr:target td { background: #fff6b3 !important; }

/* side by side */
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: .88rem; color: var(--muted);
  margin: 0 0 12px; }
.sbs-head { display: grid; grid-template-columns: 1fr 1fr; gap: 0 18px; position: sticky;
  top: 38px; z-index: 3;
  background: #fff; border-bottom: 2px solid var(--ink); padding: 6px 0; font-weight: 700; }
.sbs-head div { overflow-wrap: anywhere; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 18px; padding: 10px 0 12px;
  border-bottom: 1px solid var(--line); break-inside: avoid; }
.rowhead { grid-column: 1 / -1; font-size: .8rem; color: var(--muted); margin-bottom: 4px;
  display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.rowhead a { color: var(--muted); }
.cell { min-width: 0; }
.cellhead { display: none; font-size: .75rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .06em; color: var(--muted); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.row.missing .src .text { background: var(--miss-bg); box-shadow: inset 4px 0 0 var(--miss);
  padding: 4px 10px; }
.row.missing .copy { display: flex; align-items: flex-start; }
.notice { display: inline-block; font-weight: 700; color: var(--miss);
  border: 2px dashed var(--miss);
  border-radius: 6px; padding: 6px 12px; background: #fff; }
.row.outside { color: var(--muted); }
.row.outside details summary { cursor: pointer; font-size: .85rem; }
mark.alt { color: inherit; background: var(--w-bg); border-radius: 2px; padding: 0 1px; }
mark.alt.side-source { text-decoration: line-through; text-decoration-thickness: 2px; }
mark.alt.side-copy { box-shadow: inset 0 -2px 0 var(--w); }
mark.alt.risk-qualifier { background: var(--q-bg); text-decoration-color: var(--q);
  font-weight: 700; }
mark.alt.risk-qualifier.side-copy { box-shadow: inset 0 -3px 0 var(--q); }
mark.alt.risk-name { background: var(--n-bg); text-decoration-color: var(--n); font-weight: 700; }
mark.alt.risk-name.side-copy { box-shadow: inset 0 -3px 0 var(--n); }
mark.alt.risk-number { background: var(--u-bg); text-decoration-color: var(--u); font-weight: 700;
  }
mark.alt.risk-number.side-copy { box-shadow: inset 0 -3px 0 var(--u); }
mark.alt:target, .gap:target { outline: 3px solid #f2b600; outline-offset: 2px; }
.gap { color: var(--w); font-weight: 700; font-size: 1.25em; line-height: 0; padding: 0 1px;
  vertical-align: -0.12em; }
.gap.risk-qualifier { color: var(--q); }
.gap.risk-name { color: var(--n); }
.gap.risk-number { color: var(--u); }
a.tag { font-size: .68rem; font-weight: 700; vertical-align: super; line-height: 0;
  text-decoration: none;
  color: var(--w); margin: 0 1px; white-space: nowrap; }
a.tag.risky { color: #fff; padding: 1px 4px; border-radius: 3px; letter-spacing: .03em;
  text-transform: uppercase; }
a.tag.risk-qualifier { background: var(--q); }
a.tag.risk-name { background: var(--n); }
a.tag.risk-number { background: var(--u); }
span.added-inline { background: var(--add-bg); outline: 1px dashed var(--add); color: var(--add); }

/* added and missing lists */
ol.plain { list-style: none; padding: 0; margin: 0; }
ol.plain > li { padding: 8px 0; border-bottom: 1px solid var(--line); display: grid;
  grid-template-columns: 16em 1fr; gap: 4px 14px; }
.reason { font-size: .82rem; font-weight: 700; color: var(--add); }
.reason .where { display: block; font-weight: 400; color: var(--muted); }
li.added .text { background: var(--add-bg); padding: 2px 8px; border-radius: 3px;
  align-self: start; }
li.miss .text { background: var(--miss-bg); padding: 2px 8px; border-radius: 3px;
  align-self: start; }
.none { color: var(--muted); font-style: italic; }

/* check report */
table.matches td, table.matches th { white-space: nowrap; }
table.matches td.src { white-space: normal; overflow-wrap: anywhere; }
section.match { margin-top: 40px; border-top: 6px solid var(--vc, #333); padding-top: 4px; }
section.match > h2 { border: 0; margin-top: 10px; display: flex; flex-wrap: wrap; gap: 8px 14px;
  align-items: center; }
footer { margin-top: 40px; color: var(--muted); font-size: .82rem; }

@media (max-width: 700px) {
  body { font-size: 15px; }
  main { padding: 0 12px 32px; }
  .banner h1 { font-size: 1.5rem; }
  .row, .sbs-head, .scores-wrap { grid-template-columns: 1fr; }
  .sbs-head { display: none; }
  .cellhead { display: block; margin-top: 6px; }
  .row.missing .copy { display: block; }
  ol.plain > li { grid-template-columns: 1fr; }
  table.alts, table.alts tbody, table.alts tr { display: block; }
  table.alts thead { display: none; }
  table.alts tr { border-bottom: 1px solid var(--line); padding: 6px 0 6px 8px; }
  table.alts td { display: inline-block; border: 0; padding: 2px 4px; width: auto !important; }
  table.alts tr.risky td:first-child { box-shadow: none !important; }
  table.alts tr.risky.risk-qualifier { box-shadow: inset 4px 0 0 var(--q); }
  table.alts tr.risky.risk-name { box-shadow: inset 4px 0 0 var(--n); }
  table.alts tr.risky.risk-number { box-shadow: inset 4px 0 0 var(--u); }
  table.alts td.ctx { display: block; }
  table.alts td.ctx-src::before { content: "Source: "; color: var(--muted); font-size: .8rem; }
  table.alts td.ctx-copy::before { content: "Copy: "; color: var(--muted); font-size: .8rem; }
  table.matches { display: block; overflow-x: auto; }
  .hint { display: none; }
}
@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc, .hint, .jump-col { display: none !important; }
  .banner { padding: 10px 0; }
  .banner .inner { padding: 0; }
  .sbs-head { position: static; }
  details > summary { display: none; }
  details::details-content { display: block; content-visibility: visible; }
  details > * { display: block; }
  .row, tr, li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _esc(text: str) -> str:
    """Document text -> safe HTML text or attribute value (always double-quoted)."""
    return html.escape(text, quote=True)


def _pct(x: float) -> str:
    v = 100 * x
    return f"{v:.0f}%" if abs(v - round(v)) < 0.05 else f"{v:.1f}%"


def _pct0(x: float) -> str:
    """Whole per cent, rounded as in the summary sentence."""
    return f"{round(100 * x)}%"


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _words(text: str) -> int:
    return len(text.split())


_WORD = re.compile(r"\S+")


def _before(text: str, pos: int, lo: int = 0, n: int = _CONTEXT_WORDS) -> str:
    """Up to ``n`` words of ``text`` before ``pos`` (not before ``lo``), on one line."""
    words = list(_WORD.finditer(text, max(lo, pos - 240), pos))
    if not words:
        return ""
    start = words[-n].start() if len(words) >= n else words[0].start()
    prefix = "…" if text[lo:start].strip() else ""
    return prefix + flat(text[start:pos]) + (" " if text[pos - 1 : pos].isspace() else "")


def _after(text: str, pos: int, hi: int | None = None, n: int = _CONTEXT_WORDS) -> str:
    """Up to ``n`` words of ``text`` after ``pos`` (not past ``hi``), on one line."""
    hi = len(text) if hi is None else hi
    words = list(_WORD.finditer(text, pos, min(hi, pos + 240)))
    if not words:
        return ""
    end = words[n - 1].end() if len(words) >= n else words[-1].end()
    suffix = "…" if text[end:hi].strip() else ""
    lead = " " if text[pos : pos + 1].isspace() else ""
    return lead + flat(text[pos:end]) + suffix


class _Paragraphs:
    """Paragraph numbers (non-empty lines, 1-based) of offsets in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [m.start() for m in re.finditer(r"(?m)^[ \t\f\v\u00a0\u202f]*\S", text)]

    def at(self, offset: int) -> int:
        return max(1, bisect_right(self.starts, offset))


def _stable(seq: Sequence[int]) -> set[int]:
    """Indexes of one longest increasing subsequence of ``seq`` (the passages not moved)."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    out: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.add(i)
        i = prev[i]
    return out


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
        out.append(_esc(text[pos:a]))
        out.append(m.html_open + _esc(text[a:b]) + m.html_close + m.after)
        pos = b
    out.append(_esc(text[pos:]))
    return "".join(out)


_TRAILING = re.compile(r"[^\w\s]+")


def _extend(text: str, end: int) -> int:
    """``end`` moved past the punctuation right after it (spans end at a word)."""
    m = _TRAILING.match(text, end)
    return m.end() if m else end


def _inside(span: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


def _place(score: Score) -> dict[int, int]:
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
    return f"#{n} {a.risk}: {_KIND_WORDS.get(a.kind, a.kind)}{quote}. {_RISK_HELP.get(a.risk, '')}"


def _alt_attrs(p: str, n: int, a: Alteration, side: str) -> str:
    risk, kind = _esc(a.risk), _esc(a.kind)
    return (
        f'class="alt risk-{risk} kind-{kind} side-{side}" data-risk="{risk}" '
        f'data-kind="{kind}" data-side="{side}" data-alt="{n}" '
        f'title="{_esc(_alt_title(n, a))}"'
    )


def _tag(p: str, n: int, a: Alteration) -> str:
    risky = a.risk in MEANING_RISKS
    label = f"{n}\u00a0{_esc(_RISK_LABELS.get(a.risk, a.risk))}" if risky else str(n)
    cls = f"tag risk-{_esc(a.risk)}" + (" risky" if risky else "")
    hidden = "" if risky else f'<span class="sr"> {_esc(a.risk)}</span>'
    return f'<a class="{cls}" href="#{p}item-{n}" title="back to the list">{label}{hidden}</a>'


def _cell_marks(p: str, alts: list[tuple[int, Alteration]]) -> tuple[list[_Mark], list[_Mark]]:
    """The marks of one row: (source side, copy side)."""
    left: list[_Mark] = []
    right: list[_Mark] = []
    for n, a in alts:
        title = _esc(_alt_title(n, a))
        cls = f"gap risk-{_esc(a.risk)}"
        if a.kind == "insertion":
            s0 = a.source_span[0]
            caret = f'<span class="{cls}" id="{p}alt-{n}-src" title="{title}">{_CARET}</span>'
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
                    f'<span class="{cls}" id="{p}alt-{n}-copy" title="{title}">{_CARET}</span>',
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
            reason = _esc(ad.reason)
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


def _side_by_side(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    src_par, copy_par = _Paragraphs(r.source_text), _Paragraphs(r.copy_text)
    where = _place(s)
    by_pair: dict[int, list[tuple[int, Alteration]]] = {}
    for ai, pi in where.items():
        by_pair.setdefault(pi, []).append((ai + 1, s.alterations[ai]))
    order = sorted(range(len(s.pairs)), key=lambda i: s.pairs[i].copy_span[0])
    copy_rank = {pi: k + 1 for k, pi in enumerate(order)}
    stable = _stable([s.pairs[i].copy_span[0] for i in range(len(s.pairs))])

    rows: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for pi, pair in enumerate(s.pairs):
        left, right = _cell_marks(p, by_pair.get(pi, []))
        right += _added_marks(r, p, pair.copy_span)
        (a0, a1), (b0, b1) = pair.source_span, pair.copy_span
        a1, b1 = _extend(r.source_text, a1), _extend(r.copy_text, b1)
        moved = (
            '<span class="pill moved" title="this passage is at another place in the copy">'
            "moved in the copy</span>"
            if pi not in stable
            else ""
        )
        n_alts = len(by_pair.get(pi, []))
        risky = sum(1 for _, a in by_pair.get(pi, []) if a.risk in MEANING_RISKS)
        counts = _plural(n_alts, "alteration") + (f", {risky} risky" if risky else "")
        head = (
            f'<div class="rowhead"><a href="#{p}row-{pi + 1}">passage {pi + 1}</a>'
            f"<span>source ¶\u00a0{src_par.at(a0)}</span>"
            f'<span class="copy-pos">copy ¶\u00a0{copy_par.at(b0)} '
            f"(passage {copy_rank[pi]} in copy order)</span>{moved}"
            f"<span>{_pct(pair.similarity)} similar</span><span>{counts}</span></div>"
        )
        covered.append((a0, a1))
        rows.append(
            (
                a0,
                0,
                f'<div class="row pair" id="{p}row-{pi + 1}" data-pair="{pi + 1}" '
                f'data-copy-start="{b0}" data-moved="{"true" if moved else "false"}">{head}'
                f'<div class="cell src"><div class="cellhead">Source</div><div class="text">'
                f"{_render_text(r.source_text[a0:a1], a0, left)}</div></div>"
                f'<div class="cell copy"><div class="cellhead">Copy</div><div class="text">'
                f"{_render_text(r.copy_text[b0:b1], b0, right)}</div></div></div>",
            )
        )
    for k, m in enumerate(s.missing, 1):
        a0, a1 = m.source_span[0], _extend(r.source_text, m.source_span[1])
        covered.append((a0, a1))
        rows.append(
            (
                a0,
                0,
                f'<div class="row missing" id="{p}missing-{k}" data-missing="{k}">'
                f'<div class="rowhead"><span class="badge risk-wording">missing</span>'
                f"<span>source ¶\u00a0{src_par.at(a0)}</span>"
                f"<span>{_plural(_words(m.text), 'word')} the copy does not reproduce</span></div>"
                f'<div class="cell src"><div class="cellhead">Source</div>'
                f'<div class="text">{_esc(r.source_text[a0:a1])}</div></div>'
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
                    f"boilerplate; {_plural(_words(gap), 'word')})</summary>"
                    f'<div class="text">{_esc(gap.strip())}</div></details></div>'
                    f'<div class="cell copy"></div></div>',
                )
            )
        pos = max(pos, a1)
    rows.sort(key=lambda t: (t[0], t[1]))

    hh = f"h{h}"
    legend = (
        '<p class="legend">'
        '<span><mark class="alt risk-qualifier side-copy">qualifier</mark> '
        '<mark class="alt risk-name side-copy">name</mark> '
        '<mark class="alt risk-number side-copy">number</mark> '
        '<mark class="alt risk-wording side-copy">wording</mark> changed words</span>'
        '<span><mark class="alt risk-wording side-source">struck</mark> '
        "source words the copy dropped or replaced</span>"
        f'<span><span class="gap">{_CARET}</span> '
        "where the other side added or dropped words</span>"
        '<span><span class="added-inline">dashed</span> added by the copy</span></p>'
    )
    body = "".join(html_ for _, _, html_ in rows) or '<p class="none">Nothing to show.</p>'
    return (
        f'<section id="{p}side-by-side" class="sbs"><{hh}>Side by side, in source order</{hh}>'
        f"{legend}"
        f'<div class="sbs-head" aria-hidden="true"><div>Source · <code>{_esc(_name(r.source))}'
        f"</code></div><div>Copy · <code>{_esc(_name(r.copy))}</code></div></div>"
        f"{body}</section>"
    )


def _name(path: str) -> str:
    return PurePath(path).name or path


def _context_html(text: str, span: tuple[int, int], bounds: tuple[int, int], tag: str) -> str:
    """The changed words in ``<tag>`` (del or ins) with a few words around them."""
    a, b = span
    mid = (
        f"<{tag}>{_esc(flat(text[a:b]))}</{tag}>"
        if b > a
        else f'<span class="empty">{_CARET}</span>'
    )
    return _esc(_before(text, a, bounds[0])) + mid + _esc(_after(text, b, bounds[1]))


def _alteration_rows(r: CompareResult, p: str, items: list[tuple[int, Alteration]]) -> str:
    placed = _place(r.score)
    out = []
    for n, a in items:
        risky = a.risk in MEANING_RISKS
        risk, kind = _esc(a.risk), _esc(a.kind)
        sb, cb = (0, len(r.source_text)), (0, len(r.copy_text))
        if (n - 1) in placed:
            pair = r.score.pairs[placed[n - 1]]
            sb = (pair.source_span[0], _extend(r.source_text, pair.source_span[1]))
            cb = (pair.copy_span[0], _extend(r.copy_text, pair.copy_span[1]))
        quote = ' <span class="pill quote">in a quotation</span>' if a.in_quote else ""
        jump = (
            f'<a class="jump" href="#{p}alt-{n}" data-item="{p}item-{n}">show</a>'
            if (n - 1) in placed
            else '<span class="none">not located</span>'
        )
        out.append(
            f'<tr class="item risk-{risk} kind-{kind}{" risky" if risky else ""}" '
            f'id="{p}item-{n}" data-risk="{risk}" data-kind="{kind}" '
            f'data-in-quote="{"true" if a.in_quote else "false"}">'
            f'<td class="num">{n}</td>'
            f'<td><span class="badge risk-{risk}">{"⚠ " if risky else ""}'
            f"{_esc(_RISK_LABELS.get(a.risk, a.risk))}</span></td>"
            f"<td>{_esc(_KIND_WORDS.get(a.kind, a.kind))}{quote}</td>"
            f'<td class="ctx ctx-src">{_context_html(r.source_text, a.source_span, sb, "del")}</td>'
            f'<td class="ctx ctx-copy">{_context_html(r.copy_text, a.copy_span, cb, "ins")}</td>'
            f'<td class="jump-col">{jump}</td></tr>'
        )
    return "".join(out)


def _alterations(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    items = list(enumerate(s.alterations, 1))
    risky = [(n, a) for n, a in items if a.risk in MEANING_RISKS]
    plain = [(n, a) for n, a in items if a.risk not in MEANING_RISKS]
    head = (
        "<thead><tr><th>#</th><th>Risk</th><th>Change</th><th>Source</th><th>Copy</th>"
        '<th class="jump-col"><span class="sr">link</span></th></tr></thead>'
    )
    title = f"Alterations, riskiest first ({len(items)}; {len(risky)} may change the meaning)"
    if not items:
        return (
            f'<section id="{p}alterations"><{hh}>Alterations</{hh}>'
            '<p class="none">No alteration inside the copied text.</p></section>'
        )
    parts = [f'<section id="{p}alterations"><{hh}>{_esc(title)}</{hh}>']
    if risky:
        parts.append(
            f'<table class="alts risky-alts">{head}<tbody>'
            f"{_alteration_rows(r, p, risky)}</tbody></table>"
        )
    else:
        parts.append('<p class="none">None of the alterations looks meaning-changing.</p>')
    if plain:
        table = f'<table class="alts">{head}<tbody>{_alteration_rows(r, p, plain)}</tbody></table>'
        if len(plain) > _WORDING_SHOWN:
            parts.append(
                f'<details class="more"><summary>{_plural(len(plain), "wording change")} '
                "(meaning probably the same): show</summary>"
                f"{table}</details>"
            )
        else:
            parts.append(table)
    parts.append("</section>")
    return "".join(parts)


def _scores(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    by_risk = {k: sum(1 for a in s.alterations if a.risk == k) for k in _RISK_LABELS}
    risky = sum(by_risk[k] for k in MEANING_RISKS)
    added_words = sum(_words(a.text) for a in s.added)
    missing_words = sum(_words(m.text) for m in s.missing)
    in_quote = sum(1 for a in s.alterations if a.in_quote)
    moved = len(s.pairs) - len(_stable([q.copy_span[0] for q in s.pairs]))

    def bar(x: float) -> str:
        w = max(0.0, min(1.0, x)) * 100
        return f'<span class="bar" aria-hidden="true"><i style="width:{w:.1f}%"></i></span>'

    cards = (
        '<div class="cards">'
        f'<div class="card"><div class="big">{_pct0(s.source_coverage)}</div>'
        '<div class="lbl">of the source is in the copy</div></div>'
        f'<div class="card"><div class="big">{_pct0(s.fidelity)}</div>'
        '<div class="lbl">fidelity of the copied text</div></div>'
        f'<div class="card{" risky" if risky else ""}"><div class="big">{risky}</div>'
        f'<div class="lbl">{"⚠ " if risky else ""}alterations that may change the meaning'
        f" (of {len(s.alterations)})</div></div>"
        f'<div class="card"><div class="big">{_pct0(1 - s.copy_coverage) if s.copy_words else "–"}'
        '</div><div class="lbl">of the copy\'s text is not from the source</div></div>'
        "</div>"
    )
    rows = [
        ("Verdict", f'<span class="badge verdict">{_esc(s.verdict)}</span>'),
        ("Meaning changed", "yes" if s.meaning_changed else "no"),
        ("Source coverage", f"{_pct(s.source_coverage)}{bar(s.source_coverage)}"),
        ("Copy coverage", f"{_pct(s.copy_coverage)}{bar(s.copy_coverage)}"),
        ("Fidelity", f"{_pct(s.fidelity)}{bar(s.fidelity)}"),
        ("Source passages found", f"{s.passages_found} of {s.passages}"),
        ("Passages moved in the copy", str(moved)),
        (
            "Words (source body · copy body · copied)",
            f"{s.source_words} · {s.copy_words} · {s.found_words}",
        ),
        (
            "Alterations",
            f"{len(s.alterations)}: "
            + ", ".join(f"{by_risk[k]} {k}" for k in _RISK_LABELS)
            + (f"; {in_quote} inside quotations" if in_quote else ""),
        ),
        (
            "Added by the copy",
            f"{_plural(added_words, 'word')} in {_plural(len(s.added), 'place')}",
        ),
        (
            "Missing from the copy",
            f"{_plural(missing_words, 'word')} in {_plural(len(s.missing), 'place')}",
        ),
        (
            "Source SHA-256",
            f'<code title="{_esc(r.source_sha256)}">{_esc(r.source_sha256[:16])}…</code>',
        ),
        ("Copy SHA-256", f'<code title="{_esc(r.copy_sha256)}">{_esc(r.copy_sha256[:16])}…</code>'),
    ]
    table = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return (
        f'<section id="{p}scores"><{hh}>Scores</{hh}>{cards}<div class="scores-wrap">'
        f'<table class="scores" data-verdict="{_esc(s.verdict)}" '
        f'data-source-coverage="{s.source_coverage}" data-copy-coverage="{s.copy_coverage}" '
        f'data-fidelity="{s.fidelity}">{table}</table>{_HELP}</div></section>'
    )


_HELP = (
    '<aside class="help"><h4>How to read this</h4><dl>'
    "<dt>Source coverage</dt><dd>Share of the source's body words found in the copy.</dd>"
    "<dt>Copy coverage</dt><dd>Share of the copy's own body words that come from the "
    "source; the rest is listed under <em>Added</em>.</dd>"
    "<dt>Fidelity</dt><dd>How faithfully the copied passages are reproduced: every changed "
    "word costs, and a changed qualifier, name or number costs more.</dd>"
    '<dt>Risk</dt><dd><span class="badge risk-qualifier">⚠ Qualifier</span> negation, hedge, '
    'attribution, degree; <span class="badge risk-name">⚠ Name</span> people, offices, '
    'bodies; <span class="badge risk-number">⚠ Number</span> figures and dates: these may '
    'change what the text claims. <span class="badge risk-wording">Wording</span> '
    "synonyms and filler.</dd></dl></aside>"
)


def _added(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    par = _Paragraphs(r.copy_text)
    words = sum(_words(a.text) for a in s.added)
    title = f"Added by the copy ({_plural(words, 'word')} in {_plural(len(s.added), 'place')})"
    if not s.added:
        items = '<p class="none">The copy adds nothing to the source text.</p>'
    else:
        lis = []
        for k, ad in enumerate(s.added, 1):
            reason = _esc(ad.reason)
            lis.append(
                f'<li class="added" id="{p}added-{k}" data-reason="{reason}">'
                f'<div class="reason">{reason}<span class="where">copy ¶\u00a0'
                f"{par.at(ad.copy_span[0])}</span></div>"
                f'<div class="text">{_esc(ad.text)}</div></li>'
            )
        items = f'<ol class="plain">{"".join(lis)}</ol>'
    return (
        f'<section id="{p}added" class="added-section"><{hh}>{_esc(title)}</{hh}>{items}</section>'
    )


def _missing(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    par = _Paragraphs(r.source_text)
    words = sum(_words(m.text) for m in s.missing)
    title = (
        f"Missing from the copy ({_plural(words, 'word')} in {_plural(len(s.missing), 'place')})"
    )
    if not s.missing:
        items = '<p class="none">Every passage of the source body is in the copy.</p>'
    else:
        lis = [
            f'<li class="miss" data-missing="{k}"><div class="reason">'
            f'<a href="#{p}missing-{k}">source ¶\u00a0{par.at(m.source_span[0])}</a></div>'
            f'<div class="text">{_esc(flat(m.text))}</div></li>'
            for k, m in enumerate(s.missing, 1)
        ]
        items = f'<ol class="plain">{"".join(lis)}</ol>'
    return (
        f'<section id="{p}missing" class="missing-section">'
        f"<{hh}>{_esc(title)}</{hh}>{items}</section>"
    )


def _summary_html(r: CompareResult) -> str:
    s = r.score
    flag = " Meaning changed." if s.meaning_changed else ""
    return (
        f'<p class="summary" data-verdict="{_esc(s.verdict)}"><strong class="verdict">'
        f"Verdict: {_esc(s.verdict)}.{flag}</strong> {_esc(summary(r))}</p>"
    )


def _verdict_flag(r: CompareResult) -> str:
    s = r.score
    if s.meaning_changed:
        n = sum(1 for a in s.alterations if a.risk in MEANING_RISKS)
        return f'<span class="flag">⚠ meaning changed · {_plural(n, "risky alteration")}</span>'
    if s.verdict == "unrelated":
        return ""
    return '<span class="flag ok">✓ no meaning change found</span>'


def _compare_body(r: CompareResult, p: str, h: int) -> str:
    return "".join(
        (
            _scores(r, p, h),
            _alterations(r, p, h),
            _side_by_side(r, p, h),
            _added(r, p, h),
            _missing(r, p, h),
        )
    )


def _toc(r: CompareResult | None, p: str, extra: str = "") -> str:
    links = [extra] if extra else []
    if r is not None:
        s = r.score
        risky = sum(1 for a in s.alterations if a.risk in MEANING_RISKS)
        links += [
            f'<a href="#{p}scores">Scores</a>',
            f'<a href="#{p}alterations">Alterations ({len(s.alterations)}, {risky} risky)</a>',
            f'<a href="#{p}side-by-side">Side by side</a>',
            f'<a href="#{p}added">Added ({len(s.added)})</a>',
            f'<a href="#{p}missing">Missing ({len(s.missing)})</a>',
        ]
    return f'<nav class="toc" aria-label="Sections"><div class="inner">{"".join(links)}</div></nav>'


def _page(title: str, verdict: str, banner: str, nav: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en" class="verdict-{_esc(verdict)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="prov">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{banner}\n{nav}\n<main>\n{body}\n"
        "<footer>Generated by prov. Offsets and paragraph numbers (¶ = non-empty line) refer "
        "to the original files. This page loads nothing from the network and works without "
        "JavaScript.</footer>\n</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def render_compare_html(result: CompareResult) -> str:
    """A self-contained HTML report of one (source, copy) comparison."""
    r = result
    s = r.score
    banner = (
        f'<header class="banner verdict-{_esc(s.verdict)}"><div class="inner">'
        '<div class="brand">prov · provenance report</div>'
        f"<h1><span>{_esc(_VERDICT_LABELS.get(s.verdict, s.verdict))}</span>"
        f"{_verdict_flag(r)}</h1>"
        f'<p class="files">copy <code>{_esc(r.copy)}</code> compared with source '
        f"<code>{_esc(r.source)}</code></p></div></header>"
    )
    body = _summary_html(r) + _compare_body(r, "", 2)
    title = f"prov: {_name(r.copy)} vs {_name(r.source)} ({s.verdict})"
    return _page(title, s.verdict, banner, _toc(r, ""), body)


def render_check_html(result: CheckResult) -> str:
    """A self-contained HTML report of one suspect: every source it copies, side by side."""
    r = result
    n = len(r.matches)
    top = r.matches[0].score.verdict if r.matches else "unrelated"
    any_risky = any(m.score.meaning_changed for m in r.matches)
    flag = '<span class="flag">⚠ meaning changed</span>' if any_risky else ""
    heading = (
        f"Copies {_plural(n, 'indexed source')}" if n else "No copy of an indexed source found"
    )
    banner = (
        f'<header class="banner verdict-{_esc(top)}"><div class="inner">'
        '<div class="brand">prov · provenance check</div>'
        f"<h1><span>{_esc(heading)}</span>{flag}</h1>"
        f'<p class="files">suspect <code>{_esc(r.suspect)}</code> · sha256 '
        f"<code>{_esc(r.suspect_sha256[:16])}…</code></p></div></header>"
    )
    sentence = (
        f"{_name(r.suspect)} copies {_plural(n, 'indexed source')} "
        f"({_plural(r.candidates, 'candidate')} checked)."
    )
    parts = [f'<p class="summary" data-matches="{n}">{_esc(sentence)}</p>']
    if r.matches:
        rows = []
        for i, m in enumerate(r.matches, 1):
            s = m.score
            risky = sum(1 for a in s.alterations if a.risk in MEANING_RISKS)
            rows.append(
                f'<tr class="match-row verdict-{_esc(s.verdict)}" data-verdict="{_esc(s.verdict)}">'
                f'<td>{i}</td><td class="src"><a href="#m{i}">{_esc(m.source)}</a></td>'
                f'<td><span class="badge verdict">{_esc(s.verdict)}</span></td>'
                f"<td>{'⚠ yes' if s.meaning_changed else 'no'}</td>"
                f"<td>{_pct(s.source_coverage)}</td><td>{_pct(s.copy_coverage)}</td>"
                f"<td>{_pct(s.fidelity)}</td><td>{len(s.alterations)} ({risky} risky)</td></tr>"
            )
        parts.append(
            '<section id="matches"><h2>Matches, best first</h2><table class="matches">'
            "<thead><tr><th>#</th><th>Source</th><th>Verdict</th><th>Meaning changed</th>"
            "<th>Source coverage</th><th>Copy coverage</th><th>Fidelity</th>"
            f"<th>Alterations</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    for i, m in enumerate(r.matches, 1):
        p = f"m{i}-"
        parts.append(
            f'<section class="match verdict-{_esc(m.score.verdict)}" id="m{i}" '
            f'data-verdict="{_esc(m.score.verdict)}">'
            f"<h2>{i}. <code>{_esc(m.source)}</code>"
            f'<span class="badge verdict">{_esc(m.score.verdict)}</span></h2>'
            f"{_summary_html(m)}{_compare_body(m, p, 3)}</section>"
        )
    toc_links = "".join(
        f'<a href="#m{i}">{i}. {_esc(_name(m.source))}</a>' for i, m in enumerate(r.matches, 1)
    )
    nav = _toc(None, "", '<a href="#matches">Matches</a>' + toc_links if n else "")
    title = f"prov check: {_name(r.suspect)} ({_plural(n, 'source')})"
    return _page(title, top, banner, nav, "".join(parts))
