"""Parameters of the index and the documented thresholds of the scores.

:class:`Params` is what an index is built with; it is stored in the database and an
index refuses to be opened with other values (as datasketch refuses to compare
sketches with a different seed or ``num_perm``). :class:`Policy` holds the
thresholds that turn measurements into words (found, verdicts); they are documented
in the README under "How the scores are defined".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Version of the normalisation + segmentation rules. Bump it whenever a change to
#: ``normalize`` or ``segment`` changes the words or passages of some text: an index
#: built under another version must be rebuilt (``prov reindex``).
NORM_VERSION = 3


@dataclass(frozen=True, slots=True)
class Params:
    """How passages are fingerprinted and banded.

    Attributes:
        shingle: words per shingle. 3, not the usual 5: a spun copy replaces 10-25% of
            its words, and a k-word shingle survives with probability (1 - p)^k, so 3
            keeps 0.42-0.73 of a passage's shingles where 5 keeps 0.24-0.59.
        num_perm: MinHash permutations (datasketch's ``num_perm``).
        seed: permutation seed (datasketch's ``seed``); the shingle hash seed is 0.
        bands, rows: LSH banding, ``bands * rows == num_perm``. 32 x 4 puts the
            S-curve's threshold at (1/32)^(1/4) = 0.42 Jaccard: a spun passage
            (Jaccard 0.35-0.6 at 3-word shingles) is proposed with probability
            0.35-0.98, a document of 20 such passages almost surely; two unrelated
            passages on one subject (Jaccard ~0.1) with probability 0.003.
        norm_version: :data:`NORM_VERSION` the index was built with.
    """

    shingle: int = 3
    num_perm: int = 128
    seed: int = 1
    bands: int = 32
    rows: int = 4
    norm_version: int = NORM_VERSION

    def __post_init__(self) -> None:
        if self.shingle < 1:
            raise ValueError(f"shingle must be >= 1, got {self.shingle}")
        if self.bands * self.rows != self.num_perm:
            raise ValueError(
                f"bands * rows must equal num_perm: {self.bands} * {self.rows} != {self.num_perm}"
            )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds that turn measurements into verdicts (see README).

    Attributes:
        found: a source passage is *found* in the copy when its similarity to the copy
            span aligned to it, ``2 * matched / (source words + span words)`` with
            matched words counted in order, is at least this: three quarters of the
            passage survives. Machine spinning at the rates seen in the wild (10-20%
            of words swapped) leaves passages at 0.8-0.97; an editor adapting an old
            text into a new one keeps some sentences whole and rewrites others to
            0.1-0.8, so only the first kind counts as copied.
        complete: ``source_coverage`` from which the copy reproduces the whole
            source (verbatim, near-verbatim or paraphrased); below it, ``partial``.
        min_shared_words: the least source words found (about two sentences) that make
            a pair ``partial`` (extent ``part``) whatever the two texts' lengths, unless
            they are stock phrasing (see README).
        quote_words: the least words of one run reproduced closely (similarity >= 0.9,
            word by word in order) that make a quote: a sentence of 15 words copied
            exactly is reuse whatever the two texts' lengths, where a stock phrase
            ("for more information, contact") is shorter.
        verbatim: least fidelity of a ``verbatim`` copy (at most 1 word in 100 edited,
            and no meaning-changing alteration).
        near_verbatim: least fidelity of a ``near-verbatim`` copy (1 word in 20).
        risk_weight: how many plain word edits one word of a meaning-changing
            alteration (qualifier, name, number) costs in fidelity.
    """

    found: float = 0.75
    complete: float = 0.8
    min_shared_words: int = 40
    quote_words: int = 15
    verbatim: float = 0.99
    near_verbatim: float = 0.95
    risk_weight: float = 2.0


DEFAULT_PARAMS = Params()
DEFAULT_POLICY = Policy()
