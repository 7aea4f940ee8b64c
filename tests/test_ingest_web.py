"""iter_pages: the pages `prov scan` reads from HTML, WARC and JSONL files and folders."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped,unused-ignore]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped,unused-ignore]

from provenance.ingest import files as ingest
from provenance.ingest import warc as ingest_warc
from provenance.ingest import web as ingest_web
from provenance.ingest.files import Page
from provenance.ingest.web import iter_pages

ARTICLE = (
    "The provenance of a text is the history of its copies, and this paragraph is long "
    "enough for the extractor to see it as the article of the page."
)
SECOND = "A second paragraph follows it, with words of its own about sources and copies."
PAGE = f"""<!doctype html>
<html><head><title>News</title>
<style>.banner {{ color: red }}</style><script>var tracking = "script text";</script>
</head><body>
<nav><ul><li><a href="/">Home page</a></li><li><a href="/about">About us</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all</div>
<main><article><h1>Headline of the article</h1><p>{ARTICLE}</p><p>{SECOND}</p></article></main>
<footer>Copyright 2024 Example Corp. All rights reserved.</footer>
</body></html>"""
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
DATE = "2024-05-01T12:00:00Z"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def pages(*paths: str | Path) -> list[Page]:
    return list(iter_pages(paths))


def good(result: list[Page]) -> list[Page]:
    return [p for p in result if not p.error]


def bad(result: list[Page]) -> list[Page]:
    return [p for p in result if p.error]


# -- HTML --------------------------------------------------------------------------------


def test_html_main_text_and_boilerplate(tmp_path: Path) -> None:
    (page,) = pages(write(tmp_path / "news.html", PAGE))
    assert page.error == ""
    assert page.kind == "html"
    assert page.key == page.url == str(tmp_path / "news.html")
    assert f"{ARTICLE}\n\n{SECOND}" in page.text  # blocks stay apart
    for stripped in ("Home page", "About us", "We use cookies", "Copyright 2024"):
        assert stripped not in page.text
        assert stripped in page.boilerplate
    assert ARTICLE not in page.boilerplate
    assert "script text" not in page.text + page.boilerplate
    assert "color: red" not in page.text + page.boilerplate
    assert page.sha256 == hashlib.sha256(page.text.encode("utf-8")).hexdigest()


def test_file_fetched_at_is_mtime(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Some text in a file.")
    os.utime(path, (1714564800, 1714564800))
    (page,) = pages(path)
    assert (page.fetched_at, page.kind, page.text) == (DATE, "text", "Some text in a file.")


SMART = "Caf\u00e9 \u201cquoted\u201d \u2013 cr\u00e8me br\u00fbl\u00e9e co\u00fbte 5 \u20ac"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            f'<html><head><meta charset="windows-1252"></head><body><p>{SMART}</p></body>'
            "</html>".encode("cp1252"),
            SMART,
            id="meta-charset-cp1252",
        ),
        pytest.param(
            b'<html><head><meta http-equiv="Content-Type" content="text/html; '
            b'charset=iso-8859-1"></head><body><p>'
            + SMART.encode("cp1252")
            + b"</p></body></html>",
            SMART,  # iso-8859-1 means windows-1252 on the web
            id="http-equiv-latin1",
        ),
        pytest.param(f"<html><body><p>{SMART}</p></body></html>".encode(), SMART, id="utf8"),
        pytest.param(
            b"\xef\xbb\xbf<html><head><meta charset='koi8-r'></head><body><p>"
            + SMART.encode()
            + b"</p></body></html>",
            SMART,
            id="bom-beats-meta",
        ),
        pytest.param(
            (
                "<html><body><p>"
                + "Le caf\u00e9 \u00e9tait tr\u00e8s fr\u00e9quent\u00e9 \u00e0 l'\u00e9poque, "
                "o\u00f9 l'on d\u00e9battait des id\u00e9es nouvelles. " * 5 + "</p></body></html>"
            ).encode("cp1252"),
            "Le caf\u00e9 \u00e9tait tr\u00e8s fr\u00e9quent\u00e9",
            id="undeclared-cp1252-detected",
        ),
    ],
)
def test_html_encodings(tmp_path: Path, data: bytes, expected: str) -> None:
    (page,) = pages(write(tmp_path / "p.htm", data))
    assert page.error == ""
    assert expected in page.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("p.html", b"", "empty"),
        ("p.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary data"),
        (
            "p.html",
            b"\x81\x8d\x8f\x90\x9d" * 50,
            "not valid UTF-8 and no charset could be detected",
        ),
        ("p.html", b"<html><script>only(script)</script></html>", "no text"),
        ("t.txt", b"", "no text"),
        ("t.md", b"\x00\x01\x02\x03binary" * 10, "binary data"),
        ("t.pdf", b"%PDF-1.4", "not a kind prov scan reads"),
        ("e.jsonl", b"\n  \n", "empty"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = write(tmp_path / name, data)
    (page,) = pages(path)
    assert page.error.startswith(f"{path}: ")
    assert message in page.error
    assert "\n" not in page.error
    assert (page.text, page.sha256) == ("", "")


def test_text_file_uses_decode_rules(tmp_path: Path) -> None:
    (page,) = pages(write(tmp_path / "t.txt", SMART.encode("cp1252")))
    assert page.text == SMART


# -- WARC --------------------------------------------------------------------------------


def http(status: str, content_type: str, **extra: str) -> StatusAndHeaders:
    headers = [("Content-Type", content_type), *extra.items()]
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def warc(path: Path, records: list[dict[str, Any]], *, gz: bool) -> list[int]:
    """Write ``records`` (create_warc_record keyword arguments) to ``path``; their offsets."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    offsets = []
    for n, record in enumerate(records):
        spec = dict(record)
        body = spec.pop("body")
        headers = {
            "WARC-Date": DATE,
            "WARC-Record-ID": f"<urn:uuid:{n:08d}-0000-0000-0000-000000000000>",
        }
        headers.update(spec.pop("warc_headers", {}))
        offsets.append(buf.tell())
        writer.write_record(
            writer.create_warc_record(
                spec.pop("uri"),
                spec.pop("type", "response"),
                payload=io.BytesIO(body),
                warc_headers_dict=headers,
                **spec,
            )
        )
    write(path, buf.getvalue())
    return offsets


LATIN = "Caf\u00e9 cr\u00e8me, d\u00e9j\u00e0 vu: the plain text of a page."
RECORDS: list[dict[str, Any]] = [
    {
        "uri": "https://example.com/news",
        "body": PAGE.encode(),
        "http_headers": http("200 OK", "text/html; charset=utf-8"),
    },
    {
        "uri": "https://example.com/gone",
        "body": b"<p>Not found</p>",
        "http_headers": http("404 Not Found", "text/html"),
    },
    {
        "uri": "https://example.com/logo.png",
        "body": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "http_headers": http("200 OK", "image/png"),
    },
    {
        "uri": "http://example.org/notes.txt",
        "body": LATIN.encode("latin-1"),
        "http_headers": http("200 OK", "text/plain; charset=iso-8859-1"),
        "warc_headers": {"WARC-Date": "2024-05-01T14:30:00.123456+02:00"},
    },
    {
        "uri": "https://example.com/news",
        "type": "request",
        "body": b"",
        "http_headers": StatusAndHeaders(
            "GET /news HTTP/1.1", [("Host", "example.com")], is_http_request=True
        ),
    },
]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_keeps_2xx_html_and_text_responses(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    offsets = warc(path, RECORDS, gz=gz)
    first = pages(path)
    assert first == pages(path)  # keys, order and content stable across runs
    assert [(p.key, p.url, p.fetched_at, p.kind, p.error) for p in first] == [
        (f"{path}#{offsets[0]}", "https://example.com/news", DATE, "warc", ""),
        (
            f"{path}#{offsets[3]}",
            "http://example.org/notes.txt",
            "2024-05-01T12:30:00Z",
            "warc",
            "",
        ),
    ]
    assert all(ISO.fullmatch(p.fetched_at) for p in first)
    html, text = first
    assert ARTICLE in html.text
    assert "Home page" in html.boilerplate
    assert text.text == LATIN
    assert text.boilerplate == ""
    data = path.read_bytes()
    magic = b"\x1f\x8b" if gz else b"WARC/1.0"
    assert all(data[offsets[i] :].startswith(magic) for i in (0, 3))


def test_warc_resource_records_and_encoded_bodies(tmp_path: Path) -> None:
    path = tmp_path / "r.warc.gz"
    body = f"<html><body><p>{ARTICLE}</p></body></html>".encode()
    warc(
        path,
        [
            {
                "uri": "file:///notes.txt",
                "type": "resource",
                "body": b"A resource text.",
                "warc_content_type": "text/plain",
            },
            {
                "uri": "file:///x.bin",
                "type": "resource",
                "body": b"\x00\x01",
                "warc_content_type": "application/octet-stream",
            },
            {
                "uri": "https://example.com/gz",
                "body": gzip.compress(body),
                "http_headers": http("200 OK", "text/html", **{"Content-Encoding": "gzip"}),
            },
        ],
        gz=True,
    )
    assert [(p.url, p.text) for p in pages(path)] == [
        ("file:///notes.txt", "A resource text."),
        ("https://example.com/gz", ARTICLE),
    ]


def test_warc_gz_of_the_whole_file_and_misnamed_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain.warc"
    offsets = warc(plain, RECORDS, gz=False)
    whole = write(tmp_path / "whole.warc.gz", gzip.compress(plain.read_bytes()))  # one member
    misnamed = write(tmp_path / "misnamed.warc.gz", plain.read_bytes())  # not compressed
    assert [p.key for p in pages(whole)] == [f"{whole}#0", f"{whole}#0+{offsets[3]}"]
    assert [p.key for p in pages(misnamed)] == [f"{misnamed}#0", f"{misnamed}#{offsets[3]}"]
    assert [p.text for p in pages(whole)] == [p.text for p in pages(plain)]


def cut_second_record(path: Path, offsets: list[int], where: float) -> None:
    data = path.read_bytes()
    write(path, data[: offsets[1] + int((offsets[2] - offsets[1]) * where)])


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
@pytest.mark.parametrize("where", [0.1, 0.5, 0.95], ids=["in-headers", "middle", "near-end"])
def test_truncated_warc(tmp_path: Path, gz: bool, where: float) -> None:
    path = tmp_path / "a" / ("cut.warc.gz" if gz else "cut.warc")
    records = [RECORDS[0], RECORDS[3], RECORDS[0]]
    offsets = warc(path, records, gz=gz)
    cut_second_record(path, offsets, where)
    after = write(tmp_path / "b" / "after.txt", "The next file is read.")
    result = pages(tmp_path)
    assert [p.key for p in result] == [f"{path}#{offsets[0]}", f"{path}#{offsets[1]}", str(after)]
    assert result[0].error == ""
    assert result[1].error.startswith(f"{path}#{offsets[1]}: truncated WARC record")
    assert result[2].text == "The next file is read."


def test_warc_gz_with_corrupted_member(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc.gz"
    offsets = warc(path, [RECORDS[0], RECORDS[3], RECORDS[0]], gz=True)
    data = bytearray(path.read_bytes())
    middle = (offsets[1] + offsets[2]) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    write(path, bytes(data))
    result = pages(path, write(tmp_path / "next.txt", "Next file."))
    # the damaged member is recorded; the intact member after it is still read
    assert [p.error for p in result] == ["", result[1].error, "", ""]
    assert result[1].key == f"{path}#{offsets[1]}"
    assert result[1].error.startswith(f"{path}#{offsets[1]}: corrupted gzip member (")
    assert result[2].key == f"{path}#{offsets[2]}"
    assert result[2].text == result[0].text
    assert result[3].text == "Next file."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><p>not a warc</p></html>", "not a WARC record"),
        (b"WARC/1.0\r\nWARC-Type: response\r\n\r\n", "without a valid Content-Length"),
        (b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff" * 50, "corrupted gzip member"),
        (b"\x1f\x8bnot gzip at all, only its magic", "corrupted gzip member"),
        (
            gzip.compress(b"WARC/1.0\r\nContent-Length: 10\r\n\r\n", mtime=0)[:-12],
            "truncated WARC record",
        ),
    ],
)
def test_unreadable_warc(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path / "x.warc", data)
    (page,) = pages(path)
    assert message in page.error
    assert page.error.startswith(str(path))


def test_too_large_warc_record_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_BYTES", 2000)
    big = {
        "uri": "https://example.com/big",
        "body": b"<p>" + b"big " * 1000 + b"</p>",
        "http_headers": http("200 OK", "text/html"),
    }
    path = tmp_path / "big.warc.gz"
    offsets = warc(path, [big, RECORDS[3]], gz=True)
    result = pages(path)
    assert result[0].error.startswith(f"{path}#{offsets[0]}: too large: ")
    assert "bytes over the 2,000 limit" in result[0].error
    assert result[0].url == "https://example.com/big"
    assert result[1].text == LATIN


def gzip_stream(parts: Iterator[bytes]) -> bytes:
    squeeze = zlib.compressobj(6, wbits=31)
    return b"".join([*(squeeze.compress(part) for part in parts), squeeze.flush()])


def repeat(unit: bytes, size: int) -> Iterator[bytes]:
    """``size`` bytes of ``unit`` (its length must divide 1 MiB), a MiB at a time."""
    block = unit * (1024 * 1024 // len(unit))
    for _ in range(size // len(block)):
        yield block


BOMB = 64 * 1024 * 1024


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda: gzip_stream(
                iter(
                    [
                        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x/\r\n"
                        b"Content-Length: %d\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                        % (BOMB + 44),
                        *repeat(b"<p>bomb bomb</p>", BOMB),
                        b"\r\n\r\n",
                    ]
                )
            ),
            "too large",
            id="body",
        ),
        pytest.param(
            lambda: gzip_stream(
                iter([b"WARC/1.0\r\nWARC-Type: response\r\nX: ", *repeat(b"a", BOMB)])
            ),
            "WARC header longer than",
            id="warc-header-line",
        ),
        pytest.param(
            lambda: gzip_stream(
                iter(
                    [
                        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x/\r\n"
                        b"Content-Length: %d\r\n\r\nHTTP/1.1 200 OK\r\nX: " % (BOMB + 21),
                        *repeat(b"a", BOMB),
                        b"\r\n\r\n\r\n",
                    ]
                )
            ),
            "HTTP headers longer than",
            id="http-header-line",
        ),
        pytest.param(lambda: gzip_stream(repeat(b"\r\n", BOMB)), "blank bytes", id="blank-lines"),
    ],
)
def test_gzip_bomb_stays_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[[], bytes], message: str
) -> None:
    monkeypatch.setattr(ingest, "MAX_BYTES", 1024 * 1024)
    path = write(tmp_path / "bomb.warc.gz", make())
    assert path.stat().st_size < BOMB // 100
    tracemalloc.start()
    try:
        (page,) = pages(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message in page.error
    assert peak < 16 * 1024 * 1024


# -- JSONL -------------------------------------------------------------------------------


def test_jsonl_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "text": "First page text.",
                "url": "https://a.example/1",
                "date": "2024-05-01T14:00:00+02:00",
            }
        ),
        "",
        '{"text": "unterminated',
        json.dumps({"url": "https://a.example/3"}),
        json.dumps(["text"]),
        json.dumps({"html": PAGE, "fetched_at": 1714564800}),
        json.dumps({"text": "   "}),
        json.dumps({"text": "Last page text."}),
    ]
    path = write(tmp_path / "pages.jsonl", "\n".join(lines) + "\n")
    os.utime(path, (0, 0))
    result = pages(path)
    assert [(p.key, p.error.removeprefix(p.key + ": ").split(" (")[0]) for p in result] == [
        (f"{path}:1", ""),
        (f"{path}:3", "not valid JSON"),
        (f"{path}:4", 'missing "text"'),
        (f"{path}:5", "not a JSON object"),
        (f"{path}:6", ""),
        (f"{path}:7", "no text"),
        (f"{path}:8", ""),
    ]
    first, html, last = good(result)
    assert (first.url, first.fetched_at, first.text) == (
        "https://a.example/1",
        DATE,
        "First page text.",
    )
    assert html.fetched_at == DATE
    assert ARTICLE in html.text
    assert "Home page" in html.boilerplate
    # no "url": the line is a page of its own (its key), not a version of the file
    assert (last.url, last.fetched_at) == (f"{path}:8", "1970-01-01T00:00:00Z")
    assert {p.kind for p in result} == {"jsonl"}


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2024-05-01T12:00:00Z", DATE),
        ("2024-05-01T12:00:00.5+00:00", DATE),
        ("2024-05-01 12:00:00", DATE),
        ("Wed, 01 May 2024 12:00:00 GMT", DATE),
        ("20240501120000", DATE),
        (1714564800, DATE),
        (1714564800.25, DATE),
        ("yesterday", "1970-01-01T00:00:00Z"),
        (True, "1970-01-01T00:00:00Z"),
        (10**30, "1970-01-01T00:00:00Z"),
    ],
)
def test_jsonl_dates(tmp_path: Path, date: object, expected: str) -> None:
    path = write(tmp_path / "d.jsonl", json.dumps({"text": "Text.", "date": date}))
    os.utime(path, (0, 0))
    (page,) = pages(path)
    assert page.fetched_at == expected


def test_jsonl_lone_surrogate(tmp_path: Path) -> None:
    path = write(tmp_path / "s.jsonl", json.dumps({"text": "half \ud800 a pair"}))
    (page,) = pages(path)
    assert page.text == "half \ufffd a pair"
    assert page.sha256 == hashlib.sha256(page.text.encode("utf-8")).hexdigest()


def test_jsonl_limits_and_nesting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_BYTES", 1000)
    long_line = json.dumps({"text": "word " * 1000})
    path = write(tmp_path / "l.jsonl", f"{long_line}\n{'[' * 900}\n" + '{"text": "ok"}\n')
    result = pages(path)
    assert result[0].error == f"{path}:1: too large: {len(long_line):,} bytes over the 1,000 limit"
    assert "not valid JSON" in result[1].error
    assert result[2].text == "ok"


# -- folders -----------------------------------------------------------------------------


def test_folder_of_every_kind(tmp_path: Path) -> None:
    root = tmp_path / "crawl"
    write(root / "a.txt", "Plain text file.")
    write(root / "b.html", PAGE)
    warc(root / "c.warc", RECORDS, gz=False)
    warc(root / "d" / "e.warc.gz", RECORDS, gz=True)
    write(root / "d" / "f.jsonl", json.dumps({"text": "A JSONL page."}) + "\n{oops\n")
    write(root / "d" / "g.md", b"\x00\x01\x02" * 100)
    write(root / "ignored.pdf", b"%PDF")
    secret = write(root / "h.txt", "Unreadable unless root.")
    secret.chmod(0)
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "d" / "up").symlink_to(root)  # a folder loop: not followed
    (root / "same.txt").symlink_to(root / "a.txt")  # the same file twice: read once
    os.mkfifo(root / "pipe.txt")  # would block if opened
    try:
        result = pages(root, root / "a.txt")
        assert result == pages(root)
    finally:
        secret.chmod(0o644)
    keys = [p.key.split("#")[0].split(":")[0] for p in result]
    assert keys == sorted(keys)
    texts = [p.text for p in good(result)]
    assert {"Plain text file.", LATIN, "A JSONL page."} <= set(texts)
    assert sum(ARTICLE in t for t in texts) == 3  # the HTML file and one page in each WARC
    assert len(texts) == 1 + 1 + 2 + 2 + 1 + (os.geteuid() == 0)
    errors = {Path(p.key.split(":")[0]).name: p.error for p in bad(result)}
    assert "binary data" in errors["g.md"]
    assert "not valid JSON" in errors["f.jsonl"]
    assert "symbolic links" in errors["loop.txt"]
    assert errors["pipe.txt"] == f"{root / 'pipe.txt'}: not a regular file"
    if os.geteuid() != 0:  # root reads any file
        assert errors["h.txt"] == f"{root / 'h.txt'}: permission denied"
    assert not any("ignored.pdf" in p.key for p in result)


@pytest.mark.parametrize("name", ["a.txt", "b.html", "c.warc", "d.warc.gz", "e.jsonl"])
def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = write(tmp_path / name, "content")

    def refuse(file: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(file))

    for module in (ingest_web, ingest_warc):  # the modules that open the files read here
        monkeypatch.setattr(module, "open", refuse, raising=False)  # works when run as root
    (page,) = pages(path)
    assert page.error == f"{path}: permission denied"


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / ".." / "nope" / "x.warc"
    (page,) = pages(missing)
    name = os.path.normpath(missing)
    assert page == Page(name, name, "", "", "", "", "warc", f"{name}: no such file or folder")


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_BYTES", 100)
    path = write(tmp_path / "big.html", "x" * 150)
    (page,) = pages(path)
    assert page.error == f"{path}: too large: 150 bytes over the 100 limit"


def test_pages_stream(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    warc(path, RECORDS, gz=False)
    stream = iter_pages([path])
    assert next(stream).url == "https://example.com/news"
    del stream  # closing a half-read iteration is fine
    assert datetime.fromisoformat(pages(path)[0].fetched_at).tzinfo == UTC


# -- hostile WARC records (a fuzzer over the fields of one record) -----------------------

_GOOD_HTML = f"<html><body><article><p>{ARTICLE}</p><p>{SECOND}</p></article></body></html>"


def _raw_record(
    uri: bytes,
    block: bytes,
    *,
    length: bytes | None = None,
    extra: bytes = b"",
    kind: bytes = b"response",
) -> bytes:
    """One WARC record as bytes, its headers written by hand (so they can lie)."""
    size = str(len(block)).encode() if length is None else length
    return (
        b"WARC/1.0\r\nWARC-Type: " + kind + b"\r\nWARC-Target-URI: " + uri
        + b"\r\nWARC-Date: 2024-05-01T12:00:00Z\r\n" + extra
        + b"Content-Length: " + size + b"\r\n\r\n" + block + b"\r\n\r\n"
    )  # fmt: skip


def _http(body: bytes, head: bytes = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n") -> bytes:
    return head + b"\r\n" + body


_GOOD_BLOCK = _http(_GOOD_HTML.encode())
_FIELD_BYTES = st.binary(max_size=40) | st.sampled_from(
    [b"", b"\r\n", b"\n\n", b"WARC/1.0", b":", b"\x00", b"\xff\xfe", b"99999999999999999999"]
)


@st.composite
def _hostile_record(draw: st.DrawFn) -> bytes:
    """A record with fuzzed fields: a Content-Length that lies (or is not a number),
    header lines that are not headers, a status line, HTTP headers and a body from
    the hostile end (bad gzip, brotli, chunking, charsets), and a block cut short."""
    status = draw(st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.1 999 X", b"garbage", b""]))
    headers = draw(
        st.lists(
            st.sampled_from(
                [
                    b"Content-Type: text/html",
                    b"Content-Type: text/plain; charset=\xff",
                    b"Content-Type: text/html; charset=x-nonsense",
                    b"Content-Encoding: gzip",
                    b"Content-Encoding: br",
                    b"Content-Encoding: deflate",
                    b"Transfer-Encoding: chunked",
                    b"Content-Length: 5",
                    b"no colon at all",
                ]
            )
            | _FIELD_BYTES,
            max_size=4,
        )
    )
    body = draw(
        st.sampled_from([_GOOD_HTML.encode(), b"\x1f\x8b\x08garbage", b"zz\r\nabc\r\n", b""])
        | st.binary(max_size=200)
    )
    block = status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body
    block = block[: draw(st.integers(0, len(block)))] if draw(st.booleans()) else block
    lie = draw(
        st.none()
        | st.integers(-60, 60).filter(bool).map(lambda d: str(max(0, len(block) + d)).encode())
        | _FIELD_BYTES
    )
    extra = draw(st.sampled_from([b"", b"Content-Length: 3\r\n"]) | _FIELD_BYTES.map(
        lambda b: b.replace(b"\r\n\r\n", b"") + b"\r\n"
    ))  # fmt: skip
    uri = draw(st.sampled_from([b"http://hostile.example/", b"http://x/\xff\xfe", b"", b"ftp:x"]))
    kind = draw(st.sampled_from([b"response", b"resource", b"request", b"\xff"]))
    return _raw_record(uri, block, length=lie, extra=extra, kind=kind)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(hostile=_hostile_record(), gz=st.booleans())
def test_a_hostile_warc_record_is_recorded_and_the_rest_read(
    tmp_path_factory: pytest.TempPathFactory, hostile: bytes, gz: bool
) -> None:
    """Whatever one record holds, reading never raises, the records before and after
    it are read as without it, and what cannot be read is an error page with a reason."""
    before = _raw_record(b"http://before.example/", _GOOD_BLOCK)
    after = _raw_record(b"http://after.example/", _GOOD_BLOCK)
    parts = [before, hostile, after]
    data = b"".join(gzip.compress(p) for p in parts) if gz else b"".join(parts)
    path = write(tmp_path_factory.mktemp("fuzz") / ("h.warc.gz" if gz else "h.warc"), data)
    result = pages(path)
    urls = [p.url for p in good(result)]
    assert urls[0] == "http://before.example/"
    assert urls[-1] == "http://after.example/"
    assert good(result)[0].text == good(result)[-1].text
    for p in bad(result):
        assert p.error.startswith(f"{path}#") and p.error.split(": ", 1)[1].strip()


@pytest.mark.parametrize(
    ("hostile", "reason"),
    [
        (_raw_record(b"http://a/", _GOOD_BLOCK, length=b"10"), "does not end where"),
        (_raw_record(b"http://a/", _GOOD_BLOCK, length=b"100000"), "truncated WARC record"),
        (_raw_record(b"http://a/", _GOOD_BLOCK, length=b"1" * 30), "valid Content-Length"),
        (_raw_record(b"http://a/", _GOOD_BLOCK, extra=b"Content-Length: 3\r\n"), "two different"),
        (
            _raw_record(
                b"http://a/",
                _http(
                    b"notbrotli",
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n",
                ),
            ),
            "unreadable WARC record",
        ),  # fmt: skip
        (_raw_record(b"http://a/", _GOOD_BLOCK) + b"GARBAGE LINE\r\n", "does not end where"),
    ],
    ids=["short-length", "long-length", "huge-length", "two-lengths", "bad-brotli", "garbage"],
)
def test_damaged_warc_records_are_named(tmp_path: Path, hostile: bytes, reason: str) -> None:
    after = _raw_record(b"http://after.example/", _GOOD_BLOCK)
    path = write(tmp_path / "h.warc", hostile + after)
    result = pages(path)
    assert [p.url for p in good(result)] == ["http://after.example/"]
    (damaged,) = bad(result)
    assert damaged.key == f"{path}#0"
    assert reason in damaged.error


STRAY = "The harbour board met on Tue\x00sday at noon; the vote on the ferry waited a week."


def test_pages_read_with_stray_bytes_carry_the_warning(tmp_path: Path) -> None:
    """Every kind of page read with stray control bytes says so (``Page.warnings``,
    which ``prov scan`` records); a clean page has none."""
    write(tmp_path / "a.txt", STRAY)
    write(tmp_path / "b.html", f"<html><body><p>{STRAY}</p></body></html>")
    write(tmp_path / "c.jsonl", json.dumps({"url": "https://x.example/c", "text": STRAY}) + "\n")
    warc(
        tmp_path / "d.warc",
        [{"uri": "https://x.example/d", "body": STRAY.encode(),
          "http_headers": http("200 OK", "text/plain; charset=utf-8")}],
        gz=False,
    )  # fmt: skip
    write(tmp_path / "clean.txt", STRAY.replace("\x00", ""))
    pages = {Path(p.key.partition("#")[0].rpartition(":")[0] or p.key).name: p
             for p in iter_pages([tmp_path])}  # fmt: skip
    for name, p in pages.items():
        assert not p.error, p.error
        if name == "clean.txt":
            assert p.warnings == ()
        else:
            assert p.warnings == (f"{p.key}: 1 stray control character (NUL) ignored",), name
    assert len(pages) == 5
