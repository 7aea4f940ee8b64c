"""The compiled kernel (provenance/match/_kernel_scan.c) gives exactly what the NumPy path gives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import numpy as np
import pytest
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

import provenance.match.fingerprint as fp
import provenance.text.normalize as normalize_module
from provenance.params import Params

from .test_normalize import _PIECES


def _kernel() -> ModuleType:
    if fp._KERNEL is None:
        if os.environ.get("PROV_KERNEL", "").lower() == "numpy":
            pytest.skip("PROV_KERNEL=numpy: the NumPy path only")
        pytest.fail("the compiled kernel was not built (no C compiler at install?)")
    return fp._KERNEL


@contextmanager
def numpy_path() -> Iterator[None]:
    saved = fp._KERNEL
    fp._KERNEL = None
    try:
        yield
    finally:
        fp._KERNEL = saved


def test_the_kernel_is_built_and_used() -> None:
    _kernel()
    assert fp.kernel() == "compiled"
    with numpy_path():
        assert fp.kernel() == "numpy"


def _same_fingerprints(texts: list[str], params: Params) -> None:
    _kernel()
    got = fp.fingerprint_texts(texts, params)
    with numpy_path():
        want = fp.fingerprint_texts(texts, params)
    assert np.array_equal(got.signatures, want.signatures)
    assert np.array_equal(got.keys, want.keys)


# Texts long enough to cross the kernel's 64-character blocks, from pieces that exercise
# every tokeniser rule (apostrophe runs, numbers with marks, non-ASCII, joiners, NUL).
_TEXT = st.lists(st.sampled_from([*_PIECES, "\x00", "a" * 63, "'" * 3, "9'"]), max_size=120)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(_TEXT.map("".join), min_size=1, max_size=6), st.sampled_from([0, 4]))
def test_fingerprint_texts_equal_on_tricky_text(texts: list[str], mostly_hard: int) -> None:
    saved = normalize_module.MOSTLY_HARD
    normalize_module.MOSTLY_HARD = mostly_hard  # 0: no text is split by the pattern whole
    try:
        _same_fingerprints(texts, Params())
    finally:
        normalize_module.MOSTLY_HARD = saved


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_fingerprint_texts_equal_on_any_text(texts: list[str]) -> None:
    _same_fingerprints(texts, Params())


@pytest.mark.parametrize(
    "params",
    [
        Params(),
        Params(shingle=1, num_perm=64, seed=7, bands=16, rows=4),
        Params(shingle=5, num_perm=96, seed=3, bands=96, rows=1),
    ],
)
def test_sketch_equals_numpy_on_every_span_shape(params: Params) -> None:
    rng = np.random.default_rng(5)
    wh = rng.integers(0, 2**64, 300, dtype=np.uint64)
    spans = [(s, s + n) for n in (1, 2, 4, 5, 6, 50, 150) for s in (0, 7, 300 - n)]
    spans += [(0, 300), (10, 11), (10, 11)]  # whole, repeated, overlapping
    bounds = np.array(spans, dtype=np.int64)
    _kernel()
    got = fp._signatures(wh, bounds, params)
    with numpy_path():
        want = fp._signatures(wh, bounds, params)
    assert np.array_equal(got.signatures, want.signatures)
    assert np.array_equal(got.keys, want.keys)


def test_scan_hashes_tokens_as_xxhash_does_at_every_length() -> None:
    kernel = _kernel()
    words = ["a" * n for n in range(1, 300)] + ["don't", "rock''n", "x9"]
    text = " ".join(words).encode("ascii")
    room = (len(text) + 1) // 2
    starts, hashes = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.uint64)
    chunks = np.empty((room, 2), dtype=np.int64)
    n, k = kernel.scan(text, starts, hashes, chunks, 4, 6)
    assert (n, k) == (len(words), 0)
    assert hashes[:n].tolist() == [xxhash.xxh3_64_intdigest(w.encode()) for w in words]
    assert starts[:n].tolist() == [text.index(w.encode()) for w in words[:1]] + [
        sum(len(w) + 1 for w in words[:i]) for i in range(1, len(words))
    ]


def test_scan_finds_the_hard_chunks_simple_tokens_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = _kernel()
    monkeypatch.setattr(normalize_module, "MOSTLY_HARD", 0)
    lowered = "in 2020, 1,000 people (3.5%) met; the 1990's x\x00y ok. 'q' don't"
    flat, want = normalize_module.simple_tokens(lowered) or ("", None)
    data = normalize_module.ascii_codes(lowered)
    room = (len(data) + 1) // 2
    starts, hashes = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.uint64)
    chunks = np.empty((room, 2), dtype=np.int64)
    n, k = kernel.scan(data, starts, hashes, chunks, 0, 6)
    assert want is not None and chunks[:k].tolist() == want.tolist()
    assert [lowered[s : s + 5] for s in starts[:n]][:3] == ["in 20", "peopl", "met; "]
    assert n == len(flat.split())
    _, mostly = kernel.scan(data, starts, hashes, chunks, 10**9, 6)
    monkeypatch.setattr(normalize_module, "MOSTLY_HARD", 10**9)
    assert mostly == -1 and normalize_module.simple_tokens(lowered) is None


def test_wrong_calls_raise_value_error_not_memory_errors() -> None:
    kernel = _kernel()
    params = Params()
    a, b = fp.permutations(params.num_perm, params.seed)
    wh = np.arange(10, dtype=np.uint64)
    sig = np.empty((1, 128), dtype=np.uint32)
    keys = np.empty((1, 32), dtype=np.int64)
    for bad in ([[3, 3]], [[0, 11]], [[-1, 2]], [[5, 2]]):
        spans = np.array(bad, dtype=np.int64)
        with pytest.raises(ValueError, match="span"):
            kernel.sketch(wh, spans, a, b, 3, 4, sig, keys)
    spans = np.array([[0, 10]], dtype=np.int64)
    with pytest.raises(ValueError, match="wrong size"):
        kernel.sketch(wh, spans, a, b, 3, 4, sig[:, :64], keys)
    with pytest.raises(ValueError, match="bytes expected"):
        kernel.sketch(wh.astype(np.uint32), spans, a, b, 3, 4, sig, keys)
    with pytest.raises(ValueError, match="multiple of rows"):
        kernel.sketch(wh, spans, a, b, 3, 5, sig, keys)
    with pytest.raises(ValueError, match=">= 1"):
        kernel.sketch(wh, spans, a, b, 0, 4, sig, keys)
    with pytest.raises(BufferError):
        kernel.sketch(wh, spans, a, b, 3, 4, sig, keys.tobytes())  # read-only output
    small = np.empty(2, dtype=np.int64)
    with pytest.raises(ValueError, match="need"):
        kernel.scan(b"a b c d e", small, small.view(np.uint64), np.empty((2, 2), np.int64), 4, 6)
