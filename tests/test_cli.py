from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from tests.conftest import seed_path

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
