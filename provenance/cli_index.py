"""The index commands: ``add``, ``sources``, ``remove``, ``doctor``, ``reindex``.
``cli`` registers them on the app. (:mod:`provenance.indexing`, which builds the index, is
imported by the commands that use it: a ``prov check`` does not load it.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from provenance import pipeline
from provenance.cli_support import (
    AddDateOption,
    DbOption,
    JsonOnlyOption,
    echo,
    handle_errors,
    new_console,
    output,
    use_db,
)
from provenance.errors import InputError
from provenance.report import json as report
from provenance.report.json import plural


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

    target = use_db(db)
    counts: Counter[str] = Counter()
    passages = other = 0
    err = new_console(stderr=True)
    with (
        handle_errors(resumable=True),
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
                    echo(f"Error: {r.error}", err=True)
            if note:
                # user text: never rich markup ([bold] in a name is a name), controls escaped
                note = report.printable(note, lines=False)
                err.print(note, markup=False, highlight=False, soft_wrap=True)
            for warning in r.warnings:
                echo(f"Warning: {warning}", err=True)
    kinds = ("added", "replaced", "unchanged", "duplicate", "failed")
    parts = ", ".join(f"{counts[k]:,} {k}" for k in kinds if counts[k])
    if not target.exists():  # every file failed: no index is made for nothing
        echo(f"{parts}; nothing to add, no index created at {target}")
    else:
        more = f", and {other:,} in a second language" if other else ""
        echo(f"{parts} ({plural(passages, 'passage')} indexed{more}) in {target}")
    if counts[indexing.FAILED]:
        raise typer.Exit(InputError.exit_code)


def sources(db: DbOption = None, json_: JsonOnlyOption = False) -> None:
    """List the sources in the index."""
    with handle_errors():
        rows = pipeline.sources(use_db(db))
    if json_:
        typer.echo(report.render_sources_json(rows))
    else:
        from provenance.report.terminal import sources_renderable

        output(sources_renderable(rows))


def remove(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="The path the source was added under.")
    ],
    db: DbOption = None,
) -> None:
    """Remove a source from the index."""
    with handle_errors():
        row = pipeline.remove(use_db(db), source)
    echo(f"removed {row.path} ({plural(row.passages, 'passage')})")


def doctor(db: DbOption = None, json_: JsonOnlyOption = False) -> None:
    """Check the index: integrity, counts, orphans, and the health of its LSH buckets.

    Exit status 0 when healthy, 4 when a problem was found.
    """
    from provenance import indexing

    with handle_errors():
        healthy, health = indexing.doctor(use_db(db))
    if json_:
        typer.echo(report.dumps({"healthy": healthy, **health}, indent=2))
    else:
        from provenance.report.terminal import doctor_renderable

        output(doctor_renderable(healthy, health))
    raise typer.Exit(0 if healthy else 4)


def reindex(db: DbOption = None) -> None:
    """Rebuild the index from its stored texts (after an upgrade changed normalisation)."""
    from provenance import indexing

    with handle_errors():
        n = indexing.reindex(use_db(db))
    typer.echo(f"reindexed {plural(n, 'source')}")
