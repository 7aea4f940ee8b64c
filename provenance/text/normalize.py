"""Stage 1: text -> words for matching, with offsets into the original text.

Matching must not see formatting: Unicode compatibility forms (NFKC), non-breaking
and other odd spaces, curly quotes and apostrophes, dashes, soft hyphens and
zero-width characters, letter case, thousands separators ("1,000" is "1000").
Reports must show the original text. So the text is tokenised *once*, on the
original string, and every word keeps the character span it came from; only the
word's matching form is normalised.

>>> n = normalize("The U.S.\\u00a0Secretary’s “1,000” plans")
>>> n.words
('the', 'u', 's', "secretary's", '1000', 'plans')
>>> n.text[n.starts[3]:n.ends[3]]
'Secretary’s'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import numpy as np
import numpy.typing as npt

# Words: runs of letters/digits, glued by apostrophes and invisible joiners
# ("Iraq’s", "Dae\u00adsh"), numbers with their decimal and thousands marks
# ("1,000.5"), and CJK ideographs and kana one character at a time.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_JOINERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
#: The token pattern (compiled once, as :data:`_SPLIT_RE`'s group: a Unicode class costs
#: ~3 ms to compile, on every cold start).
TOKEN = (
    rf"[{_CJK}]"
    rf"|\d+(?:(?:[{_JOINERS}]*[.,][{_JOINERS}]*|[{_JOINERS}]+)\d+)*(?![^\W_])"
    rf"|[^\W_{_CJK}]+(?:['’ʼ‘{_JOINERS}]+[^\W_{_CJK}]+)*"
)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SPLIT_RE = re.compile(f"({TOKEN})")
_DROP = dict.fromkeys(map(ord, _JOINERS))
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_OPEN_QUOTES = "“«„‟❝"
_CLOSE_QUOTES = "”»❞"
_QUOTE_RE = re.compile(r'[“«„‟❝”»❞"\n]')
_QUOTE_MARKS = _OPEN_QUOTES + _CLOSE_QUOTES + '"'


@dataclass(frozen=True, slots=True)
class Normalized:
    """A text and its words.

    Attributes:
        text: the original text, unchanged.
        words: each word's matching form (NFKC, case-folded, formatting removed).
        starts, ends: each word's character span in ``text``.
        quoted: whether each word stands inside quotation marks.
    """

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    quoted: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.words)

    def original(self, i: int, j: int) -> str:
        """The original text of words ``i`` to ``j - 1`` (empty when ``i >= j``)."""
        if i >= j:
            return ""
        return self.text[self.starts[i] : self.ends[j - 1]]


@lru_cache(maxsize=1 << 16)
def normalize_word(token: str) -> str:
    """The matching form of one token.

    >>> normalize_word("Ａｐｐｌｅ’s"), normalize_word("1,000"), normalize_word("STRASSE")
    ("apple's", '1000', 'strasse')
    """
    if token.isascii():
        word = token.lower()
    else:
        word = unicodedata.normalize("NFKC", token.translate(_DROP)).casefold()
        word = word.translate(_APOSTROPHES)
    if word[:1].isdigit() and "," in word and _THOUSANDS_RE.match(word):
        word = word.replace(",", "")
    return word


def normalize(text: str) -> Normalized:
    """Tokenise ``text`` into matching words with their original spans.

    Vectorised over the characters (NumPy) wherever the token pattern reduces to a
    simple rule, and by the pattern itself elsewhere; both give exactly the tokens of
    :func:`normalize_regex` (tests/test_normalize.py checks it on random texts).

    The rule: in a *chunk* (a run of characters that are letters, digits, apostrophes,
    ``.`` or ``,``; tokens never span other characters, so chunks are tokenised on
    their own) made of ASCII only where no digit is followed by ``.``, ``,`` or an
    apostrophe, the tokens are the runs of letters and digits joined by apostrophes
    that stand between two of them. Other chunks (non-ASCII characters, numbers such
    as "1,000" or "3.5", "1990's") are split by the pattern; a text with many of them
    (not English, or a table of figures) is split by the pattern whole.
    """
    lowered = text.lower()
    if len(lowered) != len(text) or not text:  # some character lower-cased to two
        return normalize_regex(text)
    simple = simple_tokens(lowered)
    if simple is None:
        return normalize_regex(text)
    flat, spans = simple
    words = flat.split()
    first, last = runs(np.frombuffer(flat.encode("ascii"), dtype=np.uint8) != 32)
    starts: list[int] = first.tolist()
    ends: list[int] = last.tolist()
    if len(spans):
        words, starts, ends = _merge_hard(lowered, spans, words, starts, ends)
    return Normalized(text, tuple(words), tuple(starts), tuple(ends), _quoted(text, starts))


def simple_tokens(lowered: str) -> tuple[str, Chunks] | None:
    """``lowered`` with every character that is not in a simple token made a space,
    and the hard chunks (``(k, 2)`` start and end offsets, blanked in it too) that the
    pattern must split; None when most chunks are hard."""
    data = ascii_codes(lowered)
    if not lowered.isascii():  # non-ASCII characters are NUL from here on
        lowered = data.decode("ascii")
    flat = _stray_apostrophes(lowered.translate(_ASCII_TOKENS))
    cls = _CLASS[np.frombuffer(data, dtype=np.uint8)]
    if len(cls) == 1:
        hard = np.flatnonzero(cls == _OTHER)
    else:  # a hard pair of neighbours marks its first or its second character
        pair = _HARD_PAIR[cls[:-1] * np.uint8(_CLASSES) + cls[1:]]
        hard = np.flatnonzero(pair >= 0)
        hard += pair[hard]
    if not len(hard):
        return flat, _NO_CHUNKS
    chunks = _hard_chunks(cls, hard)
    if len(chunks) * MOSTLY_HARD > len(lowered) // CHARS_PER_CHUNK:
        return None
    # Blank the hard chunks: +1 where one starts, -1 where it ends (chunks are
    # separated by at least one other character), running sum > 0 inside.
    delta = np.zeros(len(cls) + 1, dtype=np.int8)
    delta[chunks[:, 0]] = 1
    delta[chunks[:, 1]] = -1
    codes = np.frombuffer(flat.encode("ascii"), dtype=np.uint8).copy()
    codes[np.cumsum(delta[:-1]) > 0] = 32
    return codes.tobytes().decode("ascii"), chunks


def ascii_codes(text: str) -> bytes:
    """``text`` as ASCII bytes, one a character, every non-ASCII character made NUL
    (a character of a hard chunk)."""
    if text.isascii():
        return text.encode("ascii")
    wide = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.where(wide < 128, wide, 0).astype(np.uint8).tobytes()


def _stray_apostrophes(flat: str) -> str:
    """``flat`` with every apostrophe run that does not join two words ("don't") made
    spaces (found with ``str.find``: a regular expression scans every character)."""
    at = flat.find("'")
    if at < 0:
        return flat
    parts: list[str] = []
    done, n = 0, len(flat)
    while at >= 0:
        end = at + 1
        while end < n and flat[end] == "'":
            end += 1
        if not (at and end < n and flat[at - 1] != " " and flat[end] != " "):
            parts += (flat[done:at], " " * (end - at))
            done = end
        at = flat.find("'", end)
    parts.append(flat[done:])
    return "".join(parts)


#: A text with more than one hard chunk per this many (estimated) chunks is split by
#: the pattern whole: it is faster from about a quarter of the words on (measured with
#: 5-80% of non-ASCII words); either way the words are the same.
MOSTLY_HARD = 4
CHARS_PER_CHUNK = 6
_SEP, _LETTER, _DIGIT, _APOS, _POINT, _OTHER = range(6)
#: Character ranges ``[start, end)``, one a row.
Chunks = npt.NDArray[np.int64]
_NO_CHUNKS: Chunks = np.empty((0, 2), dtype=np.int64)
_CLASSES = 6


def _classes() -> npt.NDArray[np.uint8]:
    table = np.full(256, _SEP, dtype=np.uint8)
    table[0] = table[128:] = _OTHER  # non-ASCII characters are read as NUL
    for c in "abcdefghijklmnopqrstuvwxyz":
        table[ord(c)] = _LETTER
    for c in "0123456789":
        table[ord(c)] = _DIGIT
    table[ord("'")] = _APOS
    table[ord(".")] = table[ord(",")] = _POINT
    return table


_CLASS = _classes()
_ALNUM = (_CLASS == _LETTER) | (_CLASS == _DIGIT)


def _hard_pairs() -> npt.NDArray[np.int8]:
    """For two neighbouring character classes: -1, or which of the two (0 or 1) is in
    a hard chunk: a non-ASCII character, or a digit followed by ``.``, ``,`` or ``'``."""
    table = np.full(_CLASSES * _CLASSES, -1, dtype=np.int8)
    for a in range(_CLASSES):
        for b in range(_CLASSES):
            if a == _OTHER or (a == _DIGIT and b in (_POINT, _APOS)):
                table[a * _CLASSES + b] = 0
            elif b == _OTHER:
                table[a * _CLASSES + b] = 1
    return table


_HARD_PAIR = _hard_pairs()
#: ASCII letters, digits and apostrophes kept, every other ASCII character a space.
_ASCII_TOKENS = {i: (i if _ALNUM[i] or chr(i) == "'" else 32) for i in range(128)}


def _hard_chunks(cls: npt.NDArray[np.uint8], hard_at: npt.NDArray[np.intp]) -> Chunks:
    """The chunks (``[start, end)`` rows, in order) that hold the positions ``hard_at``
    (ascending)."""
    first, last = runs(cls != _SEP)
    at = np.searchsorted(first, hard_at, side="right") - 1  # ascending, as hard_at
    keep = np.empty(len(at), dtype=np.bool_)  # np.unique would import numpy.ma (~7 ms)
    keep[:1] = True
    np.not_equal(at[1:], at[:-1], out=keep[1:])
    chunks = at[keep]
    out: Chunks = np.stack([first[chunks], last[chunks]], axis=1)
    return out


def runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where the runs of True in ``mask`` start and end (``[start, end)``), in order."""
    edge = np.empty(len(mask) + 1, dtype=np.bool_)
    edge[0] = mask[0] if len(mask) else False
    edge[-1] = mask[-1] if len(mask) else False
    np.not_equal(mask[1:], mask[:-1], out=edge[1:-1])
    bounds = np.flatnonzero(edge).astype(np.int64)
    return bounds[0::2], bounds[1::2]


def hard_tokens(lowered: str, chunks: Chunks) -> tuple[list[str], list[int], list[int]]:
    """The words of the hard chunks ``chunks`` of ``lowered`` (split by the pattern and
    normalised one by one) and their spans."""
    if not len(chunks):
        return [], [], []
    # Chunks are split on their own, so they are split together, a space after each:
    # their characters are gathered with NumPy, the pattern runs once.
    starts = chunks[:, 0]
    size = chunks[:, 1] - starts + 1
    at = np.zeros(len(chunks), dtype=np.int64)  # where each chunk starts in the joined text
    np.cumsum(size[:-1], out=at[1:])
    pos = np.arange(int(size.sum()), dtype=np.int64) - np.repeat(at, size)
    space = pos == np.repeat(size - 1, size)
    src = np.repeat(starts, size) + pos
    src[space] = 0
    if lowered.isascii():
        codes: npt.NDArray[np.uint8] | npt.NDArray[np.uint32] = np.frombuffer(
            lowered.encode("ascii"), dtype=np.uint8
        )
        encoding = "ascii"
    else:
        codes = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        encoding = "utf-32-le"
    gathered = codes[src]
    gathered[space] = 32
    h_words, j_starts, j_ends = _split(gathered.tobytes().decode(encoding, "surrogatepass"), 0)
    js = np.array(j_starts, dtype=np.int64)
    shift = (starts - at)[np.searchsorted(at, js, side="right") - 1]
    h_starts: list[int] = (js + shift).tolist()
    h_ends: list[int] = (np.array(j_ends, dtype=np.int64) + shift).tolist()
    special = {t: normalize_word(t) for t in dict.fromkeys(h_words)}
    h_words = [special[t] for t in h_words]
    if "" in special.values():
        keep = [i for i, w in enumerate(h_words) if w]
        h_words = [h_words[i] for i in keep]
        h_starts = [h_starts[i] for i in keep]
        h_ends = [h_ends[i] for i in keep]
    return h_words, h_starts, h_ends


def _merge_hard(
    lowered: str,
    spans: Chunks,
    words: list[str],
    starts: list[int],
    ends: list[int],
) -> tuple[list[str], list[int], list[int]]:
    """Add the tokens of the hard chunks (split by the pattern) in text order."""
    h_words, h_starts, h_ends = hard_tokens(lowered, spans)
    if not h_words:
        return words, starts, ends
    # Both lists are in text order: splice each hard token in where it belongs.
    at = np.searchsorted(np.array(starts, dtype=np.int64), h_starts).tolist()
    out_w: list[str] = []
    out_s: list[int] = []
    out_e: list[int] = []
    done = 0
    for j, i in enumerate(at):
        out_w += words[done:i]
        out_s += starts[done:i]
        out_e += ends[done:i]
        out_w.append(h_words[j])
        out_s.append(h_starts[j])
        out_e.append(h_ends[j])
        done = i
    out_w += words[done:]
    out_s += starts[done:]
    out_e += ends[done:]
    return out_w, out_s, out_e


def _split(text: str, offset: int) -> tuple[list[str], list[int], list[int]]:
    """Tokens of ``text`` by the pattern, with their spans shifted by ``offset``."""
    parts = _SPLIT_RE.split(text)
    bounds = list(accumulate(map(len, parts), initial=offset))
    return parts[1::2], bounds[1:-1:2], bounds[2::2]


def normalize_regex(text: str) -> Normalized:
    """:func:`normalize` by the token pattern alone (the reference; any text).

    The lower-cased text is split once with the token pattern as a capturing group, so
    separators and tokens alternate and their running lengths are the offsets (lower-
    casing keeps every offset unless some character becomes two, as "İ" does; then the
    original is split). Only distinct tokens that are not plain ASCII words are
    normalised one by one.
    """
    lowered = text.lower()
    same_offsets = len(lowered) == len(text)  # every character lower-cased to one
    parts = _SPLIT_RE.split(lowered if same_offsets else text)
    tokens = parts[1::2]
    bounds = list(accumulate(map(len, parts)))
    starts = bounds[0:-1:2]
    ends = bounds[1::2]
    special = {t: normalize_word(t) for t in dict.fromkeys(tokens) if not t.isascii() or "," in t}
    if not same_offsets:
        special.update((t, t.lower()) for t in dict.fromkeys(tokens) if t.isascii())
    words = list(map(special.get, tokens, tokens)) if special else tokens
    if "" in special.values():
        keep = [i for i, w in enumerate(words) if w]
        words = [words[i] for i in keep]
        starts = [starts[i] for i in keep]
        ends = [ends[i] for i in keep]
    return Normalized(text, tuple(words), tuple(starts), tuple(ends), _quoted(text, starts))


def _quoted(text: str, starts: Sequence[int]) -> tuple[bool, ...]:
    """Which words stand between quotation marks; a line break ends any quotation."""
    if not any(q in text for q in _QUOTE_MARKS):
        return (False,) * len(starts)
    at: list[int] = []
    after: list[bool] = [False]  # inside a quotation after the i-th mark
    inside = False
    for m in _QUOTE_RE.finditer(text):
        ch = m.group()
        if ch == "\n":
            inside = False
        elif ch in _OPEN_QUOTES:
            inside = True
        elif ch in _CLOSE_QUOTES:
            inside = False
        else:  # a straight double quote opens or closes
            inside = not inside
        at.append(m.start())
        after.append(inside)
    marks_before = np.searchsorted(np.array(at, dtype=np.int64), np.asarray(starts, dtype=np.int64))
    flags: list[bool] = np.array(after, dtype=np.bool_)[marks_before].tolist()
    return tuple(flags)
