"""match/coverage.py: what an alignment alone gives (an edit's cost in words, the copy
words it covers, both coverages). ``rank`` against ``score`` is in test_verify.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from provenance import pipeline
from provenance.match import coverage
from provenance.match.align import DELETION, INSERTION, SUBSTITUTION, Alignment, Edit, PassageMatch
from provenance.text.normalize import normalize
from provenance.text.segment import BOILERPLATE
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("source", "copy", "edit", "expected"),
    [
        # a word changed: one word
        ("The cat sat on the mat.", "The dog sat on the mat.",
         Edit(SUBSTITUTION, (1, 2), (1, 2)), (1, False)),
        # one word for three: the longer side
        ("He came home late.", "He arrived back at home late.",
         Edit(SUBSTITUTION, (1, 2), (1, 4)), (3, False)),
        # list numbering dropped at the start of a line: formatting, free
        ("Steps:\n1. Mix the flour.\n2. Bake it.", "Steps:\nMix the flour.\n2. Bake it.",
         Edit(DELETION, (1, 2), (1, 1)), (0, True)),
        # list numbering added ("3)" opens a line)
        ("Bake it.\nServe warm.", "Bake it.\n3) Serve warm.",
         Edit(INSERTION, (2, 2), (2, 3)), (0, True)),
        # a number in running text is not list numbering, even before a full stop
        ("It cost 12. Then it fell.", "It cost. Then it fell.",
         Edit(DELETION, (2, 3), (2, 2)), (1, False)),
        # a clause added or left out (CLAUSE_WORDS or more): the copied words unchanged
        ("The council met on Monday.",
         "The council, which rarely agrees on anything, met on Monday.",
         Edit(INSERTION, (2, 2), (2, 7)), (0, False)),
        ("The council, which rarely agrees on anything, met on Monday.",
         "The council met on Monday.",
         Edit(DELETION, (2, 7), (2, 2)), (0, False)),
        # a shorter run costs its words
        ("The council met on Monday.", "The council, which rarely agrees, met on Monday.",
         Edit(INSERTION, (2, 2), (2, 5)), (3, False)),
    ],
)  # fmt: skip
def test_edit_words(source: str, copy: str, edit: Edit, expected: tuple[int, bool]) -> None:
    assert coverage.edit_words(normalize(source), normalize(copy), edit) == expected


def test_boilerplate_inserted_between_copied_paragraphs_is_not_covered() -> None:
    # a site's furniture the alignment took in as an insertion inside one aligned span
    text = (
        "The river rose two metres overnight and flooded the lower town.\n\n"
        "Share this article\n\n"
        "Residents were moved to the school on the hill by volunteers."
    )
    copy = pipeline.prepare(text)
    owner = coverage.word_blocks(copy)
    assert len(owner) == len(copy.norm)
    assert owner == sorted(owner)  # blocks in text order, every word in one
    furniture = [bi for bi, b in enumerate(copy.blocks) if b.kind == BOILERPLATE]
    assert furniture, [b.kind for b in copy.blocks]
    lo = owner.index(furniture[0])
    hi = len(owner) - owner[::-1].index(furniture[-1])
    n = len(copy.norm)
    inserted = Edit(INSERTION, (lo, lo), (lo, hi))
    changed = Edit(SUBSTITUTION, (0, 1), (0, 1))  # a copied word changed: covered
    assert coverage.boilerplate_insertion(copy, owner, inserted)
    assert not coverage.boilerplate_insertion(copy, owner, changed)
    alignment = Alignment(
        matches=(PassageMatch(passage=0, src=(0, n - (hi - lo)), copy=(0, n),
                              matched=n - (hi - lo) - 1, similarity=0.9,
                              edits=(changed, inserted)),),
        n_passages=1,
    )  # fmt: skip
    covered = coverage.covered_words(copy, alignment, owner)
    assert list(covered) == [0 if lo <= i < hi else 1 for i in range(n)]
    # the body's words are all covered (the furniture is not body)
    share, words = coverage.body_coverage(copy, covered, copy.lang)
    assert (share, words) == (1.0, n - (hi - lo))


@pytest.mark.parametrize("module", ["provenance.match.coverage", "provenance.match.results"])
def test_score_s_parts_do_not_import_it(module: str) -> None:
    """Imports go one way: ``score`` imports its parts, never the reverse."""
    probe = f"import sys, {module}; print('provenance.match.score' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,  # a hang guard only
    ).stdout
    assert out.strip() == "False"


def _rank_by_parts(
    source: str, copy: str, edits: tuple[Edit, ...]
) -> tuple[coverage.Rank, coverage.Rank]:
    """rank() of one aligned pair with ``edits``, and what covered_words, edit_words and
    boilerplate_insertion give of it, summed as rank sums them."""
    from provenance.params import DEFAULT_POLICY

    src, cp = pipeline.prepare(source), pipeline.prepare(copy)
    lang = src.languages()[0]
    n, size = len(cp.norm), len(src.norm)
    match = PassageMatch(0, (0, size), (0, n), size - 1, 0.9, edits)
    alignment = Alignment((match,), len(src.aligned_passages(lang)))
    owner = coverage.word_blocks(cp)
    got = coverage.rank(src, cp, alignment, DEFAULT_POLICY, lang, owner)
    covered = coverage.covered_words(cp, alignment, owner)
    least = min(1.0, DEFAULT_POLICY.risk_weight)
    cost = 0.0
    for e in edits:
        if not coverage.boilerplate_insertion(cp, owner, e):
            cost += coverage.edit_words(src.norm, cp.norm, e)[0] * least
    _, aligned = coverage.matched_words(src, src.aligned_passages(lang), alignment)
    share, words = coverage.body_coverage(cp, covered, lang)
    want = coverage.Rank(
        round(share, 6), words, got.source_coverage, round(max(0.0, 1.0 - cost / aligned), 6)
    )
    return got, want


def test_rank_costs_edits_as_edit_words_does() -> None:
    # rank's one pass over the edits (boilerplate insertions uncovered and free, list
    # numbering free, clauses free, a number's edit, substitutions and short runs
    # costing their words) gives what the parts give
    source = (
        "Steps for the council:\n1. The council met on Monday and it cost 12 pounds.\n"
        "2. Residents were moved to the school on the hill by volunteers."
    )
    copy = (
        "Steps for the council:\nThe council, which rarely agrees on anything, met on Tuesday "
        "and it cost pounds.\n\nShare this article\n\n"
        "2. Residents were taken to the old school on the hill by volunteers."
    )
    cp = pipeline.prepare(copy)
    owner = coverage.word_blocks(cp)
    assert {cp.blocks[owner[i]].kind for i in range(18, 21)} == {BOILERPLATE}
    edits = (
        Edit(DELETION, (4, 5), (4, 4)),  # "1." dropped: numbering
        Edit(INSERTION, (6, 6), (6, 11)),  # a clause added
        Edit(SUBSTITUTION, (9, 10), (13, 14)),  # "monday" -> "tuesday"
        Edit(DELETION, (13, 14), (17, 17)),  # a number dropped ("12")
        Edit(INSERTION, (15, 15), (18, 21)),  # the site's furniture
        Edit(SUBSTITUTION, (18, 19), (24, 25)),  # "moved" -> "taken"
        Edit(INSERTION, (21, 21), (27, 28)),  # "old"
    )
    assert [coverage.edit_words(pipeline.prepare(source).norm, cp.norm, e) for e in edits] == [
        (0, True), (0, False), (1, False), (1, False), (3, False), (1, False), (1, False)
    ]  # fmt: skip
    got, want = _rank_by_parts(source, copy, edits)
    assert got == want
    assert got.fidelity_bound < 1.0
