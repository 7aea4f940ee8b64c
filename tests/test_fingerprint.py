from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from provenance.match.fingerprint import band_keys, fingerprint, jaccard, shingle_hashes
from provenance.params import Params

WORDS = (
    "the ministers of the global coalition to defeat daesh met today in rome and "
    "reaffirmed their shared determination to continue the fight against the group"
).split()
SPANS = [(0, 10), (5, 25), (0, 2), (3, 4), (0, len(WORDS))]


@pytest.mark.parametrize(
    "params", [Params(), Params(shingle=5, num_perm=64, seed=7, bands=16, rows=4)]
)
def test_signatures_equal_datasketch(params: Params) -> None:
    fp = fingerprint(WORDS, SPANS, params)
    for row, (s, e) in enumerate(SPANS):
        m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=int)
        m.update_batch([int(h) for h in shingle_hashes(WORDS[s:e], params.shingle)])
        assert np.array_equal(m.hashvalues, fp.signatures[row])


def test_whole_document_at_once_equals_one_passage_at_a_time() -> None:
    params = Params()
    together = fingerprint(WORDS, SPANS, params)
    for row, span in enumerate(SPANS):
        alone = fingerprint(WORDS, [span], params)
        assert np.array_equal(alone.signatures[0], together.signatures[row])
        assert np.array_equal(alone.keys[0], together.keys[row])


def test_deterministic_and_seed_dependent() -> None:
    a = fingerprint(WORDS, SPANS, Params())
    b = fingerprint(WORDS, SPANS, Params())
    c = fingerprint(WORDS, SPANS, Params(seed=2))
    assert np.array_equal(a.signatures, b.signatures)
    assert not np.array_equal(a.signatures, c.signatures)


def test_equal_bands_in_different_positions_have_different_keys() -> None:
    params = Params()
    sig = np.zeros((1, params.num_perm), dtype=np.uint32)
    keys = band_keys(sig, params)
    assert len(set(keys[0].tolist())) == params.bands


def test_jaccard_estimate_tracks_true_similarity() -> None:
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(5000)]
    a = [vocab[i] for i in rng.integers(0, 5000, 400)]
    b = list(a)
    for i in rng.choice(400, 60, replace=False):  # 15% of the words swapped
        b[i] = "swapped"
    params = Params()
    fa = fingerprint(a, [(0, len(a))], params)
    fb = fingerprint(b, [(0, len(b))], params)
    sa = set(zip(a, a[1:], a[2:], strict=False))
    sb = set(zip(b, b[1:], b[2:], strict=False))
    truth = len(sa & sb) / len(sa | sb)
    assert abs(jaccard(fa.signatures[0], fb.signatures[0]) - truth) < 0.12


def test_empty_span_list() -> None:
    fp = fingerprint(WORDS, [], Params())
    assert fp.signatures.shape == (0, 128)
    assert fp.keys.shape == (0, 32)


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="bands \\* rows"):
        Params(bands=10, rows=4)


@pytest.mark.parametrize(
    "texts",
    [
        ["The ministers met today in Rome and agreed.", "Short one", "don't 'quote' me"],
        ["In 2020, 1,000 people (3.5%) met in Rome’s “Piazza”.", "café au lait, s'il vous plaît"],
        ["", "   ", "word"],
        ["Министры встретились сегодня в Риме", "部長たちは今日ローマで会った"],
    ],
)
def test_fingerprint_texts_equals_fingerprint_of_each_text(texts: list[str]) -> None:
    from provenance.match.fingerprint import fingerprint_texts
    from provenance.text.normalize import normalize

    params = Params()
    batch = fingerprint_texts(texts, params)
    for i, text in enumerate(texts):
        words = normalize(text).words or ("",)
        one = fingerprint(words, [(0, len(words))], params)
        assert np.array_equal(one.signatures[0], batch.signatures[i])
        assert np.array_equal(one.keys[0], batch.keys[i])


def test_written_permutations_equal_datasketchs() -> None:
    """The default index's permutations, written out so that a check does not import
    ``numpy.random``, are datasketch's own (and drawing them still works for others)."""
    from provenance.match import _permutations
    from provenance.match.fingerprint import permutations

    for num_perm, seed in _permutations.DEFAULT:
        a, b = permutations(num_perm, seed)
        ds = MinHash(num_perm=num_perm, seed=seed).permutations
        assert a.dtype == np.uint32 and b.dtype == np.uint32
        assert np.array_equal(a, ds[0]) and np.array_equal(b, ds[1])
    a, b = permutations(32, 9)
    ds = MinHash(num_perm=32, seed=9).permutations
    assert np.array_equal(a, ds[0]) and np.array_equal(b, ds[1])
