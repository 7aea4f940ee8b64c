from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import pipeline
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
    result = pipeline.compare(_rel(src), _rel(cp))
    _check_golden(f"compare_{src}_{cp}.json", render_compare_json(result) + "\n", update_golden)


@pytest.mark.parametrize(("src", "cp"), PAIRS)
def test_compare_text_matches_golden(
    src: str, cp: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = pipeline.compare(_rel(src), _rel(cp))
    _check_golden(f"compare_{src}_{cp}.txt", to_text(compare_renderable(result)), update_golden)


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
