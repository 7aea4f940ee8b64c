"""The server's pages: pure functions returning HTML, in the report's look.

Every page uses the report's style sheet and escaping (:func:`~provenance.report.html_sides.esc`
on every piece of text that is not the page's own: file names, URLs, page text, search
terms, messages), has no script, and works without JavaScript. Links carry their values
URL-encoded and then escaped. The reports themselves are the CLI's (``report/html.py``)
with this server's navigation bar put in (:func:`with_nav`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from provenance.index.records import SourceRow
from provenance.match.risk import MEANING_RISKS
from provenance.report.html_sides import esc, pct
from provenance.report.html_style import CSS
from provenance.report.json import plural
from provenance.serve.service import Health

VERDICTS = ("verbatim", "near-verbatim", "paraphrased", "partial")

APP_CSS = """
.appbar { background: #1c1f23; color: #fff; }
.appbar .inner { max-width: 1240px; margin: 0 auto; padding: 8px 20px; display: flex;
  flex-wrap: wrap; gap: 4px 22px; align-items: baseline; }
.appbar a { color: #fff; text-decoration: none; font-weight: 600; }
.appbar a:hover, .appbar a.on { text-decoration: underline; }
.appbar .name { letter-spacing: .12em; text-transform: uppercase; font-size: .8rem; opacity: .8; }
form.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 14px 18px; margin: 18px 0; }
form.panel label { display: block; font-weight: 600; margin: 10px 0 4px; }
form.panel .row { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: end; }
form.panel .row > div { flex: 1 1 180px; }
textarea, input[type=text], input[type=url], input[type=search], input[type=date],
input[type=password], select {
  width: 100%; font: inherit; padding: 6px 8px; border: 1px solid #b9c0c8; border-radius: 4px;
  background: #fff; }
textarea { min-height: 14em; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: .9rem; }
button { font: inherit; font-weight: 600; padding: 7px 18px; border-radius: 4px; border: 0;
  background: #1f57a4; color: #fff; cursor: pointer; margin-top: 12px; }
button.danger { background: #b3261e; padding: 3px 10px; margin: 0; font-size: .85rem; }
.or { color: var(--muted); margin: 10px 0 0; font-size: .9rem; }
.notice { padding: 10px 14px; border-radius: 4px; background: #e6f4ea; border-left: 5px solid
  var(--v-verbatim); margin: 16px 0; }
.notice.bad { background: var(--q-bg); border-color: var(--q); }
.figures { display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 12px 0; }
.figures div { min-width: 8em; }
.figures b { display: block; font-size: 1.4rem; font-variant-numeric: tabular-nums; }
table.list td, table.list th { border-bottom: 1px solid var(--line); }
table.list td.num { font-variant-numeric: tabular-nums; text-align: right; }
table.list td.path { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.pager { margin: 14px 0; display: flex; gap: 18px; }
table.results td { font-size: .93rem; }
table.results td.path { max-width: 28em; }
table.results td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
ul.links { margin: 4px 0 0; padding-left: 1.2em; }
"""

_NAV = (("/", "Check"), ("/sources", "Sources"), ("/results", "Scan results"))


def nav(active: str = "") -> str:
    on = ' class="on"'
    links = "".join(
        f'<a href="{href}"{on if href == active else ""}>{label}</a>' for href, label in _NAV
    )
    return (
        '<nav class="appbar" aria-label="prov"><div class="inner"><span class="name">prov</span>'
        f'{links}<a href="/openapi.json">API</a></div></nav>'
    )


def layout(title: str, body: str, active: str = "", heading: str = "") -> str:
    """A page of the server: the app bar, a grey banner, then ``body`` (already HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} · prov</title>\n<style>{CSS}{APP_CSS}</style>\n</head>\n"
        f"<body>\n{nav(active)}\n"
        '<header class="banner verdict-unrelated"><div class="inner">'
        f'<div class="brand">prov · text provenance</div><h1><span>{esc(heading or title)}'
        f"</span></h1></div></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def with_nav(report: str) -> str:
    """A report page of ``report/html.py`` with the server's bar on top."""
    report = report.replace("</style>\n</head>", f"{APP_CSS}</style>\n</head>", 1)
    return report.replace("<body>\n", f"<body>\n{nav()}\n", 1)


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(token)}">'


def _notice(message: str, bad: bool = False) -> str:
    if not message:
        return ""
    return f'<p class="notice{" bad" if bad else ""}" role="status">{esc(message)}</p>'


def _href(path: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return esc(f"{path}?{query}" if query else path)


def check_page(csrf: str, error: str = "", text: str = "", url: str = "", top: int = 5) -> str:
    tops = "".join(
        f'<option value="{n}"{" selected" if n == top else ""}>{n}</option>' for n in (1, 3, 5, 10)
    )
    body = (
        _notice(error, bad=True)
        + '<p class="summary">Paste a text, upload a file or give a page\'s address: prov '
        "finds the indexed sources it copies and shows the best match side by side, every "
        "alteration marked, riskiest first.</p>"
        '<form class="panel" method="post" action="/check" enctype="multipart/form-data">'
        + _csrf(csrf)
        + '<label for="text">Text</label>'
        f'<textarea id="text" name="text" spellcheck="false">{esc(text)}</textarea>'
        '<p class="or">or</p><div class="row"><div><label for="file">A file (.txt, .html)'
        '</label><input id="file" type="file" name="file" accept=".txt,.text,.md,.html,.htm,'
        'text/plain,text/html"></div><div><label for="url">A page\'s URL</label>'
        f'<input id="url" type="url" name="url" value="{esc(url)}" '
        'placeholder="https://…"></div><div style="flex:0 0 8em"><label for="top">Matches'
        f'</label><select id="top" name="top">{tops}</select></div></div>'
        '<button type="submit">Check</button></form>'
    )
    return layout("Check a text", body, "/")


@dataclass(frozen=True, slots=True)
class Listing:
    """Which part of the sources a page shows."""

    total: int
    matching: int
    offset: int
    per_page: int
    query: str


def sources_page(
    rows: list[SourceRow],
    listing: Listing,
    health: Health | None,
    csrf: str,
    notice: str = "",
    bad: bool = False,
) -> str:
    query = listing.query
    items = []
    for r in rows:
        items.append(
            f'<tr><td class="path"><code>{esc(r.path)}</code></td><td>{esc(r.lang)}</td>'
            f'<td class="num">{r.words:,}</td><td class="num">{r.passages:,}</td>'
            f"<td>{esc(r.added_at or '')}</td><td>"
            '<form method="post" action="/sources/remove">'
            f'{_csrf(csrf)}<input type="hidden" name="path" value="{esc(r.path)}">'
            f'<button class="danger" type="submit" aria-label="Remove {esc(r.path)}">Remove'
            "</button></form></td></tr>"
        )
    total = plural(listing.total, "source")
    shown = f"{listing.matching:,} of {total}" if query else total
    if rows and len(rows) < listing.matching:
        shown += f", {listing.offset + 1:,}-{listing.offset + len(rows):,} shown"
    table = (
        '<table class="list"><thead><tr><th>Path</th><th>Language</th><th>Words</th>'
        f"<th>Passages</th><th>Added</th><th></th></tr></thead><tbody>{''.join(items)}"
        "</tbody></table>"
        if rows
        else f'<p class="muted">No source{" matches “" + esc(query) + "”" if query else " yet"}'
        ".</p>"
    )
    pager = []
    if listing.offset > 0:
        back = max(0, listing.offset - listing.per_page)
        pager.append(f'<a href="{_href("/sources", q=query, offset=back)}">← previous</a>')
    if listing.offset + len(rows) < listing.matching:
        on = listing.offset + listing.per_page
        pager.append(f'<a href="{_href("/sources", q=query, offset=on)}">next →</a>')
    body = (
        _notice(notice, bad)
        + _health(health)
        + '<form class="panel" method="get" action="/sources"><div class="row"><div>'
        '<label for="q">Search by name</label>'
        f'<input id="q" type="search" name="q" value="{esc(query)}"></div>'
        '<div style="flex:0 0 auto">'
        '<button type="submit">Search</button></div></div></form>'
        f'<h2>Sources <span class="muted">({shown})</span></h2>{table}'
        f'<div class="pager">{"".join(pager)}</div>'
        '<h2>Add a source</h2><form class="panel" method="post" action="/sources/add" '
        f'enctype="multipart/form-data">{_csrf(csrf)}<div class="row"><div>'
        '<label for="file">File (.txt, .html)</label><input id="file" type="file" name="file" '
        'required accept=".txt,.text,.md,.html,.htm,text/plain,text/html"></div><div>'
        '<label for="name">Name in the index (default: the file\'s name)</label>'
        '<input id="name" type="text" name="name"></div></div>'
        '<button type="submit">Add</button></form>'
    )
    return layout("Sources", body, "/sources")


def _health(health: Health | None) -> str:
    if health is None:
        return (
            '<section id="health"><h2>Index health</h2><p><a href="/sources?health=1">Check '
            'the index\'s health now</a> <span class="muted">(what <code>prov doctor</code> '
            "reports; it reads the whole index, which takes a while on a large one)</span>"
            "</p></section>"
        )
    report, healthy = health.report, health.healthy
    counts = report.get("counts", {})
    figures = [
        ("sources", counts.get("sources", 0)),
        ("passages", counts.get("passages", 0)),
        ("band keys", counts.get("band_keys", 0)),
        ("scanned pages", counts.get("documents", 0)),
        ("matches", counts.get("matches", 0)),
    ]
    cells = "".join(f"<div><b>{n:,}</b>{esc(label)}</div>" for label, n in figures)
    orphans = sum(int(v) for v in report.get("orphans", {}).values())
    state = (
        '<span class="flag ok">✓ healthy</span>'
        if healthy
        else '<span class="flag">⚠ problems: run <code>prov doctor</code></span>'
    )
    integrity = ", ".join(str(x) for x in report.get("integrity", []))
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(health.checked_at))
    return (
        f'<section id="health"><h2>Index health {state}</h2><div class="figures">{cells}</div>'
        f'<p class="muted">Integrity: {esc(integrity)} · orphans: {orphans:,} · band keys '
        f"expected: {int(report.get('band_keys_expected', 0)):,} · fingerprinting: "
        f"{esc(str(report.get('kernel', '')))} · checked {when} · "
        '<a href="/sources?health=1">check again</a></p></section>'
    )


def results_page(rows: list[dict[str, Any]], total: int, f: dict[str, Any]) -> str:
    verdicts = "".join(
        f'<option value="{v}"{" selected" if f["verdict"] == v else ""}>{v}</option>'
        for v in ("", *VERDICTS)
    )
    meaning = "".join(
        f'<option value="{v}"{" selected" if f["meaning"] == v else ""}>{label}</option>'
        for v, label in (("", "any"), ("yes", "changed"), ("no", "not changed"))
    )
    form = (
        '<form class="panel" method="get" action="/results"><div class="row">'
        f'<div><label for="verdict">Verdict</label><select id="verdict" name="verdict">{verdicts}'
        '</select></div><div><label for="meaning">Meaning</label><select id="meaning" '
        f'name="meaning">{meaning}</select></div><div><label for="since">Scanned since</label>'
        f'<input id="since" type="date" name="since" value="{esc(f["since"])}"></div>'
        '<div><label for="until">until</label><input id="until" type="date" name="until" '
        f'value="{esc(f["until"])}"></div><div><label for="url">URL contains</label>'
        f'<input id="url" type="search" name="url" value="{esc(f["url"])}"></div>'
        '<div style="flex:0 0 auto"><button type="submit">Filter</button></div></div></form>'
    )
    items = []
    for r in rows:
        url = r.get("url") or r.get("key") or ""
        report = _href("/report", sha=r["sha256"], source=r["source"], url=url)
        risky = f"⚠ {r.get('risky', 0)} risky" if r.get("meaning_changed") else "no"
        items.append(
            f'<tr class="verdict-{esc(r["verdict"])}"><td class="when">{esc(_day(r))}</td>'
            f'<td class="path"><a href="{_href("/history", url=url)}">{esc(url)}</a></td>'
            f'<td class="path"><code>{esc(r["source"])}</code></td>'
            f'<td><span class="badge verdict">{esc(r["verdict"])}</span></td><td>{risky}</td>'
            f'<td class="num">{pct(float(r["fidelity"] or 0))}</td>'
            f'<td class="num">{pct(float(r["source_coverage"] or 0))}</td>'
            f'<td><a href="{report}">report</a></td></tr>'
        )
    table = (
        '<table class="list results"><thead><tr><th>Scanned</th><th>Page</th><th>Source</th>'
        "<th>Verdict</th><th>Meaning changed</th><th>Fidelity</th><th>Source coverage</th>"
        f"<th></th></tr></thead><tbody>{''.join(items)}</tbody></table>"
        if rows
        else '<p class="muted">No copy found by <code>prov scan</code> matches these filters.</p>'
    )
    pager = []
    if f["offset"] > 0:
        prev = {**f, "offset": max(0, f["offset"] - f["limit"])}
        pager.append(f'<a href="{_href("/results", **prev)}">← newer</a>')
    if f["offset"] + len(rows) < total:
        nxt = {**f, "offset": f["offset"] + f["limit"]}
        pager.append(f'<a href="{_href("/results", **nxt)}">older →</a>')
    shown = f"{f['offset'] + 1:,}-{f['offset'] + len(rows):,} of {total:,}" if rows else "none"
    body = (
        form
        + f'<h2>Copies found, newest first <span class="muted">({shown})</span></h2>{table}'
        + f'<div class="pager">{"".join(pager)}</div>'
    )
    return layout("Scan results", body, "/results")


def _day(row: dict[str, Any]) -> str:
    """When a result was scanned, to the minute (ISO 8601, UTC)."""
    when = str(row.get("scanned_at") or "")
    return when[:16].replace("T", " ") + (" UTC" if len(when) >= 16 else "")


def history_page(url: str, versions: list[dict[str, Any]]) -> str:
    items = []
    for n, v in enumerate(versions, 1):
        best = v["matches"][0] if v["matches"] else None
        copies = (
            f'<span class="badge verdict verdict-{esc(best["verdict"])}">{esc(best["verdict"])}'
            f"</span> of <code>{esc(best['source'])}</code> · fidelity {pct(best['fidelity'])}"
            + (" · ⚠ meaning changed" if best["meaning_changed"] else "")
            if best
            else '<span class="muted">no copy found</span>'
        )
        links = "".join(
            f'<li><a href="{_href("/report", sha=v["sha256"], source=m["source"], url=url)}">'
            f"report against {esc(m['source'])}</a></li>"
            for m in v["matches"]
        )
        change = v.get("change")
        if change is None:
            what = "first version" if n == 1 else "same text as an earlier version"
        else:
            alts = change["alterations"]
            risky = [a for a in alts if a.get("risk") in MEANING_RISKS]
            shown = "; ".join(
                f"“{esc(a.get('before', ''))}” → “{esc(a.get('after', ''))}” ({esc(a['risk'])})"
                for a in risky[:5]
            )
            what = (
                f"{plural(len(alts), 'alteration')} since the previous version, fidelity "
                f"{pct(change['fidelity'])}"
                + (f"; ⚠ meaning changed: {shown}" if change["meaning_changed"] else "")
            )
        items.append(
            f"<tr><td>{n}</td><td>{esc(v.get('fetched_at') or '')}</td>"
            f'<td>{copies}<ul class="links">{links}</ul></td><td>{what}</td>'
            f"<td><code>{esc(v['sha256'][:12])}</code></td></tr>"
        )
    table = (
        '<table class="list"><thead><tr><th>#</th><th>Fetched</th><th>Best match</th>'
        f"<th>What changed</th><th>Content</th></tr></thead><tbody>{''.join(items)}</tbody></table>"
        if versions
        else '<p class="muted">No scanned version of this page.</p>'
    )
    body = (
        f'<p class="summary">{plural(len(versions), "version")} of <code>{esc(url)}</code>, '
        f"oldest first.</p>{table}"
    )
    return layout("Page history", body, "/results")


def login_page(csrf: str, error: str = "") -> str:
    body = (
        _notice(error, bad=True)
        + '<form class="panel" method="post" action="/login">'
        + _csrf(csrf)
        + '<label for="token">Token (the server\'s --token or PROV_TOKEN)</label>'
        '<input id="token" type="password" name="token" required autocomplete="current-password">'
        '<button type="submit">Sign in</button></form>'
    )
    return layout("Sign in", body)


def error_page(status: int, message: str) -> str:
    body = (
        f'<p class="notice bad" role="alert"><strong>{status}</strong> · {esc(message)}</p>'
        '<p><a href="/">Check a text</a></p>'
    )
    return layout(f"Error {status}", body)
