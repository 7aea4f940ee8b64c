"""Sentence vectors of the sources in the index (``prov[semantic]``; table ``vectors``,
schema m006).

One row per source: the word ranges ``(first, last)`` of its body passages (the
sentence-sized units that :mod:`provenance.semantic.crosslang` aligns), one int8 vector
per passage and its scale. A unit vector ``v`` is stored as ``q = round(v * 127 /
max|v|)`` with ``scale = max|v| / 127``: 512 bytes and 4 for the scale, a quarter of
float32, and the cosine of two decoded vectors differs from the exact one by less than
0.005 (measured on the seeds; the thresholds are 0.6 and 0.7). The encoder that made
the vectors is recorded in ``meta`` under ``encoder``: vectors of another encoder are
not comparable, so an index holding them is refused for the semantic step (``prov
reindex`` computes them again), and ``add`` refuses to mix two encoders in one index.

The nearest-neighbour search (:func:`nearest`) is exact below :data:`EXACT_BELOW`
stored vectors; from it, the rows' sign bits propose candidates (faiss's exhaustive
binary index, nothing trained or stored) that the exact int8 cosine re-ranks.

NumPy is imported by the store already; nothing here imports the encoder, and faiss only
on the first approximate search.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from provenance.errors import IndexMismatch

if TYPE_CHECKING:
    import numpy.typing as npt

    from provenance.index.store import Store

META_KEY = "encoder"


@dataclass(frozen=True, slots=True)
class SourceVectors:
    """The vectors of one source's body passages, in text order."""

    spans: tuple[tuple[int, int], ...]
    vectors: npt.NDArray[np.float32]  # (len(spans), dims), rows of norm ~1


def quantize(v: npt.NDArray[np.float32]) -> tuple[bytes, bytes]:
    """``(int8 rows, float32 scales)`` of unit vectors ``v`` (module docstring)."""
    peak = np.abs(v).max(axis=1) if len(v) else np.zeros(0, dtype=np.float32)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.rint(v / scale[:, None]).clip(-127, 127).astype(np.int8)
    return q.tobytes(), scale.astype("<f4").tobytes()


def dequantize(blob: bytes, scales: bytes, dims: int) -> npt.NDArray[np.float32]:
    q = np.frombuffer(blob, dtype=np.int8).reshape(-1, dims)
    s = np.frombuffer(scales, dtype="<f4")
    out: npt.NDArray[np.float32] = q.astype(np.float32) * s[:, None]
    return out


def encoder_of(store: Store) -> str:
    """The encoder the index's vectors were made with ("" when it has none)."""
    row = store.db.execute("SELECT value FROM meta WHERE key = ?", [META_KEY]).fetchone()
    return str(row[0]) if row else ""


def count(store: Store) -> int:
    """Sources that have vectors (reads the whole table: for ``doctor``)."""
    return int(store.db.execute("SELECT count(*) FROM vectors").fetchone()[0])


def any_(store: Store) -> bool:
    """Whether some source has vectors (one row read)."""
    return store.db.execute("SELECT 1 FROM vectors LIMIT 1").fetchone() is not None


def check_encoder(store: Store, encoder: str) -> None:
    """Refuse to write vectors of ``encoder`` beside another encoder's."""
    have = encoder_of(store)
    if have and have != encoder and any_(store):
        raise IndexMismatch(
            f"{store.path}: index vectors made by {have}, this prov's encoder is {encoder}; "
            f"compute them again with `prov reindex --db {store.path}`"
        )


def encode(sv: SourceVectors) -> tuple[int, bytes, bytes, bytes]:
    """``(dims, spans, scales, vectors)``: a source's vectors as the table stores them
    (and a Spark job ships them: :mod:`provenance.spark.stages`)."""
    blob, scales = quantize(sv.vectors)
    spans = np.asarray(sv.spans, dtype="<i4").reshape(-1, 2).tobytes()
    return int(sv.vectors.shape[1]) if sv.vectors.ndim == 2 else 0, spans, scales, blob


def decode(dims: int, spans: bytes, scales: bytes, blob: bytes) -> SourceVectors | None:
    """What :func:`encode` wrote, back (None: no vectors)."""
    if not dims:
        return None
    pairs = np.frombuffer(spans, dtype="<i4").reshape(-1, 2)
    return SourceVectors(
        tuple((int(a), int(b)) for a, b in pairs), dequantize(blob, scales, int(dims))
    )


def put(store: Store, source_id: int, encoder: str, sv: SourceVectors) -> None:
    """Write (replace) a source's vectors; call inside a transaction."""
    check_encoder(store, encoder)
    dims, spans, scales, blob = encode(sv)
    store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [META_KEY, encoder])
    store.db.execute(
        "INSERT OR REPLACE INTO vectors (source_id, dims, spans, scales, vectors) "
        "VALUES (?, ?, ?, ?, ?)",
        [source_id, dims, spans, scales, blob],
    )


def stored(store: Store, source_id: int) -> tuple[int, bytes, bytes, bytes] | None:
    """A source's vectors as the table holds them (:func:`encode`), None: none."""
    row = store.db.execute(
        "SELECT dims, spans, scales, vectors FROM vectors WHERE source_id = ?", [source_id]
    ).fetchone()
    if row is None or not row[0]:
        return None
    return int(row[0]), bytes(row[1]), bytes(row[2]), bytes(row[3])


def get(store: Store, source_id: int) -> SourceVectors | None:
    """A source's vectors, or None when it has none."""
    row = store.db.execute(
        "SELECT dims, spans, scales, vectors FROM vectors WHERE source_id = ?", [source_id]
    ).fetchone()
    return None if row is None else decode(int(row[0] or 0), row[1], row[2], row[3])


@dataclass(frozen=True, slots=True)
class Matrix:
    """Every stored vector, for the nearest-neighbour search: int8 rows, their scales,
    and the source each row belongs to."""

    codes: npt.NDArray[np.int8]
    scales: npt.NDArray[np.float32]
    owners: npt.NDArray[np.int64]
    #: The sign-bit index of the rows, built on the first approximate search.
    _binary: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


_matrices: dict[str, tuple[tuple[int, int], Matrix]] = {}  # path -> (stamp, matrix)
_matrix_lock = threading.Lock()


def matrix(store: Store) -> Matrix:
    """All the index's vectors, kept per process until the index changes (a server or
    a scan worker searches them for every suspect)."""
    last = store.db.execute("SELECT max(source_id) FROM vectors").fetchone()[0]
    stamp = (store.index_version(), int(last or 0))
    with _matrix_lock:
        kept = _matrices.get(store.path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
    m = matrix_of(
        store.db.execute(
            "SELECT source_id, dims, scales, vectors FROM vectors WHERE dims > 0 ORDER BY source_id"
        )
    )
    with _matrix_lock:
        _matrices[store.path] = (stamp, m)
    return m


def matrix_of(rows: Iterable[tuple[int, int, bytes, bytes]]) -> Matrix:
    """The :class:`Matrix` of ``(source_id, dims, scales, vectors)`` rows (in source id
    order, as :func:`matrix` reads them)."""
    codes, scales, owners = [], [], []
    dims = 0
    for sid, d, sc, blob in rows:
        if not d:
            continue
        dims = int(d)
        q = np.frombuffer(blob, dtype=np.int8).reshape(-1, dims)
        codes.append(q)
        scales.append(np.frombuffer(sc, dtype="<f4"))
        owners.append(np.full(len(q), sid, dtype=np.int64))
    return Matrix(
        np.vstack(codes) if codes else np.zeros((0, dims or 1), dtype=np.int8),
        np.concatenate(scales).astype(np.float32) if scales else np.zeros(0, np.float32),
        np.concatenate(owners) if owners else np.zeros(0, np.int64),
    )


#: Stored rows multiplied at once by the exact search (bounds the float32 copy: 32 MB).
SEARCH_CHUNK = 16384
#: Below this many stored vectors the search is exact (brute force); from it, the sign
#: bits of the rows propose candidates that the exact int8 cosine re-ranks (README,
#: "Semantic matching": 1M vectors searched in ~50 ms per 32 queries instead of 1.5 s).
EXACT_BELOW = 50_000
#: Candidates per query proposed by the sign bits and re-ranked, at least (and 50 per
#: neighbour asked): recall@4 1.000 on clustered vectors at 100k and 1M (README).
CANDIDATES = 200


def nearest(
    m: Matrix, queries: npt.NDArray[np.float32], k: int, *, exact_below: int = EXACT_BELOW
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """For each query row, the sources of its ``k`` nearest stored vectors (by cosine)
    and their similarities, best first: exact below ``exact_below`` stored vectors,
    else the candidates nearest in Hamming distance over sign bits, re-ranked exactly."""
    n = len(queries)
    if not len(m.codes) or not n:
        return np.zeros((n, 0), np.int64), np.zeros((n, 0), np.float32)
    k = min(k, len(m.codes))
    q = np.ascontiguousarray(queries, dtype=np.float32)
    r = max(CANDIDATES, 50 * k)
    if len(m.codes) < max(exact_below, 2 * r):
        rows, sims = _exact(m, q, k)
    else:
        rows, sims = _rerank(m, q, _hamming_candidates(m, q, r), k)
    return m.owners[rows], sims


def _exact(
    m: Matrix, q: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Brute force over the int8 rows, chunk by chunk."""
    n = len(q)
    best_sim = np.full((n, k), -2.0, dtype=np.float32)
    best_row = np.zeros((n, k), dtype=np.int64)
    qt = np.ascontiguousarray(q.T)
    for lo in range(0, len(m.codes), SEARCH_CHUNK):
        chunk = m.codes[lo : lo + SEARCH_CHUNK]
        sims = (chunk.astype(np.float32) @ qt).T * m.scales[lo : lo + len(chunk)]
        kk = min(k, sims.shape[1])
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        cand_sim = np.concatenate([best_sim, np.take_along_axis(sims, top, 1)], axis=1)
        cand_row = np.concatenate([best_row, top + lo], axis=1)
        keep = np.argsort(-cand_sim, axis=1, kind="stable")[:, :k]
        best_sim = np.take_along_axis(cand_sim, keep, 1)
        best_row = np.take_along_axis(cand_row, keep, 1)
    return best_row, best_sim


def _rerank(
    m: Matrix, q: npt.NDArray[np.float32], cand: npt.NDArray[np.int64], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The ``k`` best of each query's candidate rows by the exact int8 cosine (32
    queries at a time: bounds the float32 copy of their candidates to 13 MB)."""
    sims = np.empty(cand.shape, dtype=np.float32)
    for lo in range(0, len(q), 32):
        c = cand[lo : lo + 32]
        rows = m.codes[c].astype(np.float32)
        sims[lo : lo + 32] = np.einsum("qrd,qd->qr", rows, q[lo : lo + 32]) * m.scales[c]
    keep = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(cand, keep, 1), np.take_along_axis(sims, keep, 1)


def sign_bits(rows: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """The rows' sign bits, packed (a component >= 0 is a 1): 64 bytes for 512 dims;
    chunk by chunk (the booleans of 1M rows would take 512 MB)."""
    out = np.empty((len(rows), (rows.shape[1] + 7) // 8), dtype=np.uint8)
    for lo in range(0, len(rows), SEARCH_CHUNK):
        out[lo : lo + SEARCH_CHUNK] = np.packbits(rows[lo : lo + SEARCH_CHUNK] >= 0, axis=1)
    return out


def _hamming_candidates(m: Matrix, q: npt.NDArray[np.float32], r: int) -> npt.NDArray[np.int64]:
    """For each query, the ``r`` rows whose sign bits differ least from its own: faiss's
    ``IndexBinaryFlat`` (an exhaustive popcount scan, SIMD) when installed, else
    NumPy (exact same candidates up to ties, ten times slower)."""
    with _matrix_lock:
        index = m._binary.get("index")
        if index is None:
            index = _binary_index(sign_bits(m.codes))
            m._binary["index"] = index
    qbits = sign_bits(q)
    if isinstance(index, np.ndarray):
        return _numpy_hamming(index, qbits, r)
    _, cand = index.search(qbits, r)
    return np.asarray(cand, dtype=np.int64)


def search_backend() -> str:
    """What searches an index of :data:`EXACT_BELOW` vectors or more (``prov doctor``)."""
    if importlib.util.find_spec("faiss") is not None:
        return "faiss-cpu: sign bits scanned exhaustively, the closest re-ranked exactly"
    return (
        "NumPy: sign bits scanned exhaustively, ~10x slower than with faiss-cpu "
        "(pip install 'prov[semantic]' installs it)"
    )


def _binary_index(bits: npt.NDArray[np.uint8]) -> Any:
    """faiss's exhaustive binary index over ``bits``, or the bits themselves without
    faiss."""
    try:
        import faiss
    except ImportError:
        return bits
    if "OMP_NUM_THREADS" not in os.environ:  # prov's parallelism is worker processes
        faiss.omp_set_num_threads(1)
    index = faiss.IndexBinaryFlat(bits.shape[1] * 8)
    index.add(bits)
    return index


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


def _numpy_hamming(
    bits: npt.NDArray[np.uint8], qbits: npt.NDArray[np.uint8], r: int
) -> npt.NDArray[np.int64]:
    out = np.empty((len(qbits), r), dtype=np.int64)
    for i, qb in enumerate(qbits):
        dist = np.zeros(len(bits), dtype=np.uint16)
        for lo in range(0, len(bits), SEARCH_CHUNK):
            dist[lo : lo + SEARCH_CHUNK] = _POPCOUNT[bits[lo : lo + SEARCH_CHUNK] ^ qb].sum(1)
        out[i] = np.argpartition(dist, r - 1)[:r]
    return out


def report(store: Store, encoder: str | None) -> dict[str, object]:
    """What ``prov doctor`` says of the index's vectors (``encoder``: this prov's, None
    without the extra)."""
    sources = int(store.db.execute("SELECT count(*) FROM sources").fetchone()[0])
    have = count(store)
    made_by = encoder_of(store) if have else ""
    out: dict[str, object] = {"sources": sources, "with_vectors": have, "encoder": made_by}
    size = store.db.execute(
        "SELECT coalesce(sum(length(vectors) + length(scales) + length(spans)), 0), "
        "coalesce(sum(length(spans)) / 8, 0) FROM vectors"
    ).fetchone()
    out["bytes"], out["passages"] = int(size[0]), int(size[1])
    if encoder is None:
        out["note"] = (
            "vectors are not used: install prov[semantic]"
            if have
            else "no sentence vectors (install prov[semantic], then `prov reindex` adds them)"
        )
    elif made_by and made_by != encoder:
        out["note"] = (
            f"vectors made by {made_by}, this prov's encoder is {encoder}: the semantic step "
            "is skipped; `prov reindex` computes them again"
        )
    elif have < sources:
        out["note"] = (
            f"{sources - have} of {sources} sources have no sentence vectors (added without "
            "prov[semantic]): `prov reindex` adds them"
        )
    return out


def drop_other(store: Store, encoder: str) -> int:
    """Delete vectors made by another encoder than ``encoder`` (``prov reindex``
    computes them again); call inside a transaction. Returns how many sources had some."""
    have = encoder_of(store)
    if not have or have == encoder:
        return 0
    n = count(store)
    store.db.execute("DELETE FROM vectors")
    store.db.execute("DELETE FROM meta WHERE key = ?", [META_KEY])
    return n
