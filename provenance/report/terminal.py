"""Terminal rendering with rich: the verdict, the scores and the riskiest alterations.

Pure: functions return rich renderables; ``cli`` prints them on a console that adds
colour on a terminal and none on a pipe.

User text (file names, URLs, page and source text, messages that quote them) is data:
it goes into :class:`rich.text.Text` objects, never into a string rich parses as markup
(``[bold]`` or ``[link=...]`` in a name is shown as written), through :func:`_user`,
which also writes control characters as visible escapes (a page's ``ESC [2J`` or OSC 8
link never reaches the terminal).
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from provenance.index.records import SourceRow
from provenance.match.copies import is_copy
from provenance.match.evidence import AlignedPair
from provenance.match.results import CheckResult, CompareResult
from provenance.match.risk import MEANING_RISKS
from provenance.report.json import direction_of, flat, plural, printable, summary
from provenance.text.dates import Direction

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
    "polarity": "bold red",
    "qualifier": "bold red",
    "attribution": "bold magenta",
    "claim": "bold yellow",
    "name": "bold magenta",
    "number": "bold cyan",
    "wording": "dim",
}


def _user(value: object, style: str = "") -> Text:
    """User text on one line, as data: no markup, control characters escaped."""
    return Text(printable(str(value), lines=False), style=style)


def _context(context: str, changed: str, style: str) -> Text:
    """The context with the changed words highlighted (the first occurrence)."""
    ctx, word = printable(flat(context)), printable(flat(changed))
    out = Text(ctx)
    if word:
        at = ctx.find(word)
        if at >= 0:
            out.stylize(style, at, at + len(word))
    return out


def compare_renderable(
    r: CompareResult,
    limit: int | None = 10,
    in_check: bool = False,
    dates: Direction | None = None,
    explain: bool = False,
) -> RenderableType:
    """One comparison: verdict, summary, scores, and the first ``limit`` alterations,
    riskiest first (``None``: all of them). ``in_check``: a match of ``prov check``,
    where a match that is not a copy (it only shares passages) changes no meaning.
    ``dates``: the texts' dates given on the command line. ``explain``: also the rule
    that decided the verdict (README: "How the scores are defined")."""
    s = r.score
    head = Text()
    head.append(f" {s.verdict.upper()} ", style=_VERDICT_STYLE[s.verdict])
    shares = in_check and not is_copy(s)
    if s.meaning_changed and not shares:
        head.append("  MEANING CHANGED", style="bold red")
    head.append("\n" + printable(summary(r, dates), lines=False))
    if s.reason:
        why = f"{s.extent} · {s.wording or '-'} · {s.reason}"
        head.append("\n" + printable(why, lines=False), style="italic")
    if explain and s.rule:
        head.append("\nrule: " + printable(s.rule, lines=False), style="dim")
    if shares:
        head.append(
            "\nNot a copy: the suspect only shares passages with this source; their "
            "differences are not counted as alterations that change the meaning."
        )
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
        meant = [q for p in found for q in (p.parts or (p,)) if q.kind]  # paragraph by paragraph
        if meant:
            langs = ", ".join(sorted({p.lang for p in meant if p.kind == "translation"}))
            n_tr = sum(1 for p in meant if p.kind == "translation")
            scores.add_row(
                f"translated [bold]{n_tr}[/]" + (f" ({escape(langs)})" if langs else ""),
                f"reworded [bold]{len(meant) - n_tr}[/]",
                "matched by meaning",
                f"similarity [bold]{min(p.similarity for p in meant):.2f}"
                f"-{max(p.similarity for p in meant):.2f}[/]",
            )
    parts: list[RenderableType] = [head, scores]
    by_meaning = _by_meaning(r, limit)
    if by_meaning is not None:
        parts.append(by_meaning)
    if s.alterations:
        shown = len(s.alterations) if limit is None else min(limit, len(s.alterations))
        more = "" if shown == len(s.alterations) else "; --alterations all lists every one"
        table = Table(
            title=f"alterations, riskiest first ({shown} of {len(s.alterations)}{more})",
            title_justify="left",
            show_lines=False,
            expand=True,
        )
        table.add_column("risk", no_wrap=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("source")
        table.add_column("copy")
        for a in s.alterations[:shown]:
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
        extra.append(
            f"added by the copy: {plural(words, 'word')} in {plural(len(s.added), 'place')}"
        )
    if s.missing:
        words = sum(len(m.text.split()) for m in s.missing)
        extra.append(
            f"missing from the copy: {plural(words, 'word')} in {plural(len(s.missing), 'place')}"
        )
    if extra:
        parts.append(Text("\n".join(extra), style="dim"))
    return Group(*parts)


def _by_meaning(r: CompareResult, limit: int | None) -> Table | None:
    """The passages found by meaning, each with the paragraphs it joins (``parts``):
    which paragraphs of the source each paragraph of the copy translates or rewords."""
    found = [p for p in r.score.pairs if p.found and any(q.kind for q in (p.parts or (p,)))]
    if not found:
        return None
    from provenance.report.html_sides import Paragraphs  # (~4 ms to import: when needed)

    src, copy = Paragraphs(r.source_text), Paragraphs(r.copy_text)

    def where(par: Paragraphs, span: tuple[int, int]) -> str:
        a, b = par.at(span[0]), par.at(max(span[0], span[1] - 1))
        return f"¶ {a}" if a == b else f"¶ {a}-{b}"

    def what(p: AlignedPair) -> str:
        if p.kind == "translation":
            return f"translated ({printable(p.lang)})"
        return p.kind or "word for word"

    rows = [row for p in found for row in ((p, ""), *((q, "  ") for q in p.parts))]
    shown = len(rows) if limit is None else min(len(rows), max(limit, len(found)))
    more = "" if shown == len(rows) else f"; {len(rows) - shown} more rows with --alterations all"
    table = Table(
        title=f"matched by meaning, paragraph by paragraph{more}",
        title_justify="left",
        expand=False,
    )
    for col in ("source", "copy", "how", "similarity"):
        table.add_column(col, no_wrap=True)
    for p, indent in rows[:shown]:
        table.add_row(
            indent + where(src, p.source_span),
            indent + where(copy, p.copy_span),
            indent + what(p),
            f"{p.similarity:.2f}",
        )
    return table


def check_headline(r: CheckResult) -> str:
    """What a suspect is, in one line: the copies first (with the alterations in them
    that may change the meaning), then the sources it only shares passages with (a later
    text that reused some sentences is not a copy whose meaning changed)."""
    copies = [m for m in r.matches if is_copy(m.score)]
    shared = len(r.matches) - len(copies)
    if not r.matches:
        return (
            f"{r.suspect}: no copy of an indexed source found "
            f"({plural(r.candidates, 'candidate')} checked)"
        )
    if len(copies) == 1:
        m = copies[0]
        article = "an" if m.score.verdict[:1] in ("a", "e", "i", "o", "u") else "a"
        head = f"{r.suspect}: {article} {m.score.verdict} copy of {PurePath(m.source).name}"
        if direction_of(m).older == "copy":
            head += " dated before it (the suspect may be the original)"
    elif copies:
        head = f"{r.suspect}: copies {plural(len(copies), 'source')}"
    else:
        head = f"{r.suspect}: no copy of a whole source"
    # a copy dated before its source may be the original: its differences are not
    # alterations (as compare's summary says)
    risky = sum(
        1
        for m in copies
        if direction_of(m).older != "copy"
        for a in m.score.alterations
        if a.risk in MEANING_RISKS
    )
    if copies:
        head += (
            f", {plural(risky, 'alteration')} that may change the meaning"
            if risky
            else ", no alteration that may change the meaning"
        )
    if shared:
        other = "other source" if copies else "source"
        head += f"; shares passages with {plural(shared, other)}"
    return head


def _shares(i: int, m: CompareResult) -> Text:
    """A match that is not a copy, in one line: what the two texts share."""
    s = m.score
    line = Text(f"{i}. ")
    line.append(printable(m.source, lines=False), style="bold")
    line.append(
        f": {s.passages_found} of its {plural(s.passages, 'passage')} "
        f"({round(100 * s.source_coverage)}% of its text, {round(100 * s.copy_coverage)}% of "
        f"this one), fidelity {s.fidelity:.2f}, {plural(len(s.alterations), 'difference')} "
        "(not a copy: not counted as alterations)"
    )
    return line


def check_renderable(
    r: CheckResult, limit: int | None = 5, explain: bool = False
) -> RenderableType:
    """One suspect: the headline, the best match and every copy in full (the first
    ``limit`` alterations each, ``None``: all; ``explain``: with the rule that decided
    each verdict), then one line for each source the suspect only shares passages with."""
    if not r.matches:
        return _user(check_headline(r))
    parts: list[RenderableType] = [_user(check_headline(r), style="bold")]
    shared: list[Text] = []
    for i, m in enumerate(r.matches, 1):
        if i == 1 or is_copy(m.score):
            title = _user(f"{i}. {m.source}")
            body = compare_renderable(m, limit, in_check=True, explain=explain)
            parts.append(Panel(body, title=title, title_align="left"))
        else:
            shared.append(_shares(i, m))
    if shared:
        parts.append(Text("shares passages with (not copies):", style="bold"))
        parts.extend(shared)
        parts.append(Text("(--json or --html shows what they share, word by word)", style="dim"))
    return Group(*parts)


def sources_renderable(rows: list[SourceRow]) -> RenderableType:
    if not rows:
        return Text("no sources in the index (add some with `prov add`)")
    table = Table(title=f"{len(rows)} source{'s' if len(rows) != 1 else ''}", title_justify="left")
    for col in ("path", "words", "passages", "lang", "added"):
        table.add_column(
            col,
            justify="right" if col in ("words", "passages") else "left",
            overflow="fold",
            no_wrap=col in ("words", "passages", "added"),
        )
    for r in rows:
        lang = r.lang + "".join(f" (+{n:,} {k})" for k, n in r.languages[1:])
        added = r.added_at[:16].replace("T", " ")  # to the minute, UTC
        table.add_row(_user(r.path), str(r.words), str(r.passages), _user(lang), _user(added))
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
    rows = [  # (count, what one is, what several are)
        (stats.read, "page read", "pages read"),
        (stats.checked, "checked against the index", ""),
        (stats.seen, "skipped: content checked before", ""),
        (stats.skipped, "skipped: recorded by an earlier run", ""),
        (stats.errors, "could not be read (recorded with the reason)", ""),
        (stats.changed, "changed since its last version", "changed since their last version"),
        (
            stats.rechecked,
            "stored page checked again (--recheck)",
            "stored pages checked again (--recheck)",
        ),
    ]
    for n, one, many in rows:
        if n or one in ("page read", "checked against the index"):
            table.add_row(f"{n:,}", one if n == 1 or not many else many)
    copies = ", ".join(f"{n:,} {v}" for v, n in stats.verdicts.most_common()) or "none"
    table.add_row("", f"copies found: {copies}")
    risky = "alteration that may" if stats.risky == 1 else "alterations that may"
    table.add_row(f"{stats.risky:,}", f"{risky} change the meaning")
    table.add_row(f"{stats.pages_per_second:,.1f}", f"pages per second ({stats.seconds:.1f} s)")
    return table


def results_renderable(
    rows: list[dict[str, Any]], totals: tuple[int, int] | None = None, filtered: bool = False
) -> RenderableType:
    """The matches the scans found; when there are none, why (``totals``: the pages and
    matches recorded in all)."""
    if not rows:
        pages, matches = totals or (0, 0)
        if not pages:
            return Text("no results: no page scanned yet (scan some with `prov scan`)")
        if filtered and matches:
            return Text(
                f"no results match (the scans recorded {plural(matches, 'match', 'matches')} "
                f"in {plural(pages, 'page')})"
            )
        return Text(f"no results: no copy found in the {plural(pages, 'page')} scanned")
    table = Table(title=f"{len(rows)} match{'es' if len(rows) != 1 else ''}", title_justify="left")
    columns = ("page", "source", "verdict", "copied", "fidelity", "coverage", "risky", "older")
    for col in (*columns, "scanned"):
        table.add_column(col, overflow="fold")
    warned: dict[str, list[str]] = {}
    for r in rows:
        page = str(r.get("url") or r.get("key"))
        if r.get("warnings"):
            warned.setdefault(page, r["warnings"])
        # a page older than its source may be the original: its differences are not
        # alterations of a copy (no ⚠)
        flag = " ⚠" if r["meaning_changed"] and r.get("direction") != "copy" else ""
        table.add_row(
            _user(page + (" (!)" if r.get("warnings") else "")),
            _user(PurePath(str(r["source"])).name),
            Text(str(r["verdict"]) + flag, style=_VERDICT_TEXT.get(str(r["verdict"]), "")),
            _user(", ".join(str(r[k]) for k in ("extent", "wording") if r.get(k))),
            f"{r['fidelity']:.2f}",
            f"{r['source_coverage']:.2f}",
            str(r["risky"]),
            _user(_OLDER.get(str(r.get("direction")), "")),
            _user(r["scanned_at"]),
        )
    if not warned:
        return table
    notes = Text("(!) read with warnings:", style="bold")
    for page, warnings in warned.items():
        notes.append("\n")
        notes.append(printable(f"{page}: {'; '.join(warnings)}", lines=False))
    return Group(table, notes)


#: The ``older`` column of ``prov results``: which text is older (README, "Which text
#: is older").
_OLDER = {
    "source": "source",
    "copy": "page: may be the original",
    "same": "same date",
}


def errors_renderable(rows: list[dict[str, Any]]) -> RenderableType:
    """``prov errors``: the pages that could not be read, with the reason."""
    if not rows:
        return Text("no unreadable pages recorded")
    n = len(rows)
    table = Table(title=f"{n} page{'s' if n != 1 else ''} could not be read", title_justify="left")
    for col in ("page", "reason", "scanned"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(_user(r["key"]), _user(r["reason"]), _user(r["scanned_at"]))
    return table


def history_renderable(url: str, versions: list[dict[str, Any]]) -> RenderableType:
    if not versions:
        return _user(f"{url}: never scanned")
    parts: list[RenderableType] = [
        _user(f"{url}: {plural(len(versions), 'version')}", style="bold")
    ]
    for i, v in enumerate(versions, 1):
        best = v["matches"][0] if v["matches"] else None
        line = _user(f"{i}. fetched {v['fetched_at']}  sha256 {v['sha256'][:12]}  ")
        if best:
            name = printable(PurePath(best["source"]).name, lines=False)
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
                    f"   {head}: {plural(len(change['alterations']), 'alteration')}",
                    style="bold red" if change["meaning_changed"] else "",
                )
            )
            for a in change["alterations"][:10]:
                before = printable(flat(a["before_context"]))
                after = printable(flat(a["after_context"]))
                parts.append(Text(f"     {a['risk']:<9} {a['kind']:<12} “{before}” → “{after}”"))
    return Group(*parts)


def clusters_renderable(clusters: list[dict[str, Any]]) -> RenderableType:
    if not clusters:
        return Text("no copies found yet (scan some pages with `prov scan`)")
    parts: list[RenderableType] = []
    for c in clusters:
        n = len(c["copies"])
        table = Table(
            title=_user(f"{c['source']}: {n} cop{'ies' if n != 1 else 'y'}"), title_justify="left"
        )
        for col in ("page", "verdict", "fidelity", "first seen", "versions"):
            table.add_column(col, overflow="fold")
        for copy in c["copies"]:
            table.add_row(
                _user(copy["url"]),
                Text(
                    str(copy["verdict"]) + (" ⚠" if copy["meaning_changed"] else ""),
                    style=_VERDICT_TEXT.get(str(copy["verdict"]), ""),
                ),
                f"{copy['fidelity']:.2f}",
                _user(copy["first_seen"]),
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
    parts.append(_user(f"integrity check: {integrity}"))
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
    if "semantic" in h:
        sem = h["semantic"]
        state = (
            f"installed ({sem['encoder']}{'' if sem['enabled'] else ', turned off'})"
            if sem["installed"]
            else "not installed"
        )
        parts.append(Text(f"matching by meaning (prov[semantic]): {state}: {sem['adds']}"))
        vec = sem.get("vectors")
        if vec:
            have = (
                f"sentence vectors: {vec['with_vectors']:,} of {vec['sources']:,} sources, "
                f"{vec['passages']:,} passages, {vec['bytes']:,} bytes"
                + (f" ({vec['encoder']})" if vec["encoder"] else "")
            )
            parts.append(Text(have + (f"; {vec['note']}" if vec.get("note") else "")))
        if sem.get("search"):
            parts.append(Text(f"search over the vectors (from 50,000): {sem['search']}"))
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
    if h.get("unsegmented"):
        parts.append(
            Text(
                f"{h['unsegmented']:,} sources without a stored segmentation (indexed by an "
                "older prov): checks segment them each time; `prov reindex` stores it"
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
            table.add_row(str(big["passages"]), Text(printable(flat(big["sample"]))))
        parts.append(table)
    return Group(*parts)
