"""The report page's static assets: its only script, its Content-Security-Policy, its CSS.

Nothing here depends on a document: :data:`SCRIPT` (keyboard navigation, n / p) is a
constant that no document text ever reaches, and :data:`CSP` lets nothing load and allows
this one script only, by its SHA-256 hash, so any other script (an injected one included)
does not run. :data:`CSS` is the page's whole style sheet, inlined in its ``<style>``
(screen, narrow screens and print). :mod:`provenance.report.html` puts them in the page.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["CSP", "CSS", "SCRIPT"]

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

#: The whole style sheet, inline in the page's <style> (screen, narrow screens, print).
CSS = """
:root {
  --ink: #1c1f23; --muted: #5b6470; --line: #d9dde3; --bg: #ffffff; --panel: #f6f7f9;
  --q: #b3261e; --q-bg: #fde4e2;
  --n: #6a1b9a; --n-bg: #f1e2f7;
  --u: #9a4a00; --u-bg: #ffedd5;
  --w: #37576b; --w-bg: #e2eef7;
  --add: #5f5a4f; --add-bg: #f3f0e6;
  --miss: #8a5a00; --miss-bg: #fff6df;
  --v-verbatim: #1e6b34; --v-near-verbatim: #16695f; --v-paraphrased: #a04e0a;
  --v-partial: #1f57a4; --v-unrelated: #56616c; --v-risky: #a3171b;
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
/* colour by meaning risk first: a copy whose meaning changed never looks reassuring */
.meaning-changed { --vc: var(--v-risky); }
.brand { font-size: .78rem; letter-spacing: .12em; text-transform: uppercase; opacity: .85; }
.banner h1 { font-size: 2rem; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 10px 16px;
  align-items: center; }
.banner .files { margin: 0; opacity: .95; overflow-wrap: anywhere; }
.banner .files code { background: rgba(255,255,255,.16); padding: 1px 6px; border-radius: 4px; }
details.paths { margin: 6px 0 0; font-size: .85rem; }
details.paths summary { cursor: pointer; opacity: .9; }
details.paths dl { margin: 4px 0 0; display: grid; grid-template-columns: auto minmax(0, 1fr);
  gap: 2px 10px; }
details.paths dt { opacity: .85; }
details.paths dd { margin: 0; overflow-wrap: anywhere; }
section.match > details.paths { color: var(--muted); }
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
.badge.risk-qualifier,
.badge.risk-polarity { background: var(--q); color: #fff; border-color: var(--q); }
.badge.risk-name,
.badge.risk-attribution { background: var(--n); color: #fff; border-color: var(--n); }
.badge.risk-number, .badge.risk-claim { background: var(--u); color: #fff; border-color: var(--u); }
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
table.alts tr.risky.risk-qualifier td:first-child,
table.alts tr.risky.risk-polarity td:first-child { box-shadow: inset 4px 0 0 var(--q); }
table.alts tr.risky.risk-name td:first-child,
table.alts tr.risky.risk-attribution td:first-child { box-shadow: inset 4px 0 0 var(--n); }
table.alts tr.risky.risk-number td:first-child,
table.alts tr.risky.risk-claim td:first-child { box-shadow: inset 4px 0 0 var(--u); }
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
mark.alt.risk-qualifier,
mark.alt.risk-polarity { background: var(--q-bg); text-decoration-color: var(--q);
  font-weight: 700; }
mark.alt.risk-qualifier.side-copy,
mark.alt.risk-polarity.side-copy { box-shadow: inset 0 -3px 0 var(--q); }
mark.alt.risk-name,
mark.alt.risk-attribution {
  background: var(--n-bg); text-decoration-color: var(--n); font-weight: 700; }
mark.alt.risk-name.side-copy,
mark.alt.risk-attribution.side-copy { box-shadow: inset 0 -3px 0 var(--n); }
mark.alt.risk-number,
mark.alt.risk-claim { background: var(--u-bg); text-decoration-color: var(--u); font-weight: 700;
  }
mark.alt.risk-number.side-copy,
mark.alt.risk-claim.side-copy { box-shadow: inset 0 -3px 0 var(--u); }
mark.alt:target, .gap:target { outline: 3px solid #f2b600; outline-offset: 2px; }
.gap { color: var(--w); font-weight: 700; font-size: 1.25em; line-height: 0; padding: 0 1px;
  vertical-align: -0.12em; }
.gap.risk-qualifier, .gap.risk-polarity { color: var(--q); }
.gap.risk-name, .gap.risk-attribution { color: var(--n); }
.gap.risk-number, .gap.risk-claim { color: var(--u); }
a.tag { font-size: .68rem; font-weight: 700; vertical-align: super; line-height: 0;
  text-decoration: none;
  color: var(--w); margin: 0 1px; white-space: nowrap; }
a.tag.risky { color: #fff; padding: 1px 4px; border-radius: 3px; letter-spacing: .03em;
  text-transform: uppercase; }
a.tag.risk-qualifier, a.tag.risk-polarity { background: var(--q); }
a.tag.risk-name, a.tag.risk-attribution { background: var(--n); }
a.tag.risk-number, a.tag.risk-claim { background: var(--u); }
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
  .banner { padding: 14px 0 12px; }
  .banner .inner { padding: 0 12px; }
  .banner h1 { font-size: 1.4rem; margin: 2px 0 6px; }
  .flag { font-size: .85rem; padding: 3px 10px; }
  p.summary { font-size: 1rem; padding: 10px 12px; margin: 14px 0 12px; }
  .card .big { font-size: 1.4rem; }
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
  table.alts tr.risky.risk-qualifier,
  table.alts tr.risky.risk-polarity { box-shadow: inset 4px 0 0 var(--q); }
  table.alts tr.risky.risk-name,
  table.alts tr.risky.risk-attribution { box-shadow: inset 4px 0 0 var(--n); }
  table.alts tr.risky.risk-number,
  table.alts tr.risky.risk-claim { box-shadow: inset 4px 0 0 var(--u); }
  table.alts td.ctx { display: block; }
  table.alts td.ctx-src::before { content: "Source: "; color: var(--muted); font-size: .8rem; }
  table.alts td.ctx-copy::before { content: "Copy: "; color: var(--muted); font-size: .8rem; }
  table.matches { display: block; overflow-x: auto; }
  table.matches td.src { min-width: 15em; }
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
