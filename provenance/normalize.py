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
from itertools import accumulate

# Words: runs of letters/digits, glued by apostrophes and invisible joiners
# ("Iraq’s", "Dae\u00adsh"), numbers with their decimal and thousands marks
# ("1,000.5"), and CJK ideographs and kana one character at a time.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_JOINERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
TOKEN_RE = re.compile(
    rf"[{_CJK}]"
    rf"|\d+(?:(?:[{_JOINERS}]*[.,][{_JOINERS}]*|[{_JOINERS}]+)\d+)*(?![^\W_])"
    rf"|[^\W_{_CJK}]+(?:['’ʼ‘{_JOINERS}]+[^\W_{_CJK}]+)*"
)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
_DROP = dict.fromkeys(map(ord, _JOINERS))
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_OPEN_QUOTES = "“«„‟❝"
_CLOSE_QUOTES = "”»❞"
_QUOTE_RE = re.compile(r'[“«„‟❝”»❞"\n]')


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
    marks = [(m.start(), m.group()) for m in _QUOTE_RE.finditer(text)]
    if not any(ch != "\n" for _, ch in marks):
        return (False,) * len(starts)
    flags: list[bool] = []
    inside = False
    k = 0
    for s in starts:
        while k < len(marks) and marks[k][0] < s:
            ch = marks[k][1]
            if ch == "\n":
                inside = False
            elif ch in _OPEN_QUOTES:
                inside = True
            elif ch in _CLOSE_QUOTES:
                inside = False
            else:  # a straight double quote opens or closes
                inside = not inside
            k += 1
        flags.append(inside)
    return tuple(flags)
