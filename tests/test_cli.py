from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provenance import indexing, pipeline
from provenance.cli import app
from provenance.cli_support import use_pager
from provenance.report.json import plural
from tests.conftest import seed_path, seed_text

runner = CliRunner()


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no text (the file is empty or whitespace only)"),
        (b"   \n\n  ", "no text (the file is empty or whitespace only)"),
        (b"\x00\x01\x02binary\x00\x00\x03", "binary data, not text"),
    ],
)
@pytest.mark.parametrize("command", ["compare-copy", "compare-source", "check", "add"])
def test_bad_input_exit_3(tmp_path: Path, data: bytes, reason: str, command: str) -> None:
    bad = tmp_path / "s.txt"
    bad.write_bytes(data)
    good = seed_path("001")
    db = tmp_path / "i.db"
    invoke("add", "--db", db, good)
    args: dict[str, list[str | Path]] = {
        "compare-copy": ["compare", good, bad],
        "compare-source": ["compare", bad, good],
        "check": ["check", "--db", db, bad],
        "add": ["add", "--db", db, bad],
    }
    code, out, err = invoke(*args[command])
    assert code == 3
    assert err == f"Error: {bad}: {reason}\n"


def test_missing_file_exit_3(tmp_path: Path) -> None:
    code, _, err = invoke("compare", tmp_path / "nope.txt", seed_path("001"))
    assert (code, err) == (3, f"Error: {tmp_path / 'nope.txt'}: no such file\n")


def test_check_without_index_exit_4(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    code, out, err = invoke("check", "--db", db, seed_path("003"))
    assert code == 4
    assert err == f"Error: {db}: no such index; create it with `prov add --db {db} SOURCES...`\n"
    assert out == ""
    assert not db.exists()


def test_db_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    code, out, _ = invoke("add", seed_path("004"), env={"PROV_DB": str(db)})
    assert code == 0
    assert out.endswith(f"in {db}\n")
    code, out, _ = invoke("check", seed_path("003"), "--json", env={"PROV_DB": str(db)})
    assert code == 0
    assert json.loads(out)["matches"][0]["verdict"] == "paraphrased"


def test_compare_exit_codes_and_json(tmp_path: Path) -> None:
    code, out, _ = invoke("compare", seed_path("001"), seed_path("000"), "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["verdict"], d["fidelity"], d["source_coverage"]) == ("verbatim", 1.0, 1.0)
    other = tmp_path / "bread.txt"
    other.write_text("Bread needs flour, water, salt and yeast, and an hour in a hot oven at home.")
    code, out, _ = invoke("compare", seed_path("001"), other, "--json")
    assert code == 1
    assert json.loads(out)["verdict"] == "unrelated"


def test_add_check_sources_remove(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    code, out, err = invoke("add", "--db", db, seed_path("001"), seed_path("004"))
    assert (code, err) == (0, "")
    assert out.startswith("2 added (")
    code, out, _ = invoke("add", "--db", db, seed_path("001"))
    assert out.startswith("1 unchanged (0 passages indexed)")
    suspects = [seed_path("002"), seed_path("003")]
    code, out, _ = invoke("check", "--db", db, *suspects, "-f", "jsonl", "--top", "1")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert json.loads(invoke("check", "--db", db, *suspects, "--json", "--top", "1")[1]) == lines
    assert [len(r["matches"]) for r in lines] == [1, 1]
    assert [Path(r["matches"][0]["source"]).name[:3] for r in lines] == ["001", "004"]
    code, out, _ = invoke("sources", "--db", db, "--json")
    listed = json.loads(out)
    assert [Path(s["path"]).name[:3] for s in listed] == ["001", "004"]
    code, out, _ = invoke("remove", "--db", db, seed_path("004"))
    assert (code, out) == (0, f"removed {seed_path('004')} ({listed[1]['passages']} passages)\n")
    code, _, err = invoke("remove", "--db", db, seed_path("004"))
    assert code == 1
    assert (
        err == f"Error: {seed_path('004')}: no source added under this path (see `prov sources`)\n"
    )
    bread = tmp_path / "bread.txt"
    bread.write_text("Bread needs flour, water, salt and yeast, and an hour in a hot oven at home.")
    code, out, _ = invoke("check", "--db", db, bread)
    assert code == 1
    assert "no copy of an indexed source found" in " ".join(out.split())


def test_usage_error_exit_2() -> None:
    code, _, err = invoke("check", "--top", "0", "x")
    assert code == 2
    assert "Invalid value for '--top'" in err


def test_python_dash_m_works() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "provenance", "--help"], capture_output=True, text=True, check=False
    )
    assert p.returncode == 0
    assert "compare" in p.stdout


def test_doctor(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    invoke("add", "--db", db, seed_path("004"))
    code, out, _ = invoke("doctor", "--db", db)
    assert code == 0
    assert out.startswith("healthy\nintegrity check: ok")
    assert "fingerprinting: compiled kernel" in out or "fingerprinting: NumPy" in out
    code, out, _ = invoke("doctor", "--db", db, "--json")
    assert json.loads(out)["healthy"] is True
    assert json.loads(out)["kernel"] in ("compiled", "numpy")


# -- user text is data on the terminal and in CSV ----------------------------------------

# (the third is in a folder named "q[": its path holds the closing tag "[/]")
MARKUP_NAMES = ["[bold]red[-]alert.txt", "[link=https:evil.example]click.txt", "q[/]close.txt"]
WIDE = {"COLUMNS": "400"}  # a table never folds a name in two


def _sources_named(tmp_path: Path, names: list[str], text: str) -> list[Path]:
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        p = folder / name
        p.parent.mkdir(exist_ok=True)
        p.write_text(text.replace("Foreign", "Foreign" * (i + 1), 1), encoding="utf-8")
        paths.append(p)
    return paths


def test_markup_in_names_and_text_is_shown_as_written(tmp_path: Path) -> None:
    """rich markup in a name ([bold], [/], [link=...]) is neither a style nor an error."""
    db = tmp_path / "i.db"
    paths = _sources_named(tmp_path, MARKUP_NAMES, seed_text("001"))
    code, out, err = invoke("add", "--db", db, *paths)
    assert (code, err) == (0, "")
    code, out, err = invoke("sources", "--db", db, env=WIDE)
    assert (code, err) == (0, "")
    for p in paths:
        assert str(p) in out
    (tmp_path / "[bold]suspect[").mkdir()
    suspect = tmp_path / "[bold]suspect[" / "bold].txt"
    suspect.write_text(seed_text("000") + "\n[red]Read more[/red] [link=x]here[/link]\n")
    code, out, err = invoke("check", "--db", db, suspect, env=WIDE)
    assert (code, err) == (0, "")
    assert f"{suspect}: copies 3 sources" in out
    for p in paths:
        assert f"{p.name}" in out
    code, out, err = invoke("compare", paths[0], suspect, env=WIDE)
    assert (code, err) == (0, "")
    assert f"{suspect.name} reproduces" in " ".join(out.split())
    code, out, err = invoke("doctor", "--db", db, env=WIDE)
    assert (code, err) == (0, "")
    code, out, err = invoke("remove", "--db", db, paths[2])
    assert (code, out, err) == (0, f"removed {paths[2]} ({out.split('(')[1]}", "")


HOSTILE = "\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\x1b[2J\x1b]0;title\x07\r\x9b31m"


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    """Escape sequences in a page or a name (OSC 8 links, clear screen, window title,
    carriage return, 8-bit CSI) are shown escaped, in every text output."""
    db = tmp_path / "i.db"
    invoke("add", "--db", db, seed_path("001"))
    text = seed_text("000").replace("Luigi Di Maio", f"Luigi {HOSTILE}Da Maio", 1)
    assert text != seed_text("000")
    suspect = tmp_path / "evil\x1b[2J\x07name.txt"
    suspect.write_text(text, encoding="utf-8")
    for args in (
        ["check", "--db", db, suspect],
        ["compare", seed_path("001"), suspect],
        ["check", "--db", db, suspect, "-f", "csv"],
    ):
        code, out, err = invoke(*args, env=WIDE)
        assert code == 0, err
        for raw in ("\x1b", "\x07", "\r", "\x9b"):
            assert raw not in out + err, (args, raw)
        assert "evil\\x1b[2J\\x07name.txt" in out
    # reading neutralises the text's own stray controls (with a warning: "Reading a
    # file"); the alteration around them is still shown, and the warning is escaped too
    code, out, err = invoke("compare", seed_path("001"), suspect, env=WIDE)
    assert "stray control characters" in err
    assert "Da Maio" in " ".join(out.split())
    for args in (["compare", seed_path("001"), suspect, "--json"], ["check", "--db", db, suspect,
                 "-f", "jsonl"]):  # fmt: skip
        code, out, err = invoke(*args)
        assert code == 0, err
        assert not set(out) & set("\x1b\x07\r\x9b"), args  # JSON escapes them: \u001b
        assert any("Da" in a["copy"] for a in _alterations(json.loads(out)))


def _alterations(d: dict[str, object]) -> list[dict[str, str]]:
    matches = d.get("matches")
    return [a for m in (matches if isinstance(matches, list) else [d]) for a in m["alterations"]]


def test_csv_cells_cannot_be_formulas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name a spreadsheet would run as a formula (=, +, -, @) gets a leading '."""
    monkeypatch.chdir(tmp_path)  # relative names: a cell starts with the name
    Path("=HYPERLINK(evil).txt").write_text(seed_text("001"), encoding="utf-8")
    invoke("add", "--db", "i.db", "=HYPERLINK(evil).txt")
    for name in ("+cmd.txt", "-2+3.txt", "@SUM(A1).txt"):
        Path(name).write_text(seed_text("000"), encoding="utf-8")
        code, out, _ = invoke("check", "--db", "i.db", "-f", "csv", "--", name)
        assert code == 0
        (row,) = list(csv.DictReader(io.StringIO(out)))
        assert (row["source"], row["copy"]) == ("'=HYPERLINK(evil).txt", f"'{name}")
    from provenance.report.json import csv_cell

    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@A", "\tx", "\rx", "ok", 0.5)] == [
        "'=1+1", "'+1", "'-1", "'@A", "'\tx", "'\\x0dx", "ok", 0.5
    ]  # fmt: skip


def test_html_argument_spans_index_the_extracted_text(tmp_path: Path) -> None:
    """For an .html argument, offsets refer to the page's main text, which JSON gives."""
    body = seed_text("000").replace("Luigi Di Maio", "Luigi Da Maio", 1)
    page = tmp_path / "page.html"
    paragraphs = "".join(f"<p>{line}</p>\n" for line in body.splitlines() if line.strip())
    page.write_text(
        f"<html><head><title>t</title></head><body><nav>Home | World</nav>"
        f"<article>{paragraphs}</article><footer>(c) 2026</footer></body></html>",
        encoding="utf-8",
    )
    code, out, _ = invoke("compare", seed_path("001"), page, "--json")
    assert code == 0
    d = json.loads(out)
    assert "source_text" not in d  # a text file: spans index its decoded text
    text = d["copy_text"]
    assert "<p>" not in text and "Home | World" not in text
    assert d["alterations"]
    for a in d["alterations"]:
        start, end = a["copy_span"]
        assert text[start:end] == a["copy"]
    for added in d["added"]:
        assert text[added["copy_span"][0] : added["copy_span"][1]] == added["text"]


def test_stray_nul_bytes_are_read_with_a_warning(tmp_path: Path) -> None:
    """A scraped copy with NUL bytes in it is compared, and says what was ignored."""
    text = seed_path("001").read_bytes()
    scraped = tmp_path / "scraped.txt"
    one, two = text.index(b" ", 800), text.index(b" ", len(text) // 2)
    scraped.write_bytes(text[:one] + b"\x00" + text[one:two] + b"\x00\x00" + text[two:])
    warning = f"{scraped}: 3 stray control characters (NUL) ignored"
    code, out, err = invoke("compare", seed_path("001"), scraped, "--json")
    assert (code, err) == (0, f"Warning: {warning}\n")
    d = json.loads(out)
    assert (d["verdict"], d["source_coverage"], d["warnings"]) == ("verbatim", 1.0, [warning])
    code, out, err = invoke("compare", seed_path("001"), scraped)  # the text output too
    assert (code, err) == (0, f"Warning: {warning}\n")
    db = tmp_path / "i.db"
    code, out, err = invoke("add", "--db", db, scraped)  # as a source
    assert (code, err) == (0, f"Warning: {warning}\n")
    assert out.startswith("1 added (")
    code, out, err = invoke("check", "--db", db, seed_path("001"), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["matches"][0]["verdict"] == "verbatim"
    invoke("remove", "--db", db, scraped)
    invoke("add", "--db", db, seed_path("001"))
    code, out, err = invoke("check", "--db", db, scraped, "--json")  # as a suspect
    assert (code, err) == (0, f"Warning: {warning}\n")
    result = json.loads(out)
    assert result["warnings"] == [warning]
    assert result["matches"][0]["verdict"] == "verbatim"


# -- issue 16: what a new user trips over ------------------------------------------------


def _json(*args: str | Path) -> dict[str, Any]:
    code, out, _ = invoke(*args, "--json")
    assert code in (0, 1)
    data: dict[str, Any] = json.loads(out)
    return data


def test_check_headline_leads_with_the_copy(seed_db: Path) -> None:
    """000 is a verbatim copy of 001 and shares passages with 004 (a later text that reused
    some of 001): the headline says so, and 004's differences are not meaning changes."""
    code, out, _ = invoke("check", "--db", seed_db, seed_path("000"), env=WIDE)
    assert code == 0
    lines = out.splitlines()
    assert " ".join(lines[0].split()) == (
        f"{seed_path('000')}: a verbatim copy of {seed_path('001').name}, no alteration that "
        "may change the meaning; shares passages with 1 other source"
    )
    assert "MEANING CHANGED" not in out
    assert "PARTIAL" not in out  # the partial match is one line, not a panel
    shared = out[out.index("shares passages with (not copies):") :]
    assert f"2. {seed_path('004')}: " in shared
    assert "(not a copy: not counted as alterations)" in " ".join(shared.split())


def test_check_headline_counts_the_copy_alterations_only(seed_db: Path) -> None:
    data = _json("check", "--db", seed_db, seed_path("003"))
    copy = data["matches"][0]
    assert copy["verdict"] == "paraphrased"
    risky = copy["counts"]["meaning_changing"]
    code, out, _ = invoke("check", "--db", seed_db, seed_path("003"))
    assert " ".join(out.split()).startswith(
        f"{seed_path('003')}: a paraphrased copy of {seed_path('004').name}, {risky} "
        "alterations that may change the meaning; shares passages with 1 other source"
    )


@pytest.mark.parametrize(
    ("command", "default"), [("compare", 10), ("check", 5)], ids=["compare", "check"]
)
def test_alterations_option_lists_more(seed_db: Path, command: str, default: int) -> None:
    args: list[str | Path] = (
        ["compare", seed_path("004"), seed_path("003")]
        if command == "compare"
        else ["check", "--db", seed_db, seed_path("003")]
    )
    data = _json(*args)
    alterations = (data if command == "compare" else data["matches"][0])["alterations"]
    total = len(alterations)
    # where the seed's "Antony J." -> "Antony L." stands in the riskiest-first order
    pos = next(i for i, a in enumerate(alterations, 1) if "Antony L." in a["copy_context"])
    code, out, _ = invoke(*args)
    assert f"({default} of {total}; --alterations all lists every one)" in out
    if default < pos:
        assert "Antony L." not in out
    code, out, _ = invoke(*args, "--alterations", "all")
    assert code == 0
    assert f"({total} of {total})" in out
    flat = " ".join(out.split())
    assert "Antony L." in flat and "kitchen counter" in flat
    code, out, _ = invoke(*args, "-a", str(pos))
    assert f"({pos} of {total}; --alterations all lists every one)" in out
    assert "Antony L." in " ".join(out.split())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "0 is not a positive number (or 'all')"),
        ("some", "'some' is neither a number nor 'all'"),
    ],
)
def test_alterations_option_bad_values(value: str, message: str) -> None:
    code, out, err = invoke("compare", "--alterations", value, seed_path("004"), seed_path("003"))
    assert (code, out) == (2, "")
    assert err == (
        f"Error: Invalid value for '--alterations' / '-a': {message} (see `prov compare --help`)\n"
    )


@pytest.mark.parametrize(
    ("is_terminal", "env", "expected"),
    [
        (False, {"TERM": "xterm"}, False),  # a pipe or a file: never
        (True, {"TERM": "xterm"}, True),
        (True, {"TERM": "dumb"}, False),
        (True, {}, False),
        (True, {"TERM": "xterm", "PAGER": ""}, False),
    ],
)
def test_pager_only_on_a_terminal(is_terminal: bool, env: dict[str, str], expected: bool) -> None:
    assert use_pager(is_terminal, env) is expected


def test_passage_counts_agree(seed_db: Path) -> None:
    """One passage count: what `prov sources` lists is what check counts."""
    listed = {Path(s["path"]).name[:3]: s for s in _json("sources", "--db", seed_db)}
    assert listed["001"]["languages"] == {"en": 24, "arabic": 27}
    for suspect, source in (("000", "001"), ("003", "004")):
        match = _json("check", "--db", seed_db, seed_path(suspect))["matches"][0]
        assert Path(match["source"]).name[:3] == source
        assert match["counts"]["passages"] == listed[source]["passages"]
    code, out, _ = invoke("sources", "--db", seed_db)
    assert "│       24 │ en (+27 arabic) │" in out


def test_stdin_is_a_suspect(seed_db: Path) -> None:
    data = seed_path("003").read_bytes()
    result = runner.invoke(app, ["check", "--db", str(seed_db), "-", "--json"], input=data)
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert (got["suspect"], got["matches"][0]["verdict"]) == ("<stdin>", "paraphrased")
    want = _json("check", "--db", seed_db, seed_path("003"))
    assert got["suspect_sha256"] == want["suspect_sha256"]
    assert got["matches"][0]["alterations"] == want["matches"][0]["alterations"]
    result = runner.invoke(app, ["check", "--db", str(seed_db), "-"], input=data)
    assert result.stdout.startswith("<stdin>: a paraphrased copy of 004_")


def test_stdin_is_a_copy_to_compare() -> None:
    data = seed_path("000").read_bytes()
    result = runner.invoke(app, ["compare", str(seed_path("001")), "-", "--json"], input=data)
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert (got["copy"], got["verdict"], got["fidelity"]) == ("<stdin>", "verbatim", 1.0)


def test_stdin_html_is_read_by_its_main_text(tmp_path: Path) -> None:
    body = "".join(f"<p>{p}</p>" for p in seed_path("001").read_text().split("\n")[:9])
    page = f"<!DOCTYPE html><html><body><nav>Home | News</nav>{body}</body></html>"
    args = ["compare", str(seed_path("001")), "-", "--json"]
    result = runner.invoke(app, args, input=page.encode())
    assert result.exit_code == 0
    assert "<p>" not in json.loads(result.stdout)["copy_sha256"]
    assert json.loads(result.stdout)["verdict"] in ("partial", "verbatim")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n" + b"1 0 obj << /Type /Page >> endobj\n" * 50, "binary data, not text "
         "(a PDF document; extract its text first, e.g. with pdftotext)"),
        (b"PK\x03\x04\x14\x00" + bytes(range(256)) * 4, "binary data, not text (a ZIP archive "
         "(or a .docx, .odt or .epub document))"),
        (bytes(4000) + b"a short line of text after four thousand NULs", "binary data, not text"),
    ],
)  # fmt: skip
def test_binary_files_are_still_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    bad = tmp_path / "b.txt"
    bad.write_bytes(data)
    code, out, err = invoke("compare", seed_path("001"), bad)
    assert (code, out, err) == (3, "", f"Error: {bad}: {reason}\n")


MUSEUM = """Harbour history month opens at the museum

The maritime museum in the old customs house opened its harbour history month on Saturday with a display of photographs lent by families whose grandparents worked on the quays. Volunteers spent the winter scanning more than four hundred prints, many of which had never been shown in public.

Curator Elena Marsh said the exhibition was built around the people rather than the ships. "Everybody knows the lighthouse and the ferry, but very few visitors know who carried the fish or mended the nets," she said.

For readers who want the short version, the museum has put together the following, also printed on the back of the free leaflet:

{items}

The exhibition runs until the end of the month and entry is free for residents. A guided walk along the quay leaves the museum every Sunday at eleven, weather permitting.

Share this article
"""  # noqa: E501


def test_a_list_copied_into_a_page_is_found_with_its_words(tmp_path: Path) -> None:
    """Sources written one item per line (a timeline, numbered steps, a table as text):
    their words are indexed and compared, and a page that copies them is found."""
    from tests.test_segment import PIPE_TABLE, STEPS, TAB_TABLE, TIMELINE

    db = tmp_path / "i.db"
    lists = {"timeline": TIMELINE, "steps": STEPS, "pipes": PIPE_TABLE, "tabs": TAB_TABLE}
    for name, text in lists.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    code, out, err = invoke("add", "--db", db, *(tmp_path / f"{n}.txt" for n in lists))
    assert (code, err) == (0, "")
    for name, text in lists.items():
        items = text.split("\n\n", 1)[1].strip()
        page = tmp_path / f"page-{name}.txt"
        page.write_text(MUSEUM.format(items=items), encoding="utf-8")
        code, out, err = invoke("compare", tmp_path / f"{name}.txt", page, "--json")
        assert (code, err) == (0, "")
        d = json.loads(out)
        words = len(items.replace("|", " ").replace("-", " ").split())
        assert d["counts"]["found_words"] == d["counts"]["source_words"] >= words * 0.8
        assert (d["verdict"], d["fidelity"]) == ("verbatim", 1.0)
        code, out, err = invoke("check", "--db", db, page, "--json")
        assert (code, err) == (0, "")
        (match,) = json.loads(out)["matches"]
        assert (Path(match["source"]).name, match["verdict"]) == (f"{name}.txt", "verbatim")


def test_a_source_with_no_body_text_says_so(tmp_path: Path) -> None:
    menu = tmp_path / "menu.txt"
    menu.write_text("Home | News | Sport\n\nShare on Facebook\n\nwww.example.com/contact/\n")
    reasons = "navigation or short line"
    code, out, err = invoke("compare", menu, seed_path("001"), "--json")
    assert (code, err) == (1, f"Warning: {menu}: no body text to compare (only {reasons})\n")
    assert json.loads(out)["warnings"] == [f"{menu}: no body text to compare (only {reasons})"]
    code, out, err = invoke("add", "--db", tmp_path / "i.db", menu)
    assert (code, err) == (3, f"Error: {menu}: no body text to index (only {reasons})\n")


def test_a_short_block_in_the_source_language_is_compared(tmp_path: Path) -> None:
    """A short English line whose names look Italian ("Che", "in") is compared as
    English, in the source and in the copy."""
    from tests.test_segment import ARTICLE

    line = "Che Guevara's son Camilo dies in Caracas"
    source = tmp_path / "s.txt"
    source.write_text(f"{ARTICLE}\n\n{line}\n", encoding="utf-8")
    copy = tmp_path / "c.txt"
    copy.write_text(MUSEUM.format(items=f"{ARTICLE}\n\n{line}"), encoding="utf-8")
    code, out, _ = invoke("compare", source, copy, "--json")
    d = json.loads(out)
    assert code == 0
    assert not [a for a in d["added"] if "other language" in a["reason"]]
    assert d["missing"] == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no text (the file is empty or whitespace only)"),
        (b"\x00\x01\x02binary\x00\x00\x03", "binary data, not text"),
    ],
)
def test_stdin_bad_input_exit_3(seed_db: Path, data: bytes, reason: str) -> None:
    for args in (["check", "--db", str(seed_db), "-"], ["compare", str(seed_path("001")), "-"]):
        result = runner.invoke(app, args, input=data)
        assert (result.exit_code, result.stderr) == (3, f"Error: <stdin>: {reason}\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "-", "-"], "standard input (-) can be read only once"),
        (["compare", "-", "-"], "only one of SOURCE and COPY can be - (standard input)"),
    ],
)
def test_stdin_read_once(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, input=b"text")
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")


@pytest.mark.parametrize(
    ("args", "err"),
    [
        (
            ["check", "--foo", "x"],
            "Error: No such option: --foo (Possible options: --format, --top) "
            "(see `prov check --help`)\n",
        ),
        (["check"], "Error: Missing argument 'SUSPECT...'. (see `prov check --help`)\n"),
        (
            ["check", "--top", "0", "x"],
            "Error: Invalid value for '--top': 0 is not in the range x>=1. "
            "(see `prov check --help`)\n",
        ),
        (["nope"], "Error: No such command 'nope'. (see `prov --help`)\n"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], err: str) -> None:
    code, out, got = invoke(*args)
    assert (code, out, got) == (2, "", err)


def test_prov_alone_prints_its_help() -> None:
    code, out, err = invoke()
    assert "Usage: prov [OPTIONS] COMMAND [ARGS]..." in out + err
    assert "Error" not in out + err


def test_add_of_only_unreadable_files_creates_no_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00\x00\x03")
    db = tmp_path / "new.db"
    code, out, err = invoke("add", "--db", db, bad)
    assert (code, err) == (3, f"Error: {bad}: binary data, not text\n")
    assert out == f"1 failed; nothing to add, no index created at {db}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


def test_check_of_a_non_database_leaves_nothing_beside_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, only some notes\n" * 20)
    code, out, err = invoke("check", "--db", notes, seed_path("003"))
    assert code == 4
    assert err.startswith(f"Error: {notes}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "add",
            "Error: interrupted; what was done is kept, and the same command run again "
            "finishes the work\n",
        ),
        ("check", "Error: interrupted\n"),
    ],
)
def test_interrupted_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, message: str
) -> None:
    def stop(*_: object, **__: object) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(indexing if command == "add" else pipeline, command, stop)
    code, _, err = invoke(command, "--db", tmp_path / "i.db", seed_path("001"))
    assert (code, err) == (130, message)


def test_import_results_says_what_it_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.spark import parquet

    stats = parquet.ImportStats(0, 0, 0, 0, 12, skipped_matches=7)
    monkeypatch.setattr(parquet, "import_results", lambda *_: stats)
    code, out, _ = invoke("import-results", "job", "--db", "x.db")
    assert (code, out) == (
        0,
        "0 pages recorded (0 new contents), 0 matches imported, 0 unreadable, 12 pages "
        "already in the database (7 matches not imported again)\n",
    )


def test_check_counts_meaning_changes_in_an_excerpt(tmp_path: Path, seed_db: Path) -> None:
    """An excerpt of 004 (its first paragraphs) with a qualifier inserted is a copy of part
    of it: the headline counts its meaning change."""
    text = seed_path("004").read_text(encoding="utf-8")
    first = text[: text.index("The Ministers committed to")]
    at = first.index("met today")
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text(first[:at] + "reportedly " + first[at:], encoding="utf-8")
    match = _json("check", "--db", seed_db, excerpt)["matches"][0]
    assert (Path(match["source"]).name[:3], match["verdict"]) == ("004", "partial")
    risky = match["counts"]["meaning_changing"]
    assert risky >= 1
    code, out, _ = invoke("check", "--db", seed_db, excerpt, env=WIDE)
    assert " ".join(out.split()).startswith(
        f"{excerpt}: a partial copy of {seed_path('004').name}, {plural(risky, 'alteration')} "
        "that may change the meaning"
    )
    assert "MEANING CHANGED" in out


def test_compare_dates_from_the_command_line(tmp_path: Path) -> None:
    code, out, _ = invoke(
        "compare", seed_path("001"), seed_path("002"), "--json", "--source-date", "2020-06-05"
    )
    assert code == 0
    d = json.loads(out)
    assert d["direction"]["older"] == "copy"  # 002 carries "June 4, 2020"
    assert "The copy may be the original" in d["summary"]
    code, out, _ = invoke(
        "compare", seed_path("001"), seed_path("002"), "--source-date", "June 3, 2020"
    )
    assert "The source is older" in " ".join(out.split())


def test_compare_bad_date_exit_2() -> None:
    code, _, err = invoke(
        "compare", seed_path("001"), seed_path("002"), "--copy-date", "2020-13-01"
    )
    assert code == 2
    assert "not a date: '2020-13-01'" in " ".join(err.split())


def test_every_verdict_says_why_and_explain_prints_the_rule(tmp_path: Path) -> None:
    """A sentence quoted exactly inside a long unrelated page: partial, a quote, and the
    text output says so in words; --explain adds the rule that decided (JSON: rule)."""
    source = seed_text("001")
    quoted = next(s for s in source.split(". ") if 20 <= len(s.split()) <= 35) + "."
    filler = " ".join(
        f"The harbour committee met on day {i} to discuss the ferry timetable, the price of "
        "diesel and the painting of the old lighthouse."
        for i in range(60)
    )
    page = tmp_path / "page.txt"
    page.write_text(f'{filler}\n\nAs the statement put it: "{quoted}"\n\n{filler}\n')
    d = _json("compare", seed_path("001"), page)
    assert (d["verdict"], d["extent"], d["wording"]) == ("partial", "quote", "verbatim")
    assert d["reason"].startswith("one sentence (") and d["reason"].endswith("a quote")
    assert d["rule"].startswith("quote: ")
    code, out, _ = invoke("compare", seed_path("001"), page, env=WIDE)
    assert code == 0
    assert d["reason"] in out and "rule:" not in out
    code, out, _ = invoke("compare", seed_path("001"), page, "--explain", env=WIDE)
    assert f"rule: {d['rule']}" in " ".join(out.split())
    db = tmp_path / "i.db"
    invoke("add", "--db", db, seed_path("001"))
    code, out, _ = invoke("check", "--db", db, page, "--explain", env=WIDE)
    assert code == 0
    assert d["reason"] in out and f"rule: {d['rule']}" in " ".join(out.split())


# -- which text is older, in check ---------------------------------------------------------

BOARD = (
    "The harbour board voted on Tuesday to close the old ferry terminal at the end of the "
    "summer season, ending ninety years of crossings to the island. Board chair Mirela Vos "
    "said the pier had become unsafe after two winters of storms and that repairs would cost "
    "more than a new landing on the north shore.\n\nResidents of the island packed the "
    "meeting hall and asked the board to keep a reduced service until the new landing opens. "
    "Several fishermen said the closure would double the time it takes to bring their catch "
    "to the mainland market each morning.\n"
)


def _dated(tmp_path: Path, source_line: str, copy_line: str) -> tuple[Path, Path, Path]:
    src, copy = tmp_path / "board.txt", tmp_path / "copy.txt"
    src.write_text(source_line + BOARD, encoding="utf-8")
    copy.write_text(copy_line + BOARD.replace("more than", "less than"), encoding="utf-8")
    db = tmp_path / "i.db"
    return src, copy, db


def test_check_says_which_text_is_older_by_the_dates_they_carry(tmp_path: Path) -> None:
    src, copy, db = _dated(tmp_path, "Published: 4 June 2021\n\n", "Published: 9 July 2021\n\n")
    assert invoke("add", "--db", db, src)[0] == 0
    match = _json("check", "--db", db, copy)["matches"][0]
    assert match["direction"] == {
        "source_date": "2021-06-04", "source_date_from": "published line",
        "copy_date": "2021-07-09", "copy_date_from": "published line", "older": "source",
    }  # fmt: skip
    assert "The source is older" in match["summary"]
    code, out, _ = invoke("check", "--db", db, copy, env=WIDE)
    flat = " ".join(out.split())
    assert flat.startswith(f"{copy}: a near-verbatim copy of board.txt, 1 alteration that may")
    assert "The source is older" in flat


def test_check_date_option_makes_the_suspect_older(tmp_path: Path) -> None:
    """``--date`` before the source's: the suspect may be the original, its differences
    are differences (compare's rule and words), in text, JSON and HTML."""
    src, copy, db = _dated(tmp_path, "Published: 4 June 2021\n\n", "")
    assert invoke("add", "--db", db, src)[0] == 0
    match = _json("check", "--db", db, copy, "--date", "2021-03-01")["matches"][0]
    assert match["direction"]["older"] == "copy"
    assert match["direction"]["copy_date_from"] == "given"
    assert "with 1 difference;" in match["summary"]
    assert "The copy may be the original" in match["summary"]
    code, out, _ = invoke("check", "--db", db, copy, "--date", "March 1, 2021", env=WIDE)
    flat = " ".join(out.split())
    assert code == 0
    assert flat.startswith(
        f"{copy}: a near-verbatim copy of board.txt dated before it (the suspect may be the "
        "original), no alteration that may change the meaning"
    )
    html = tmp_path / "r.html"
    assert invoke("check", "--db", db, copy, "--date", "2021-03-01", "--html", html)[0] == 0
    assert "The copy may be the original" in html.read_text(encoding="utf-8")
    # no date anywhere for the suspect: nothing said
    match = _json("check", "--db", db, copy)["matches"][0]
    assert match["direction"]["older"] is None and "older" not in match["summary"]


def test_add_date_is_kept_for_the_source(tmp_path: Path) -> None:
    src, copy, db = _dated(tmp_path, "", "Published: 1 March 2021\n\n")
    assert invoke("add", "--db", db, src, "--date", "2021-06-04")[0] == 0
    d = _json("check", "--db", db, copy)["matches"][0]["direction"]
    assert (d["source_date"], d["source_date_from"], d["older"]) == ("2021-06-04", "given", "copy")
    # given again for the unchanged file: the new date replaces the old one
    assert invoke("add", "--db", db, src, "--date", "2020-01-31")[0] == 0
    d = _json("check", "--db", db, copy)["matches"][0]["direction"]
    assert (d["source_date"], d["older"]) == ("2020-01-31", "source")
    # the suspect's --date wins over the date its text carries
    d = _json("check", "--db", db, copy, "--date", "2019-12-01")["matches"][0]["direction"]
    assert (d["copy_date"], d["copy_date_from"], d["older"]) == ("2019-12-01", "given", "copy")


@pytest.mark.parametrize("command", ["check", "add"])
def test_date_option_bad_value_exit_2(tmp_path: Path, command: str) -> None:
    src, _, db = _dated(tmp_path, "", "")
    code, _, err = invoke(command, "--db", db, src, "--date", "2021-02-30")
    assert code == 2
    assert "not a date: '2021-02-30' (use 2021-06-28 or June 28, 2021)" in " ".join(err.split())
    assert not db.exists()
