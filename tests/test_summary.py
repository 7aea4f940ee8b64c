"""match/summary.py: a short copy passage that condenses a long stretch of the source.

The texts are made here (articles of our own), never PAN's.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from provenance import compare_texts
from provenance.match.summary import _compact, _source_side
from tests.test_detect import filler


def test_a_summary_needs_its_whole_source_side_and_a_short_stretch_is_not_one() -> None:
    # twenty source sentences of ten words each; the copy's two sentences (20 words)
    def bag(words: str) -> Counter[str]:
        return Counter(words.split())

    copy_bags = [bag("alpha bravo charlie delta echo"), bag("foxtrot golf hotel india juliet")]
    units = [(10 * k, 10 * k + 10) for k in range(20)]
    idf = {t: 1.0 for b in copy_bags for t in b} | {"other": 1.0}
    # a same-length rewording: two source sentences hold all of the copy's content, the
    # same words recurring further on (names repeated through a text)
    same = [bag("other")] * 20
    same[3], same[4] = copy_bags[0], copy_bags[1]
    same[15] = bag("alpha bravo")
    seeds = [(3, 0, 0.9), (4, 1, 0.9), (15, 0, 0.4)]
    assert _compact(seeds, 1.0, 20, units, same, copy_bags, idf)
    # a summary: each source sentence gives one of the copy's words, over 10 sentences
    spread = [bag("other")] * 20
    for k, t in enumerate("alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()):
        spread[2 * k] = bag(f"{t} other")
    seeds = [(2 * k, k // 5, 0.3) for k in range(10)]
    assert not _compact(seeds, 1.0, 20, units, spread, copy_bags, idf)


@pytest.mark.parametrize(
    ("at", "blocks", "compact"),
    [
        # three copy sentences from the text's first paragraph, one from far on: a
        # summary leaning on the lead
        (0, [(0, 100, "body"), (100, 300, "body")], False),
        # the same stretch inside the text (its paragraph is not a section's first):
        # a rewording of that stretch, one sentence paired far off
        (10, [(0, 100, "body"), (100, 300, "body")], True),
        # after a heading it opens a section again
        (10, [(0, 98, "body"), (98, 100, "heading"), (100, 300, "body")], False),
        # no blocks known: the short stretch explains it
        (0, [], True),
    ],
)
def test_a_summary_may_lean_on_the_lead_of_a_section(
    at: int, blocks: list[tuple[int, int, str]], compact: bool
) -> None:
    # copy sentences 0-2 condense source sentences at, at+1, at+2; copy sentence 3 (one
    # word of its content) a sentence 15 further on: a window twice the copy's length
    # from ``at`` holds 15 of its 16 stems
    def bag(words: str) -> Counter[str]:
        return Counter(words.split())

    copy_bags = [bag("a b c d e"), bag("f g h i j"), bag("k l m n o"), bag("p")]
    units = [(10 * k, 10 * k + 10) for k in range(30)]
    src = [bag("other")] * 30
    src[at], src[at + 1], src[at + 2], src[at + 15] = (*copy_bags[:3], copy_bags[3])
    idf = {t: 1.0 for b in copy_bags for t in b} | {"other": 1.0}
    seeds = [(at, 0, 0.9), (at + 1, 1, 0.9), (at + 2, 2, 0.9), (at + 15, 3, 0.5)]
    assert _compact(seeds, 1.0, 40, units, src, copy_bags, idf, blocks) is compact


# An article of our own: a title line and six paragraphs; SUMMARY condenses it (five of
# its paragraphs, in its order) into four sentences, as a news digest would.
ARTICLE = [
    "Harbour town rebuilds its water supply",
    "The council of Millbrook voted on Tuesday to replace the town's ageing water mains, "
    "most of which were laid in iron more than a century ago. Engineers had warned for years "
    "that the pipes beneath the harbour district leaked nearly a third of the treated water "
    "before it reached a single tap. The vote followed a winter in which three mains burst "
    "under the market square and left the eastern streets without water for four days.",
    "The project will cost about forty million pounds and take six years to finish. The "
    "mayor, Helen Achterberg, said the council would borrow most of the money from a "
    "national infrastructure fund at a fixed rate, and raise water bills by a modest amount "
    "each year until the loan is repaid. Opposition councillors argued that the increase "
    "would fall hardest on pensioners and asked for a discount scheme for low incomes.",
    "Work will begin in the harbour district, where the losses are worst, and move inland "
    "street by street. Residents will receive letters two weeks before their road is dug "
    "up, and temporary pipes laid along the pavements will keep houses supplied while the "
    "old mains are cut out. The contractor expects each street to be closed for no more "
    "than ten days.",
    "Environmental groups welcomed the decision but urged the council to use the "
    "disruption to separate rainwater drains from the sewers. During heavy storms the "
    "combined system overflows into the estuary, and oyster beds near the lighthouse were "
    "closed twice last summer after sewage was detected in the water. The council said it "
    "would study the proposal and publish a report before the first excavation starts.",
    "Local businesses were divided. The owner of a seafront bakery said the closures would "
    "cost her trade in the busiest months, while the chamber of commerce said reliable "
    "water was worth a season of inconvenience. Several hotels asked that work in the "
    "harbour district avoid the summer festival in August, and the council agreed to "
    "pause the excavation for the three weeks of the festival.",
    "The first contracts will be signed in the spring. A public meeting at the town hall "
    "next month will show residents the order in which streets will be dug and answer "
    "questions about the new charges.",
]
SUMMARY = (
    "Millbrook's council has voted to replace the century-old iron water mains that leak a "
    "third of the town's treated water, after burst mains left the eastern streets dry. "
    "The forty million pound project will take six years, paid with a loan from a national "
    "fund and repaid through higher water bills, which opposition councillors say will hurt "
    "pensioners. Streets will be dug up one at a time from the harbour district inland, with "
    "temporary pipes keeping houses supplied, and the work will pause for the summer festival. "
    "Environmental groups want the rainwater drains separated from the sewers to stop "
    "overflows that closed the oyster beds."
)
#: The same subject, other facts: another town's water works, told in other words.
SAME_SUBJECT = (
    "In Dunmore the water company finished relining its reservoir last year, and the "
    "regional authority now wants meters fitted in every household. Farmers in the valley "
    "say the new abstraction licences limit how much they may pump from the river in dry "
    "months. A tribunal will hear their appeal in the autumn, and the company has promised "
    "to publish how much water each district uses. Anglers complain that the weir below "
    "the treatment works stops salmon reaching their spawning grounds."
)


def article(paragraphs: list[str] = ARTICLE) -> str:
    return "\n\n".join(paragraphs)


def among(text: str, seed: int = 2) -> str:
    """``text`` as a paragraph in the middle of ~1,500 words of other text."""
    paras = filler(seed, 1500)
    return "\n\n".join([*paras[: len(paras) // 2], text, *paras[len(paras) // 2 :]])


def found(source: str, copy: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    s = compare_texts(source, copy)
    return [(p.source_span, p.copy_span) for p in s.pairs if p.found]


def test_a_summary_of_an_article_is_one_passage_over_the_whole_article() -> None:
    # the summary draws on five of the six paragraphs; it condenses the article, so
    # its source side is the article, title to last paragraph, and it is one passage
    source, copy = article(), among(SUMMARY)
    ((src, cp),) = found(source, copy)
    assert src == (0, len(source))
    at = copy.index(SUMMARY)
    assert at <= cp[0] < at + 20 and cp[1] == at + len(SUMMARY)


def test_a_summary_takes_in_its_last_sentence_that_draws_on_the_source_too_loosely_for_a_seed() -> (
    None
):
    # the summary's last sentence keeps a few words of two source sentences (hotels,
    # seafront, bakery, harbour district, summer, trade): too few of either for a seed,
    # more than chance: it is part of the summary; the other text after it is not
    summary = f"{SUMMARY} Hotels on the seafront and a bakery in the harbour district fear for their summer trade."
    source, copy = article(), among(summary)
    ((src, cp),) = found(source, copy)
    assert src == (0, len(source))
    at = copy.index(summary)
    assert at <= cp[0] < at + 20 and cp[1] == at + len(summary)


def test_an_extractive_summary_is_one_passage_with_its_sentences_inside() -> None:
    # a summary made of four sentences taken word for word from four paragraphs: one
    # passage, not four sentences each on its own
    sentences = [re.split(r"(?<=\.) ", p) for p in ARTICLE[1:]]
    extract = " ".join([sentences[0][0], sentences[1][0], sentences[2][1], sentences[3][1]])
    source, copy = article(), among(extract)
    ((src, cp),) = found(source, copy)
    assert src == (0, len(source))
    assert cp == (copy.index(extract), copy.index(extract) + len(extract))


def test_a_summary_of_paragraphs_inside_a_longer_text_spans_those_paragraphs() -> None:
    # the article's paragraphs (no title) in the middle of other paragraphs: the summary
    # condenses the paragraphs it draws on, not the whole text
    other = filler(5, 600)
    source = article([*other[:3], *ARTICLE[1:], *other[3:]])
    ((src, _),) = found(source, among(SUMMARY))
    assert src[0] == source.index(ARTICLE[1])
    assert source.index(ARTICLE[4]) < src[1] <= source.index(ARTICLE[6])


def test_a_summary_of_a_long_texts_opening_does_not_claim_the_whole_text() -> None:
    # the article's paragraphs open a text that goes on for ~2,000 words of other
    # paragraphs: the summary draws on the opening only, so its source side stops
    # there, not at the end of the text
    source = article([*ARTICLE, *filler(9, 2000)])
    ((src, _),) = found(source, among(SUMMARY))
    assert src[0] == 0
    assert source.index(ARTICLE[4]) < src[1] <= source.index(ARTICLE[6]) + len(ARTICLE[6])


def test_a_summary_of_a_section_spans_the_section_from_its_heading() -> None:
    # other text, a short heading line, the article's paragraphs, another heading and
    # other text: the summary condenses the section, heading to last paragraph
    other = filler(5, 600)
    source = article([*other[:3], "Water works", *ARTICLE[1:], "Sport", *other[3:]])
    ((src, _),) = found(source, among(SUMMARY))
    end = source.index(ARTICLE[6]) + len(ARTICLE[6])
    assert src == (source.index("Water works"), end)


def test_a_summary_of_two_parts_far_apart_is_one_passage() -> None:
    # the article's first half, other news (a short line and ~700 words), its second
    # half; the summary's first two sentences condense the first half, its last two the
    # second: one summary of the whole, not two
    source = article([*ARTICLE[:3], "Other news", *filler(7, 700), *ARTICLE[3:]])
    summary = (
        "The council of Millbrook will replace the ageing iron water mains of the town, "
        "which leak a third of the treated water. The project costs forty million pounds "
        "over six years, borrowed from a national fund and repaid by raising water bills. "
        "Work moves inland street by street from the harbour district, and temporary pipes "
        "will keep the houses supplied. Environmental groups urged the council to separate "
        "the rainwater drains from the sewers, which overflow into the estuary."
    )
    copy = among(summary)
    ((src, cp),) = found(source, copy)
    assert src == (0, len(source))
    assert cp == (copy.index(summary), copy.index(summary) + len(summary))


def test_two_paragraphs_copied_whole_side_by_side_are_not_a_summary() -> None:
    # two paragraphs far apart in the source, copied word for word next to each other:
    # two passages, each in its place, not a "summary" of the text between them
    copied = f"{ARTICLE[1]} {ARTICLE[5]}"
    source, copy = article(), among(copied)
    spans = found(source, copy)
    assert sorted(src for src, _ in spans) == [
        (source.index(ARTICLE[1]), source.index(ARTICLE[1]) + len(ARTICLE[1])),
        (source.index(ARTICLE[5]), source.index(ARTICLE[5]) + len(ARTICLE[5])),
    ]


def test_unrelated_text_on_the_same_subject_is_not_a_summary() -> None:
    s = compare_texts(article(), among(SAME_SUBJECT))
    assert s.verdict == "unrelated"
    assert not [p for p in s.pairs if p.found]


@pytest.mark.parametrize(
    ("span", "blocks", "expected"),
    [
        # no blocks: the seeds' span as it is
        ((5, 25), [], (5, 25)),
        # one block (a text without paragraphs): the whole text when the seeds run
        # over half of it, else their own span (no unit to claim whole)
        ((5, 60), [(0, 100, "body")], (0, 100)),
        ((5, 25), [(0, 100, "body")], (5, 25)),
        # first seed in the first paragraph: to the end of the text
        ((5, 35), [(0, 10, "body"), (10, 30, "body"), (30, 50, "body")], (0, 50)),
        # ... unless the seeds stop before its second half: their paragraphs (a digest
        # of a long text's opening condenses the opening)
        ((5, 25), [(0, 10, "body"), (10, 30, "body"), (30, 50, "body"), (50, 90, "body")],
         (0, 30)),
        # ... and a title line before it is the section's start
        ((5, 25), [(0, 3, "boilerplate"), (3, 10, "body"), (10, 30, "body")], (0, 30)),
        ((8, 30), [(0, 3, "heading"), (3, 20, "body"), (20, 40, "body")], (0, 40)),
        # a heading or a short line ends the section
        ((5, 25), [(0, 30, "body"), (30, 32, "heading"), (32, 50, "body")], (0, 30)),
        ((5, 25), [(0, 30, "body"), (30, 31, "boilerplate"), (31, 50, "body")], (0, 30)),
        # first seed in a later paragraph: the paragraphs from the first seed's to the last's
        ((15, 35), [(0, 10, "body"), (10, 30, "body"), (30, 40, "body"), (40, 60, "body")],
         (10, 40)),
    ],
)  # fmt: skip
def test_source_side(
    span: tuple[int, int], blocks: list[tuple[int, int, str]], expected: tuple[int, int]
) -> None:
    assert _source_side(span, blocks) == expected


_SIMILARITY = """
from provenance.match.detect import detect
from provenance.text.prepare import prepare
from tests.test_summary import SUMMARY, among, article

s, c = prepare(article()), prepare(among(SUMMARY))
found = detect(
    s.norm.words, [(p.first, p.last) for p in s.passages],
    c.norm.words, [(p.first, p.last) for p in c.passages],
    [(b.first, b.last, b.kind) for b in s.blocks], [(b.first, b.last, b.kind) for b in c.blocks],
)
print(repr([f.similarity for f in found if f.summary]))
"""


def test_a_summarys_similarity_is_the_same_in_every_process() -> None:
    # the share of the copy's content found in the source sums idf over sets of stems,
    # whose order is the process's (string hashing): the sum, to its last bit (reports
    # round it, a threshold does not), must not depend on it
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    said = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", _SIMILARITY],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        said.add(run.stdout)
    assert len(said) == 1
    assert said.pop().startswith("[0.")
