"""The semantic step of ``prov spark-scan`` (``prov[semantic]`` installed, sources with
sentence vectors): on the executors, what :func:`provenance.semantic.search.by_meaning`
does for ``prov scan``, with the same functions.

The sources' vectors travel as the index stores them (int8 codes, scales and passage
spans: :func:`provenance.index.vectors.encode`), as columns of the sources table: read
from an index export, or computed on the executors from source files as ``prov add``
computes them (:func:`embed_sources`). The nearest-neighbour search needs every vector
on every executor: the driver collects them (codes, scales and owners: 524 bytes a
passage, ~52 MB per 100,000 passages, plus the sign-bit index from 50,000 passages: 64
bytes a passage) and broadcasts them once; each Python worker holds one copy.

Per page, after the word path (:func:`provenance.spark.stages.verify_pages`):

1. :func:`first_round`: the found sources' passages found by meaning (their shipped
   vectors), and the ids of the sources the neighbour search proposes for the passages
   still unexplained;
2. :func:`verify_neighbours`: those (page, source) pairs, joined with the sources' texts
   by the driver, verified by the word path and then by meaning.

The driver then keeps each page's best ``MATCHES_PER_PAGE`` of both rounds, ranked as
``find_sources`` ranks them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from provenance.index import vectors
from provenance.index.records import StoredText
from provenance.match.evidence import UNRELATED
from provenance.match.results import Score
from provenance.params import Policy
from provenance.pipeline import prepare
from provenance.semantic import search
from provenance.text.segment import Segmented
from provenance.verify import compare_segmented

if TYPE_CHECKING:
    from pyspark.sql import Row

#: The columns that carry a source's vectors (:func:`provenance.index.vectors.encode`).
VECTOR_COLUMNS = ("vec_dims", "vec_spans", "vec_scales", "vec_codes")
VECTOR_SCHEMA = "vec_dims int, vec_spans binary, vec_scales binary, vec_codes binary"

_matrix_lock = threading.Lock()
_matrix: dict[int, vectors.Matrix] = {}  # id of the broadcast value -> its Matrix


def embed_sources(rows: Iterable[Row]) -> Iterator[tuple[Any, ...]]:
    """``(source_id, dims, spans, scales, codes)`` of each source's body passages, as
    ``prov add`` stores them with the extra (no vector: a language the encoder lacks)."""
    for r in rows:
        sv = search.source_vectors(prepare(r.text))
        yield (r.source_id, *vectors.encode(sv))


def source_vectors(r: Row) -> vectors.SourceVectors | None:
    """The vectors a row of the sources table carries (None: none)."""
    dims = getattr(r, "vec_dims", None)
    if not dims:
        return None
    return vectors.decode(int(dims), bytes(r.vec_spans), bytes(r.vec_scales), bytes(r.vec_codes))


def matrix(value: tuple[Any, Any, Any]) -> vectors.Matrix:
    """The broadcast ``(codes, scales, owners)`` as a :class:`~provenance.index.vectors.Matrix`,
    kept per worker (its sign-bit index is built once, on the first search)."""
    with _matrix_lock:
        m = _matrix.get(id(value))
        if m is None:
            _matrix.clear()
            m = _matrix[id(value)] = vectors.Matrix(*value)
        return m


def first_round(
    page: Segmented,
    found: list[tuple[StoredText, Score, Segmented, vectors.SourceVectors | None]],
    policy: Policy,
    every: tuple[Any, Any, Any],
) -> tuple[list[tuple[StoredText, Score]], list[int]]:
    """Step 1 and the search of step 2 for one page (module docstring): the found
    matches with their passages found by meaning, and the ids of the sources to verify
    next (:func:`provenance.semantic.search.neighbour_sources`)."""
    plain = [(stored, s) for stored, s, _, _ in found]
    if len(search.open_passages(page, plain)) < search.MIN_HITS:
        return plain, []
    suspect = search.TextVectors(page)
    out = []
    for stored, s, src, sv in found:
        given = partial(search.stored_rows, sv)
        out.append((stored, search.rescore_found(src, page, s, policy, suspect, given)))
    return out, search.neighbour_sources(page, out, suspect, lambda: matrix(every))


def verify_neighbours(rows: Iterable[Row], policy: Policy) -> Iterator[tuple[Row, Score]]:
    """The (page, source) pairs the neighbour search proposed, sorted by page content:
    each verified by the word path and then by meaning (the page embedded once); the
    copies' rows and scores."""
    for _sha, group in itertools.groupby(rows, key=lambda r: r.sha256):
        page: Segmented | None = None
        suspect: search.TextVectors | None = None
        for r in group:
            if page is None or suspect is None:
                page = prepare(r.text)
                suspect = search.TextVectors(page)
            src = prepare(r.source_text)
            rows_ = search.stored_rows(source_vectors(r), src)
            s = search.verify_neighbour(src, page, policy, suspect, rows_, compare_segmented)
            if s.verdict != UNRELATED:
                yield r, s
