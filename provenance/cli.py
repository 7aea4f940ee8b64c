"""The ``prov`` command line: parse, call one pipeline function, print.

This module builds the app: its options, ``compare``, ``check`` and ``serve``, and the
commands of ``cli_index`` (the index) and ``cli_crawl`` (scans, Spark), in the order
``prov --help`` lists them. Errors from the library are
:class:`~provenance.errors.ProvError`; they are turned into ``Error: <message>`` on
stderr and the exit code in one place, :func:`provenance.cli_support.handle_errors`.
"""

from __future__ import annotations

import os

# prov's parallelism is processes (scan workers), and the check path does no linear
# algebra: OpenBLAS's thread pool, started when NumPy loads, only costs a cold check
# (~0.1 s of wall time on a busy 2-core machine; scripts/bench_cold.py). A value the
# user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging  # noqa: E402 - after the environment above, before NumPy loads
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance import cli_crawl, cli_index, pipeline
from provenance.cli_support import (
    EXIT_FOUND,
    EXIT_NONE,
    STDIN,
    STDIN_NAME,
    AllowPrivateOption,
    CopyDateOption,
    DbOption,
    ExplainOption,
    Format,
    FormatOption,
    HtmlOption,
    JsonOption,
    PagerOption,
    ProvGroup,
    SourceDateOption,
    SuspectDateOption,
    alterations_option,
    echo,
    handle_errors,
    output,
    read_input,
    state,
    usage_exit,
    use_db,
    use_pager,
    warn,
)
from provenance.errors import InputError
from provenance.ingest.files import RawText
from provenance.report import json as report

if TYPE_CHECKING:
    from rich.console import RenderableType


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
    state["debug"] = debug
    if words_only:  # the pipeline's switch; scan and add workers inherit it
        os.environ["PROV_SEMANTIC"] = "0"


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
    alterations: Annotated[int, alterations_option(10)] = 10,
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
        usage_exit("only one of SOURCE and COPY can be - (standard input)")
    with handle_errors():
        result = pipeline.compare(source, copy, read=_reader([source, copy], allow_private))
        dates = pipeline.dates(result, source_date, copy_date)
        for warning in result.score.warnings:
            echo(f"Warning: {warning}", err=True)
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
        output(renderable, pager)
    raise typer.Exit(EXIT_NONE if result.score.verdict == "unrelated" else EXIT_FOUND)


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
    alterations: Annotated[int, alterations_option(5)] = 5,
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
        usage_exit("standard input (-) can be read only once")
    renderables: list[RenderableType] = []
    paging = pager and use_pager(sys.stdout.isatty(), os.environ)
    with handle_errors():
        if html is not None and len(suspects) > 1:
            html.mkdir(parents=True, exist_ok=True)
        if fmt is Format.csv:
            typer.echo(report.csv_header(), nl=False)
        read = _reader(suspects, allow_private)
        for result in pipeline.check(
            suspects, use_db(db), top, read=read, warn=warn, suspect_date=suspect_date
        ):
            if result.error:
                echo(f"Error: {result.error}", err=True)
                failed = True
                continue
            for warning in result.warnings:
                echo(f"Warning: {warning}", err=True)
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
                    output(renderable, paging)
        if collected:
            typer.echo(report.render_check_json(collected))
    if renderables:
        from rich.console import Group

        output(Group(*renderables), paging)
    if failed:
        raise typer.Exit(InputError.exit_code)
    raise typer.Exit(EXIT_FOUND if found else EXIT_NONE)


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
        use_db(db), host, port, token or None, allow_private, threads, workers=workers
    )
    with handle_errors():
        run(config)


# The commands, in the order `prov --help` lists them.
for _command in (
    cli_index.add,
    compare,
    check,
    cli_crawl.scan,
    cli_crawl.results,
    cli_crawl.errors,
    cli_crawl.history,
    cli_crawl.clusters,
    cli_crawl.spark_scan,
    cli_crawl.export_sources,
    cli_crawl.import_results,
    cli_index.sources,
    cli_index.remove,
    cli_index.doctor,
    cli_index.reindex,
    serve,
):
    app.command()(_command)


def main() -> None:
    """Console entry point."""
    # warcio reports malformed records on the root logger; prov records them as page errors
    logging.getLogger("warcio").setLevel(logging.CRITICAL)
    try:
        app()
    except BrokenPipeError:  # `prov ... | head`
        sys.stderr.close()
        sys.exit(0)
