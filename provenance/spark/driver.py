"""``prov scan`` on Apache Spark: the same stages, the same answers, on a cluster.

Optional (``pip install 'prov[spark]'``): pyspark and pyarrow are imported only here and
in :mod:`provenance.spark.stages` and :mod:`provenance.spark.parquet`, and only when a
function needs them; the rest of prov never imports these modules.

This module is the driver: it lists the inputs, starts (or takes) a session and wires the
job. The job (:func:`spark_scan`) runs provenance's own stage functions on the executors
(module-level and picklable, in :mod:`provenance.spark.stages`):

1. **Read**: the page files are listed on the driver (folders walked like ``prov scan``)
   and distributed in groups of about equal bytes; executors run ``ingest_web.iter_pages``
   on each file. A ``.parquet`` input (``url`` and ``text`` columns; ``key``,
   ``fetched_at`` or ``date`` if present) is read with ``spark.read.parquet``. Sources are
   text files (``ingest.read_text``, keyed and de-duplicated like ``prov add``) or an
   index exported by :func:`~provenance.spark.parquet.export_sources`.
2. **Fingerprint** (``mapPartitions``): each distinct page content through ``prepare`` and
   ``fingerprint`` over all its passages (as ``find_sources`` does); each source through
   ``prepare``, ``index_spans`` and ``fingerprint`` (what ``prov add`` indexes).
3. **Candidates**: a join on band keys. Keys shared by more than ``store.MAX_BUCKET``
   source passages are dropped and counted (``Store.lookup`` skips them), so a page
   passage proposes at most that many postings; per (page, source) the page passages
   that hit are counted once each; per page the best ``CANDIDATES_PER_PAGE`` sources are
   kept, ties in the order ``Counter.most_common`` leaves them in ``find_sources`` (first
   hit: the key's first position in the page, then the source id).
4. **Verify** (``mapPartitions``, rows grouped by page content): ``compare_segmented(
   prepare(source), prepare(page))``; ``unrelated`` dropped; sorted as ``find_sources``
   sorts (a window over the page's rows); the best ``MATCHES_PER_PAGE`` kept. With
   ``prov[semantic]`` on (:mod:`provenance.spark.meaning`), every page comes to this
   step, the copies' passages found by meaning are added with the sources' shipped
   vectors, and the sources the nearest-neighbour search proposes (every vector is
   broadcast) are verified in a second round before the best are kept.
5. **Write** Parquet under ``OUT``: ``results/``, one row per (page, source) copy with the
   ``prov results`` columns plus ``source_id`` and ``alterations_json`` (the alteration
   list, as in ``prov compare --json``), a content's rows together in one part; and
   ``pages/``, every page read (errors included) with ``text``, ``boilerplate``, ``lang``,
   ``words``, ``passages`` and ``error``, ordered by fetch time: what
   :func:`~provenance.spark.parquet.import_results` needs to fill a prov database.

Stock phrases: ``prov scan`` learns them from the pages it has checked so far, which has
no order-free equivalent; this job proposes candidates from every passage, and equals
``scan(..., stock_min=0)``. Nothing on the driver grows with the pages: it holds the file
list and a few counters; the corpus stays on the executors (cached memory-and-disk). A
boilerplate passage on thousands of pages is either in no source (its key joins nothing)
or in at most ``MAX_BUCKET`` source passages (a bounded fan-out, which adaptive execution
splits when one key's partition is skewed).

``spark-submit provenance/spark/driver.py --sources S --pages P --out O`` runs ``prov
spark-scan`` as a Spark application; the executors need prov and its dependencies
(installed on every node, or a packed environment shipped with ``--archives``).
"""

from __future__ import annotations

import datetime
import functools
import heapq
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.crawl.work import MATCHES_PER_PAGE
from provenance.errors import InputError, ProvError
from provenance.index.lookup import MAX_BUCKET
from provenance.ingest.files import expand_paths
from provenance.ingest.web import SCAN_SUFFIXES
from provenance.params import DEFAULT_POLICY, Params, Policy
from provenance.report.json import RESULT_COLUMNS
from provenance.semantic import step
from provenance.spark.meaning import VECTOR_COLUMNS, VECTOR_SCHEMA, embed_sources
from provenance.spark.stages import (
    PAGE_FIELDS,
    fingerprint_pages,
    fingerprint_sources,
    page_dating,
    parquet_page,
    read_page_files,
    read_source_file,
    verify_neighbours,
    verify_pages,
)
from provenance.verify import MAX_CANDIDATES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Sources verified per page at most, as ``find_sources(top=MATCHES_PER_PAGE)`` does.
CANDIDATES_PER_PAGE = max(MAX_CANDIDATES, 4 * MATCHES_PER_PAGE)
#: Bytes of page files a read task gets, about (more tasks than cores when the crawl is big).
READ_BYTES = 256 * 1024 * 1024

_NO_JAVA = (
    "cannot start Spark: it needs a Java runtime (17 or newer) on PATH or in JAVA_HOME; "
    "install one (Debian: scripts/install_java.sh)"
)
_MATCH_SCHEMA = (
    "sha256 string, source_id long, source string, verdict string, meaning_changed boolean, "
    "fidelity double, source_coverage double, copy_coverage double, alterations int, "
    "risky int, alterations_json string, extent string, wording string, copied_words int, "
    "reason string, passages_json string, source_date string, source_date_from string, "
    "copy_date string, copy_date_from string, rank double, neighbour boolean"
)
#: The columns of ``results/`` beside ``RESULT_COLUMNS`` (``prov results`` names, but
#: ``passages_json`` and ``alterations_json``, JSON text; ``copy_date``: the date the
#: page's text carries, ``page_date`` that or its record's).
RESULT_EXTRA_COLUMNS = (
    "extent", "wording", "copied_words", "reason", "direction", "source_date",
    "source_date_from", "page_date", "page_date_from", "copy_date", "copy_date_from",
    "warnings", "source_id", "alterations_json", "passages_json",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SparkScanStats:
    """What :func:`spark_scan` did.

    Attributes:
        pages: pages read (errors included); errors: pages that could not be read.
        contents: distinct page texts checked (a text at several URLs is checked once).
        sources: sources fingerprinted; sources_failed: source files that could not be read.
        dropped_keys: band keys shared by more than ``MAX_BUCKET`` source passages
            (boilerplate: they propose nothing, as in ``Store.lookup``).
        candidates: (content, source) pairs verified by alignment.
        matches: (page, source) copies found (rows of ``results/``).
        verdicts: pages by the verdict of their best match.
    """

    pages: int
    errors: int
    contents: int
    sources: int
    sources_failed: int
    dropped_keys: int
    candidates: int
    matches: int
    verdicts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def session(master: str | None = None) -> SparkSession:
    """A Spark session for prov: no web UI, no progress bar.

    ``master`` None: the one ``spark-submit`` was given, else ``local[*]``. In local mode
    the Python workers run this interpreter (unless ``PYSPARK_PYTHON`` says otherwise)
    and nothing listens beyond 127.0.0.1.

    Raises:
        ProvError: pyspark is not installed, or no Java runtime to start Spark with.
    """
    try:
        from pyspark.errors import PySparkRuntimeError
        from pyspark.sql import SparkSession
    except ImportError:
        raise ProvError("pyspark is not installed; pip install 'prov[spark]'") from None
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
    if not submitted and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ProvError(_NO_JAVA)
    master = master or (None if submitted else "local[*]")
    builder = SparkSession.builder.appName("prov spark-scan")
    builder = builder.config("spark.ui.enabled", "false")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = builder.config("spark.driver.host", "127.0.0.1")
            builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
    try:
        spark = builder.getOrCreate()
    except PySparkRuntimeError as e:
        raise ProvError(f"{_NO_JAVA} ({e})") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _is_parquet(name: str) -> bool:
    """A Parquet input: a ``.parquet`` file or folder, local or a URL Spark reads."""
    return name.rstrip("/").lower().endswith(".parquet")


def _unwalkable(into: list[str], e: OSError) -> None:
    into.append(os.path.normpath(e.filename))


def page_files(inputs: Iterable[str | Path]) -> tuple[list[str], list[str]]:
    """``(files, parquet)``: the files ``prov scan`` would read under ``inputs``, in its
    order, each once; and the ``.parquet`` inputs (files or Spark folders)."""
    files: list[str] = []
    parquet: list[str] = []
    seen: set[str] = set()
    for raw in inputs:
        if _is_parquet(os.fspath(raw)):
            parquet.append(os.fspath(raw))
            continue
        name = os.path.normpath(os.fspath(raw))
        targets = [name]
        if os.path.isdir(name):
            found: list[str] = []
            unwalkable = functools.partial(_unwalkable, found)
            for root, _dirs, names in os.walk(name, onerror=unwalkable):
                found.extend(
                    os.path.join(root, f) for f in names if f.lower().endswith(SCAN_SUFFIXES)
                )
            targets = sorted(found)
        for t in targets:
            real = os.path.realpath(t)
            if real not in seen:
                seen.add(real)
                files.append(t)
    return files, parquet


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _bins(files: Sequence[str], n: int) -> list[list[str]]:
    """``files`` in at most ``n`` groups of about equal bytes (largest first, each to the
    lightest group), each group in input order: the read tasks."""
    n = max(1, min(n, len(files)))
    bins: list[tuple[int, int, list[int]]] = [(0, i, []) for i in range(n)]
    for size, i in sorted(((_size(f), i) for i, f in enumerate(files)), reverse=True):
        total, b, members = heapq.heappop(bins)
        members.append(i)
        heapq.heappush(bins, (total + size, b, members))
    return [[files[i] for i in sorted(m)] for _, _, m in sorted(bins, key=lambda x: x[1]) if m]


def _sources(spark: SparkSession, sources: str | Path) -> tuple[DataFrame, Params]:
    """``(source_id, source, source_sha256, source_text, error)`` and the index's params.

    Source files get ids in ``prov add``'s order; an export keeps the index's ids.
    """
    from pyspark.sql import functions as F

    name = os.fspath(sources)
    if _is_parquet(name):
        df = spark.read.parquet(name)
        sid = F.col("id") if "id" in df.columns else F.xxhash64("path")
        columns = (
            sid.cast("long").alias("source_id"), F.col("path").alias("source"),
            F.col("sha256").alias("source_sha256"), F.col("text").alias("source_text"),
            F.lit("").alias("error"),
            (F.col("date") if "date" in df.columns else F.lit(None)).cast("string")
            .alias("source_date"),
        )  # fmt: skip
        # the sentence vectors of an index that has them
        vec = [F.col(c) for c in ("vec_encoder", *VECTOR_COLUMNS) if "vec_encoder" in df.columns]
        first = df.select("params").first() if "params" in df.columns else None
        return df.select(*columns, *vec), Params(**json.loads(first[0])) if first else Params()
    listed = [(i + 1, os.path.normpath(str(f))) for i, f in enumerate(expand_paths([name]))]
    if not listed:
        raise InputError(f"{name}: no source text files (.txt, .text, .md) found")
    rdd = spark.sparkContext.parallelize(listed, min(len(listed), 64)).flatMap(read_source_file)
    schema = (
        "source_id long, source string, source_sha256 string, source_text string, error string, "
        "source_date string"
    )
    return spark.createDataFrame(rdd, schema), Params()


def _vectors(
    spark: SparkSession, src: DataFrame, keep: Any, tasks: int
) -> tuple[DataFrame, tuple[Any, Any, Any]] | None:
    """The semantic step's data (``prov[semantic]`` on): ``src`` with its sentence vectors
    (:data:`~provenance.spark.meaning.VECTOR_COLUMNS`: an index export's, else computed
    from the source files on the executors, as ``prov add`` does), and every vector for
    the neighbour search (collected here, then broadcast). None when there are none: an
    export of an index without vectors, or with another encoder's (as ``prov scan``
    skips the step on such an index)."""
    from pyspark.sql import functions as F

    from provenance.index import vectors
    from provenance.semantic import encoder

    if "vec_encoder" in src.columns:  # an index export
        mine = encoder.encoder_name()
        if src.where(F.col("vec_encoder") == mine).limit(1).count() == 0:
            return None
        src = src.drop("vec_encoder")
    else:
        texts = src.select("source_id", F.col("source_text").alias("text")).repartition(tasks)
        made = spark.createDataFrame(
            texts.rdd.mapPartitions(embed_sources), f"source_id long, {VECTOR_SCHEMA}"
        )
        src = src.join(made, "source_id", "left")
    src = src.persist(keep)
    rows = (
        src.where(F.col("vec_dims") > 0)
        .select("source_id", *VECTOR_COLUMNS)
        .orderBy("source_id")
        .toLocalIterator()
    )
    m = vectors.matrix_of(
        (int(r.source_id), int(r.vec_dims), bytes(r.vec_scales), bytes(r.vec_codes)) for r in rows
    )
    return src, (m.codes, m.scales, m.owners)


def candidates(page_keys: DataFrame, source_keys: DataFrame) -> tuple[DataFrame, int]:
    """The (page content, source) pairs to verify, and how many band keys were dropped.

    Args:
        page_keys: ``(sha256, row, pos, key)``: the page passage ``row`` has ``key``, at
            ``pos`` = ``row * bands + band`` in the page's flattened keys.
        source_keys: ``(key, source_id, passage)``.

    A key with more than ``MAX_BUCKET`` source passages proposes nothing. A source gets
    one vote per page passage (row) that shares any key with it; each page keeps its
    ``CANDIDATES_PER_PAGE`` best sources: most votes, then first hit (the smallest
    position of a key that hits it, then the smaller source id), the order
    ``Counter.most_common`` keeps in ``find_sources``.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    postings = source_keys.select("key", "source_id", "passage").distinct()
    big = postings.groupBy("key").count().where(F.col("count") > MAX_BUCKET).select("key")
    dropped = big.count()
    usable = postings.join(big, "key", "left_anti").select("key", "source_id").distinct()
    votes = (
        page_keys.join(usable, "key")
        .groupBy("sha256", "source_id")
        .agg(F.countDistinct("row").alias("votes"), F.min("pos").alias("first"))
    )
    order = Window.partitionBy("sha256").orderBy(
        F.desc("votes"), F.asc("first"), F.asc("source_id")
    )
    top = votes.withColumn("rank", F.row_number().over(order))
    return top.where(F.col("rank") <= CANDIDATES_PER_PAGE).select("sha256", "source_id"), dropped


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def spark_scan(
    sources: str | Path,
    pages: Sequence[str | Path],
    out: str | Path,
    *,
    master: str | None = None,
    spark: SparkSession | None = None,
    policy: Policy = DEFAULT_POLICY,
    shuffle_partitions: int | None = None,
) -> SparkScanStats:
    """Check every page against the sources on Spark and write the results as Parquet.

    Args:
        sources: a folder (or file) of source texts, as ``prov add`` takes them, or a
            ``.parquet`` export of an index
            (:func:`~provenance.spark.parquet.export_sources`).
        pages: folders and files as ``prov scan`` reads them, and ``.parquet`` files or
            folders with ``url`` and ``text`` columns.
        out: a new folder (or a Spark URL): ``results/`` and ``pages/`` go in it.
        master: the Spark master (``local[2]``, ``spark://host:7077``, ``yarn``); None:
            ``spark-submit``'s, else ``local[*]``.
        spark: a session to use (and leave open) instead of starting one.
        shuffle_partitions: ``spark.sql.shuffle.partitions`` during the job; None: 4 per
            core, or one per 256 MB of page files if more (the CPU-bound stages get as
            many tasks in any case).

    Raises:
        InputError: ``out`` exists, no page file or no source file was found.
    """
    started = time.monotonic()
    target = os.fspath(out)
    if "://" not in target and os.path.exists(target):
        raise InputError(f"{target}: already exists; remove it or choose another --out")
    files, parquet = page_files(pages)
    if not files and not parquet:
        raise InputError("no pages to scan in " + ", ".join(os.fspath(p) for p in pages))
    own = spark is None
    spark = spark or session(master)
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    try:
        stats = _run(spark, sources, files, parquet, target.rstrip("/"), policy, shuffle_partitions)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous or "200")
        if own:
            spark.stop()
    return SparkScanStats(**{**stats, "seconds": time.monotonic() - started})


def _run(
    spark: SparkSession,
    sources: str | Path,
    files: list[str],
    parquet: list[str],
    out: str,
    policy: Policy,
    shuffle_partitions: int | None,
) -> dict[str, Any]:
    from pyspark import StorageLevel
    from pyspark.sql import DataFrame, Window
    from pyspark.sql import functions as F

    keep = StorageLevel.MEMORY_AND_DISK
    sc = spark.sparkContext
    # the CPU-bound stages get a fixed number of tasks, 4 per core or one per 256 MB of
    # input: partitions sized by bytes (as adaptive execution coalesces them) would leave
    # most cores idle, and each task costs ~10 ms even when it has nothing to do
    tasks = 4 * sc.defaultParallelism
    page_schema = ", ".join(f"{name} string" for name in PAGE_FIELDS)
    parts: list[DataFrame] = []
    if files:
        bins = _bins(files, max(tasks, -(-sum(map(_size, files)) // READ_BYTES)))
        rdd = sc.parallelize(bins, len(bins)).flatMap(read_page_files)
        parts.append(spark.createDataFrame(rdd, page_schema))
        tasks = max(tasks, len(bins))
    for p in parquet:
        rows = spark.read.parquet(p).rdd
        parts.append(spark.createDataFrame(rows.map(parquet_page), page_schema))
        tasks = max(tasks, rows.getNumPartitions())
    spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions or tasks))
    listed, params = _sources(spark, sources)
    listed = listed.persist(keep)
    failed = listed.where("error != ''").count()
    first = Window.partitionBy("source_sha256").orderBy("source_id")  # a duplicate: the first
    src = listed.where("error = ''").withColumn("n", F.row_number().over(first)).where("n = 1")
    src = src.drop("n", "error").persist(keep)
    pages = functools.reduce(DataFrame.unionByName, parts).persist(keep)
    read = pages.where("error = ''")
    contents = read.select("sha256", "text").repartition(tasks, "sha256").dropDuplicates(["sha256"])
    info = spark.createDataFrame(
        contents.rdd.mapPartitions(functools.partial(fingerprint_pages, params=params)),
        "sha256 string, lang string, words int, passages int, keys array<long>",
    ).persist(keep)
    page_keys = info.select("sha256", F.posexplode("keys").alias("pos", "key")).withColumn(
        "row", F.expr(f"pos div {params.bands}")
    )
    source_keys = spark.createDataFrame(
        src.select("source_id", F.col("source_text").alias("text")).rdd.mapPartitions(
            functools.partial(fingerprint_sources, params=params)
        ),
        "key long, source_id long, passage int",
    ).persist(keep)
    cands, dropped = candidates(page_keys, source_keys)
    cands = cands.persist(keep)
    every = _vectors(spark, src, keep, tasks) if step.semantic() else None
    if every is not None:
        src, shipped = every
        meaning: Any = sc.broadcast(shipped)
    if every is None:
        pairs = cands.join(contents, "sha256").join(src, "source_id")
    else:  # every page: the neighbour search may find sources for a page LSH found none for
        pairs = contents.join(cands, "sha256", "left").join(src, "source_id", "left")
    pairs = pairs.repartition(tasks, "sha256").sortWithinPartitions("sha256", "source_id")
    verify = functools.partial(
        verify_pages, policy=policy, meaning=meaning if every is not None else None
    )
    verified = spark.createDataFrame(pairs.rdd.mapPartitions(verify), _MATCH_SCHEMA).persist(keep)
    matches = verified.where(~F.col("neighbour"))
    more = 0
    if every is not None:  # the second round: sources the neighbour search proposed
        proposed = verified.where(F.col("neighbour")).select("sha256", "source_id")
        more = proposed.count()
        again = (
            proposed.join(contents, "sha256")
            .join(src, "source_id")
            .repartition(tasks, "sha256")
            .sortWithinPartitions("sha256", "source_id")
        )
        second = functools.partial(verify_neighbours, policy=policy)
        matches = matches.unionByName(
            spark.createDataFrame(again.rdd.mapPartitions(second), _MATCH_SCHEMA)
        )
    # each page's best MATCHES_PER_PAGE, ranked as find_sources ranks them
    ranked = Window.partitionBy("sha256").orderBy(
        F.desc("rank"), F.desc("source_coverage"), F.desc("fidelity"), F.asc("source")
    )
    matches = (
        matches.withColumn("n", F.row_number().over(ranked))
        .where(F.col("n") <= MATCHES_PER_PAGE)
        .drop("n", "rank", "neighbour")
        .persist(keep)
    )
    now = _now()
    dating = F.udf(
        page_dating, "struct<date:string, from:string, direction:string>", useArrow=False
    )
    results = (
        read.select("url", "key", "kind", "fetched_at", "sha256", "warnings")
        .join(matches, "sha256")
        .withColumn("scanned_at", F.lit(now))
        .withColumn(
            "dating", dating("source_date", "copy_date", "copy_date_from", "kind", "fetched_at")
        )
        .withColumn("page_date", F.col("dating.date"))
        .withColumn("page_date_from", F.col("dating.from"))
        .withColumn("direction", F.col("dating.direction"))
        .select(*RESULT_COLUMNS, *RESULT_EXTRA_COLUMNS)
    )
    results.repartition("sha256").sortWithinPartitions("sha256", "key", "source").write.parquet(
        out + "/results"
    )
    pages.join(info.select("sha256", "lang", "words", "passages"), "sha256", "left").withColumn(
        "scanned_at", F.lit(now)
    ).orderBy("fetched_at", "key").write.parquet(out + "/pages")
    best = Window.partitionBy("key", "sha256").orderBy(
        F.desc("copy_coverage"), F.desc("source_coverage"), F.desc("fidelity"), "source"
    )
    verdicts = (
        results.withColumn("n", F.row_number().over(best)).where("n = 1").groupBy("verdict").count()
    )
    counts = pages.groupBy((F.col("error") != "").alias("bad")).count().collect()
    stats = {
        "pages": sum(int(r["count"]) for r in counts),
        "errors": sum(int(r["count"]) for r in counts if r["bad"]),
        "contents": info.count(),
        "sources": src.count(),
        "sources_failed": failed,
        "dropped_keys": dropped,
        "candidates": cands.count() + more,
        "matches": results.count(),
        "verdicts": {str(r["verdict"]): int(r["count"]) for r in verdicts.collect()},
    }
    for df in (matches, verified, cands, info, pages, source_keys, src, listed):
        df.unpersist()
    if every is not None:
        meaning.unpersist()
    return stats
