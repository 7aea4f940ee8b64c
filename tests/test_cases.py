"""Hard cases: hand-written sources and generated copies (scripts/make_cases.py).

Each case of ``tests/assets/cases/manifest.json`` names a source, a copy, the verdicts
that are acceptable and what else must hold; this test asserts all of it. Cases that
prov gets wrong are listed in ``KNOWN_FAILURES`` (strict xfail) with the diagnosis;
their expectations are not relaxed.
"""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from provenance.match.results import Alteration, Score
from provenance.pipeline import prepare
from provenance.verify import compare_segmented

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "assets" / "cases"
MANIFEST = json.loads((CASES / "manifest.json").read_text(encoding="utf-8"))
MEANING_RISKS = {"qualifier", "name", "number"}

#: case id -> why prov gets it wrong (do not relax the expectation; fix prov).
KNOWN_FAILURES: dict[str, str] = {}


def _params() -> list[Any]:
    out = []
    for case in MANIFEST["cases"]:
        marks = []
        if case["id"] in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case["id"]]))
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@cache
def _score(source: str, copy: str) -> Score:
    src = prepare((CASES / source).read_text(encoding="utf-8"))
    cp = prepare((CASES / copy).read_text(encoding="utf-8"))
    return compare_segmented(src, cp)


def _has_word(words: str, text: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text))


def _matches(alt: Alteration, want: dict[str, Any]) -> bool:
    if alt.risk != want["risk"] or ("kind" in want and alt.kind != want["kind"]):
        return False
    if "in_quote" in want and alt.in_quote != want["in_quote"]:
        return False
    if want.get("exact"):
        return (alt.source, alt.copy) == (want["source"], want["copy"])
    return _has_word(want["source"], alt.source) and _has_word(want["copy"], alt.copy)


def _describe(s: Score) -> str:
    alts = "\n".join(f"  {a.risk:9} {a.kind:12} {a.source!r} -> {a.copy!r}" for a in s.alterations)
    added = "\n".join(f"  [{a.reason}] {a.text[:70]!r}" for a in s.added)
    return (
        f"verdict={s.verdict} fidelity={s.fidelity} source_coverage={s.source_coverage}"
        f" copy_coverage={s.copy_coverage} meaning_changed={s.meaning_changed}"
        f" passages={s.passages_found}/{s.passages}\nalterations:\n{alts}\nadded:\n{added}"
    )


def check_case(case: dict[str, Any]) -> list[str]:
    """Every unmet expectation of ``case``, as a message (empty when all hold)."""
    s = _score(case["source"], case["copy"])
    errors = []
    if s.verdict not in case["verdicts"]:
        errors.append(f"verdict {s.verdict!r} not in {case['verdicts']}")
    bounds = (
        ("min_source_coverage", s.source_coverage, 1),
        ("max_source_coverage", s.source_coverage, -1),
        ("min_copy_coverage", s.copy_coverage, 1),
        ("min_fidelity", s.fidelity, 1),
        ("max_fidelity", s.fidelity, -1),
    )
    for key, value, sign in bounds:
        if key in case and (value - case[key]) * sign < 0:
            errors.append(f"{key.split('_', 1)[1]} {value} breaks {key} {case[key]}")
    if "meaning_changed" in case and s.meaning_changed != case["meaning_changed"]:
        errors.append(f"meaning_changed is {s.meaning_changed}")
    if "max_alterations" in case and len(s.alterations) > case["max_alterations"]:
        errors.append(f"{len(s.alterations)} alterations, at most {case['max_alterations']}")
    meaning = [a for a in s.alterations if a.risk in MEANING_RISKS]
    if "max_meaning_alterations" in case and len(meaning) > case["max_meaning_alterations"]:
        errors.append(
            f"{len(meaning)} meaning-changing alterations, at most"
            f" {case['max_meaning_alterations']}"
        )
    for want in case.get("alterations", []):
        if not any(_matches(a, want) for a in s.alterations):
            errors.append(f"alteration not listed: {want}")
    for want in case.get("added", []):
        if not any(
            want["text"] in a.text and a.reason.startswith(want["reason_prefix"]) for a in s.added
        ):
            errors.append(f"added material not listed: {want}")
    return errors


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]) -> None:
    errors = check_case(case)
    s = _score(case["source"], case["copy"])
    assert not errors, "\n".join(errors) + "\n" + _describe(s)


HEADLINE_CASES = [c for c in MANIFEST["cases"] if c["id"].endswith("-shuffled")]


@pytest.mark.parametrize("case", HEADLINE_CASES, ids=[c["id"] for c in HEADLINE_CASES])
def test_source_headline_is_not_reported_as_new(case: dict[str, Any]) -> None:
    """The copy repeats the source's own headline: it must not be listed as material
    "not in the source" (``Added`` is "copy text that does not come from the source")."""
    title = (CASES / case["source"]).read_text(encoding="utf-8").split("\n", 1)[0].strip()
    s = _score(case["source"], case["copy"])
    wrong = [a for a in s.added if a.text == title and "not in the source" in a.reason]
    assert not wrong, f"source headline listed as added: {wrong}"


def test_manifest_covers_every_copy() -> None:
    listed = {c["copy"] for c in MANIFEST["cases"]}
    on_disk = {f"copies/{p.name}" for p in (CASES / "copies").glob("*.txt")}
    assert listed == on_disk
    assert len({c["id"] for c in MANIFEST["cases"]}) == len(MANIFEST["cases"])


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_cases.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    names = [f"copies/{p.name}" for p in (CASES / "copies").glob("*.txt")] + ["manifest.json"]
    _, mismatch, errors = filecmp.cmpfiles(CASES, tmp_path, names, shallow=False)
    assert not mismatch and not errors, f"regenerate with scripts/make_cases.py: {mismatch}"
