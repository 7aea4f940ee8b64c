from __future__ import annotations

import codecs
import hashlib
import random
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.ingest.decode import decode
from provenance.ingest.files import expand_paths, read_text

TEXT = "Café “quotes” – naïve Łódź"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        ("plain old text, nothing else".encode("utf-16-le"), "utf-16"),
        ("Café “quotes” – naïve".encode("cp1252"), "cp1252"),
    ],
)
def test_decode(data: bytes, encoding: str) -> None:
    text, enc = decode(data)
    assert enc == encoding
    assert text.startswith(("Café", "plain"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no text"),
        (b"  \n\t \n", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary data"),
        (b"\x00" * 1000, "binary data"),
    ],
)
def test_decode_refuses(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode(data, "f.txt")


def test_read_text_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^.*missing\.txt: no such file$"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_read_text_hashes_bytes(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"hello world")
    raw = read_text(p)
    assert raw.sha256 == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    assert raw.text == "hello world"


def test_expand_paths_walks_folders_once_without_following_links(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    for name in ("d/a.txt", "d/e/b.txt", "d/e/c.bin", "top.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    got = list(expand_paths([tmp_path / "d", tmp_path / "top.txt", tmp_path / "d" / "a.txt"]))
    assert [p.relative_to(tmp_path).as_posix() for p in got] == ["d/a.txt", "d/e/b.txt", "top.txt"]
    with pytest.raises(InputError, match="no such file or folder"):
        list(expand_paths([tmp_path / "nope"]))


def test_read_document_takes_an_html_page_by_its_main_text(tmp_path: Path) -> None:
    from provenance.ingest.files import read_document

    page = tmp_path / "p.html"
    body = "The council approved the harbour budget on Monday after a long and heated debate."
    page.write_text(
        f"<html><body><nav>Home | World | Sport</nav><article><p>{body}</p></article>"
        "<footer>Copyright 2026</footer></body></html>",
        encoding="utf-8",
    )
    raw = read_document(page)
    assert body in raw.text
    assert "<p>" not in raw.text
    empty = tmp_path / "e.html"
    empty.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no text in this HTML page"):
        read_document(empty)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("plain.txt", "plain.txt"),
        ("bad\udcffname.txt", "bad\\xffname.txt"),  # a byte that is not UTF-8
        ("\udcc3\udca9t\udce9.txt", "\\xc3\\xa9t\\xe9.txt"),
        ("half\ud800.txt", "half\\ud800.txt"),  # from JSON: half a UTF-16 pair
        ("caf\u00e9.txt", "caf\u00e9.txt"),
    ],
)
def test_storable_names(name: str, stored: str) -> None:
    from provenance.ingest.files import storable

    assert storable(name) == stored
    stored.encode("utf-8")  # SQLite, JSON and the terminal take it


# -- stray control characters: read with a warning; binary data still refused ---------

PROSE = (
    "The harbour board of Greyhaven met on Tuesday to discuss the silted channel. "
    "Dredging would cost more than the town had set aside, the treasurer warned, "
    "and the fishermen asked for the work to be done before the herring season. "
    "A vote was postponed until the engineers report in the spring.\n\n"
)
LONG = (PROSE * 40).encode("utf-8")  # about 14 KB, like a scraped article


@pytest.mark.parametrize(
    ("data", "expected", "warning"),
    [
        # one NUL between two words, and one inside a word: the words read as written
        (LONG[:7000] + b"\x00" + LONG[7000:], None, "1 stray control character (NUL)"),
        (b"The silted \x00channel of Grey\x00\x00haven. " + LONG, "Greyhaven", "3 stray"),
        (b"A converter's SUB for an apostrophe: it\x1as lost. " + LONG, "its", "(SUB)"),
        (b"fields\x1eseparated\x1fby separators " + LONG, "fields separated", "U+001E"),
        (b"\x1b[1mBold\x1b[0m text from a terminal log " + LONG, "Bold", "2 terminal escape"),
        (LONG + b"\x00" * 4000, None, "4,000 NUL bytes of padding"),
        ("caf\u00e9 \u201cquoted\u201d".encode("cp1252") + b"\x81 " + LONG, "quoted", "U+0081"),
        (LONG.replace(b"herring", b"her\x00ring", 30), None, "30 stray control"),
    ],
)
def test_stray_control_characters_are_ignored_with_a_warning(
    data: bytes, expected: str | None, warning: str
) -> None:
    from provenance.ingest.decode import decode_text
    from provenance.text.normalize import normalize

    d = decode_text(data, "f.txt")
    (message,) = d.warnings
    assert message.startswith("f.txt: ") and warning in message and message.endswith("ignored")
    assert not any(ch < " " and ch not in "\t\n\r\f\v" for ch in d.text)
    if d.encoding == "utf-8":  # the text keeps its length: offsets are the file's
        assert len(d.text) == len(data.decode("utf-8"))
    words = normalize(d.text).words
    if expected is None:
        assert words == normalize(data.replace(b"\x00", b"").decode()).words
    else:
        assert " ".join(normalize(expected).words) in " ".join(words)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" * 20, "a PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "a ZIP archive"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "gzip"),
        (b"\x89PNG\r\n\x1a\n" + LONG, "a PNG image"),
        (b"\x00".join(LONG[i : i + 7] for i in range(0, 4000, 7)), "binary data"),  # 1 in 8
        (LONG[:2000] + b"\x00" * 3000 + LONG[:2000], "binary data, not text"),  # not padding
        (random.Random(7).randbytes(8192), "binary data, not text"),  # noqa: S311
        (b"\x00\x01" + b"\xff\xfe\xfd" * 200, "binary data, not text"),  # no words
    ],
)
def test_binary_data_is_still_refused(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as e:
        decode(data, "f.txt")
    assert str(e.value).startswith("f.txt: binary data, not text")
    assert message in str(e.value)


def test_read_text_carries_the_warning(tmp_path: Path) -> None:
    p = tmp_path / "scraped.txt"
    p.write_bytes(LONG[:5000] + b"\x00" + LONG[5000:])
    raw = read_text(p)
    assert raw.warnings == (f"{p}: 1 stray control character (NUL) ignored",)
    assert raw.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()  # the file's bytes
    assert read_text(tmp_path / "scraped.txt").text == raw.text
    p.write_bytes(LONG)
    assert read_text(p).warnings == ()
