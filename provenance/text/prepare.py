"""A text as the matching stages take it: normalised and segmented, bounded in size.

``check``, ``compare``, ``add`` and the verifier all segment texts this one way (the
index keeps a source's segmentation as this makes it: :mod:`provenance.index.segments`).
"""

from __future__ import annotations

from dataclasses import replace

from provenance.text.normalize import normalize
from provenance.text.segment import Segmented, segment

#: Characters of a text that are compared at most (about 700,000 words; see ``prepare``).
MAX_TEXT_CHARS = 4_000_000


def prepare(text: str) -> Segmented:
    """Normalise and segment a text: its first :data:`MAX_TEXT_CHARS` characters.

    Longer texts are cut (and say so: ``Segmented.truncated_from``), so that memory stays
    bounded whatever the input (a 50 MB page with no line break is still a page).
    """
    if len(text) <= MAX_TEXT_CHARS:
        return segment(normalize(text))
    cut = text.rfind(" ", MAX_TEXT_CHARS - 1000, MAX_TEXT_CHARS)
    seg = segment(normalize(text[: cut if cut > 0 else MAX_TEXT_CHARS]))
    return replace(seg, truncated_from=len(text))
