"""The compiled kernel (provenance/match/_kernel*.c, its files listed in _kernel.h); see
provenance/match/fingerprint.py and provenance/match/alignwork.py."""

from collections.abc import Mapping, Sequence
from typing import Any

from numpy.typing import NDArray

Buffer = bytes | memoryview | NDArray[Any]

def scan(
    text: Buffer,
    starts: Buffer,
    hashes: Buffer,
    chunks: Buffer,
    mostly_hard: int,
    chars_per_chunk: int,
    /,
) -> tuple[int, int]: ...
def sketch(
    word_hashes: Buffer,
    spans: Buffer,
    a: Buffer,
    b: Buffer,
    shingle: int,
    rows: int,
    signatures: Buffer,
    keys: Buffer,
    /,
) -> None: ...
def vote(
    ids: Buffer,
    keys3: Buffer,
    pos3: Buffer,
    keys2: Buffer,
    pos2: Buffer,
    vocab: int,
    width: int,
    most: int,
    max_postings: int,
    /,
) -> tuple[int, list[int]] | None: ...
def blocks(a: Buffer, b: Buffer, /) -> list[tuple[int, int, int]]: ...
def match(
    copy: Buffer, lo: int, hi: int, passage: Buffer, stray: int, /
) -> tuple[int, int, int] | None: ...
def diff(
    a: Buffer, copy: Buffer, lo: int, hi: int, /
) -> tuple[tuple[int, int] | None, int, list[tuple[str, int, int, int, int]]]: ...
def ids(words: Sequence[str], vocab: dict[str, int] | object, /) -> bytes: ...
def number(words: Sequence[str], most: int, /) -> list[Any] | None: ...
def search(
    copy: Buffer,
    used: bytearray,
    passage: Buffer,
    diagonals: list[int],
    slack: int,
    stray: int,
    cells: int,
    /,
) -> tuple[float, int, int, int] | None | bool: ...
def align(
    copy: Buffer,
    keys3: Buffer,
    pos3: Buffer,
    keys2: Buffer,
    pos2: Buffer,
    vocab: int,
    used: bytearray,
    source: Buffer,
    spans: Buffer,
    origins: Buffer,
    bounds: Buffer,
    stray: int,
    max_tries: int,
    most: int,
    max_postings: int,
    cells: int,
    lead: int,
    min_similarity: float,
    abridged: float,
    memo: dict[bytes, bytes],
    limit: int,
    made: tuple[type, tuple[Any, ...], tuple[str, str, str], type, tuple[Any, ...]],
    /,
) -> list[Any] | None: ...
def bag_weigh(
    bag: dict[str, int], idf: dict[str, float], tf: tuple[float, ...], /
) -> tuple[dict[str, float], float] | None: ...
def bag_weigh_more(
    weighed: dict[str, float],
    bag: dict[str, int],
    added: dict[str, int],
    idf: dict[str, float],
    tf: tuple[float, ...],
    /,
) -> tuple[dict[str, float], float] | None: ...
def bag_scaled(
    weights: dict[str, float], idf: dict[str, float], /
) -> tuple[dict[str, float], float] | None: ...
def bag_cosine(
    a: dict[str, float], na: float, b: dict[str, float], nb: float, /
) -> float | None: ...
def bag_held(counts: dict[str, int], keys: dict[str, Any], /) -> int | None: ...
def bag_units(
    counter_type: type[Any],
    bag: dict[str, int],
    postings: Mapping[str, Sequence[int]],
    start: dict[int, int] | None,
    /,
) -> Any: ...
def bag_mapped(counts: dict[str, int], table: dict[int, float], /) -> dict[str, float] | None: ...
