"""Every command has help and a README section; the README's commands are the real ones."""

from __future__ import annotations

import re

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
