"""match/synonyms.py: the WordNet synonym table, its loader and the stem relation."""

from __future__ import annotations

import gzip
import random
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.errors import DataFileError
from provenance.match import synonyms
from provenance.match.synonyms import FORMAT, Relation, Table, by_stem, dump, lemmas, load, table

SHIPPED = Path(synonyms.__file__).parent / synonyms.TABLE
ROWS = [["big", "large"], ["large", "great"], ["restrict", "curtail", "limit"]]


@pytest.mark.parametrize(
    ("a", "b", "related"),
    [
        ("restrict", "curtail", True),
        ("restricted", "curtailing", True),  # inflections undone
        ("stopped", "halts", True),
        ("carried", "transported", True),
        ("wrote", "penned", True),  # an irregular form (WordNet's exception list)
        ("news", "tidings", True),
        ("range", "stove", False),
        ("river", "split", False),  # "river" is not "rive" + "-er"
        ("corner", "maize", False),  # nor "corn" + "-er"
        ("discover", "abrupt", False),  # "disconnected" shares its stem, not its meaning
    ],
)
def test_shipped_table_relates_synonyms_in_any_inflection(a: str, b: str, related: bool) -> None:
    assert table().related(a, b) is related
    assert table().related(b, a) is related


def test_shipped_table_is_small_and_keeps_wordnet_licence() -> None:
    assert SHIPPED.stat().st_size < 2_000_000
    head = SHIPPED.read_bytes()[:4000].decode("utf-8", "replace")
    assert "WordNet 3.0" in head and "Princeton University" in head
    assert FORMAT in head
    assert 15_000 < len(table()) < 60_000  # words indexed
    assert not table().rows_of("aarhus")  # names are left out


def test_loading_the_shipped_table_makes_no_object_per_word() -> None:
    # the table loads as a few arrays: a word is decoded only when a check asks for it
    # (the gzip'd text format made ~60,000 strings at load)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        t = load(SHIPPED)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    blocks = sum(s.count_diff for s in after.compare_to(before, "filename") if s.count_diff > 0)
    assert blocks < 200
    assert t.related("restrict", "curtailed")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("stopped", {"stop"}),
        ("carried", {"carry"}),
        ("parked", {"park"}),
        ("making", {"make"}),
        ("bed", set()),  # too short to be an inflection of "b"
    ],
)
def test_lemmas_undo_regular_inflections(word: str, expected: set[str]) -> None:
    assert expected <= set(lemmas(word))
    if not expected:
        assert lemmas(word) == []


def test_load_reads_a_table(tmp_path: Path) -> None:
    path = tmp_path / "s.dat"
    path.write_bytes(dump([["big", "large"], ["large", "great"]], "# a comment\n#"))
    t = load(path)
    assert t.related("big", "large") and t.related("large", "great")
    assert not t.related("big", "great")  # synonymy is by sense, not transitive
    assert t.row(0) == ["big", "large"] and len(t) == 3
    assert path.read_bytes().startswith(b"# a comment\n#\n" + FORMAT.encode())


@pytest.mark.parametrize("seed", range(20))
def test_a_table_answers_as_its_rows_say(seed: int) -> None:
    # small tables of random words: every word found (hash collisions in a table of 8
    # to 64 slots probe on), none invented, each word's rows as given
    rng = random.Random(seed)  # noqa: S311 - test data
    vocab = ["".join(rng.choice("abcde") for _ in range(rng.randint(1, 4))) for _ in range(40)]
    rows = [rng.sample(vocab, rng.randint(1, 5)) for _ in range(rng.randint(0, 12))]
    t = Table.of(rows)
    for w in {*vocab, "zz", "é", "abcdef"}:
        assert t._index(w) == [k for k, row in enumerate(rows) if w in row], w
    for k, row in enumerate(rows):
        assert t.row(k) == list(dict.fromkeys(row))
    assert dump(rows) == dump(rows)  # deterministic


def test_dump_refuses_a_head_line_that_is_not_a_comment() -> None:
    with pytest.raises(ValueError, match="starts with '#'"):
        dump(ROWS, "# licence\nnot a comment")


def _damaged() -> list[tuple[bytes | None, str]]:
    good = dump(ROWS, "# licence")
    at = good.index(b"# sizes: ")
    cut = good.index(b"\n", at) + 1
    flipped = bytearray(good)
    flipped[cut + 5] ^= 0x40
    sizes = good[at:cut]
    return [
        (None, "the synonym table is missing"),
        (b"", "not a synonym table"),
        (bytes(random.Random(7).randbytes(3000)), "not a synonym table"),  # noqa: S311
        (b"\x89PNG" + good[4:], "not a synonym table"),  # wrong magic
        (good.replace(FORMAT.encode(), b"# format: prov-synonyms 2"), "not a synonym table"),
        (gzip.compress(good, mtime=0), "not a synonym table"),  # the old gzip'd table
        (good[:at], "not a synonym table"),  # no sizes line
        (good.replace(sizes, b"# sizes: 3 x\n"), "damaged (its sizes)"),
        (good.replace(sizes, b"# sizes: " + b"9" * 5000 + b" 1 1 1 8 1 ab\n"), "(its sizes)"),
        (good.replace(sizes, sizes[:-17] + b"\xff" * 16 + b"\n"), "damaged (checksum)"),
        (good[: cut + 10], "cut short"),
        (good[:-1], "cut short"),
        (good + b"\x00", "damaged (checksum)"),
        (bytes(flipped), "damaged (checksum)"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    _damaged(),
    ids=[
        "missing",
        "empty",
        "garbage",
        "wrong-magic",
        "old-format-line",
        "gzip",
        "no-sizes",
        "bad-sizes",
        "huge-size",
        "checksum-not-ascii",
        "truncated-in-arrays",
        "truncated-by-one",
        "trailing-byte",
        "flipped-byte",
    ],
)
def test_load_says_what_is_wrong_with_a_bad_table(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "synonyms.dat"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        load(path)
    assert str(path) in str(e.value)
    assert "reinstall prov" in str(e.value)
    assert e.value.exit_code == 5


def test_a_table_that_cannot_be_read_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot be read") as e:
        load(tmp_path)  # a directory
    assert e.value.exit_code == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "the synonym table is missing"),
        (b"", "not a synonym table"),
        (SHIPPED.read_bytes()[:700_000], "the synonym table is cut short"),
    ],
    ids=["missing", "empty", "truncated"],
)
def test_a_missing_or_damaged_table_is_one_error_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, message: str
) -> None:
    # compare searches reworded passages, which reads the table: a broken install
    # says so in one line, with the internal-error exit code
    text = "The keeper climbed the stairs. " * 3 + "The lamp was lit at dusk every night."
    other = "The warden ascended the staircase. " * 3 + "The lantern burned each evening."
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(other)
    bad = tmp_path / "synonyms.dat"
    if content is not None:
        bad.write_bytes(content)
    monkeypatch.setattr(synonyms, "TABLE", str(bad))  # an absolute path
    table.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
        )
    finally:
        table.cache_clear()
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith(f"Error: {bad}: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_relation_lifts_synonyms_to_the_stems_of_the_texts() -> None:
    t = Table.of([["restrict", "curtail", "limit"], ["abrupt", "disconnected"]])
    r = Relation(
        "they restricted the discovery".split(),
        "we curtailed it after a disconnected talk".split(),
        synonyms=t,
    )
    assert r("restr") == {"curta"}
    assert r("curta") == {"restr"}
    assert r("disco") == frozenset()  # "discovery" and "disconnected" share a stem only
    assert r("zzzzz") == frozenset()


def test_relation_ignores_function_words_and_short_words() -> None:
    t = Table.of([["about", "around"], ["ox", "bullock"]])
    r = Relation(["about", "ox"], ["around", "bullock"], synonyms=t)
    assert r("about") == frozenset() and r("ox") == frozenset()


def test_relation_with_a_text_given_by_stem_is_the_same_and_leaves_it_unchanged() -> None:
    t = Table.of([["restrict", "curtail", "limit"], ["abrupt", "disconnected"]])
    src = "they restricted the discovery and restrained it".split()
    copy = "we curtailed it after a disconnected talk and restraint".split()
    known = by_stem(copy)
    before = {s: list(ws) for s, ws in known.items()}
    plain, given = Relation(src, copy, synonyms=t), Relation(src, synonyms=t, known=known)
    assert {s: sorted(ws) for s, ws in given.words.items()} == {
        s: sorted(ws) for s, ws in plain.words.items()
    }
    for stem in ("restr", "curta", "disco", "abrup", "zzzzz"):
        assert given(stem) == plain(stem) and given.rows(stem) == plain.rows(stem)
    assert {s: list(ws) for s, ws in known.items()} == before  # reused for the next source


def test_a_relation_of_made_rows_knows_the_only_stems_that_may_have_synonyms() -> None:
    t = Table.of([["restrict", "curtail", "limit"], ["abrupt", "disconnected"]])
    texts = [
        by_stem("they restricted the discovery and restrained it".split()),
        by_stem("we curtailed it after a disconnected talk and restraint".split()),
    ]
    given = Relation.of(texts, t, [synonyms.stem_rows(t, words) for words in texts])
    every = {s for words in texts for s in words}
    assert given.stems == {s for s in every if given.rows(s)}
    assert given.stems == {"restr", "curta", "disco"}
    assert all(not given(s) for s in every - given.stems)
    assert any(given(s) for s in given.stems)
    assert Relation(["restrict"], synonyms=t).stems is None  # rows looked up when asked


WORDNET = Path("/usr/share/wordnet")


@pytest.mark.skipif(
    not (WORDNET / "data.noun").exists(), reason="needs WordNet (apt-get install wordnet-base)"
)
def test_shipped_table_is_what_the_build_script_makes() -> None:
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "build_synonyms", root / "scripts/build_synonyms.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows, data = module.build(WORDNET, module.SENSES)
    assert data == SHIPPED.read_bytes()
    t = Table(data)
    assert all(t.row(k) == list(row) for k, row in enumerate(rows[:2000]))
