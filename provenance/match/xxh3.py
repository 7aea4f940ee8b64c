"""xxh3-64 (seed 0) of many short byte strings at once, in NumPy.

The NumPy path of :mod:`provenance.match.fingerprint` hashes the words of a batch of texts
without a Python call per word: inputs of 1 to 16 bytes (nearly every word) follow the
reference algorithm's short-input paths (XXH3_len_1to3, 4to8, 9to16) with its default
secret; others are hashed by the xxhash package one at a time. tests/test_xxh3.py
compares it with the package on every length from 0 to 40.

>>> import numpy as np, xxhash
>>> data = np.frombuffer(b"the ministers met", dtype=np.uint8)
>>> h = xxh3_spans(data, np.array([0, 4]), np.array([3, 13]))
>>> h.tolist() == [xxhash.xxh3_64_intdigest(b"the"), xxhash.xxh3_64_intdigest(b"ministers")]
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import xxhash

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# The reference implementation's default secret (its first 56 bytes are used here).
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
)


def _le(offset: int, size: int) -> int:
    return int.from_bytes(_SECRET[offset : offset + size], "little")


_FLIP_1TO3 = np.uint64(_le(0, 4) ^ _le(4, 4))
_FLIP_4TO8 = np.uint64(_le(8, 8) ^ _le(16, 8))
_FLIP_9TO16 = (np.uint64(_le(24, 8) ^ _le(32, 8)), np.uint64(_le(40, 8) ^ _le(48, 8)))
_P64_2 = np.uint64(0xC2B2AE3D27D4EB4F)
_P64_3 = np.uint64(0x165667B19E3779F9)
_MX1 = np.uint64(0x165667919E3779F9)
_MX2 = np.uint64(0x9FB21C651E98DF25)
_M32 = np.uint64(0xFFFFFFFF)


def _u(n: int) -> np.uint64:
    return np.uint64(n)


def _rotl(x: U64, r: int) -> U64:
    return (x << _u(r)) | (x >> _u(64 - r))


def _mul128_fold64(a: U64, b: U64) -> U64:
    """Low 64 bits xor high 64 bits of the 128-bit products ``a * b``."""
    a0, a1 = a & _M32, a >> _u(32)
    b0, b1 = b & _M32, b >> _u(32)
    lo_lo, hi_lo, lo_hi, hi_hi = a0 * b0, a1 * b0, a0 * b1, a1 * b1
    cross = (lo_lo >> _u(32)) + (hi_lo & _M32) + lo_hi
    upper = (hi_lo >> _u(32)) + (cross >> _u(32)) + hi_hi
    lower = (cross << _u(32)) | (lo_lo & _M32)
    out: U64 = lower ^ upper
    return out


def xxh3_spans(data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> U64:
    """``xxh3_64(data[s:e])`` for each span, as the xxhash package computes it.

    Spans of 1 to 16 bytes are hashed in NumPy, others by the package one at a time.
    """
    lengths = (ends - starts).astype(np.int64)
    out = np.empty(len(starts), dtype=np.uint64)
    short = (lengths >= 1) & (lengths <= 16)
    if not bool(short.all()):
        raw = data.tobytes()
        for j in np.flatnonzero(~short).tolist():
            out[j] = xxhash.xxh3_64_intdigest(raw[int(starts[j]) : int(ends[j])])
    if not bool(short.any()):
        return out
    s, n = starts[short], lengths[short]
    head, tail = _read64(data, s), _read64(data, s + n - 8)  # bytes s..s+7, e-8..e-1
    nu = n.astype(np.uint64)
    h = np.empty(len(s), dtype=np.uint64)
    i = np.flatnonzero(n > 8)
    if len(i):
        lo = head[i] ^ _FLIP_9TO16[0]
        hi = tail[i] ^ _FLIP_9TO16[1]
        x = nu[i] + lo.byteswap() + hi + _mul128_fold64(lo, hi)
        x ^= x >> _u(37)
        x *= _MX1
        h[i] = x ^ (x >> _u(32))
    i = np.flatnonzero((n >= 4) & (n <= 8))
    if len(i):
        x = ((tail[i] >> _u(32)) + ((head[i] & _M32) << _u(32))) ^ _FLIP_4TO8
        x ^= _rotl(x, 49) ^ _rotl(x, 24)
        x *= _MX2
        x ^= (x >> _u(35)) + nu[i]
        x *= _MX2
        h[i] = x ^ (x >> _u(28))
    i = np.flatnonzero(n <= 3)
    if len(i):
        c1 = head[i] & _u(0xFF)
        c2 = data[s[i] + (n[i] >> 1)].astype(np.uint64)
        c3 = tail[i] >> _u(56)
        x = ((c1 << _u(16)) | (c2 << _u(24)) | c3 | (nu[i] << _u(8))) ^ _FLIP_1TO3
        x ^= x >> _u(33)
        x *= _P64_2
        x ^= x >> _u(29)
        x *= _P64_3
        h[i] = x ^ (x >> _u(32))
    out[short] = h
    return out


def _read64(data: npt.NDArray[np.uint8], at: I64) -> U64:
    """The little-endian 64-bit words at byte offsets ``at`` (bytes outside ``data``
    read as zero), through eight shifted 64-bit views of the padded bytes."""
    words = len(data) // 8 + 3
    padded = np.zeros(8 * words + 8, dtype=np.uint8)
    padded[8 : 8 + len(data)] = data
    views = np.empty((8, words), dtype=np.uint64)
    for r in range(8):
        views[r] = np.frombuffer(padded.data, dtype="<u8", offset=r, count=words)
    at = at + 8
    out: U64 = views[at & 7, at >> 3]
    return out
