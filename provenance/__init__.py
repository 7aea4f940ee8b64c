"""prov: text provenance and near-duplicate detection.

Which canonical texts does a page copy, how much of each, how faithfully, and which
words were altered, added or dropped?

>>> from provenance import compare_texts
>>> said = "The finance minister said on Tuesday that the new plan would {} income taxes"
>>> r = compare_texts(said.format("cut") + " by 5% for most households next year.",
...                   said.format("not cut") + " by 50% for most households next year.")
>>> r.verdict, r.meaning_changed
('paraphrased', True)
>>> [(a.risk, a.source, a.copy) for a in r.alterations]
[('qualifier', '', 'not'), ('number', '5', '50')]

The names below are loaded on first use (PEP 562), so that importing a light module
of the package (``provenance.errors``, the CLI before it parses its arguments) does not
load the matcher and NumPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.errors import IndexMismatch, InputError, NotFound, ProvError, StoreError
    from provenance.indexing import add
    from provenance.match.results import Alteration, CheckResult, CompareResult, Score
    from provenance.params import DEFAULT_PARAMS, DEFAULT_POLICY, Params, Policy
    from provenance.pipeline import (
        check,
        compare,
        prepare,
        remove,
        sources,
    )
    from provenance.verify import compare_segmented

_WHERE = {
    "IndexMismatch": "provenance.errors",
    "InputError": "provenance.errors",
    "NotFound": "provenance.errors",
    "ProvError": "provenance.errors",
    "StoreError": "provenance.errors",
    "Alteration": "provenance.match.results",
    "CheckResult": "provenance.match.results",
    "CompareResult": "provenance.match.results",
    "Score": "provenance.match.results",
    "DEFAULT_PARAMS": "provenance.params",
    "DEFAULT_POLICY": "provenance.params",
    "Params": "provenance.params",
    "Policy": "provenance.params",
    "add": "provenance.indexing",
    "check": "provenance.pipeline",
    "compare": "provenance.pipeline",
    "compare_segmented": "provenance.verify",
    "prepare": "provenance.pipeline",
    "remove": "provenance.pipeline",
    "sources": "provenance.pipeline",
}

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_POLICY",
    "Alteration",
    "CheckResult",
    "CompareResult",
    "IndexMismatch",
    "InputError",
    "NotFound",
    "Params",
    "Policy",
    "ProvError",
    "Score",
    "StoreError",
    "add",
    "check",
    "compare",
    "compare_segmented",
    "compare_texts",
    "prepare",
    "remove",
    "sources",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def compare_texts(source: str, copy: str, policy: Policy | None = None) -> Score:
    """Compare two texts given as strings (``policy``: the default thresholds if None)."""
    from provenance.params import DEFAULT_POLICY
    from provenance.pipeline import prepare
    from provenance.verify import compare_segmented

    return compare_segmented(prepare(source), prepare(copy), policy or DEFAULT_POLICY)
