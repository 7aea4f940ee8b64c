"""The semantic step's plumbing that needs no model: passages found by meaning joined
where they follow each other in both texts (``semantic/passages.py``), and the
in-process cache of sentence vectors (``semantic/cache.py``), with a fake encoder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pytest

from provenance import pipeline, verify
from provenance.match.evidence import BRIDGE_WORDS, AlignedPair
from provenance.semantic import cache, encoder
from provenance.semantic.passages import join
from provenance.text.normalize import Normalized

TR, RW = "translation", "reworded"


def _text(paragraphs: Sequence[int]) -> str:
    """Paragraphs of ``n`` distinct words each, one per line pair."""
    words = iter(f"w{i}" for i in range(10_000))
    return "\n\n".join(" ".join(next(words) for _ in range(n)) + "." for n in paragraphs)


def _spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for par in text.split("\n\n"):
        out.append((pos, pos + len(par)))
        pos += len(par) + 2
    return out


def _norm(text: str) -> Normalized:
    return pipeline.prepare(text).norm


def _pair(s: tuple[int, int], c: tuple[int, int], kind: str = TR, sim: float = 0.8) -> AlignedPair:
    return AlignedPair(s, c, sim, kind=kind, lang="it" if kind == TR else "en" if kind else "")


#: A source and a copy of five paragraphs of 30 words, paragraph k of one maps to k.
SRC = _text([30] * 5)
COPY = _text([30] * 5)
S, C = _spans(SRC), _spans(COPY)


def _join(word: Sequence[AlignedPair], meant: Sequence[AlignedPair]) -> tuple[AlignedPair, ...]:
    return join(word, meant, _norm(SRC), _norm(COPY))


def test_paragraphs_that_follow_each_other_are_one_passage_with_parts() -> None:
    meant = [_pair(S[k], C[k], sim=0.7 + k / 100) for k in range(5)]
    (one,) = _join([], meant)
    assert (one.source_span, one.copy_span) == ((S[0][0], S[4][1]), (C[0][0], C[4][1]))
    assert one.parts == tuple(meant) and (one.kind, one.lang) == (TR, "it")
    assert one.similarity == pytest.approx(0.72)  # the word-weighted mean (equal sizes)


def test_a_small_gap_joins_a_large_one_does_not() -> None:
    """A paragraph of 30 words left out between two pieces: within BRIDGE_WORDS (40) and
    half of the shorter piece; two left out (60 words): two passages."""
    assert 30 <= BRIDGE_WORDS < 60
    assert len(_join([], [_pair(S[0], C[0]), _pair(S[2], C[2])])) == 1
    assert len(_join([], [_pair(S[0], C[0]), _pair(S[3], C[3])])) == 2
    # a gap in one text only counts too
    assert len(_join([], [_pair(S[0], C[0]), _pair(S[3], C[1])])) == 2


def test_a_gap_small_relative_to_long_pieces_joins() -> None:
    """Two translated stretches of 200 words with 60 words between them in both texts:
    the gap is over BRIDGE_WORDS but under half of each piece."""
    src, copy = _text([200, 60, 200]), _text([200, 60, 200])
    s, c = _spans(src), _spans(copy)
    meant = [_pair(s[0], c[0]), _pair(s[2], c[2])]
    assert len(join([], meant, _norm(src), _norm(copy))) == 1
    src, copy = _text([100, 60, 100]), _text([100, 60, 100])
    s, c = _spans(src), _spans(copy)
    meant = [_pair(s[0], c[0]), _pair(s[2], c[2])]
    assert len(join([], meant, _norm(src), _norm(copy))) == 2  # 60 > 40 and > 100 / 2


@pytest.mark.parametrize(
    "meant",
    [
        [_pair(S[1], C[0]), _pair(S[0], C[1])],  # in another order in the source
        [_pair(S[0], C[0]), _pair(S[1], C[1], kind=RW)],  # a translation, then a rewrite
    ],
)
def test_pieces_out_of_order_or_of_two_kinds_stay_apart(meant: list[AlignedPair]) -> None:
    assert _join([], meant) == tuple(sorted(meant, key=lambda p: p.source_span))


def test_the_word_paths_passages_join_the_pieces_next_to_them() -> None:
    """A paragraph copied word for word, the next two reworded: one passage, reworded
    (most of its words), whose parts say which is which."""
    word = [_pair(S[0], C[0], kind="", sim=1.0)]
    meant = [_pair(S[1], C[1], kind=RW), _pair(S[2], C[2], kind=RW)]
    (one,) = _join(word, meant)
    assert (one.kind, one.lang) == (RW, "en")
    assert [p.kind for p in one.parts] == ["", RW, RW]
    # two paragraphs copied word for word and one reworded: text matched by its words
    word = [_pair((S[0][0], S[1][1]), (C[0][0], C[1][1]), kind="", sim=1.0)]
    (one,) = _join(word, [_pair(S[2], C[2], kind=RW)])
    assert one.kind == "" and [p.kind for p in one.parts] == ["", RW]


def test_the_word_paths_passages_are_never_joined_to_each_other() -> None:
    word = [
        _pair(S[0], C[0], kind="", sim=1.0),
        _pair(S[1], C[1], kind="", sim=1.0),
        AlignedPair(S[3], C[3], 0.5, found=False),
    ]
    assert _join(word, []) == tuple(word)


def test_a_piece_inside_a_word_passage_is_part_of_it() -> None:
    """Sentences the word path left unmatched inside its own passage (heavy typos)."""
    word = [_pair((S[0][0], S[2][1]), (C[0][0], C[2][1]), kind="", sim=0.7)]
    (one,) = _join(word, [_pair(S[1], C[1], kind=RW)])
    assert one.kind == "" and one.source_span == word[0].source_span and len(one.parts) == 2


# -- the cache ------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A fake encoder (a vector per text, from its hash) that records every text it
    embeds; the process cache emptied before and after."""
    seen: list[str] = []

    def fake(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        seen.extend(texts)
        rows = np.stack(
            [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=512) for t in texts]
        )
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    monkeypatch.setattr(encoder, "embed", fake)
    cache.VECTORS.clear()
    yield seen
    cache.VECTORS.clear()


def test_the_cache_embeds_each_text_once(counted: list[str]) -> None:
    first = cache.embed(["a b c", "d e f", "a b c"])
    assert counted == ["a b c", "d e f"]  # a text twice in one call: embedded once
    again = cache.embed(["d e f", "g h", "a b c"])
    assert counted == ["a b c", "d e f", "g h"]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    assert cache.embed([]).shape == (0, encoder.DIMENSIONS)


def test_the_cache_is_bounded_by_bytes(counted: list[str]) -> None:
    small = cache.VectorCache(max_bytes=10 * (512 * 4 + cache.ENTRY_OVERHEAD))
    small.embed([f"text {i}" for i in range(25)])
    assert len(small) == 10 and small.bytes <= small.max_bytes
    small.embed(["text 24", "text 0"])  # the newest is kept, the oldest was dropped
    assert counted[25:] == ["text 0"]


def test_a_source_compared_with_many_copies_is_embedded_once(
    counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``compare`` of one source with three copies (as PAN's pairs, a server, a scan
    worker): the source's passages are embedded with the first copy only; and a copy
    with fewer unexplained passages than a run needs embeds nothing."""
    monkeypatch.setattr(encoder, "available", lambda: True)
    monkeypatch.setenv("PROV_SEMANTIC", "1")
    source = pipeline.prepare(
        "The council met on Monday to approve the budget.\n\n"
        "The harbour will be dredged next spring, at a cost of two million.\n\n"
        "The mayor thanked the fishermen for their patience during the works."
    )
    rows = sum(1 for p in source.body_passages())
    copies = [
        pipeline.prepare(f"Copy {k} opens with news of its own about the weather today.\n\n"
                         f"Its second paragraph, number {k}, says something else again.")
        for k in range(3)
    ]  # fmt: skip
    for k, copy in enumerate(copies):
        before = len(counted)
        verify.compare_segmented(source, copy, by_meaning=True)
        copy_rows = sum(1 for p in copy.body_passages())
        assert len(counted) - before == copy_rows + (rows if k == 0 else 0)
    lone = pipeline.prepare("One new sentence that the source does not hold at all.")
    before = len(counted)
    verify.compare_segmented(source, lone, by_meaning=True)
    assert len(counted) == before
