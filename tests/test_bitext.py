"""The in-order sentence aligner on vectors made by hand (no encoder needed)."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from provenance.semantic.bitext import RUN_MIN, align_sentences  # noqa: E402


def _unit(rows: list[list[float]]) -> object:
    a = np.asarray(rows, dtype=np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def _basis(n: int, dims: int = 16) -> object:
    return np.eye(dims, dtype=np.float32)[:n]


def test_a_translation_aligns_one_to_one_in_order() -> None:
    src = _basis(5)
    copy = _unit([list(r + 0.3 * np.roll(r, 7)) for r in src])  # each close to its source
    runs = align_sentences(copy, src)
    assert len(runs) == 1 and runs[0].found
    assert [(p.copy, p.src) for p in runs[0].pairs] == [((i, i + 1), (i, i + 1)) for i in range(5)]
    assert runs[0].similarity >= RUN_MIN


def test_a_sentence_split_in_two_is_one_pair() -> None:
    e = _basis(16)
    src = e[:3]
    # copy sentences 1 and 2 are two halves of source sentence 1
    halves = [src[1] + 0.9 * e[5], src[1] - 0.9 * e[5] + 0.1 * e[6]]
    copy = _unit([list(src[0]), *[list(h) for h in halves], list(src[2])])
    pairs = [(p.copy, p.src) for r in align_sentences(copy, src) for p in r.pairs]
    assert ((1, 3), (1, 2)) in pairs


def test_one_close_sentence_alone_is_not_found() -> None:
    """Same-topic text: one sentence as close as a translation, the rest unrelated."""
    e = _basis(16)
    src = e[:4]
    copy = _unit([list(src[2] + 0.1 * e[9]), list(e[10]), list(e[11])])
    runs = align_sentences(copy, src)
    assert runs and not any(r.found for r in runs)


def test_pairs_out_of_order_do_not_make_a_run() -> None:
    src = _basis(6)
    copy = _unit([list(src[5]), list(src[0])])  # the last sentence, then the first
    assert not any(r.found for r in align_sentences(copy, src))


def test_empty_sides() -> None:
    assert align_sentences(_basis(0), _basis(3)) == ()
    assert align_sentences(_basis(3), _basis(0)) == ()
