from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.ingest.files import decode, expand_paths, read_text

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
