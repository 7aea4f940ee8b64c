"""Stage 3: passages -> word shingles -> MinHash signatures and LSH band keys.

Vectorised over a whole document (or a batch of documents) at once: each distinct
word is hashed once with xxh3, word hashes are combined into k-word shingle hashes
with NumPy, and datasketch's ``affine32`` permutations are applied to every shingle
of every passage in one array operation. No Python-level work per shingle.

Two implementations of the inner loops, the same to the bit: the compiled kernel
(``provenance/match/_kernel.c``, built at install when a C compiler is there; word hashing by
xxHash's own C code, the MinHash loop vectorised across permutations) and NumPy (always
there; used when the kernel was not built, or with ``PROV_KERNEL=numpy``).
:func:`kernel` says which is in use.

Compatibility with datasketch: a passage's signature equals
``datasketch.MinHash(num_perm, seed, hashfunc=lambda v: v)`` updated with the
passage's :func:`shingle_hashes` (tests/test_fingerprint.py shows it), so sketches
made by either can be compared.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numpy as np
import numpy.typing as npt
import xxhash

import provenance.text.normalize as _nm
from provenance.match import _permutations
from provenance.match.xxh3 import xxh3_spans
from provenance.params import Params
from provenance.text.normalize import (
    Chunks,
    ascii_codes,
    hard_tokens,
    normalize,
    runs,
    simple_tokens,
)

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_M64_1 = np.uint64(0xFF51AFD7ED558CCD)
_M64_2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
#: Shingles per block of the MinHash matrix (128 x 4096 x 4 bytes = 2 MB).
_CHUNK = 4096


def load_kernel() -> ModuleType | None:
    """The compiled kernel (``match/_kernel.c``), or None: built without a C compiler,
    or ``PROV_KERNEL=numpy`` (the pure paths; fingerprinting and alignment both ask)."""
    if os.environ.get("PROV_KERNEL", "").lower() == "numpy":
        return None
    try:
        from provenance.match import _kernel
    except ImportError:  # built without a C compiler: the NumPy path
        return None
    return _kernel


#: The compiled kernel, or None for the NumPy path (tests set it to compare both).
_KERNEL = load_kernel()


def kernel() -> str:
    """Which implementation fingerprints: ``"compiled"`` or ``"numpy"``."""
    return "numpy" if _KERNEL is None else "compiled"


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Signatures and LSH band keys of a list of passages (row i = passage i).

    Attributes:
        signatures: ``(n, num_perm)`` uint32 MinHash values (datasketch ``affine32``).
        keys: ``(n, bands)`` int64 band keys, distinct across bands.
    """

    signatures: U32
    keys: I64

    def __len__(self) -> int:
        return int(self.signatures.shape[0])


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` for ``seed``.

    The default index's are read from :mod:`provenance.match._permutations` (the same
    numbers), so that a cold check does not import ``numpy.random``.
    """
    written = _permutations.DEFAULT.get((num_perm, seed))
    if written is not None:
        ab = np.frombuffer(bytes.fromhex(written), dtype="<u4").astype(np.uint32)
        return ab[:num_perm].copy(), ab[num_perm:].copy()
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> _S33)
    h = h * _M64_1
    h = h ^ (h >> _S33)
    h = h * _M64_2
    return h ^ (h >> _S33)


class _WordHashes(dict[str, int]):
    """xxh3-64 of words' UTF-8 bytes, each computed once per process (a news corpus has
    a few hundred thousand distinct words; the cache is emptied past :data:`_MAX_WORDS`)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= _MAX_WORDS:
            self.clear()
        h: int = xxhash.xxh3_64_intdigest(word.encode("utf-8"))
        self[word] = h
        return h


_MAX_WORDS = 1 << 21
_WORD_HASHES = _WordHashes()


def word_hashes(words: Sequence[str]) -> U64:
    """xxh3-64 of each word's UTF-8 bytes (cached per distinct word)."""
    return np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))


def _combine(wh: U64, k: int) -> U64:
    """Hashes of the k-word windows of ``wh`` (fewer than k words: one window)."""
    n = len(wh)
    if n < k:
        acc = np.zeros(1, dtype=np.uint64)
        for j in range(n):
            acc = (acc ^ wh[j : j + 1]) * _MIX[j % 3]
        return _fmix64(acc)
    acc = np.zeros(n - k + 1, dtype=np.uint64)
    for j in range(k):
        acc = (acc ^ wh[j : n - k + 1 + j]) * _MIX[j % 3]
    return _fmix64(acc)


def _passage_shingles(
    wh: U64, spans: Sequence[tuple[int, int]] | npt.NDArray[np.int64], k: int
) -> tuple[U64, npt.NDArray[np.int64]]:
    """All passages' shingle hashes, concatenated, and how many each passage has.

    The k-word windows of the whole document are hashed once; a passage takes the
    windows that start in it and end in it. A passage shorter than k words has one
    shingle of all its words.
    """
    bounds = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    first, last = bounds[:, 0], bounds[:, 1]
    counts = np.maximum(last - first - k + 1, 0)
    windows = _combine(wh, k) if len(wh) >= k else np.zeros(0, dtype=np.uint64)
    total = int(counts.sum())
    offsets = np.repeat(first - (np.cumsum(counts) - counts), counts)
    hashes = windows[np.arange(total, dtype=np.int64) + offsets]
    short = np.flatnonzero(counts == 0)
    if len(short):
        parts = np.split(hashes, np.cumsum(counts)[:-1])
        for i in short:
            parts[i] = _combine(wh[first[i] : last[i]], k)
        counts = counts.copy()
        counts[short] = 1
        hashes = np.concatenate(parts)
    return hashes, counts


def shingle_hashes(words: Sequence[str], k: int) -> U32:
    """The 32-bit hashes of a passage's k-word shingles (the MinHash input values).

    >>> shingle_hashes(["the", "ministers", "met", "today"], 3).shape
    (2,)
    """
    return (_combine(word_hashes(words), k) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def fingerprint(
    words: Sequence[str], spans: Sequence[tuple[int, int]], params: Params
) -> Fingerprints:
    """Signatures and band keys of the passages ``words[s:e]`` for each ``(s, e)``.

    Args:
        words: the document's matching words (``Normalized.words``).
        spans: passage word ranges; each must hold at least one word.
        params: the index parameters (shingle size, permutations, banding).
    """
    n = len(spans)
    if n == 0:
        return Fingerprints(
            np.empty((0, params.num_perm), dtype=np.uint32),
            np.empty((0, params.bands), dtype=np.int64),
        )
    return _signatures(word_hashes(words), np.asarray(spans, dtype=np.int64), params)


def minhash(hv: U32, lengths: npt.NDArray[np.int64], params: Params) -> U32:
    """Signatures of consecutive groups of shingle hashes (group i has lengths[i] values).

    Computed as a ``(num_perm, shingles)`` matrix, permutations down the rows, so that the
    per-group minimum is a ``reduceat`` along contiguous rows (3x faster than the
    transposed layout), in column chunks that keep the matrix to a few MB.
    """
    a, b = permutations(params.num_perm, params.seed)
    mixed = _fmix32(hv)
    n = len(lengths)
    offsets = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    out = np.empty((n, params.num_perm), dtype=np.uint32)
    group = 0
    while group < n:
        start = int(offsets[group])
        end_group = max(int(np.searchsorted(offsets, start + _CHUNK, side="right")), group + 1)
        stop = int(offsets[end_group]) if end_group < n else len(hv)
        phv = np.multiply.outer(a, mixed[start:stop])
        phv += b[:, None]
        out[group:end_group] = np.minimum.reduceat(phv, offsets[group:end_group] - start, axis=1).T
        group = end_group
    return out


def band_keys(signatures: U32, params: Params) -> I64:
    """One 64-bit key per band: a hash of the band's rows and the band's index."""
    n = signatures.shape[0]
    rows = signatures.reshape(n, params.bands, params.rows).astype(np.uint64)
    h = np.broadcast_to(
        (np.arange(params.bands, dtype=np.uint64) + np.uint64(1)) * _MIX[0], (n, params.bands)
    ).copy()
    for j in range(params.rows):
        h = _fmix64((h ^ rows[:, :, j]) * _MIX[1])
    return h.view(np.int64)


def jaccard(a: U32, b: U32) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal values)."""
    if a.shape != b.shape:
        raise ValueError(f"signatures of different sizes: {a.shape} and {b.shape}")
    return int(np.count_nonzero(a == b)) / int(a.shape[-1])


def passage_hashes(words: Sequence[str], spans: Sequence[tuple[int, int]]) -> list[int]:
    """An exact hash (signed 64-bit, for SQLite) of each passage's words: identical
    passages, such as a site's footer on every page, have the same hash."""
    out = []
    for s, e in spans:
        h = xxhash.xxh3_64_intdigest("\x1f".join(words[s:e]).encode("utf-8"))
        out.append(h - (1 << 64) if h >= 1 << 63 else h)
    return out


def fingerprint_texts(texts: Sequence[str], params: Params) -> Fingerprints:
    """Signatures and band keys of ``texts``, each text one passage of the words
    :func:`provenance.text.normalize.normalize` finds in it (a text without words has the
    signature of one empty word).

    Equal to ``fingerprint(normalize(t).words, ...)`` text by text, faster: the words
    outside hard chunks (see ``normalize``) are never made into Python strings; they are
    found and hashed from the characters, by the compiled kernel or with NumPy
    (:func:`xxh3_spans`), and only the hard chunks go through the pattern.
    """
    joined = "\n".join(texts)  # (no token spans a line break)
    lowered = joined.lower()
    simple = _simple_words(lowered) if len(lowered) == len(joined) and joined else None
    if simple is not None:
        starts, wh, chunks = simple
        if len(chunks):  # numbers, non-ASCII words: by the pattern, then in text order
            h_words, h_starts, _ = hard_tokens(lowered, chunks)
            starts = np.concatenate([starts, np.array(h_starts, dtype=np.int64)])
            wh = np.concatenate([wh, word_hashes(h_words)])
            order = np.argsort(starts, kind="stable")
            starts, wh = starts[order], wh[order]
    else:  # mostly hard chunks (not English, tables of figures): the pattern, once
        norm = normalize(joined)
        starts, wh = np.array(norm.starts, dtype=np.int64), word_hashes(norm.words)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_ends = np.cumsum(lengths + 1) - 1
    first = np.searchsorted(starts, text_ends - lengths)
    last = np.searchsorted(starts, text_ends)
    if bool(np.all(last > first)):
        return _signatures(wh, np.stack([first, last], axis=1), params)
    # Some text has no word: each text on its own (one empty word for an empty one).
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for t in texts:
        w = normalize(t).words
        spans.append((len(words), len(words) + max(1, len(w))))
        words += w or ("",)
    return fingerprint(words, spans, params)


def _simple_words(lowered: str) -> tuple[I64, U64, Chunks] | None:
    """:func:`provenance.text.normalize.simple_tokens` of ``lowered`` with its tokens hashed:
    their start offsets and xxh3-64 hashes, and the hard chunks left to the pattern;
    None when most chunks are hard."""
    if _KERNEL is not None:
        data = ascii_codes(lowered)
        room = (len(data) + 1) // 2
        starts, hashes = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.uint64)
        chunks = np.empty((room, 2), dtype=np.int64)
        n, k = _KERNEL.scan(data, starts, hashes, chunks, _nm.MOSTLY_HARD, _nm.CHARS_PER_CHUNK)
        return None if k < 0 else (starts[:n], hashes[:n], chunks[:k])
    simple = simple_tokens(lowered)
    if simple is None:
        return None
    flat = np.frombuffer(simple[0].encode("ascii"), dtype=np.uint8)
    begin, end = runs(flat != 32)
    return begin, xxh3_spans(flat, begin, end), simple[1]


def _signatures(wh: U64, spans: npt.NDArray[np.int64], params: Params) -> Fingerprints:
    """Signatures of the passages ``spans`` (``(n, 2)`` word ranges, each of at least one
    word) of words hashed ``wh``."""
    if _KERNEL is not None:
        n = len(spans)
        signatures = np.empty((n, params.num_perm), dtype=np.uint32)
        keys = np.empty((n, params.bands), dtype=np.int64)
        a, b = permutations(params.num_perm, params.seed)
        _KERNEL.sketch(
            np.ascontiguousarray(wh, dtype=np.uint64),
            np.ascontiguousarray(spans, dtype=np.int64),
            a,
            b,
            params.shingle,
            params.rows,
            signatures,
            keys,
        )
        return Fingerprints(signatures, keys)
    hashes, lengths = _passage_shingles(wh, spans, params.shingle)
    hv = (hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    signatures = minhash(hv, lengths, params)
    return Fingerprints(signatures, band_keys(signatures, params))
