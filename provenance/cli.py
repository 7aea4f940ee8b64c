"""The ``prov`` command line: parse, call one pipeline function, print.

Errors from the library are :class:`~provenance.errors.ProvError`; they are turned
into ``Error: <message>`` on stderr and the exit code in one place, :func:`_errors`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance import pipeline
from provenance.errors import InputError, ProvError, StoreError
from provenance.ingest.files import read_document
from provenance.pipeline import STOCK_MIN_DOCS
from provenance.report import json as report

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from provenance.crawl.scan import ScanStats

EXIT_FOUND, EXIT_NONE, EXIT_INTERNAL = 0, 1, 5

app = typer.Typer(
    name="prov",
    help="Find which canonical texts a page copies, how faithfully, and which words were altered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output: text (terminal), json, jsonl or csv.")
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
def _errors() -> Iterator[None]:
    """The one place where errors become messages and exit codes."""
    try:
        yield
    except ProvError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(e.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("Error: interrupted", err=True)
        raise typer.Exit(130) from None
    except sqlite3.DatabaseError as e:  # the file went bad after it was opened
        typer.echo(
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
        typer.echo(
            f"Error: internal error {type(e).__name__}: {e} (run `prov --debug ...` for the "
            "traceback and please report it)",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _print(renderable: RenderableType) -> None:
    """Rich output: colour on a terminal, plain text (120 columns) on a pipe."""
    console = _console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    console.print(renderable)


def _console(**kwargs: object) -> Console:
    """A rich console (rich is imported only by commands that print through it)."""
    from rich.console import Console

    return Console(**kwargs)  # type: ignore[arg-type]


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
    """How the named inputs are read: files, and URLs when some names are URLs (fetching
    is imported only then)."""
    if not any("://" in name for name in names):
        return read_document
    from provenance.ingest.fetch import reader

    return reader(allow_private)


def _format(fmt: Format, json_: bool) -> Format:
    return Format.json if json_ else fmt


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


@app.command()
def add(
    paths: Annotated[
        list[Path], typer.Argument(help="Source texts: files, or folders of .txt files.")
    ],
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Processes reading and fingerprinting [default: cores]."
        ),
    ] = None,
) -> None:
    """Register canonical source texts in the index.

    The same content under a second path is kept once; a changed file under a known
    path replaces its old text. A file that cannot be read is reported and skipped
    (exit status 3 at the end); the others are added.
    """
    from rich.progress import Progress

    target = _db(db)
    counts: Counter[str] = Counter()
    passages = 0
    err = _console(stderr=True)
    with _errors(), Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = None
        for r in pipeline.add(paths, target, workers=workers):
            if task is None:
                task = bar.add_task("indexing", total=r.total)
            bar.update(task, completed=r.done)
            counts[r.status] += 1
            if r.status in (pipeline.ADDED, pipeline.REPLACED):
                passages += r.passages
            if r.status == pipeline.DUPLICATE:
                err.print(f"{r.path}: same text as {r.same_as}, kept once", highlight=False)
            elif r.status == pipeline.REPLACED:
                err.print(f"{r.path}: changed, replaced", highlight=False)
            elif r.status == pipeline.FAILED:
                typer.echo(f"Error: {r.error}", err=True)
    kinds = ("added", "replaced", "unchanged", "duplicate", "failed")
    parts = [f"{counts[k]} {k}" for k in kinds if counts[k]]
    typer.echo(f"{', '.join(parts)} ({passages} passages indexed) in {target}")
    if counts[pipeline.FAILED]:
        raise typer.Exit(InputError.exit_code)


@app.command()
def compare(
    source: Annotated[str, typer.Argument(help="The canonical text: a file or an http(s) URL.")],
    copy: Annotated[str, typer.Argument(help="The text that may copy it: a file or a URL.")],
    json_: JsonOption = False,
    fmt: FormatOption = Format.text,
    html: HtmlOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Compare a copy with a source directly (no index needed).

    Exit status 0 when the copy copies the source (any verdict but unrelated), 1 when not.
    """
    with _errors():
        result = pipeline.compare(source, copy, read=_reader([source, copy], allow_private))
        for warning in result.score.warnings:
            typer.echo(f"Warning: {warning}", err=True)
        if html is not None:
            from provenance.report.html import render_compare_html

            _write(html, render_compare_html(result))
    fmt = _format(fmt, json_)
    if fmt is Format.json:
        typer.echo(report.render_compare_json(result))
    elif fmt is Format.jsonl:
        typer.echo(report.render_compare_jsonl(result))
    elif fmt is Format.csv:
        typer.echo(report.csv_header() + report.csv_rows([result]), nl=False)
    else:
        from provenance.report.terminal import compare_renderable

        _print(compare_renderable(result))
    raise typer.Exit(EXIT_NONE if result.score.verdict == "unrelated" else EXIT_FOUND)


@app.command()
def check(
    suspects: Annotated[list[str], typer.Argument(help="Texts to check: files or http(s) URLs.")],
    db: DbOption = None,
    json_: JsonOption = False,
    fmt: FormatOption = Format.text,
    top: Annotated[int, typer.Option("--top", min=1, help="Best matches to show per suspect.")] = 5,
    html: HtmlOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Find the indexed sources each suspect copies, best first.

    Exit status 0 when a copy was found for some suspect, 1 when none was, 3 when a suspect
    could not be read (the others are still checked). With several suspects, --html names
    a folder that gets one report per suspect.
    """
    fmt = _format(fmt, json_)
    found = failed = False
    collected = []
    with _errors():
        if html is not None and len(suspects) > 1:
            html.mkdir(parents=True, exist_ok=True)
        if fmt is Format.csv:
            typer.echo(report.csv_header(), nl=False)
        read = _reader(suspects, allow_private)
        for result in pipeline.check(suspects, _db(db), top, read=read):
            if result.error:
                typer.echo(f"Error: {result.error}", err=True)
                failed = True
                continue
            found = found or bool(result.matches)
            if html is not None:
                from provenance.report.html import render_check_html

                out = html / f"{Path(result.suspect).stem}.html" if len(suspects) > 1 else html
                _write(out, render_check_html(result))
            if fmt is Format.json:
                collected.append(result)
            elif fmt is Format.jsonl:
                typer.echo(report.render_check_jsonl(result))
            elif fmt is Format.csv:
                typer.echo(report.csv_rows(list(result.matches)), nl=False)
            else:
                from provenance.report.terminal import check_renderable

                _print(check_renderable(result))
        if collected:
            typer.echo(report.render_check_json(collected))
    if failed:
        raise typer.Exit(InputError.exit_code)
    raise typer.Exit(EXIT_FOUND if found else EXIT_NONE)


@app.command()
def scan(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders and files: .txt, .html/.htm, .warc, .warc.gz, .jsonl."),
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
        typer.echo("Error: give folders or files to scan (or --recheck)", err=True)
        raise typer.Exit(2)
    err = _console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with (
        _errors(),
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


ResultFormat = Annotated[
    Format, typer.Option("--format", "-f", help="Output: text (terminal), json, jsonl or csv.")
]


@app.command()
def results(
    db: DbOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only pages scanned at or after this date.")
    ] = None,
    verdict: Annotated[
        str | None,
        typer.Option("--verdict", help="Only this verdict (verbatim, near-verbatim, ...)."),
    ] = None,
    fmt: ResultFormat = Format.text,
) -> None:
    """Export what scans found: one row per (page, source) match."""
    from provenance.crawl.scan import results as query

    with _errors():
        rows = query(_db(db), since=since, verdict=verdict)
    if fmt is Format.text:
        from provenance.report.terminal import results_renderable

        _print(results_renderable(rows))
    else:
        typer.echo(report.render_results(rows, fmt.value), nl=False)


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="A page's URL (or path, for files).")],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """A page's versions, their verdicts, and what changed between them."""
    from provenance.crawl.scan import history as query

    with _errors():
        versions = query(_db(db), url)
    if json_:
        typer.echo(json.dumps({"url": url, "versions": versions}, ensure_ascii=False, indent=2))
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
    typer.echo(f"{rate}; results in {out}/results")


@app.command("export-sources")
def export_sources(
    out: Annotated[Path, typer.Argument(help="Parquet file to write.")], db: DbOption = None
) -> None:
    """Write the index's sources (path, sha256, text, id, parameters) to Parquet, for
    `prov spark-scan --sources`."""
    from provenance.spark.parquet import export_sources as run

    with _errors():
        n = run(_db(db), out)
    typer.echo(f"{n:,} sources written to {out}")


@app.command("import-results")
def import_results(
    out: Annotated[Path, typer.Argument(help="The --out folder of a `prov spark-scan`.")],
    db: DbOption = None,
) -> None:
    """Load a `prov spark-scan` output into a prov database (created if missing)."""
    from provenance.spark.parquet import import_results as run

    with _errors():
        s = run(out, _db(db))
    typer.echo(
        f"{s.documents:,} pages recorded ({s.contents:,} new contents), {s.matches:,} matches, "
        f"{s.errors:,} unreadable, {s.skipped:,} already in the database"
    )


@app.command()
def sources(db: DbOption = None, json_: JsonOption = False) -> None:
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
    source: Annotated[str, typer.Argument(help="The path the source was added under.")],
    db: DbOption = None,
) -> None:
    """Remove a source from the index."""
    with _errors():
        row = pipeline.remove(_db(db), source)
    typer.echo(f"removed {row.path} ({row.passages} passages)")


@app.command()
def doctor(db: DbOption = None, json_: JsonOption = False) -> None:
    """Check the index: integrity, counts, orphans, and the health of its LSH buckets.

    Exit status 0 when healthy, 4 when a problem was found.
    """
    with _errors():
        healthy, health = pipeline.doctor(_db(db))
    if json_:
        typer.echo(json.dumps({"healthy": healthy, **health}, ensure_ascii=False, indent=2))
    else:
        from provenance.report.terminal import doctor_renderable

        _print(doctor_renderable(healthy, health))
    raise typer.Exit(0 if healthy else 4)


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the index from its stored texts (after an upgrade changed normalisation)."""
    with _errors():
        n = pipeline.reindex(_db(db))
    typer.echo(f"reindexed {n} sources")


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
