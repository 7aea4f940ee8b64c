"""match/evidence.py: how aligned and reworded passages become one list of passages.

Word ranges are made up here (passages() works on word indexes only).
"""

from __future__ import annotations

from provenance.match.align import PassageMatch
from provenance.match.detect import Fragment
from provenance.match.evidence import passages


def match(src: tuple[int, int], copy: tuple[int, int]) -> PassageMatch:
    n = src[1] - src[0]
    return PassageMatch(0, src, copy, n, 1.0, ())


def test_a_piece_of_a_reworded_passage_is_merged_into_it_across_another_passage() -> None:
    # the reworded passage (source 100-200), a verbatim sentence inside it (150-170), and
    # between them in source order a short passage copied elsewhere in the copy (120-130)
    frag = Fragment((100, 200), (1000, 1100), 0.7, 5)
    inside, elsewhere = match((150, 170), (1050, 1070)), match((120, 130), (5000, 5010))
    out = [p for p in passages([inside, elsewhere], [frag]) if p.found]
    assert [(p.src, p.copy) for p in out] == [
        ((100, 200), (1000, 1100)),
        ((120, 130), (5000, 5010)),
    ]


def test_a_passage_starting_inside_the_previous_one_in_the_copy_continues_it() -> None:
    # a summary (source 0-300, copy 1000-1060), then a sentence kept word for word whose
    # copy side starts inside the summary's and whose source side comes 8 words later
    summary = Fragment((0, 300), (1000, 1060), 0.6, 6, summary=True)
    after = match((308, 318), (1055, 1065))
    out = [p for p in passages([after], [summary]) if p.found]
    assert [(p.src, p.copy) for p in out] == [((0, 318), (1000, 1065))]


def test_passages_far_apart_in_the_source_stay_apart() -> None:
    a, b = match((0, 20), (100, 120)), match((500, 520), (121, 141))
    out = [p for p in passages([a, b], []) if p.found]
    assert len(out) == 2


def test_a_short_line_on_its_own_is_not_counted_as_copied() -> None:
    # a 60-word paragraph copied, and far from it a 10-word line both texts hold (a
    # site's standard line, a title): the line is listed, not counted; a 15-word one is
    # a quote's length and counts
    for size, found in ((10, False), (14, False), (15, True)):
        got = passages(
            [match((100, 160), (1000, 1060)), match((500, 500 + size), (3000, 3000 + size))],
            [],
            src_words=["w"] * 2000,
            copy_words=["w"] * 5000,
        )
        assert [(p.src, p.found) for p in got] == [((100, 160), True), ((500, 500 + size), found)]


def test_a_short_source_copied_whole_counts() -> None:
    got = passages([match((0, 8), (40, 48))], [], src_words=["w"] * 8, copy_words=["w"] * 90)
    assert [p.found for p in got] == [True]
