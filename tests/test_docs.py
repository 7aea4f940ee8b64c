"""Every command has help and a README section; the README's commands are the real ones."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from provenance.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) > 3


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_readme_section(name: str) -> None:
    assert f"\n### prov {name}\n" in README


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    tests = [b for b in blocks if "pytest" in b]
    assert tests, "README has no test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests[0].strip() in ci


@pytest.mark.parametrize("code", ["0", "1", "2", "3", "4", "5"])
def test_exit_codes_documented(code: str) -> None:
    assert f"\n| {code} |" in README


# -- help texts say what the options do, and only name options that exist --------------

_GROUP = get_command(app)


def _options(name: str) -> set[str]:
    cmd = _GROUP.commands[name]  # type: ignore[attr-defined]
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}


def _help_texts(name: str) -> str:
    cmd = _GROUP.commands[name]  # type: ignore[attr-defined]
    return "\n".join([cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)])


@pytest.mark.parametrize("name", COMMANDS)
def test_help_names_only_options_that_exist(name: str) -> None:
    """Every --option a help text names is an option of that command, or of the command
    it quotes (`prov scan --stock-min 0`)."""
    text = _help_texts(name)
    quoted = re.findall(r"`prov ([a-z-]+)([^`]*)`", text)
    for other, rest in quoted:
        assert other in COMMANDS, f"{name}: help quotes `prov {other}`, no such command"
        for opt in re.findall(r"--[a-z][a-z-]*", rest):
            assert opt in _options(other), f"{name}: help names `prov {other} {opt}`"
    own = re.sub(r"`prov [a-z-]+[^`]*`", "", text)
    for opt in re.findall(r"--[a-z][a-z-]*", own):
        assert opt in _options(name), f"prov {name} --help names {opt}, which it does not have"


def test_add_help_names_every_suffix_it_reads() -> None:
    from provenance.ingest.files import TEXT_SUFFIXES

    text = _help_texts("add")
    assert all(suffix in text for suffix in TEXT_SUFFIXES), (sorted(TEXT_SUFFIXES), text)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["check", "--help"], "[default: $PROV_DB, else ./prov.db]"),
        (["spark-scan", "--help"], "pip install 'prov[spark]'"),
        (["spark-scan", "--help"], "local[*], spark://host:7077, yarn [default: spark-submit's"),
        (["compare", "--help"], "a number or all [default: 10]"),
    ],
)
def test_help_keeps_square_brackets(args: list[str], shown: str) -> None:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert shown in " ".join(result.stdout.split())


def test_readme_examples_are_current() -> None:
    """The README's sample output is what prov prints (scripts/readme_examples.py)."""
    p = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_examples.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert p.returncode == 0, p.stdout + p.stderr


def test_readme_screenshot_command_works_as_root() -> None:
    """The README's screenshot command: the script, which runs Chromium with --no-sandbox
    (Chromium refuses to start as root without it)."""
    assert "scripts/screenshot.py" in README
    script = (ROOT / "scripts" / "screenshot.py").read_text(encoding="utf-8")
    assert '"--no-sandbox"' in script
    for picture in ("samples/report.png", "samples/report-phone.png"):
        assert f"]({picture})" in README
        assert (ROOT / picture).stat().st_size > 10_000


def test_package_docstring_example_runs() -> None:
    """The example at the top of ``provenance/__init__.py`` (``help(provenance)``) is
    what the library answers."""
    import doctest

    import provenance

    result = doctest.testmod(provenance)
    assert result.attempted >= 4 and result.failed == 0
