"""The command line's own pieces that are not commands: the options the commands share,
the one place where errors become messages and exit codes (:func:`handle_errors`),
one-line usage errors, option parsers, the pager rule, standard input, plural forms.
``cli`` builds the app from the commands (``cli``, ``cli_index``, ``cli_crawl``).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from provenance.errors import InputError, ProvError, StoreError
from provenance.ingest.files import MAX_BYTES, RawText, raw_document, read_document
from provenance.match.evidence import NEAR_VERBATIM, PARAPHRASED, PARTIAL, VERBATIM
from provenance.report import json as report
from provenance.text.dates import parse_date

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

#: The path that names standard input (``prov check -``), and how reports name it.
STDIN, STDIN_NAME = "-", "<stdin>"
#: Verdicts a stored match can have (``unrelated`` pairs are not stored).
STORED_VERDICTS = (VERBATIM, NEAR_VERBATIM, PARAPHRASED, PARTIAL)


#: click's base error class (typer 0.28 ships its own copy of click, under another name).
ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


class ProvGroup(TyperGroup):
    """typer's command group, with usage errors on one line as the README promises:
    ``Error: <what is wrong> (see `prov CMD --help`)`` on stderr, exit status 2, instead
    of the usage line and a boxed message."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> object:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ClickException as e:
            if not standalone_mode:
                raise
            if type(e).__name__ == "NoArgsIsHelpError":  # `prov` alone: the help
                e.show()  # type: ignore[attr-defined]
            else:
                typer.echo(usage_error(e), err=True)
            sys.exit(e.exit_code)  # type: ignore[attr-defined]
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("Error: aborted", err=True)
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def usage_error(e: Exception) -> str:
    """A click error as one line, naming the help to read."""
    message = " ".join(e.format_message().split())  # type: ignore[attr-defined]
    ctx = getattr(e, "ctx", None)
    hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    return f"Error: {message}{hint}"


def alteration_limit(value: str | int) -> int:
    """``--alterations N|all``: how many alterations to list per match (0: all)."""
    if isinstance(value, int):  # the default
        return value
    if value.strip().lower() == "all":
        return 0
    try:
        n = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is neither a number nor 'all'") from None
    if n < 1:
        raise typer.BadParameter(f"{n} is not a positive number (or 'all')")
    return n


def use_pager(is_terminal: bool, env: dict[str, str] | os._Environ[str]) -> bool:
    """Page only what goes to a terminal (never a pipe or a file), and not on a dumb one."""
    return is_terminal and env.get("TERM", "") not in ("", "dumb") and env.get("PAGER") != ""


def read_input(path: str | Path) -> RawText:
    """Read a suspect or a source: a file, or ``-`` for standard input (read to its end,
    at most as much as from a file, and checked like one: empty, binary, undecodable)."""
    if str(path) != STDIN:
        return read_document(path)
    if sys.stdin is None:  # started with standard input closed
        raise InputError(f"{STDIN_NAME}: no standard input to read")
    stream = sys.stdin.buffer
    if stream.isatty():
        typer.echo("reading the text from standard input (end it with Ctrl-D)", err=True)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{STDIN_NAME}: more than the {MAX_BYTES:,} bytes prov reads")
    return raw_document(data, STDIN_NAME)


def since_value(value: str) -> str:
    from provenance.crawl.since import parse_since

    try:
        return parse_since(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def verdict_value(value: str) -> str:
    if value not in STORED_VERDICTS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(STORED_VERDICTS)}")
    return value


# -- what the commands share ------------------------------------------------------------

EXIT_FOUND, EXIT_NONE, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 5, 2

#: ``--debug`` (the app's callback sets it) and the index in use (:func:`use_db`), which
#: :func:`handle_errors` reads.
state: dict[str, object] = {"debug": False, "db": ""}


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


def alterations_option(default: int) -> object:
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


def date_value(value: str) -> date:
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
        "--source-date", parser=date_value, metavar="DATE", help="The source's date, " + _DATE_HELP
    ),
]
CopyDateOption = Annotated[
    date | None,
    typer.Option(
        "--copy-date", parser=date_value, metavar="DATE", help="The copy's date, " + _DATE_HELP
    ),
]
SuspectDateOption = Annotated[
    date | None,
    typer.Option(
        "--date", parser=date_value, metavar="DATE", help="The suspects' date, " + _DATE_HELP
    ),
]
AddDateOption = Annotated[
    date | None,
    typer.Option(
        "--date",
        parser=date_value,
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
def handle_errors(resumable: bool = False) -> Iterator[None]:
    """The one place where errors become messages and exit codes.

    ``resumable``: the command keeps what it wrote and finishes the work when run again
    (``add``, ``scan``, ``import-results``); an interruption says so.
    """
    try:
        yield
    except ProvError as e:
        echo(f"Error: {e}", err=True)
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
        echo(
            f"Error: {state.get('db') or 'the index'}: the database failed: {e}; run "
            "`prov doctor` (and restore or rebuild the index if it is damaged)",
            err=True,
        )
        raise typer.Exit(StoreError.exit_code) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as e:  # a bug: say so in one line, the traceback with --debug
        if state["debug"]:
            traceback.print_exc()
        echo(
            f"Error: internal error {type(e).__name__}: {e} (run `prov --debug ...` for the "
            "traceback and please report it)",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def echo(message: str, *, err: bool = False) -> None:
    """One line that may quote user text (names, URLs, messages): control characters,
    line breaks and undecodable bytes of names are written as visible escapes."""
    typer.echo(report.printable(message, lines=False), err=err)


def output(renderable: RenderableType, pager: bool = False) -> None:
    """Rich output: colour on a terminal, plain text (120 columns) on a pipe.

    With ``pager``, on a terminal only, the output goes through ``$PAGER`` (``less``,
    told to quit at once when it fits on one screen and to keep the colours, as git does).
    """
    console = new_console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    if pager and use_pager(console.is_terminal, os.environ):
        os.environ.setdefault("LESS", "FRX")
        with console.pager(styles=True):
            console.print(renderable)
        return
    console.print(renderable)


def new_console(**kwargs: object) -> Console:
    """A rich console (rich is imported only by commands that print through it)."""
    from rich.console import Console

    return Console(**kwargs)  # type: ignore[arg-type]


def warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


def use_db(db: Path | None) -> Path:
    """The index a command uses (remembered for the error message if it fails later)."""
    target = db or default_db()
    state["db"] = str(target)
    return target


def usage_exit(message: str) -> NoReturn:
    """A usage error found after parsing: one line, exit status 2."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)
