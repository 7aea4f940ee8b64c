"""The ``prov`` command line: parse, call one pipeline function, print.

Errors from the library are :class:`~provenance.errors.ProvError`; they are turned
into ``Error: <message>`` on stderr and the exit code in one place, :func:`_errors`.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from provenance import pipeline, report
from provenance.errors import ProvError

EXIT_FOUND, EXIT_NONE, EXIT_INTERNAL = 0, 1, 5

app = typer.Typer(
    name="prov",
    help="Find which canonical texts a page copies, how faithfully, and which words were altered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_state = {"debug": False}


def default_db() -> Path:
    """``$PROV_DB``, else ``prov.db`` in the working folder."""
    return Path(os.environ.get("PROV_DB") or "prov.db")


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Index database [default: $PROV_DB, else ./prov.db].", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


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
) -> None:
    """Register canonical source texts in the index.

    The same content under a second path is kept once; a changed file under a known
    path replaces its old text.
    """
    target = db or default_db()
    with _errors():
        counts: Counter[str] = Counter()
        passages = 0
        for r in pipeline.add(paths, target):
            counts[r.status] += 1
            passages += r.passages if r.status in (pipeline.ADDED, pipeline.REPLACED) else 0
            if r.status == pipeline.DUPLICATE:
                typer.echo(f"{r.path}: same text as {r.same_as}, kept once", err=True)
            elif r.status == pipeline.REPLACED:
                typer.echo(f"{r.path}: changed, replaced", err=True)
        parts = [
            f"{counts[k]} {k}" for k in ("added", "replaced", "unchanged", "duplicate") if counts[k]
        ]
        typer.echo(f"{', '.join(parts)} ({passages} passages indexed) in {target}")


@app.command()
def compare(
    source: Annotated[Path, typer.Argument(help="The canonical text.")],
    copy: Annotated[Path, typer.Argument(help="The text that may copy it.")],
    json_: JsonOption = False,
) -> None:
    """Compare a copy with a source directly (no index needed).

    Exit status 0 when the copy copies the source (any verdict but unrelated), 1 when not.
    """
    with _errors():
        result = pipeline.compare(source, copy)
    typer.echo(report.render_compare_json(result) if json_ else report.render_compare_text(result))
    raise typer.Exit(EXIT_NONE if result.score.verdict == "unrelated" else EXIT_FOUND)


@app.command()
def check(
    suspects: Annotated[list[Path], typer.Argument(help="Texts to check.")],
    db: DbOption = None,
    json_: JsonOption = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Best matches to show per suspect.")] = 5,
) -> None:
    """Find the indexed sources each suspect copies, best first.

    Exit status 0 when a copy was found for some suspect, 1 when none was.
    """
    found = False
    with _errors():
        for result in pipeline.check(suspects, db or default_db(), top):
            found = found or bool(result.matches)
            typer.echo(
                report.render_check_json(result) if json_ else report.render_check_text(result)
            )
    raise typer.Exit(EXIT_FOUND if found else EXIT_NONE)


@app.command()
def sources(db: DbOption = None, json_: JsonOption = False) -> None:
    """List the sources in the index."""
    with _errors():
        rows = pipeline.sources(db or default_db())
    if json_:
        typer.echo(report.render_sources_json(rows))
    else:
        typer.echo(report.render_sources_text(rows))


@app.command()
def remove(
    source: Annotated[str, typer.Argument(help="The path the source was added under.")],
    db: DbOption = None,
) -> None:
    """Remove a source from the index."""
    with _errors():
        row = pipeline.remove(db or default_db(), source)
    typer.echo(f"removed {row.path} ({row.passages} passages)")


@app.command()
def reindex(db: DbOption = None) -> None:
    """Rebuild the index from its stored texts (after an upgrade changed normalisation)."""
    with _errors():
        n = pipeline.reindex(db or default_db())
    typer.echo(f"reindexed {n} sources")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except BrokenPipeError:  # `prov ... | head`
        sys.stderr.close()
        sys.exit(0)
