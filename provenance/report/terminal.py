"""Terminal rendering with rich: the verdict, the scores and the riskiest alterations.

Pure: functions return rich renderables; ``cli`` prints them on a console that adds
colour on a terminal and none on a pipe.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from provenance.index.store import SourceRow
from provenance.match.score import MEANING_RISKS, CheckResult, CompareResult
from provenance.report.json import flat, summary

if TYPE_CHECKING:  # the crawl job's figures; rendering needs no import at run time
    from provenance.crawl.scan import ScanStats

_VERDICT_STYLE = {
    "verbatim": "bold white on red",
    "near-verbatim": "bold white on dark_orange3",
    "paraphrased": "bold white on magenta",
    "partial": "bold black on yellow",
    "unrelated": "bold white on grey37",
}
_RISK_STYLE = {
    "qualifier": "bold red",
    "name": "bold magenta",
    "number": "bold cyan",
    "wording": "dim",
}


def _context(context: str, changed: str, style: str) -> Text:
    """The context with the changed words highlighted (the first occurrence)."""
    ctx, word = flat(context), flat(changed)
    out = Text(ctx)
    if word:
        at = ctx.find(word)
        if at >= 0:
            out.stylize(style, at, at + len(word))
    return out


def compare_renderable(r: CompareResult, limit: int = 10) -> RenderableType:
    s = r.score
    head = Text()
    head.append(f" {s.verdict.upper()} ", style=_VERDICT_STYLE[s.verdict])
    if s.meaning_changed:
        head.append("  MEANING CHANGED", style="bold red")
    head.append(f"\n{summary(r)}")
    if s.reason:
        head.append(f"\n{s.extent} · {s.wording or '-'} · {s.reason}", style="italic")
    scores = Table.grid(padding=(0, 3))
    for _ in range(4):
        scores.add_column(justify="left")
    scores.add_row(
        f"source coverage [bold]{s.source_coverage:.2f}[/]",
        f"copy coverage [bold]{s.copy_coverage:.2f}[/]",
        f"fidelity [bold]{s.fidelity:.2f}[/]",
        f"passages [bold]{s.passages_found}/{s.passages}[/]",
    )
    found = [p for p in s.pairs if p.found]
    if found:
        moved = sum(1 for p in found if p.moved)
        scores.add_row(
            f"copied words [bold]{s.copied_words}[/]",
            f"copied passages [bold]{len(found)}[/]",
            f"moved [bold]{moved}[/]",
            f"longest [bold]{max(p.source_span[1] - p.source_span[0] for p in found)}[/] chars",
        )
    parts: list[RenderableType] = [head, scores]
    if s.alterations:
        table = Table(
            title=f"alterations, riskiest first ({min(limit, len(s.alterations))} of "
            f"{len(s.alterations)})",
            title_justify="left",
            show_lines=False,
            expand=True,
        )
        table.add_column("risk", no_wrap=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("source")
        table.add_column("copy")
        for a in s.alterations[:limit]:
            style = _RISK_STYLE[a.risk]
            risk = Text(a.risk + (" (quote)" if a.in_quote else ""), style=style)
            table.add_row(
                risk,
                a.kind,
                _context(a.source_context, a.source, "strike red" if a.source else ""),
                _context(a.copy_context, a.copy, "bold green" if a.copy else ""),
            )
        parts.append(table)
    extra = []
    if s.added:
        words = sum(len(a.text.split()) for a in s.added)
        extra.append(f"added by the copy: {words} words in {len(s.added)} places")
    if s.missing:
        extra.append(
            f"missing from the copy: {sum(len(m.text.split()) for m in s.missing)} words in "
            f"{len(s.missing)} places"
        )
    if extra:
        parts.append(Text("\n".join(extra), style="dim"))
    return Group(*parts)


def check_renderable(r: CheckResult, limit: int = 5) -> RenderableType:
    if not r.matches:
        return Text(
            f"{r.suspect}: no copy of an indexed source found ({r.candidates} candidates checked)"
        )
    risky = sum(1 for m in r.matches for a in m.score.alterations if a.risk in MEANING_RISKS)
    title = f"{r.suspect}: {len(r.matches)} source{'s' if len(r.matches) != 1 else ''} copied"
    if risky:
        title += f", {risky} alteration{'s' if risky != 1 else ''} that may change the meaning"
    panels = [
        Panel(compare_renderable(m, limit), title=f"{i}. {m.source}", title_align="left")
        for i, m in enumerate(r.matches, 1)
    ]
    return Group(Text(title, style="bold"), *panels)


def sources_renderable(rows: list[SourceRow]) -> RenderableType:
    if not rows:
        return Text("no sources in the index (add some with `prov add`)")
    table = Table(title=f"{len(rows)} source{'s' if len(rows) != 1 else ''}", title_justify="left")
    for col in ("path", "words", "passages", "lang", "added"):
        table.add_column(col, justify="right" if col in ("words", "passages") else "left")
    for r in rows:
        table.add_row(r.path, str(r.words), str(r.passages), r.lang, r.added_at)
    return table


def to_text(renderable: RenderableType, width: int = 100) -> str:
    """Render to plain text, as on a pipe (no colour), at a fixed width."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def scan_summary(stats: ScanStats) -> RenderableType:
    """The figures at the end of a scan."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right")
    table.add_column()
    rows = [
        (stats.read, "pages read"),
        (stats.checked, "checked against the index"),
        (stats.seen, "skipped: content checked before"),
        (stats.skipped, "skipped: recorded by an earlier run"),
        (stats.errors, "could not be read (recorded with the reason)"),
        (stats.changed, "changed since their last version"),
        (stats.rechecked, "stored pages checked again (--recheck)"),
    ]
    for n, what in rows:
        if n or what in ("pages read", "checked against the index"):
            table.add_row(f"{n:,}", what)
    copies = ", ".join(f"{n:,} {v}" for v, n in stats.verdicts.most_common()) or "none"
    table.add_row("", f"copies found: {copies}")
    table.add_row(f"{stats.risky:,}", "alterations that may change the meaning")
    table.add_row(f"{stats.pages_per_second:,.1f}", f"pages per second ({stats.seconds:.1f} s)")
    return table


def results_renderable(rows: list[dict[str, Any]]) -> RenderableType:
    if not rows:
        return Text("no results (scan some pages with `prov scan`)")
    table = Table(title=f"{len(rows)} match{'es' if len(rows) != 1 else ''}", title_justify="left")
    for col in ("page", "source", "verdict", "fidelity", "coverage", "risky", "scanned"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.get("url") or r.get("key")),
            PurePath(str(r["source"])).name,
            Text(
                str(r["verdict"]) + (" ⚠" if r["meaning_changed"] else ""),
                style=_VERDICT_TEXT.get(str(r["verdict"]), ""),
            ),
            f"{r['fidelity']:.2f}",
            f"{r['source_coverage']:.2f}",
            str(r["risky"]),
            str(r["scanned_at"]),
        )
    return table


def history_renderable(url: str, versions: list[dict[str, Any]]) -> RenderableType:
    if not versions:
        return Text(f"{url}: never scanned")
    parts: list[RenderableType] = [Text(f"{url}: {len(versions)} version(s)", style="bold")]
    for i, v in enumerate(versions, 1):
        best = v["matches"][0] if v["matches"] else None
        line = Text(f"{i}. fetched {v['fetched_at']}  sha256 {v['sha256'][:12]}  ")
        if best:
            name = PurePath(best["source"]).name
            line.append(f"{best['verdict']} copy of {name} (fidelity {best['fidelity']:.2f})")
        else:
            line.append("no copy of an indexed source")
        parts.append(line)
        change = v.get("change")
        if change:
            head = "changed since the previous version"
            if change["meaning_changed"]:
                head += ", MEANING CHANGED"
            parts.append(
                Text(
                    f"   {head}: {len(change['alterations'])} alteration(s)",
                    style="bold red" if change["meaning_changed"] else "",
                )
            )
            for a in change["alterations"][:10]:
                before, after = flat(a["before_context"]), flat(a["after_context"])
                parts.append(Text(f"     {a['risk']:<9} {a['kind']:<12} “{before}” → “{after}”"))
    return Group(*parts)


def clusters_renderable(clusters: list[dict[str, Any]]) -> RenderableType:
    if not clusters:
        return Text("no copies found yet (scan some pages with `prov scan`)")
    parts: list[RenderableType] = []
    for c in clusters:
        table = Table(
            title=f"{c['source']}: {len(c['copies'])} cop{'ies' if len(c['copies']) != 1 else 'y'}",
            title_justify="left",
        )
        for col in ("page", "verdict", "fidelity", "first seen", "versions"):
            table.add_column(col, overflow="fold")
        for copy in c["copies"]:
            table.add_row(
                str(copy["url"]),
                Text(
                    str(copy["verdict"]) + (" ⚠" if copy["meaning_changed"] else ""),
                    style=_VERDICT_TEXT.get(str(copy["verdict"]), ""),
                ),
                f"{copy['fidelity']:.2f}",
                str(copy["first_seen"]),
                str(copy["versions"]),
            )
        parts.append(table)
    return Group(*parts)


_VERDICT_TEXT = {
    "verbatim": "bold red",
    "near-verbatim": "dark_orange3",
    "paraphrased": "magenta",
    "partial": "yellow",
}


def doctor_renderable(healthy: bool, h: dict[str, Any]) -> RenderableType:
    """The ``prov doctor`` report."""
    parts: list[RenderableType] = [
        Text(
            "healthy" if healthy else "PROBLEMS FOUND",
            style="bold green" if healthy else "bold red",
        )
    ]
    integrity = "ok" if h["integrity"] == ["ok"] else "; ".join(h["integrity"][:5])
    parts.append(Text(f"integrity check: {integrity}"))
    parts.append(Text(f"schema: {', '.join(h['schema'])}; index version {h['index_version']}"))
    parts.append(Text("params: " + ", ".join(f"{k}={v}" for k, v in h["params"].items())))
    if "kernel" in h:
        parts.append(
            Text(
                "fingerprinting: compiled kernel"
                if h["kernel"] == "compiled"
                else "fingerprinting: NumPy (the compiled kernel is not built: same results, "
                "slower; reinstall with a C compiler)"
            )
        )
    counts = Table.grid(padding=(0, 2))
    counts.add_column(justify="right")
    counts.add_column()
    for name, n in h["counts"].items():
        counts.add_row(f"{n:,}", name)
    parts.append(counts)
    bad = {k: v for k, v in h["orphans"].items() if v}
    parts.append(
        Text(
            "orphans: none"
            if not bad
            else "orphans: " + ", ".join(f"{v} {k}" for k, v in bad.items())
        )
    )
    if h["counts"]["band_keys"] != h["band_keys_expected"]:
        parts.append(
            Text(
                f"band keys: {h['counts']['band_keys']:,}, expected {h['band_keys_expected']:,}",
                style="red",
            )
        )
    b = h["buckets"]
    parts.append(
        Text(
            f"LSH buckets: {b['distinct_keys']:,} keys, {b['single']:,} with one passage, "
            f"p99 {b['p99']}, largest {b['max']}; {b['over_cap']} over the cap of {b['cap']} "
            "(skipped at query time)"
        )
    )
    if b["largest"]:
        table = Table(title="largest buckets (often boilerplate)", title_justify="left")
        table.add_column("passages", justify="right")
        table.add_column("a passage in it", overflow="fold")
        for big in b["largest"]:
            table.add_row(str(big["passages"]), flat(big["sample"]))
        parts.append(table)
    return Group(*parts)
