"""prov: text provenance and near-duplicate detection.

Which canonical texts does a page copy, how much of each, how faithfully, and which
words were altered, added or dropped?

>>> from provenance import compare_texts
>>> r = compare_texts("The minister said the plan would cut taxes by 5% next year.",
...                   "The minister said the plan would not cut taxes by 50% next year.")
>>> r.verdict, r.meaning_changed
('paraphrased', True)
"""

from __future__ import annotations

from provenance.errors import IndexMismatch, InputError, NotFound, ProvError, StoreError
from provenance.match.score import Alteration, CheckResult, CompareResult, Score
from provenance.params import DEFAULT_PARAMS, DEFAULT_POLICY, Params, Policy
from provenance.pipeline import add, check, compare, compare_segmented, prepare, remove, sources

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


def compare_texts(source: str, copy: str, policy: Policy = DEFAULT_POLICY) -> Score:
    """Compare two texts given as strings."""
    return compare_segmented(prepare(source), prepare(copy), policy)
