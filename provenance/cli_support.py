"""The command line's own pieces that are not commands: one-line usage errors, option
parsers, the pager rule, standard input, plural forms. ``cli`` builds the commands.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from provenance.errors import InputError
from provenance.ingest.files import MAX_BYTES, RawText, raw_document, read_document
from provenance.match.score import NEAR_VERBATIM, PARAPHRASED, PARTIAL, VERBATIM

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
