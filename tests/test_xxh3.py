"""The NumPy xxh3 (provenance/match/xxh3.py) equals the xxhash package."""

from __future__ import annotations

import random

import numpy as np
import xxhash

from provenance.match.xxh3 import xxh3_spans


def test_vectorised_xxh3_equals_xxhash_on_every_length() -> None:
    rnd = random.Random(3)  # noqa: S311 - test data
    data = bytes(rnd.randrange(256) for _ in range(3000))
    spans = [(s, s + n) for n in range(0, 41) for s in rnd.sample(range(len(data) - n), 25)]
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e in spans], dtype=np.int64)
    got = xxh3_spans(np.frombuffer(data, dtype=np.uint8), starts, ends)
    want = [xxhash.xxh3_64_intdigest(data[s:e]) for s, e in spans]
    assert got.tolist() == want
