"""A source's segmentation, stored beside its text so that a check need not re-segment it.

``check`` verifies each candidate source by aligning it with the suspect, and alignment
reads the source as ``pipeline.prepare`` makes it: its matching words with their
character spans, which words stand in quotes, its blocks (language, kind) and
passages. Normalising and segmenting a stored text again at every check cost a sixth
of a check's time (language detection per block, the tokeniser); decoding what
:func:`encode` wrote is several times faster (``scripts/bench_newsroom.py`` measures
both).

The encoding is versioned and made of flat arrays, never a pickle (an index is a
file a user may hand over: what is read from it is data). ``zlib`` over:

- a header: magic ``PSEG``, :data:`FORMAT`, the normalisation version, counts;
- the words (UTF-8, ``\\x00`` between them: a word is letters and digits);
- per word its start and its length (``int32``), and a bit whether it is quoted;
- per block ``start, end, first, last`` (``int32``) and an index into a table of its
  ``(lang, kind, reason)`` strings (JSON);
- per passage ``block, first, last`` (``int32``).

:func:`decode` checks every count and range against the text and raises
:class:`BadSegments` on anything that does not fit (a damaged or foreign blob, another
format or normalisation version): the caller segments the text itself then.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np

from provenance.params import NORM_VERSION
from provenance.text.normalize import Normalized
from provenance.text.segment import Block, Passage, Segmented

#: The encoding's version: a blob of another version is not read (re-segmented instead).
FORMAT = 1
_MAGIC = b"PSEG"
# magic, format, norm version, text length, truncated_from, words, blocks, passages,
# bytes of words, bytes of the string table
_HEAD = struct.Struct("<4sHHQQIIIII")
_I32 = np.dtype("<i4")
#: zlib level: 1 packs words and offsets to ~40% (measured on the newsroom bench) and
#: decompresses at several hundred MB/s.
_LEVEL = 1
_MAX_I32 = 2**31 - 1
#: Bytes a segmentation takes at most per character of its text, decompressed (a word's
#: matching form may be longer than its text, "ﷺ" is 18 letters; a word a character
#: costs 9 bytes of offsets, a block or passage per word 32): larger is not one.
_MAX_BYTES_PER_CHAR = 128


class BadSegments(ValueError):
    """A stored segmentation that cannot be used for this text (segment it again)."""


def encode(seg: Segmented) -> bytes:
    """The compact, versioned encoding of ``seg`` (its text is stored apart)."""
    norm = seg.norm
    if len(norm.text) > _MAX_I32 or not all(norm.words):
        raise BadSegments("cannot encode this text's segmentation")
    words = _word_list(norm).encode("utf-8")
    table: dict[tuple[str, str, str], int] = {}
    kinds = [table.setdefault((b.lang, b.kind, b.reason), len(table)) for b in seg.blocks]
    strings = json.dumps(list(table), ensure_ascii=False).encode("utf-8")
    starts = np.asarray(norm.starts, dtype=np.int64)
    ends = np.asarray(norm.ends, dtype=np.int64)
    lengths = (ends - starts).astype(_I32)
    gaps = (starts - np.concatenate(([0], ends[:-1]))).astype(_I32)  # mostly 1: packs well
    quoted = np.packbits(np.asarray(norm.quoted, dtype=np.bool_))
    blocks = np.asarray(
        [(b.start, b.end, b.first, b.last, k) for b, k in zip(seg.blocks, kinds, strict=True)],
        dtype=_I32,
    ).reshape(-1, 5)
    passages = np.asarray([(p.block, p.first, p.last) for p in seg.passages], dtype=_I32).reshape(
        -1, 3
    )
    head = _HEAD.pack(
        _MAGIC,
        FORMAT,
        NORM_VERSION,
        len(norm.text),
        seg.truncated_from,
        len(norm.words),
        len(seg.blocks),
        len(seg.passages),
        len(words),
        len(strings),
    )
    lang = seg.lang.encode("utf-8")
    body = b"".join(
        (
            head,
            struct.pack("<H", len(lang)),
            lang,
            words,
            strings,
            gaps.tobytes(),
            lengths.tobytes(),
            quoted.tobytes(),
            blocks.tobytes(),
            passages.tobytes(),
        )
    )
    return zlib.compress(body, _LEVEL)


def decode(text: str, blob: bytes) -> Segmented:
    """The segmentation :func:`encode` stored for ``text``.

    Raises:
        BadSegments: the blob is damaged, of another format or normalisation version,
            or does not fit ``text``.
    """
    limit = _MAX_BYTES_PER_CHAR * len(text) + 65536  # (no zip bomb from a foreign index)
    try:
        inflate = zlib.decompressobj()
        body = inflate.decompress(blob, limit)
    except (zlib.error, TypeError) as e:
        raise BadSegments(f"not a stored segmentation ({e})") from None
    if inflate.unconsumed_tail or not inflate.eof:
        raise BadSegments("larger than any segmentation of this text, or cut short")
    if len(body) < _HEAD.size + 2:
        raise BadSegments("truncated")
    magic, fmt, norm_version, text_len, truncated, n_words, n_blocks, n_passages, n_bytes, n_str = (
        _HEAD.unpack_from(body)
    )
    if magic != _MAGIC or fmt != FORMAT or norm_version != NORM_VERSION:
        raise BadSegments(f"format {fmt}, normalisation {norm_version}: not this prov's")
    if text_len > len(text) or (truncated != len(text) if truncated else text_len != len(text)):
        raise BadSegments("stored for another text")
    at = _HEAD.size
    (n_lang,) = struct.unpack_from("<H", body, at)
    at += 2
    sizes = (n_lang, n_bytes, n_str, 4 * n_words, 4 * n_words, (n_words + 7) // 8,
             20 * n_blocks, 12 * n_passages)  # fmt: skip
    if at + sum(sizes) != len(body):
        raise BadSegments("sizes do not add up")
    parts = []
    for size in sizes:
        parts.append(body[at : at + size])
        at += size
    lang_b, words_b, strings_b, gaps_b, lengths_b, quoted_b, blocks_b, passages_b = parts
    lengths = np.frombuffer(lengths_b, dtype=_I32).astype(np.int64)
    starts = np.cumsum(np.frombuffer(gaps_b, dtype=_I32).astype(np.int64))
    starts[1:] += np.cumsum(lengths[:-1])
    ends = starts + lengths
    try:
        lang = lang_b.decode("utf-8")
        listed = words_b.decode("utf-8").split("\x00") if n_words else []
        table = [tuple(t) for t in json.loads(strings_b.decode("utf-8"))]
    except (UnicodeDecodeError, ValueError, TypeError) as e:
        raise BadSegments(f"unreadable strings ({e})") from None
    if len(listed) != n_words or not all(
        len(t) == 3 and all(isinstance(s, str) for s in t) for t in table
    ):
        raise BadSegments("words or block strings do not add up")
    quoted = np.unpackbits(np.frombuffer(quoted_b, dtype=np.uint8), count=n_words)
    blocks = np.frombuffer(blocks_b, dtype=_I32).reshape(n_blocks, 5)
    passages = np.frombuffer(passages_b, dtype=_I32).reshape(n_passages, 3)
    _check_ranges(text_len, n_words, len(table), starts, ends, blocks, passages)
    first, last = starts.tolist(), ends.tolist()
    norm = Normalized(
        text[:text_len],
        _words(text[:text_len], listed, first, last),
        tuple(first),
        tuple(last),
        tuple(quoted.astype(bool).tolist()),
    )
    block_list = []
    for start, end, first, last, k in blocks.tolist():
        b_lang, kind, reason = table[k]
        block_list.append(Block(start, end, first, last, b_lang, kind, reason))
    passage_list = tuple(Passage(*p) for p in passages.tolist())
    return Segmented(norm, tuple(block_list), passage_list, lang, truncated)


def _word_list(norm: Normalized) -> str:
    """The words, ``\x00`` between them; a word that is its text lower-cased is left
    empty (most are: the text is stored already), unless lower-casing changes the text's
    length (then every word is written out)."""
    text = norm.text
    low = text.lower()
    if len(low) != len(text):
        return "\x00".join(norm.words)
    return "\x00".join(
        "" if w == low[s:e] else w
        for w, s, e in zip(norm.words, norm.starts, norm.ends, strict=True)
    )


def _words(text: str, listed: list[str], starts: list[int], ends: list[int]) -> tuple[str, ...]:
    """The words :func:`_word_list` wrote: an empty one is its text lower-cased."""
    low = text.lower()
    if len(low) != len(text):
        if not all(listed):
            raise BadSegments("a word left out where the text cannot give it")
        return tuple(listed)
    return tuple(w or low[s:e] for w, s, e in zip(listed, starts, ends, strict=True))


def _check_ranges(
    text_len: int,
    n_words: int,
    n_strings: int,
    starts: np.ndarray,
    ends: np.ndarray,
    blocks: np.ndarray,
    passages: np.ndarray,
) -> None:
    """Every offset within the text, every word range within the words, every index
    within its table: what the verifier reads cannot point outside them."""
    ok = True
    if n_words:
        ok = bool(
            starts.min() >= 0
            and (ends >= starts).all()
            and ends.max() <= text_len
            and (starts[1:] >= ends[:-1]).all()
        )
    if len(blocks):
        s, e, f, la, k = blocks.T
        ok = ok and bool(
            (s >= 0).all()
            and (e >= s).all()
            and (e <= text_len).all()
            and (f >= 0).all()
            and (la >= f).all()
            and (la <= n_words).all()
            and (k >= 0).all()
            and (k < n_strings).all()
        )
    if len(passages):
        b, f, la = passages.T
        ok = ok and bool(
            (b >= 0).all()
            and (b < len(blocks)).all()
            and (f >= 0).all()
            and (la >= f).all()
            and (la <= n_words).all()
        )
    if not ok:
        raise BadSegments("offsets out of range")
