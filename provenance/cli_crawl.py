"""The crawl commands: ``scan``, what scans found (``results``, ``errors``, ``history``,
``clusters``), and the Spark path (``spark-scan``, ``export-sources``,
``import-results``). ``cli`` registers them on the app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from provenance.cli_support import (
    EXIT_FOUND,
    EXIT_NONE,
    STORED_VERDICTS,
    DbOption,
    Format,
    JsonOnlyOption,
    echo,
    handle_errors,
    new_console,
    output,
    since_value,
    usage_exit,
    use_db,
    verdict_value,
)
from provenance.errors import InputError
from provenance.pipeline import STOCK_MIN_DOCS
from provenance.report import json as report
from provenance.report.json import plural

if TYPE_CHECKING:
    from provenance.crawl.scan import ScanStats


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
        usage_exit("give folders or files to scan, or --recheck (see `prov scan --help`)")
    err = new_console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with (
        handle_errors(resumable=True),
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
            inputs or [], use_db(db), workers=workers, recheck=recheck,
            stock_min=stock_min, on_progress=show,
        )  # fmt: skip
    output(scan_summary(stats))
    for problem in stats.problems:
        echo(f"Error: {problem}", err=True)
    if stats.problems:
        raise typer.Exit(InputError.exit_code)


ResultFormat = Annotated[
    Format, typer.Option("--format", "-f", help="Output: text (terminal), json, jsonl or csv.")
]


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

    with handle_errors():
        rows = query(use_db(db), since=since, verdict=verdict)
        totals = scanned(use_db(db)) if not rows and fmt is Format.text else None
    if fmt is Format.text:
        from provenance.report.terminal import results_renderable

        output(results_renderable(rows, totals, filtered=bool(since or verdict)))
    else:
        typer.echo(report.render_results(rows, fmt.value), nl=False)


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

    with handle_errors():
        rows = query(use_db(db), since=since)
    if fmt is Format.text:
        from provenance.report.terminal import errors_renderable

        output(errors_renderable(rows))
    else:
        typer.echo(report.render_errors(rows, fmt.value), nl=False)


def history(
    url: Annotated[str, typer.Argument(metavar="URL", help="A page's URL (or path, for files).")],
    db: DbOption = None,
    json_: JsonOnlyOption = False,
) -> None:
    """A page's versions, their verdicts, and what changed between them."""
    from provenance.crawl.scan import history as query
    from provenance.ingest.files import storable

    url = storable(url)  # as stored: a lone surrogate written \udNNN
    with handle_errors():
        versions = query(use_db(db), url)
    if json_:
        typer.echo(report.dumps({"url": url, "versions": versions}, indent=2))
    else:
        from provenance.report.terminal import history_renderable

        output(history_renderable(url, versions))
    raise typer.Exit(EXIT_FOUND if versions else EXIT_NONE)


def clusters(db: DbOption = None, fmt: ResultFormat = Format.text) -> None:
    """Scanned pages grouped by the source they copy."""
    from provenance.crawl.scan import clusters as query

    with handle_errors():
        groups = query(use_db(db))
    if fmt is Format.text:
        from provenance.report.terminal import clusters_renderable

        output(clusters_renderable(groups))
    else:
        typer.echo(report.render_clusters(groups, fmt.value), nl=False)


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
    from provenance.index.lookup import MAX_BUCKET
    from provenance.spark.driver import spark_scan as run

    with handle_errors():
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
    echo(f"{rate}; results in {out}/results")


def export_sources(
    out: Annotated[Path, typer.Argument(metavar="OUT.parquet", help="Parquet file to write.")],
    db: DbOption = None,
) -> None:
    """Write the index's sources (path, sha256, text, id, parameters) to Parquet, for
    `prov spark-scan --sources`."""
    from provenance.spark.parquet import export_sources as run

    with handle_errors():
        n = run(use_db(db), out)
    echo(f"{n:,} sources written to {out}")


def import_results(
    out: Annotated[
        Path, typer.Argument(metavar="OUT", help="The folder that `prov spark-scan --out` wrote.")
    ],
    db: DbOption = None,
) -> None:
    """Load a `prov spark-scan` output into a prov database (created if missing)."""
    from provenance.spark.parquet import import_results as run

    with handle_errors(resumable=True):
        s = run(out, use_db(db))
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
