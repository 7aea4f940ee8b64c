"""match/synonyms.py: the WordNet synonym table, its loader and the stem relation."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.errors import DataFileError
from provenance.match import synonyms
from provenance.match.synonyms import FORMAT, Relation, Table, by_stem, lemmas, load, table


def write(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


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
    path = Path(synonyms.__file__).with_name(synonyms.TABLE)
    assert path.stat().st_size < 500_000
    head = gzip.decompress(path.read_bytes()).decode("utf-8")[:4000]
    assert "WordNet 3.0" in head and "Princeton University" in head
    assert FORMAT in head
    assert 15_000 < len(table()) < 60_000  # words indexed
    assert not table().rows_of("aarhus")  # names are left out


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
    text = (
        f"# a comment\n{FORMAT}\n# rows: 2\nbig large\nlarge great\nbig\t0\ngreat\t1\nlarge\t0,1\n"
    )
    t = load(write(tmp_path / "s.tsv.gz", text))
    assert t.related("big", "large") and t.related("large", "great")
    assert not t.related("big", "great")  # synonymy is by sense, not transitive


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "the synonym table is missing"),
        (b"not gzip at all", "the synonym table is damaged"),
        (gzip.compress(b"\xff\xfe\x00bad", mtime=0), "the synonym table is damaged"),
        (gzip.compress(b"big large\n", mtime=0), "not a synonym table"),
        (gzip.compress(f"{FORMAT}\n# rows: 5\nbig large\n".encode(), mtime=0), "cut short"),
    ],
    ids=["missing", "not-gzip", "not-utf8", "no-format-line", "cut-short"],
)
def test_load_says_what_is_wrong_with_a_bad_table(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "synonyms.tsv.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError, match=message) as e:
        load(path)
    assert str(path) in str(e.value)
    assert "reinstall prov" in str(e.value)
    assert e.value.exit_code == 5


def test_a_missing_table_is_one_error_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # compare searches reworded passages, which reads the table: a broken install
    # says so in one line, with the internal-error exit code
    text = "The keeper climbed the stairs. " * 3 + "The lamp was lit at dusk every night."
    other = "The warden ascended the staircase. " * 3 + "The lantern burned each evening."
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(other)
    monkeypatch.setattr(synonyms, "TABLE", "no-such-table.tsv.gz")
    table.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
        )
    finally:
        table.cache_clear()
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith("Error: ")
    assert "the synonym table is missing" in result.stderr
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
