"""The ``prov`` command line: parse, call one pipeline function, print.

Errors from the library are :class:`~provenance.errors.ProvError`; they are turned
into ``Error: <message>`` on stderr and the exit code in one place, :func:`_errors`.
"""

from __future__ import annotations

import os

# prov's parallelism is processes (scan workers), and the check path does no linear
# algebra: OpenBLAS's thread pool, started when NumPy loads, only costs a cold check
# (~0.1 s of wall time on a busy 2-core machine; scripts/bench_cold.py). A value the
# user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging  # noqa: E402 - after the environment above, before NumPy loads
import sqlite3
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from provenance import pipeline
from provenance.cli_support import (
    STDIN,
    STDIN_NAME,
    STORED_VERDICTS,
    ProvGroup,
    alteration_limit,
    read_input,
    since_value,
    use_pager,
    verdict_value,
)
from provenance.errors import InputError, ProvError, StoreError
from provenance.ingest.files import RawText
from provenance.pipeline import STOCK_MIN_DOCS
from provenance.report import json as report
from provenance.report.json import plural
from provenance.text.dates import parse_date

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from provenance.crawl.scan import ScanStats

EXIT_FOUND, EXIT_NONE, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 5, 2


app = typer.Typer(
    name="prov",
    help="Find which canonical texts a page copies, how faithfully, and which words were altered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # help texts are plain text: a rich markup pass would eat "[default: ...]" and
    # "prov[spark]" (anything in square brackets)
    rich_markup_mode=None,
    cls=ProvGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_state: dict[str, object] = {"debug": False, "db": ""}


class Format(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def default_db() -> Path:
    """``$PROV_DB``, else ``prov.db`` in the working folder."""
    return Path(os.environ.get("PROV_DB") or "prov.db")


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Index database [default: $PROV_DB, else ./prov.db].", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
JsonOnlyOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _alterations_option(default: int) -> object:
    return typer.Option(
        "--alterations",
        "-a",
        parser=alteration_limit,
        metavar="N|all",
        help=f"Alterations to list per match in text output, riskiest first: a number or "
        f"all [default: {default}].",
        show_default=False,
    )


ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Also print the rule that decided each verdict (the JSON always has it: rule).",
    ),
]
PagerOption = Annotated[
    bool,
    typer.Option(
        "--pager/--no-pager",
        help="Page long text output through $PAGER (less) when standard output is a terminal.",
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output: text (terminal), json, jsonl or csv.")
]


def _date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None  # a usage error: exit 2


_DATE_HELP = (
    "to tell which text is older (2021-06-28 or June 28, 2021); default: a date the text "
    "carries (a dateline, a Published line)."
)
SourceDateOption = Annotated[
    date | None,
    typer.Option(
        "--source-date", parser=_date, metavar="DATE", help="The source's date, " + _DATE_HELP
    ),
]
CopyDateOption = Annotated[
    date | None,
    typer.Option(
        "--copy-date", parser=_date, metavar="DATE", help="The copy's date, " + _DATE_HELP
    ),
]
SuspectDateOption = Annotated[
    date | None,
    typer.Option("--date", parser=_date, metavar="DATE", help="The suspects' date, " + _DATE_HELP),
]
AddDateOption = Annotated[
    date | None,
    typer.Option(
        "--date",
        parser=_date,
        metavar="DATE",
        help="The sources' date, kept in the index " + _DATE_HELP,
    ),
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Let URLs reach loopback, private and link-local addresses (refused by default).",
    ),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option("--html", help="Also write a self-contained side-by-side HTML report here."),
]


@contextmanager
def _errors(resumable: bool = False) -> Iterator[None]:
    """The one place where errors become messages and exit codes.

    ``resumable``: the command keeps what it wrote and finishes the work when run again
    (``add``, ``scan``, ``import-results``); an interruption says so.
    """
    try:
        yield
    except ProvError as e:
        _echo(f"Error: {e}", err=True)
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        typer.echo(
            "Error: interrupted; what was done is kept, and the same command run again "
            "finishes the work"
            if resumable
            else "Error: interrupted",
            err=True,
        )
        raise typer.Exit(130) from None
    except sqlite3.DatabaseError as e:  # the file went bad after it was opened
        _echo(
            f"Error: {_state.get('db') or 'the index'}: the database failed: {e}; run "
            "`prov doctor` (and restore or rebuild the index if it is damaged)",
            err=True,
        )
        raise typer.Exit(StoreError.exit_code) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as e:  # a bug: say so in one line, the traceback with --debug
        if _state["debug"]:
            traceback.print_exc()
        _echo(
            f"Error: internal error {type(e).__name__}: {e} (run `prov --debug ...` for the "
            "traceback and please report it)",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _echo(message: str, *, err: bool = False) -> None:
    """One line that may quote user text (names, URLs, messages): control characters,
    line breaks and undecodable bytes of names are written as visible escapes."""
    typer.echo(report.printable(message, lines=False), err=err)


def _print(renderable: RenderableType, pager: bool = False) -> None:
    """Rich output: colour on a terminal, plain text (120 columns) on a pipe.

    With ``pager``, on a terminal only, the output goes through ``$PAGER`` (``less``,
    told to quit at once when it fits on one screen and to keep the colours, as git does).
    """
    console = _console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    if pager and use_pager(console.is_terminal, os.environ):
        os.environ.setdefault("LESS", "FRX")
        with console.pager(styles=True):
            console.print(renderable)
        return
    console.print(renderable)


def _console(**kwargs: object) -> Console:
    """A rich console (rich is imported only by commands that print through it)."""
    from rich.console import Console

    return Console(**kwargs)  # type: ignore[arg-type]


def _warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


def _db(db: Path | None) -> Path:
    """The index a command uses (remembered for the error message if it fails later)."""
    target = db or default_db()
    _state["db"] = str(target)
    return target


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: cannot write the report ({e.strerror or e})") from None


def _reader(names: list[str], allow_private: bool) -> pipeline.Reader:
    """How the named inputs are read: files, - (standard input), and URLs when some names
    are URLs (fetching is imported only then)."""
    if not any("://" in name for name in names):
        return read_input  # files, and - for standard input
    from provenance.ingest.fetch import reader

    fetch = reader(allow_private)

    def read(name: str | Path) -> RawText:
        return fetch(name) if "://" in str(name) else read_input(name)

    return read


def _format(fmt: Format, json_: bool) -> Format:
    return Format.json if json_ else fmt


def _usage(message: str) -> NoReturn:
    """A usage error found after parsing: one line, exit status 2."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"prov {version('prov')}")
        raise typer.Exit(0)


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print prov's version and exit."
        ),
    ] = False,
    words_only: Annotated[
        bool,
        typer.Option(
            "--words-only",
            help="Match by words alone: skip the prov[semantic] step (translations and "
            "rewrites matched by meaning), as PROV_SEMANTIC=0 does. That step loads a sentence "
            "encoder (~1.4 s) when a text has passages its words do not explain.",
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    if words_only:  # the pipeline's switch; scan and add workers inherit it
        os.environ["PROV_SEMANTIC"] = "0"


@app.command()
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Source texts: files, or folders (walked for .txt, .text, .md, .html, .htm).",
        ),
    ],
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Processes reading and fingerprinting [default: cores]."
        ),
    ] = None,
    source_date: AddDateOption = None,
) -> None:
    """Register canonical source texts in the index.

    The same content under a second path is kept once; a changed file under a known
    path replaces its old text. A file that cannot be read is reported and skipped
    (exit status 3 at the end); the others are added.
    """
    from rich.progress import Progress

    from provenance import indexing

    target = _db(db)
    counts: Counter[str] = Counter()
    passages = other = 0
    err = _console(stderr=True)
    with (
        _errors(resumable=True),
        Progress(console=err, transient=True, disable=not err.is_terminal) as bar,
    ):
        task = None
        for r in indexing.add(paths, target, workers=workers, source_date=source_date):
            if task is None:
                task = bar.add_task("indexing", total=r.total)
            bar.update(task, completed=r.done)
            counts[r.status] += 1
            if r.status in (indexing.ADDED, indexing.REPLACED):
                passages += r.passages - r.other_passages
                other += r.other_passages
            if r.status == indexing.DUPLICATE:
                note = f"{r.path}: same text as {r.same_as}, kept once"
            elif r.status == indexing.REPLACED:
                note = f"{r.path}: changed, replaced"
            else:
                note = ""
                if r.status == indexing.FAILED:
                    _echo(f"Error: {r.error}", err=True)
            if note:
                # user text: never rich markup ([bold] in a name is a name), controls escaped
                note = report.printable(note, lines=False)
                err.print(note, markup=False, highlight=False, soft_wrap=True)
            for warning in r.warnings:
                _echo(f"Warning: {warning}", err=True)
    kinds = ("added", "replaced", "unchanged", "duplicate", "failed")
    parts = ", ".join(f"{counts[k]:,} {k}" for k in kinds if counts[k])
    if not target.exists():  # every file failed: no index is made for nothing
        _echo(f"{parts}; nothing to add, no index created at {target}")
    else:
        more = f", and {other:,} in a second language" if other else ""
        _echo(f"{parts} ({plural(passages, 'passage')} indexed{more}) in {target}")
    if counts[indexing.FAILED]:
        raise typer.Exit(InputError.exit_code)


@app.command()
def compare(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="The canonical text: a file, an http(s) URL, or - for standard input.",
        ),
    ],
    copy: Annotated[
        str,
        typer.Argument(
            metavar="COPY",
            help="The text that may copy it: a file, an http(s) URL, or - for standard input.",
        ),
    ],
    json_: JsonOption = False,
    fmt: FormatOption = Format.text,
    html: HtmlOption = None,
    alterations: Annotated[int, _alterations_option(10)] = 10,
    pager: PagerOption = True,
    explain: ExplainOption = False,
    source_date: SourceDateOption = None,
    copy_date: CopyDateOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Compare a copy with a source directly (no index needed).

    Either text may be - (standard input: a text pasted or piped in). Exit status 0 when
    the copy copies the source (any verdict but unrelated), 1 when not.
    """
    if str(source) == STDIN and str(copy) == STDIN:
        _usage("only one of SOURCE and COPY can be - (standard input)")
    with _errors():
        result = pipeline.compare(source, copy, read=_reader([source, copy], allow_private))
        dates = pipeline.dates(result, source_date, copy_date)
        for warning in result.score.warnings:
            _echo(f"Warning: {warning}", err=True)
        if html is not None:
            from provenance.report.html import render_compare_html

            _write(html, render_compare_html(result, dates))
    fmt = _format(fmt, json_)
    if fmt is Format.json:
        typer.echo(report.render_compare_json(result, dates))
    elif fmt is Format.jsonl:
        typer.echo(report.render_compare_jsonl(result, dates))
    elif fmt is Format.csv:
        typer.echo(report.csv_header() + report.csv_rows([result]), nl=False)
    else:
        from provenance.report.terminal import compare_renderable

        renderable = compare_renderable(result, alterations or None, dates=dates, explain=explain)
        _print(renderable, pager)
    raise typer.Exit(EXIT_NONE if result.score.verdict == "unrelated" else EXIT_FOUND)


@app.command()
def check(
    suspects: Annotated[
        list[str],
        typer.Argument(
            metavar="SUSPECT...",
            help="Texts to check: files, http(s) URLs, or - for standard input.",
        ),
    ],
    db: DbOption = None,
    json_: JsonOption = False,
    fmt: FormatOption = Format.text,
    top: Annotated[int, typer.Option("--top", min=1, help="Best matches to show per suspect.")] = 5,
    html: HtmlOption = None,
    alterations: Annotated[int, _alterations_option(5)] = 5,
    pager: PagerOption = True,
    explain: ExplainOption = False,
    suspect_date: SuspectDateOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Find the indexed sources each suspect copies, best first.

    A suspect may be - (standard input: a text pasted or piped in). Exit status 0 when a
    copy was found for some suspect, 1 when none was, 3 when a suspect could not be read
    (the others are still checked). With several suspects, --html names a folder that gets
    one report per suspect.
    """
    fmt = _format(fmt, json_)
    found = failed = False
    collected = []
    if sum(str(s) == STDIN for s in suspects) > 1:
        _usage("standard input (-) can be read only once")
    renderables: list[RenderableType] = []
    paging = pager and use_pager(sys.stdout.isatty(), os.environ)
    with _errors():
        if html is not None and len(suspects) > 1:
            html.mkdir(parents=True, exist_ok=True)
        if fmt is Format.csv:
            typer.echo(report.csv_header(), nl=False)
        read = _reader(suspects, allow_private)
        for result in pipeline.check(
            suspects, _db(db), top, read=read, warn=_warn, suspect_date=suspect_date
        ):
            if result.error:
                _echo(f"Error: {result.error}", err=True)
                failed = True
                continue
            for warning in result.warnings:
                _echo(f"Warning: {warning}", err=True)
            found = found or bool(result.matches)
            if html is not None:
                from provenance.report.html import render_check_html

                stem = "stdin" if result.suspect == STDIN_NAME else Path(result.suspect).stem
                out = html / f"{stem}.html" if len(suspects) > 1 else html
                _write(out, render_check_html(result))
            if fmt is Format.json:
                collected.append(result)
            elif fmt is Format.jsonl:
                typer.echo(report.render_check_jsonl(result))
            elif fmt is Format.csv:
                typer.echo(report.csv_rows(list(result.matches)), nl=False)
            else:
                from provenance.report.terminal import check_renderable

                renderable = check_renderable(result, alterations or None, explain)
                if paging and len(suspects) > 1:  # paged together, at the end
                    renderables.append(renderable)
                else:
                    _print(renderable, paging)
        if collected:
            typer.echo(report.render_check_json(collected))
    if renderables:
        from rich.console import Group

        _print(Group(*renderables), paging)
    if failed:
        raise typer.Exit(InputError.exit_code)
    raise typer.Exit(EXIT_FOUND if found else EXIT_NONE)


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="INPUT...", help="Folders and files: .txt, .html/.htm, .warc, .warc.gz, .jsonl."
        ),
    ] = None,
    db: DbOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Checking processes [default: cores].")
    ] = None,
    recheck: Annotated[
        bool,
        typer.Option("--recheck", help="Also check stored pages again if sources changed since."),
    ] = False,
    stock_min: Annotated[
        int,
        typer.Option(
            "--stock-min",
            min=0,
            help="Pages a passage must be seen in (outside copies) to become a stock phrase "
            "that proposes nothing; 0 turns this off.",
        ),
    ] = STOCK_MIN_DOCS,
) -> None:
    """Compare every new page of a crawl with the index and keep the results.

    Incremental (pages seen before are not checked again) and resumable (a killed scan,
    run again, finishes the work). Pages that cannot be read are recorded with the
    reason and the rest goes on. Exit status 0 when the scan completed.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from provenance.crawl.scan import scan as run_scan
    from provenance.report.terminal import scan_summary

    if not inputs and not recheck:
        _usage("give folders or files to scan, or --recheck (see `prov scan --help`)")
    err = _console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with (
        _errors(resumable=True),
        Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar,
    ):
        task = bar.add_task("scanning")

        def show(st: ScanStats) -> None:
            copies = sum(st.verdicts.values())
            bar.update(
                task,
                description=f"{st.read:,} pages, {st.checked:,} checked, {copies:,} copies, "
                f"{st.risky:,} risky, {st.pages_per_second:,.0f} pages/s",
            )

        stats = run_scan(
            inputs or [], _db(db), workers=workers, recheck=recheck,
            stock_min=stock_min, on_progress=show,
        )  # fmt: skip
    _print(scan_summary(stats))
    for problem in stats.problems:
        _echo(f"Error: {problem}", err=True)
    if stats.problems:
        raise typer.Exit(InputError.exit_code)


ResultFormat = Annotated[
    Format, typer.Option("--format", "-f", help="Output: text (terminal), json, jsonl or csv.")
]


@app.command()
def results(
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            parser=since_value,
            metavar="WHEN",
            help="Only pages scanned at or after WHEN: a date or time (2026-11-23, "
            "2026-11-23T08:00, UTC unless it says otherwise), today, yesterday, or an age "
            "(12h, 7d).",
        ),
    ] = None,
    verdict: Annotated[
        str | None,
        typer.Option(
            "--verdict",
            parser=verdict_value,
            metavar="VERDICT",
            help=f"Only this verdict: {', '.join(STORED_VERDICTS)}.",
        ),
    ] = None,
    fmt: ResultFormat = Format.text,
) -> None:
    """Export what scans found: one row per (page, source) match."""
    from provenance.crawl.scan import results as query
    from provenance.crawl.scan import scanned

    with _errors():
        rows = query(_db(db), since=since, verdict=verdict)
        totals = scanned(_db(db)) if not rows and fmt is Format.text else None
    if fmt is Format.text:
        from provenance.report.terminal import results_renderable

        _print(results_renderable(rows, totals, filtered=bool(since or verdict)))
    else:
        typer.echo(report.render_results(rows, fmt.value), nl=False)


@app.command()
def errors(
    db: DbOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only pages scanned at or after this date.")
    ] = None,
    fmt: ResultFormat = Format.text,
) -> None:
    """List the pages scans could not read, newest first, with the reason.

    A page read successfully by a later scan is no longer listed.
    """
    from provenance.crawl.scan import errors as query

    with _errors():
        rows = query(_db(db), since=since)
    if fmt is Format.text:
        from provenance.report.terminal import errors_renderable

        _print(errors_renderable(rows))
    else:
        typer.echo(report.render_errors(rows, fmt.value), nl=False)


@app.command()
def history(
    url: Annotated[str, typer.Argument(metavar="URL", help="A page's URL (or path, for files).")],
    db: DbOption = None,
    json_: JsonOnlyOption = False,
) -> None:
    """A page's versions, their verdicts, and what changed between them."""
    from provenance.crawl.scan import history as query
    from provenance.ingest.files import storable

    url = storable(url)  # as stored: a lone surrogate written \udNNN
    with _errors():
        versions = query(_db(db), url)
    if json_:
        typer.echo(report.dumps({"url": url, "versions": versions}, indent=2))
    else:
        from provenance.report.terminal import history_renderable

        _print(history_renderable(url, versions))
    raise typer.Exit(EXIT_FOUND if versions else EXIT_NONE)


@app.command()
def clusters(db: DbOption = None, fmt: ResultFormat = Format.text) -> None:
    """Scanned pages grouped by the source they copy."""
    from provenance.crawl.scan import clusters as query

    with _errors():
        groups = query(_db(db))
    if fmt is Format.text:
        from provenance.report.terminal import clusters_renderable

        _print(clusters_renderable(groups))
    else:
        typer.echo(report.render_clusters(groups, fmt.value), nl=False)


@app.command("spark-scan")
def spark_scan(
    sources: Annotated[
        str,
        typer.Option(
            "--sources",
            help="Source texts: a folder or files as for `prov add`, or a .parquet export "
            "(`prov export-sources`).",
        ),
    ],
    pages: Annotated[
        list[str],
        typer.Option(
            "--pages",
            help="Pages: folders/files as `prov scan` reads them, or .parquet with url and "
            "text columns (repeatable).",
        ),
    ],
    out: Annotated[
        str, typer.Option("--out", help="New folder (or Spark URL) for results/ and pages/.")
    ],
    master: Annotated[
        str | None,
        typer.Option(
            "--master",
            help="Spark master: local[*], spark://host:7077, yarn [default: spark-submit's, "
            "else local[*]].",
        ),
    ] = None,
) -> None:
    """Run the `prov scan` pipeline on Apache Spark; results as Parquet.

    Needs `pip install 'prov[spark]'` and Java 17+. Same copies, verdicts and scores as
    `prov scan --stock-min 0`; load them into a database with `prov import-results`.
    """
    from provenance.index.store import MAX_BUCKET
    from provenance.spark.driver import spark_scan as run

    with _errors():
        st = run(sources, pages, out, master=master)
    ranked = sorted(st.verdicts.items(), key=lambda x: -x[1])
    copies = ", ".join(f"{n:,} {v}" for v, n in ranked) or "none"
    typer.echo(
        f"{st.pages:,} pages read ({st.errors:,} unreadable), {st.contents:,} contents "
        f"checked against {st.sources:,} sources"
    )
    typer.echo(
        f"{st.candidates:,} candidates verified; copies found: {copies} ({st.matches:,} rows)"
    )
    typer.echo(f"{st.dropped_keys:,} band keys dropped (in more than {MAX_BUCKET} source passages)")
    rate = f"{st.pages_per_second:,.1f} pages per second ({st.seconds:.1f} s)"
    _echo(f"{rate}; results in {out}/results")


@app.command("export-sources")
def export_sources(
    out: Annotated[Path, typer.Argument(metavar="OUT.parquet", help="Parquet file to write.")],
    db: DbOption = None,
) -> None:
    """Write the index's sources (path, sha256, text, id, parameters) to Parquet, for
    `prov spark-scan --sources`."""
    from provenance.spark.parquet import export_sources as run

    with _errors():
        n = run(_db(db), out)
    _echo(f"{n:,} sources written to {out}")


@app.command("import-results")
def import_results(
    out: Annotated[
        Path, typer.Argument(metavar="OUT", help="The folder that `prov spark-scan --out` wrote.")
    ],
    db: DbOption = None,
) -> None:
    """Load a `prov spark-scan` output into a prov database (created if missing)."""
    from provenance.spark.parquet import import_results as run

    with _errors(resumable=True):
        s = run(out, _db(db))
    typer.echo(
        f"{plural(s.documents, 'page')} recorded ({plural(s.contents, 'new content')}), "
        f"{plural(s.matches, 'match', 'matches')} imported, {s.errors:,} unreadable, "
        f"{plural(s.skipped, 'page')} already in the database"
        + (
            f" ({plural(s.skipped_matches, 'match', 'matches')} not imported again)"
            if s.skipped_matches
            else ""
        )
    )


@app.command()
def sources(db: DbOption = None, json_: JsonOnlyOption = False) -> None:
    """List the sources in the index."""
    with _errors():
        rows = pipeline.sources(_db(db))
    if json_:
        typer.echo(report.render_sources_json(rows))
    else:
        from provenance.report.terminal import sources_renderable

        _print(sources_renderable(rows))


@app.command()
def remove(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="The path the source was added under.")
    ],
    db: DbOption = None,
) -> None:
    """Remove a source from the index."""
    with _errors():
        row = pipeline.remove(_db(db), source)
    _echo(f"removed {row.path} ({plural(row.passages, 'passage')})")


@app.command()
def doctor(db: DbOption = None, json_: JsonOnlyOption = False) -> None:
    """Check the index: integrity, counts, orphans, and the health of its LSH buckets.

    Exit status 0 when healthy, 4 when a problem was found.
    """
    from provenance import indexing

    with _errors():
        healthy, health = indexing.doctor(_db(db))
    if json_:
        typer.echo(report.dumps({"healthy": healthy, **health}, indent=2))
    else:
        from provenance.report.terminal import doctor_renderable

        _print(doctor_renderable(healthy, health))
    raise typer.Exit(0 if healthy else 4)


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the index from its stored texts (after an upgrade changed normalisation)."""
    from provenance import indexing

    with _errors():
        n = indexing.reindex(_db(db))
    typer.echo(f"reindexed {plural(n, 'source')}")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (a token is needed but on loopback)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="PROV_TOKEN",
            help="Token clients must send (Authorization: Bearer); needed but on loopback.",
            show_default=False,
        ),
    ] = None,
    allow_private: AllowPrivateOption = False,
    threads: Annotated[
        int, typer.Option("--threads", min=1, help="Threads answering, each with the index open.")
    ] = 4,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Server processes (e.g. one per core).")
    ] = 1,
) -> None:
    """Serve the check form, the sources and scan results pages, and the JSON API.

    Needs `pip install 'prov\\[serve]'`. Listens on 127.0.0.1:8000 by default; any other
    address needs a token. The index must exist (create it with `prov add`).
    """
    try:
        from provenance.serve.app import ServeConfig, binding_problem
        from provenance.serve.app import serve as run
    except ImportError as e:
        typer.echo(
            f"Error: prov serve needs the serve extra ({e.name} is missing): "
            "pip install 'prov[serve]'",
            err=True,
        )
        raise typer.Exit(2) from None
    problem = binding_problem(host, token)
    if problem:
        typer.echo(f"Error: {problem}", err=True)
        raise typer.Exit(2)
    config = ServeConfig(
        _db(db), host, port, token or None, allow_private, threads, workers=workers
    )
    with _errors():
        run(config)


def main() -> None:
    """Console entry point."""
    # warcio reports malformed records on the root logger; prov records them as page errors
    logging.getLogger("warcio").setLevel(logging.CRITICAL)
    try:
        app()
    except BrokenPipeError:  # `prov ... | head`
        sys.stderr.close()
        sys.exit(0)
