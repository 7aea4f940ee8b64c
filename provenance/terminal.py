"""Terminal rendering with rich: the verdict, the scores and the riskiest alterations.

Pure: functions return rich renderables; ``cli`` prints them on a console that adds
colour on a terminal and none on a pipe.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from provenance.report import summary
from provenance.score import MEANING_RISKS, CheckResult, CompareResult
from provenance.store import SourceRow

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


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _context(context: str, changed: str, style: str) -> Text:
    """The context with the changed words highlighted (the first occurrence)."""
    ctx, word = _flat(context), _flat(changed)
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
    scores = Table.grid(padding=(0, 3))
    for _ in range(4):
        scores.add_column(justify="left")
    scores.add_row(
        f"source coverage [bold]{s.source_coverage:.2f}[/]",
        f"copy coverage [bold]{s.copy_coverage:.2f}[/]",
        f"fidelity [bold]{s.fidelity:.2f}[/]",
        f"passages [bold]{s.passages_found}/{s.passages}[/]",
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
