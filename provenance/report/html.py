"""Stage 7, HTML: results -> one self-contained report page. Pure functions returning str.

The page has no external resource: CSS is inline, the only script is a short constant
one (keyboard navigation, n / p) allowed by its hash in a strict Content-Security-Policy,
and every link is a fragment of the page itself. Everything works with JavaScript off.

Compared texts are hostile input (crawled pages): every piece of document text, file
names included, goes through :func:`~provenance.report.html_sides.esc` (``html.escape`` with
``quote=True``) before it reaches the page, and it is never put in the script, in a URL
or in an unquoted attribute. Identifiers, classes and titles are built from the report's
own vocabulary (risk, kind, numbers) only.

This module lays out the page and its sections (banner, scores, alteration list, added,
missing); the page's script, CSP and CSS are in :mod:`provenance.report.html_style`, the
side-by-side section and the helpers it shares with the rest in
:mod:`provenance.report.html_sides`.
"""

from __future__ import annotations

import re

from provenance.match.copies import is_copy
from provenance.match.results import Alteration, CheckResult, CompareResult
from provenance.match.risk import MEANING_RISKS
from provenance.report.html_sides import (
    CARET,
    KIND_WORDS,
    RISK_LABELS,
    Paragraphs,
    count_words,
    esc,
    extend,
    file_name,
    pct,
    place,
    side_by_side,
)
from provenance.report.html_style import CSP, CSS, SCRIPT
from provenance.report.json import flat, plural, summary
from provenance.report.json import pct as summary_pct
from provenance.text.dates import Direction

__all__ = ["CSP", "SCRIPT", "render_check_html", "render_compare_html"]

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


def _pct0(x: float) -> str:
    """Whole per cent as in the summary sentence (a part never shown as 100%)."""
    return summary_pct(x)


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


def _context_html(text: str, span: tuple[int, int], bounds: tuple[int, int], tag: str) -> str:
    """The changed words in ``<tag>`` (del or ins) with a few words around them."""
    a, b = span
    mid = (
        f"<{tag}>{esc(flat(text[a:b]))}</{tag}>" if b > a else f'<span class="empty">{CARET}</span>'
    )
    return esc(_before(text, a, bounds[0])) + mid + esc(_after(text, b, bounds[1]))


def _alteration_rows(r: CompareResult, p: str, items: list[tuple[int, Alteration]]) -> str:
    placed = place(r.score)
    out = []
    for n, a in items:
        risky = a.risk in MEANING_RISKS
        risk, kind = esc(a.risk), esc(a.kind)
        sb, cb = (0, len(r.source_text)), (0, len(r.copy_text))
        if (n - 1) in placed:
            pair = r.score.pairs[placed[n - 1]]
            sb = (pair.source_span[0], extend(r.source_text, pair.source_span[1]))
            cb = (pair.copy_span[0], extend(r.copy_text, pair.copy_span[1]))
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
            f"{esc(RISK_LABELS.get(a.risk, a.risk))}</span></td>"
            f"<td>{esc(KIND_WORDS.get(a.kind, a.kind))}{quote}</td>"
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
    parts = [f'<section id="{p}alterations"><{hh}>{esc(title)}</{hh}>']
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
                f'<details class="more"><summary>{plural(len(plain), "wording change")} '
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
    by_risk = {k: sum(1 for a in s.alterations if a.risk == k) for k in RISK_LABELS}
    risky = sum(by_risk[k] for k in MEANING_RISKS)
    added_words = sum(count_words(a.text) for a in s.added)
    missing_words = sum(count_words(m.text) for m in s.missing)
    in_quote = sum(1 for a in s.alterations if a.in_quote)
    moved = sum(1 for q in s.pairs if q.moved)

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
        ("Verdict", f'<span class="badge verdict">{esc(s.verdict)}</span>'),
        ("Extent and wording", f"{esc(s.extent)}, {esc(s.wording or '–')}"),
        ("Why", esc(s.reason)),
        ("Source words copied", f"{s.copied_words:,}"),
        ("Meaning changed", "yes" if s.meaning_changed else "no"),
        ("Source coverage", f"{pct(s.source_coverage)}{bar(s.source_coverage)}"),
        ("Copy coverage", f"{pct(s.copy_coverage)}{bar(s.copy_coverage)}"),
        ("Fidelity", f"{pct(s.fidelity)}{bar(s.fidelity)}"),
        ("Source passages found", f"{s.passages_found} of {s.passages}"),
        ("Passages moved in the copy", str(moved)),
        (
            "Words (source body · copy body · copied)",
            f"{s.source_words} · {s.copy_words} · {s.found_words}",
        ),
        (
            "Alterations",
            f"{len(s.alterations)}: "
            + ", ".join(f"{by_risk[k]} {k}" for k in RISK_LABELS)
            + (f"; {in_quote} inside quotations" if in_quote else ""),
        ),
        (
            "Added by the copy",
            f"{plural(added_words, 'word')} in {plural(len(s.added), 'place')}",
        ),
        (
            "Missing from the copy",
            f"{plural(missing_words, 'word')} in {plural(len(s.missing), 'place')}",
        ),
        (
            "Source SHA-256",
            f'<code title="{esc(r.source_sha256)}">{esc(r.source_sha256[:16])}…</code>',
        ),
        ("Copy SHA-256", f'<code title="{esc(r.copy_sha256)}">{esc(r.copy_sha256[:16])}…</code>'),
    ]
    table = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return (
        f'<section id="{p}scores"><{hh}>Scores</{hh}>{cards}<div class="scores-wrap">'
        f'<table class="scores" data-verdict="{esc(s.verdict)}" '
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
    '<dt>Risk</dt><dd><span class="badge risk-polarity">⚠ Polarity</span> a word replaced '
    'by its opposite; <span class="badge risk-qualifier">⚠ Qualifier</span> negation, hedge, '
    'modality, quantifier, degree; <span class="badge risk-attribution">⚠ Attribution</span> '
    'who says it and how; <span class="badge risk-claim">⚠ Claim</span> a statement about '
    'someone added or dropped; <span class="badge risk-name">⚠ Name</span> people, offices, '
    'bodies; <span class="badge risk-number">⚠ Number</span> figures and dates: these may '
    'change what the text claims. <span class="badge risk-wording">Wording</span> '
    "synonyms and filler.</dd></dl></aside>"
)


def _added(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    par = Paragraphs(r.copy_text)
    words = sum(count_words(a.text) for a in s.added)
    title = f"Added by the copy ({plural(words, 'word')} in {plural(len(s.added), 'place')})"
    if not s.added:
        items = '<p class="none">The copy adds nothing to the source text.</p>'
    else:
        lis = []
        for k, ad in enumerate(s.added, 1):
            reason = esc(ad.reason)
            lis.append(
                f'<li class="added" id="{p}added-{k}" data-reason="{reason}">'
                f'<div class="reason">{reason}<span class="where">copy ¶\u00a0'
                f"{par.at(ad.copy_span[0])}</span></div>"
                f'<div class="text">{esc(ad.text)}</div></li>'
            )
        items = f'<ol class="plain">{"".join(lis)}</ol>'
    return (
        f'<section id="{p}added" class="added-section"><{hh}>{esc(title)}</{hh}>{items}</section>'
    )


def _missing(r: CompareResult, p: str, h: int) -> str:
    s = r.score
    hh = f"h{h}"
    par = Paragraphs(r.source_text)
    words = sum(count_words(m.text) for m in s.missing)
    title = f"Missing from the copy ({plural(words, 'word')} in {plural(len(s.missing), 'place')})"
    if not s.missing:
        items = '<p class="none">Every passage of the source body is in the copy.</p>'
    else:
        lis = [
            f'<li class="miss" data-missing="{k}"><div class="reason">'
            f'<a href="#{p}missing-{k}">source ¶\u00a0{par.at(m.source_span[0])}</a></div>'
            f'<div class="text">{esc(flat(m.text))}</div></li>'
            for k, m in enumerate(s.missing, 1)
        ]
        items = f'<ol class="plain">{"".join(lis)}</ol>'
    return (
        f'<section id="{p}missing" class="missing-section">'
        f"<{hh}>{esc(title)}</{hh}>{items}</section>"
    )


def _summary_html(r: CompareResult, copy: bool = True, dates: Direction | None = None) -> str:
    """The verdict and the summary; ``copy=False`` for a source a checked text only
    shares passages with (its differences are not meaning changes of a copy)."""
    s = r.score
    flag = " Meaning changed." if s.meaning_changed and copy else ""
    note = (
        ""
        if copy
        else " Not a copy: the suspect only shares passages with this source; the "
        "differences below are not counted as alterations that change the meaning."
    )
    return (
        f'<p class="summary" data-verdict="{esc(s.verdict)}"><strong class="verdict">'
        f"Verdict: {esc(s.verdict)}.{flag}</strong> {esc(summary(r, dates))}{esc(note)}</p>"
    )


def _path(path: str) -> str:
    """A path as the report shows it: its file name, the whole path on hover."""
    return f'<code class="path" title="{esc(path)}">{esc(file_name(path))}</code>'


def _full_paths(*named: tuple[str, str]) -> str:
    """The whole paths, folded (a long absolute path would fill a phone's screen)."""
    if all(file_name(path) == path for _, path in named):
        return ""
    rows = "".join(f"<dt>{esc(what)}</dt><dd><code>{esc(path)}</code></dd>" for what, path in named)
    return f'<details class="paths"><summary>Full paths</summary><dl>{rows}</dl></details>'


def _risk_class(s_meaning_changed: bool) -> str:
    """Colour by meaning risk first: a copy whose meaning changed is never shown in the
    reassuring colour of its verdict."""
    return " meaning-changed" if s_meaning_changed else ""


def _verdict_flag(r: CompareResult) -> str:
    s = r.score
    if s.meaning_changed:
        n = sum(1 for a in s.alterations if a.risk in MEANING_RISKS)
        return f'<span class="flag">⚠ meaning changed · {plural(n, "risky alteration")}</span>'
    if s.verdict == "unrelated":
        return ""
    return '<span class="flag ok">✓ no meaning change found</span>'


def _compare_body(r: CompareResult, p: str, h: int) -> str:
    return "".join(
        (
            _scores(r, p, h),
            _alterations(r, p, h),
            side_by_side(r, p, h),
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
        f'<html lang="en" class="verdict-{esc(verdict)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="prov">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{banner}\n{nav}\n<main>\n{body}\n"
        "<footer>Generated by prov. Offsets and paragraph numbers (¶ = non-empty line) refer "
        "to the texts shown here: a text file's decoded text, and for an HTML page the main "
        "text prov extracted from it (its markup, navigation and footer left out). This page "
        "loads nothing from the network and works without JavaScript.</footer>\n</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def render_compare_html(result: CompareResult, dates: Direction | None = None) -> str:
    """A self-contained HTML report of one (source, copy) comparison."""
    r = result
    s = r.score
    risk = _risk_class(s.meaning_changed)
    banner = (
        f'<header class="banner verdict-{esc(s.verdict)}{risk}"><div class="inner">'
        '<div class="brand">prov · provenance report</div>'
        f"<h1><span>{esc(_VERDICT_LABELS.get(s.verdict, s.verdict))}</span>"
        f"{_verdict_flag(r)}</h1>"
        f'<p class="files">copy {_path(r.copy)} compared with source {_path(r.source)}</p>'
        f"{_full_paths(('copy', r.copy), ('source', r.source))}</div></header>"
    )
    body = _summary_html(r, dates=dates) + _compare_body(r, "", 2)
    title = f"prov: {file_name(r.copy)} vs {file_name(r.source)} ({s.verdict})"
    return _page(title, s.verdict + risk, banner, _toc(r, ""), body)


def render_check_html(result: CheckResult) -> str:
    """A self-contained HTML report of one suspect: every source it copies, side by side."""
    r = result
    n = len(r.matches)
    copies = [m for m in r.matches if is_copy(m.score)]
    shared = n - len(copies)
    top = r.matches[0].score.verdict if r.matches else "unrelated"
    # only copies count: a text that shares passages with a source changed nothing of it
    any_risky = any(m.score.meaning_changed for m in copies)
    flag = '<span class="flag">⚠ meaning changed</span>' if any_risky else ""
    if copies:
        heading = f"Copies {plural(len(copies), 'indexed source')}"
    elif shared:
        heading = f"Shares passages with {plural(shared, 'indexed source')}"
    else:
        heading = "No copy of an indexed source found"
    best = r.matches[0].score if r.matches else None
    risk = _risk_class(best is not None and is_copy(best) and best.meaning_changed)
    banner = (
        f'<header class="banner verdict-{esc(top)}{risk}"><div class="inner">'
        '<div class="brand">prov · provenance check</div>'
        f"<h1><span>{esc(heading)}</span>{flag}</h1>"
        f'<p class="files">suspect {_path(r.suspect)} · sha256 '
        f"<code>{esc(r.suspect_sha256[:16])}…</code></p>"
        f"{_full_paths(('suspect', r.suspect))}</div></header>"
    )
    sentence = (
        f"{file_name(r.suspect)} copies {plural(len(copies), 'indexed source')}"
        + (f" and shares passages with {plural(shared, 'other source')}" if shared else "")
        + f" ({plural(r.candidates, 'candidate')} checked)."
    )
    parts = [f'<p class="summary" data-matches="{n}">{esc(sentence)}</p>']
    if r.matches:
        rows = []
        for i, m in enumerate(r.matches, 1):
            s = m.score
            copy = is_copy(s)
            risky = sum(1 for a in s.alterations if a.risk in MEANING_RISKS)
            changed = ("⚠ yes" if s.meaning_changed else "no") if copy else "not a copy"
            rows.append(
                f'<tr class="match-row verdict-{esc(s.verdict)}'
                f'{_risk_class(copy and s.meaning_changed)}" data-verdict="{esc(s.verdict)}">'
                f'<td>{i}</td><td class="src"><a href="#m{i}" title="{esc(m.source)}">'
                f"{esc(file_name(m.source))}</a></td>"
                f'<td><span class="badge verdict">{esc(s.verdict)}</span></td>'
                f"<td>{changed}</td>"
                f"<td>{pct(s.source_coverage)}</td><td>{pct(s.copy_coverage)}</td>"
                f"<td>{pct(s.fidelity)}</td><td>{len(s.alterations)} ({risky} risky)</td></tr>"
            )
        parts.append(
            '<section id="matches"><h2>Matches, best first</h2><table class="matches">'
            "<thead><tr><th>#</th><th>Source</th><th>Verdict</th><th>Meaning changed</th>"
            "<th>Source coverage</th><th>Copy coverage</th><th>Fidelity</th>"
            f"<th>Alterations</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    for i, m in enumerate(r.matches, 1):
        p = f"m{i}-"
        copy = is_copy(m.score)
        parts.append(
            f'<section class="match verdict-{esc(m.score.verdict)}'
            f'{_risk_class(copy and m.score.meaning_changed)}" id="m{i}" '
            f'data-verdict="{esc(m.score.verdict)}">'
            f"<h2>{i}. {_path(m.source)}"
            f'<span class="badge verdict">{esc(m.score.verdict)}</span></h2>'
            f"{_full_paths(('source', m.source))}"
            f"{_summary_html(m, copy)}{_compare_body(m, p, 3)}</section>"
        )
    toc_links = "".join(
        f'<a href="#m{i}">{i}. {esc(file_name(m.source))}</a>' for i, m in enumerate(r.matches, 1)
    )
    nav = _toc(None, "", '<a href="#matches">Matches</a>' + toc_links if n else "")
    title = f"prov check: {file_name(r.suspect)} ({plural(n, 'source')})"
    return _page(title, top, banner, nav, "".join(parts))
