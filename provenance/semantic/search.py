"""The semantic step of ``check`` and ``scan`` (``prov[semantic]``, an index with vectors).

After the word path has verified the LSH's candidates, the suspect's body passages
that no found match explains (another language, or text "not in the source") are
embedded, once per suspect, and:

1. aligned with each found source's stored passage vectors
   (:func:`provenance.semantic.crosslang.rescore`): a partial copy whose other part is
   a translation or a rewrite;
2. when some are still unexplained (LSH proposes nothing for a translated block: it
   shares no words with its source), searched among all stored vectors: the sources
   that hold the nearest neighbours of at least :data:`MIN_HITS` of them are verified
   like LSH candidates (word path, then ``rescore``).

The model is loaded only when there is something to embed, once per process
(:mod:`provenance.semantic.encoder`); a suspect the word path explains whole costs
nothing. An index without vectors, or with vectors of another encoder, is not
searched (:func:`provenance.semantic.step.status` says why; ``prov doctor`` too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from provenance.index import vectors
from provenance.match.evidence import UNRELATED
from provenance.match.results import Score
from provenance.params import Policy
from provenance.semantic import bitext, cache, encoder, step
from provenance.semantic.crosslang import rescore
from provenance.text.language import UNDETERMINED
from provenance.text.segment import BODY, Passage, Segmented

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from provenance.index.records import StoredText
    from provenance.index.store import Store

#: Nearest stored passages looked at per suspect passage.
NEIGHBOURS = 4
#: Suspect passages whose neighbours a source must hold to be verified: a run of
#: :data:`provenance.semantic.bitext.RUN_PAIRS` pairs is the least evidence.
MIN_HITS = bitext.RUN_PAIRS
#: Sources found by the nearest-neighbour search verified per suspect at most.
MAX_NEIGHBOUR_SOURCES = 4
#: Suspect passages embedded per suspect at most (bounds the step's cost on huge pages).
MAX_PASSAGES = bitext.MAX_SENTENCES

#: A stored source's text segmented, from its stored segmentation when given
#: (``pipeline``'s cache of prepared sources).
Prepare = Callable[[str, bytes | None], Segmented]
#: The word path: a source and the suspect, aligned and scored.
WordPath = Callable[[Segmented, Segmented], Score]


class TextVectors:
    """A text's passage vectors, embedded on first use and kept (one suspect is aligned
    with several sources)."""

    def __init__(self, seg: Segmented) -> None:
        self.seg = seg
        self._rows: dict[tuple[int, int], npt.NDArray[np.float32]] = {}

    def __call__(self, passages: Sequence[Passage]) -> npt.NDArray[np.float32]:
        import numpy as np

        todo = [p for p in dict.fromkeys(passages) if (p.first, p.last) not in self._rows]
        if todo:
            rows = cache.embed([self.seg.norm.original(p.first, p.last) for p in todo])
            for p, row in zip(todo, rows, strict=True):
                self._rows[(p.first, p.last)] = row
        if not passages:
            return np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
        return np.vstack([self._rows[(p.first, p.last)] for p in passages])


def source_vectors(seg: Segmented) -> vectors.SourceVectors:
    """The vectors ``add`` stores for a source: its body passages (as ``rescore`` aligns
    them), none when its language is not one the encoder knows."""
    import numpy as np

    units = seg.body_passages()
    if seg.lang not in encoder.LANGUAGES | {UNDETERMINED} or not units:
        return vectors.SourceVectors((), np.zeros((0, 0), dtype=np.float32))
    rows = encoder.embed([seg.norm.original(p.first, p.last) for p in units])
    return vectors.SourceVectors(tuple((p.first, p.last) for p in units), rows)


def open_passages(seg: Segmented, found: Sequence[tuple[StoredText, Score]]) -> list[Passage]:
    """The suspect's body passages (in a language the encoder knows) that no found
    match covers for the most part."""
    covered = bytearray(len(seg.norm.text))
    for _, s in found:
        for pair in s.pairs:
            if pair.found:
                a, b = pair.copy_span
                covered[a:b] = b"\x01" * (b - a)
    out = []
    for p in seg.passages:
        block = seg.blocks[p.block]
        if block.kind != BODY or block.lang not in encoder.LANGUAGES | {UNDETERMINED}:
            continue
        lo, hi = seg.norm.starts[p.first], seg.norm.ends[p.last - 1]
        if 2 * sum(covered[lo:hi]) < hi - lo:
            out.append(p)
    return out[:MAX_PASSAGES]


def _stored(store: Store, sid: int, seg: Segmented) -> npt.NDArray[np.float32] | None:
    """Source ``sid``'s stored vectors when they match its passages (else None: embedded
    by ``rescore``)."""
    return stored_rows(vectors.get(store, sid), seg)


def by_meaning(
    store: Store,
    seg: Segmented,
    found: list[tuple[StoredText, Score]],
    policy: Policy,
    prepare: Prepare,
    word_path: WordPath,
) -> tuple[list[tuple[StoredText, Score]], int]:
    """``found`` with translated and reworded passages added, and the sources found by
    the nearest-neighbour search; and how many of those were verified (module
    docstring). Unchanged when the index has no usable vectors."""
    if len(open_passages(seg, found)) < MIN_HITS or step.status(store):
        return found, 0
    suspect = TextVectors(seg)
    out = []
    for stored, s in found:
        if _needs_source(s):  # (the word path segmented the source just before: cached)
            src = prepare(stored.text, None)
            s = rescore_found(src, seg, s, policy, suspect, partial(_stored, store, stored.id))
        out.append((stored, s))
    ids = neighbour_sources(seg, out, suspect, lambda: vectors.matrix(store))
    stored_segs = store.segmentations(ids)
    for stored in store.texts(ids):
        src = prepare(stored.text, stored_segs.get(stored.id))
        s = verify_neighbour(src, seg, policy, suspect, _stored(store, stored.id, src), word_path)
        if s.verdict != UNRELATED:
            out.append((stored, s))
    return out, len(ids)


def rescore_found(
    src: Segmented,
    seg: Segmented,
    s: Score,
    policy: Policy,
    suspect: TextVectors,
    stored: Callable[[Segmented], npt.NDArray[np.float32] | None],
) -> Score:
    """Step 1 for one source the word path found: its passages found by meaning, with
    its stored vectors (``stored(src)``, None: embedded now); ``s`` when the match
    leaves no copy text unexplained."""
    if not _needs_source(s):
        return s
    return rescore(src, seg, s, policy, suspect, stored(src))


def neighbour_sources(
    seg: Segmented,
    found: Sequence[tuple[StoredText, Score]],
    suspect: TextVectors,
    matrix: Callable[[], vectors.Matrix],
) -> list[int]:
    """Step 2: the sources (ids, best first) to verify for the suspect passages that
    ``found`` (after step 1) still leaves unexplained: those holding the nearest
    neighbours of :data:`MIN_HITS` of them at least, none of ``found``, at most
    :data:`MAX_NEIGHBOUR_SOURCES`. ``matrix`` gives every stored vector (called only
    when there is something to search)."""
    still = open_passages(seg, found)
    if len(still) < MIN_HITS:
        return []
    owners, sims = vectors.nearest(matrix(), suspect(still), NEIGHBOURS)
    hits: Counter[int] = Counter()
    for row_owners, row_sims in zip(owners.tolist(), sims.tolist(), strict=True):
        for sid in {o for o, v in zip(row_owners, row_sims, strict=True) if v >= bitext.PAIR_MIN}:
            hits[sid] += 1
    known = {stored.id for stored, _ in found}
    ids = [sid for sid, n in hits.most_common() if n >= MIN_HITS and sid not in known]
    return ids[:MAX_NEIGHBOUR_SOURCES]


def verify_neighbour(
    src: Segmented,
    seg: Segmented,
    policy: Policy,
    suspect: TextVectors,
    stored: npt.NDArray[np.float32] | None,
    word_path: WordPath,
) -> Score:
    """A source the neighbour search proposed, verified as an LSH candidate is (word
    path), then by meaning with its vectors ``stored`` (None: embedded now)."""
    return rescore(src, seg, word_path(src, seg), policy, suspect, stored)


def stored_rows(sv: vectors.SourceVectors | None, src: Segmented) -> npt.NDArray[np.float32] | None:
    """A source's stored vectors when they match its passages (else None: embedded by
    ``rescore``)."""
    if sv is None or sv.spans != tuple((p.first, p.last) for p in src.body_passages()):
        return None
    return sv.vectors


def _needs_source(s: Score) -> bool:
    """Whether a found match leaves copy text that may be translated or reworded."""
    return any(a.reason.startswith(("not in the source", "other language")) for a in s.added)


def rescore_stored(
    store: Store, source_id: int, source: Segmented, copy: Segmented, s: Score, policy: Policy
) -> Score:
    """``s`` with the passages found by meaning against indexed source ``source_id``, as
    ``compare`` finds them: with the source's stored vectors when the index has usable
    ones that match its passages (:func:`provenance.semantic.step.status`), else embedded now."""
    if not _needs_source(s):
        return s
    stored = None if step.status(store) else _stored(store, source_id, source)
    return rescore(source, copy, s, policy, None, stored)
