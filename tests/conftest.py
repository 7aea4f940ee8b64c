"""Shared fixtures: the seed documents, a built index, and the golden-file switch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from provenance import pipeline, verify
from provenance.pipeline import prepare
from provenance.text.segment import Segmented

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"

# The word path is what most tests pin; with prov[semantic] installed, `add` would embed
# every source and `check` load the model (~1.4 s a process). The tests of the semantic
# path turn it on themselves (tests/test_semantic.py, test_vectors.py, test_report.py).
os.environ.setdefault("PROV_SEMANTIC", "0")

#: Seconds a test waits for a process at most: a guard against a hang, never a speed
#: limit (the suite must pass on a machine whose cores are busy with other work).
HANG_GUARD = 600


def outputs_by_hash_seed(
    code: str, *args: str, seeds: tuple[str, ...] = ("0", "1", "2")
) -> set[str]:
    """What ``python -c code args`` prints in processes of different string-hash seeds
    (``PYTHONHASHSEED``): one output when nothing it prints follows a set's order."""
    outs = set()
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=HANG_GUARD,
        )
        outs.add(done.stdout)
    return outs


# Hypothesis: no per-example deadline and no "generation too slow" health check, which
# measure the machine's speed, not prov (each test's own settings add to these).
settings.register_profile(
    "prov", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("prov")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/ from the current output instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` ("000" ... "004")."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


_PREPARED: dict[str, Segmented] = {}


def seed(prefix: str) -> Segmented:
    """A seed document, normalised and segmented (cached: the stages are pure)."""
    if prefix not in _PREPARED:
        _PREPARED[prefix] = prepare(seed_text(prefix))
    return _PREPARED[prefix]


def expectations() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / "expectations.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index holding the two canonical seeds, 001 (C2020) and 004 (C2021)."""
    from provenance import indexing

    db = tmp_path_factory.mktemp("index") / "seeds.db"
    list(indexing.add([seed_path("001"), seed_path("004")], db))
    return db


def count_prepare_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts ``prepare`` segments from now on (the list grows), with the
    process's cache of segmented stored sources emptied first."""
    calls: list[str] = []
    real = pipeline.prepare

    def counting(text: str) -> Segmented:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(pipeline, "prepare", counting)  # the suspects
    monkeypatch.setattr(verify, "prepare", counting)  # the stored sources
    monkeypatch.setattr(verify, "_source_cache", {})
    monkeypatch.setattr(verify, "_source_cache_chars", 0)
    return calls
