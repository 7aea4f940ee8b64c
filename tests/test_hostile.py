"""Hostile input: every command given what a crawl and a careless user give it.

Each case goes through the command line (``add``, ``compare`` as source and as copy,
``check``, ``scan``): bad input is exit 3 with one ``Error: <file>: <reason>`` line
and no traceback, odd but readable encodings are read, huge and deep inputs stay
within time and memory, and a scan records what it skips and goes on. Memory is
measured in a subprocess (``VmHWM`` of /proc/self/status); the figures are printed
(``pytest -s``) and the ceilings are about 1.5 times what was measured.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance import indexing
from provenance.cli import app
from tests.conftest import HANG_GUARD, ROOT, seed_path, seed_text

runner = CliRunner()
MiB = 1024 * 1024


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def one_error(err: str, path: Path | str, reason: str) -> None:
    """``err`` is exactly one ``Error:`` line naming ``path`` and ``reason``."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: {path}"), err
    assert reason in lines[0], err


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of an index (the backup API, so that nothing still in the WAL is lost)."""
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dst)) as d:
        s.backup(d)
    return dst


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, args).fetchall()


def errors(db: Path) -> dict[str, str]:
    """What a scan skipped: ``{key: error}``."""
    return {
        str(k): str(e)
        for k, e in query(db, "SELECT key, error FROM documents WHERE status='error'")
    }


def statuses(db: Path) -> dict[str, str]:
    return {str(k): str(s) for k, s in query(db, "SELECT key, status FROM documents")}


# -- bad input: exit 3, one line, the file and the reason --------------------------------

_RNG = random.Random(20261124)  # noqa: S311
BAD: list[tuple[str, bytes, str]] = [
    ("empty", b"", "no text"),
    ("whitespace", b" \n\t\r\n   \n", "no text"),
    ("unicode-whitespace", "\u00a0\u3000\u2003 \n\u2009".encode(), "no text"),
    ("bom-only", b"\xef\xbb\xbf", "no text"),
    (
        "png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(_RNG.randrange(256) for _ in range(4000)),
        "binary",
    ),
    (
        "elf",
        b"\x7fELF\x02\x01\x01\x00" + bytes(56) + bytes(_RNG.randrange(256) for _ in range(4000)),
        "binary",
    ),
    ("nul-filled", bytes(8192), "binary"),
    ("random-bytes", bytes(_RNG.randrange(256) for _ in range(8192)), "binary"),
    (
        "bad-utf8-after-bom",
        b"\xef\xbb\xbfcaf\xc3\x28 au lait, and more text here.",
        "not valid utf-8",
    ),
    ("bad-utf16-after-bom", b"\xff\xfeA\x00\x00\xd8B\x00", "not valid utf-16"),
]


def _bad_args(command: str, bad: Path, good: Path, db: Path) -> list[str | Path]:
    table: dict[str, list[str | Path]] = {
        "add": ["add", "--db", db, bad],
        "compare-source": ["compare", bad, good],
        "compare-copy": ["compare", good, bad],
        "check": ["check", "--db", db, bad],
    }
    return table[command]


@pytest.mark.parametrize("command", ["add", "compare-source", "compare-copy", "check"])
@pytest.mark.parametrize(("data", "reason"), [pytest.param(d, r, id=i) for i, d, r in BAD])
def test_bad_input_is_exit_3_with_one_line(
    tmp_path: Path, seed_db: Path, command: str, data: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data)
    db = copy_db(seed_db, tmp_path / "i.db")
    code, _, err = invoke(*_bad_args(command, bad, seed_path("001"), db))
    assert code == 3, err
    one_error(err, bad, reason)


@pytest.mark.parametrize(("data", "reason"), [pytest.param(d, r, id=i) for i, d, r in BAD])
def test_scan_records_bad_input_and_goes_on(
    tmp_path: Path, seed_db: Path, data: bytes, reason: str
) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a-bad.txt").write_bytes(data)
    (crawl / "b-good.txt").write_text(seed_text("000"), encoding="utf-8")
    db = copy_db(seed_db, tmp_path / "i.db")
    code, _, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert (code, err) == (0, "")
    bad = str(crawl / "a-bad.txt")
    assert list(errors(db)) == [bad]
    assert errors(db)[bad].startswith(bad) and reason in errors(db)[bad]
    assert statuses(db)[str(crawl / "b-good.txt")] == "checked"


@pytest.mark.parametrize("command", ["add", "compare-source", "compare-copy", "check"])
def test_missing_path(tmp_path: Path, seed_db: Path, command: str) -> None:
    missing = tmp_path / "no" / "such.txt"
    code, _, err = invoke(*_bad_args(command, missing, seed_path("001"), seed_db))
    assert code == 3
    one_error(err, missing, "no such file")


def test_scan_of_a_missing_path_is_an_error(tmp_path: Path, seed_db: Path) -> None:
    # README: a named input that does not exist is exit 3 (a typo in a cron line must
    # not look like a good run); the other inputs are scanned, the missing one is not
    # recorded as a page.
    db = copy_db(seed_db, tmp_path / "i.db")
    missing = tmp_path / "no-such-crawl"
    code, _, err = invoke("scan", "--db", db, "--workers", "1", missing, seed_path("000"))
    assert code == 3
    one_error(err, missing, "no such file or folder (not scanned; the other inputs were)")
    assert errors(db) == {}
    assert statuses(db) == {str(seed_path("000")): "checked"}


@pytest.mark.parametrize("command", ["compare-source", "compare-copy", "check"])
def test_a_folder_where_a_file_is_expected(tmp_path: Path, seed_db: Path, command: str) -> None:
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    code, _, err = invoke(*_bad_args(command, folder, seed_path("001"), seed_db))
    assert code == 3
    one_error(err, folder, "is a folder")


@pytest.mark.parametrize("command", ["add", "scan"])
def test_an_empty_folder(tmp_path: Path, seed_db: Path, command: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a kind either command reads
    db = copy_db(seed_db, tmp_path / "i.db")
    code, out, err = invoke(
        command, "--db", db, *(["--workers", "1"] if command == "scan" else []), empty
    )
    assert "Traceback" not in err
    if command == "add":
        assert code == 3
        one_error(err, "no text files found in", str(empty))
    else:  # README: an input with nothing to scan is exit 3, not a good run of nothing
        assert code == 3
        one_error(err, empty, "nothing to scan (no .txt,")
        assert "0  pages read" in out


def test_check_reports_a_bad_suspect_and_checks_the_others(tmp_path: Path, seed_db: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(64))
    code, out, err = invoke(
        "check", "--db", seed_db, seed_path("000"), bad, seed_path("002"), "-f", "jsonl"
    )
    assert code == 3
    one_error(err, bad, "binary")
    assert [json.loads(line)["suspect"] for line in out.splitlines()] == [
        str(seed_path("000")),
        str(seed_path("002")),
    ]


# -- odd encodings that are still text: read, and read right -------------------------------

ENGLISH = seed_text("004")
FRENCH = (
    "Le ministre a déclaré que le plan réduirait les impôts de cinq pour cent l'année "
    "prochaine. Les élèves étaient déçus ; ils espéraient une réforme plus ambitieuse "
    "et plus généreuse. « Ce n'est qu'un début », a-t-il ajouté devant la presse à Montréal, "
    "où la séance s'est achevée très tard."
)
CP1252 = (
    "The minister said the plan would cut taxes by 5\u202f% \u2014 about \u20ac1,000 a year "
    "\u2014 next year. \u201cIt is only a beginning,\u201d he added; the critics\u2019 answer "
    "was \u2018too little\u2019. Members of parliament debated the bill on Wednesday and "
    "the vote is expected before the summer recess.".replace("\u202f", " ")
)
RUSSIAN = (
    "Министр заявил, что план сократит налоги на пять процентов в следующем году. "
    "Депутаты обсудили проект закона на заседании в среду. Решение будет принято "
    "после консультаций с регионами и профсоюзами."
)
CHINESE = "部长表示，该计划将在明年把税收减少百分之五。议员们在周三的会议上讨论了这项法案。决定将在与各地区协商后作出。"
KOREAN = "장관은 그 계획이 내년에 세금을 5퍼센트 줄일 것이라고 말했다. 의원들은 수요일 회의에서 법안을 논의했다."
JAPANESE = "大臣は、この計画により来年の税金が五パーセント減ると述べた。議員たちは水曜日の会議で法案を議論した。"
GREEK = (
    "Ο υπουργός δήλωσε ότι το σχέδιο θα μειώσει τους φόρους κατά πέντε τοις εκατό τον "
    "επόμενο χρόνο. Οι βουλευτές συζήτησαν το νομοσχέδιο την Τετάρτη."
)
MIXED = FRENCH.encode("utf-8").replace("impôts".encode(), "imp\xf4ts".encode("latin-1"))
GOOD: list[object] = [
    pytest.param(b"\xef\xbb\xbf" + ENGLISH.encode(), ENGLISH, id="utf8-bom"),
    pytest.param(b"\xff\xfe" + ENGLISH.encode("utf-16-le"), ENGLISH, id="utf16le-bom"),
    pytest.param(b"\xfe\xff" + ENGLISH.encode("utf-16-be"), ENGLISH, id="utf16be-bom"),
    pytest.param(ENGLISH.encode("utf-16-le"), ENGLISH, id="utf16le-nobom"),
    pytest.param(ENGLISH.encode("utf-16-be"), ENGLISH, id="utf16be-nobom"),
    pytest.param(b"\xff\xfe" + RUSSIAN.encode("utf-16-le"), RUSSIAN, id="utf16le-bom-russian"),
    pytest.param(RUSSIAN.encode("utf-16-le"), RUSSIAN, id="utf16le-nobom-russian"),
    pytest.param(GREEK.encode("utf-16-be"), GREEK, id="utf16be-nobom-greek"),
    *[
        pytest.param(
            text.encode(enc),
            text,
            id=f"{enc.replace('-', '')}-nobom-{name}",
        )
        for name, text, enc in [
            ("chinese", CHINESE, "utf-16-be"),
            ("japanese", JAPANESE, "utf-16-le"),
            ("korean", KOREAN, "utf-16-le"),
        ]
    ],
    pytest.param(FRENCH.encode("latin-1"), FRENCH, id="latin1"),
    pytest.param(CP1252.encode("cp1252"), CP1252, id="cp1252"),
    # not UTF-8 (one Latin-1 byte in UTF-8 text): read by the documented fallback, cp1252
    pytest.param(MIXED, MIXED.decode("cp1252"), id="invalid-utf8"),
]


def _indexed(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """An index of ``text`` (in UTF-8) and the file it was added from."""
    ref = tmp_path / "ref" / "reference.txt"
    ref.parent.mkdir()
    ref.write_text(text, encoding="utf-8")
    db = tmp_path / "ref.db"
    assert [r.status for r in indexing.add([ref], db)] == ["added"]
    return ref, db


@pytest.mark.parametrize("command", ["add", "compare-source", "compare-copy", "check", "scan"])
@pytest.mark.parametrize(("data", "text"), GOOD)
def test_odd_encodings_are_read_right(tmp_path: Path, command: str, data: bytes, text: str) -> None:
    ref, db = _indexed(tmp_path, text)
    enc = tmp_path / "crawl" / "encoded.txt"
    enc.parent.mkdir()
    enc.write_bytes(data)
    if command == "add":
        code, _, err = invoke("add", "--db", db, enc)
        assert (code, err) == (0, "")
        assert query(db, "SELECT text FROM sources WHERE path = ?", str(enc)) == [(text,)]
        return
    if command == "scan":
        code, _, err = invoke("scan", "--db", db, "--workers", "1", enc.parent)
        assert (code, err) == (0, "")
        assert statuses(db) == {str(enc): "checked"}
        assert query(db, "SELECT verdict, fidelity FROM results") == [("verbatim", 1.0)]
        return
    table: dict[str, list[str | Path]] = {
        "compare-source": ["compare", enc, ref, "--json"],
        "compare-copy": ["compare", ref, enc, "--json"],
        "check": ["check", "--db", db, enc, "--json"],
    }
    args = table[command]
    code, out, err = invoke(*args)
    assert (code, err) == (0, "")
    result = json.loads(out)
    match = result["matches"][0] if command == "check" else result
    assert (match["verdict"], match["fidelity"], match["counts"]["alterations"]) == (
        "verbatim",
        1.0,
        0,
    )


# -- unreadable, looping and special files ---------------------------------------------------


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file that cannot be opened. Tests run as root, which reads a chmod 000 file, so
    opening it is also made to fail the way the kernel would for another user."""
    path = tmp_path / "secret.txt"
    path.write_text(seed_text("000"), encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:
        import builtins
        import io

        real_open = builtins.open

        def guarded(file: object, *args: object, **kwargs: object) -> object:
            if isinstance(file, str | os.PathLike) and os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(builtins, "open", guarded)
        monkeypatch.setattr(io, "open", guarded)
    return path


@pytest.mark.parametrize("command", ["add", "compare-source", "compare-copy", "check"])
def test_unreadable_file(unreadable: Path, tmp_path: Path, seed_db: Path, command: str) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    code, _, err = invoke(*_bad_args(command, unreadable, seed_path("001"), db))
    assert code == 3
    one_error(err, unreadable, "permission denied")


def test_scan_records_an_unreadable_file(unreadable: Path, tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    code, _, err = invoke("scan", "--db", db, "--workers", "1", unreadable, seed_path("000"))
    # recorded, and the other input checked; a named input with no readable page is exit 3
    assert code == 3
    one_error(err, unreadable, "its only page could not be read (`prov errors` lists why)")
    assert "ermission denied" in errors(db)[str(unreadable)]
    assert statuses(db)[str(seed_path("000"))] == "checked"


@pytest.fixture
def loops(tmp_path: Path) -> Path:
    """A folder with a good file, a link to its parent folder, a link to itself and a
    two-link cycle."""
    root = tmp_path / "loops"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "good.txt").write_text(seed_text("001"), encoding="utf-8")
    (root / "sub" / "up").symlink_to("..")
    (root / "self.txt").symlink_to("self.txt")
    (root / "b.txt").symlink_to("c.txt")
    (root / "c.txt").symlink_to("b.txt")
    return root


def test_add_a_folder_with_symlink_loops(loops: Path, tmp_path: Path) -> None:
    # README: links found inside a folder are not followed (loops or not)
    db = tmp_path / "i.db"
    code, out, err = invoke("add", "--db", db, loops)
    assert (code, err) == (0, "")
    assert out.startswith("1 added (")
    assert query(db, "SELECT path FROM sources") == [(str(loops / "sub" / "good.txt"),)]


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with a good file and a link to a readable file outside it (as a link to
    /etc/passwd would be), named like a text file; and the outside file."""
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(seed_text("004"), encoding="utf-8")
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "good.txt").write_text(seed_text("001"), encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "etc.txt").symlink_to("/etc/passwd")
    return folder, secret


def test_links_inside_folders_are_not_followed(
    leaky: tuple[Path, Path], tmp_path: Path, seed_db: Path
) -> None:
    folder, secret = leaky
    db = tmp_path / "i.db"
    code, out, err = invoke("add", "--db", db, folder)
    assert (code, err) == (0, "")
    assert query(db, "SELECT path FROM sources") == [(str(folder / "good.txt"),)]
    # a link named on the command line is followed: the user chose it
    code, out, err = invoke("add", "--db", db, folder / "leak.txt")
    assert (code, err) == (0, "")
    assert (str(folder / "leak.txt"),) in query(db, "SELECT path FROM sources")
    scan_db = copy_db(seed_db, tmp_path / "s.db")
    code, out, err = invoke("scan", "--db", scan_db, "--workers", "1", folder)
    assert (code, err) == (0, "")
    assert statuses(scan_db) == {
        str(folder / "good.txt"): "checked",
        str(folder / "leak.txt"): "error",
        str(folder / "etc.txt"): "error",
    }
    assert all("symbolic link inside a folder: not followed" in e for e in errors(scan_db).values())
    texts = query(scan_db, "SELECT count(*) FROM contents")
    assert texts == [(1,)]  # only good.txt's text is stored


def test_add_a_link_to_itself_names_the_reason(loops: Path, tmp_path: Path) -> None:
    code, _, err = invoke("add", "--db", tmp_path / "i.db", loops / "self.txt")
    assert code == 3
    one_error(err, loops / "self.txt", "symbolic links")


@pytest.mark.parametrize("command", ["compare-source", "compare-copy", "check"])
def test_a_link_to_itself(loops: Path, seed_db: Path, command: str) -> None:
    code, _, err = invoke(*_bad_args(command, loops / "self.txt", seed_path("001"), seed_db))
    assert code == 3
    one_error(err, loops / "self.txt", "Too many levels of symbolic links")


def test_scan_a_folder_with_symlink_loops(loops: Path, tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    code, _, err = invoke("scan", "--db", db, "--workers", "1", loops)
    assert (code, err) == (0, "")
    assert sorted(errors(db)) == [str(loops / n) for n in ("b.txt", "c.txt", "self.txt")]
    assert all("symbolic links" in e for e in errors(db).values())
    assert statuses(db)[str(loops / "sub" / "good.txt")] == "checked"


def _prov(
    *args: str | Path, timeout: float, limit_memory: int | None = None
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    return subprocess.run(
        [sys.executable, "-m", "provenance", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        preexec_fn=limit,  # only setrlimit: safe
        check=False,
    )


def test_add_a_folder_with_a_fifo(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text(seed_text("001"), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    try:
        done = _prov("add", "--db", tmp_path / "i.db", folder, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail("prov add never finished: it is blocked opening the FIFO")
    assert done.returncode == 3
    one_error(done.stderr, folder / "pipe.txt", "not a regular file")
    assert done.stdout.startswith("1 added, 1 failed")


def test_compare_a_device_that_never_ends() -> None:
    done = _prov(
        "compare", "/dev/zero", seed_path("001"), timeout=HANG_GUARD, limit_memory=2 * 1024 * MiB
    )
    assert done.returncode == 3
    one_error(done.stderr, "/dev/zero", "not a regular file")


def test_scan_records_special_files(tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    os.mkfifo(crawl / "pipe.txt")
    (crawl / "z.txt").write_text(seed_text("000"), encoding="utf-8")
    done = _prov("scan", "--db", db, "--workers", "1", crawl, "/dev/zero", timeout=HANG_GUARD)
    # /dev/zero, named, gave no readable page: exit 3 once the rest is scanned
    assert done.returncode == 3
    one_error(done.stderr, "/dev/zero", "its only page could not be read")
    assert errors(db) == {
        str(crawl / "pipe.txt"): f"{crawl / 'pipe.txt'}: not a regular file",
        "/dev/zero": "/dev/zero: not a regular file",
    }
    assert statuses(db)[str(crawl / "z.txt")] == "checked"


# -- damaged databases: exit 4, one line --------------------------------------------------


def _damaged(kind: str, seed_db: Path, path: Path) -> Path:
    if kind == "text-file":
        path.write_text("hello\n")
    elif kind == "random-bytes":
        path.write_bytes(random.Random(4).randbytes(100_000))  # noqa: S311
    elif kind == "other-app":
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE t (x)")
    else:
        copy_db(seed_db, path)
        data = bytearray(path.read_bytes())
        if kind == "truncated":
            data = data[: len(data) // 2]
        else:  # pages overwritten from the third on, the header intact
            rng = random.Random(3)  # noqa: S311
            for at in range(3 * 4096, len(data), 4096):
                data[at + 100 : at + 300] = rng.randbytes(200)
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", ["add", "check", "scan"])
@pytest.mark.parametrize(
    "kind",
    [
        "text-file",
        "random-bytes",
        "other-app",
        "truncated",
        "corrupt-pages",
    ],
)
def test_damaged_database_is_exit_4(tmp_path: Path, seed_db: Path, kind: str, command: str) -> None:
    db = _damaged(kind, seed_db, tmp_path / "i.db")
    extra = ["--workers", "1"] if command == "scan" else []
    code, _, err = invoke(command, "--db", db, *extra, seed_path("000"))
    assert code == 4, err
    one_error(err, db, "")


# -- WARC damage: the rest is read, the damage recorded ------------------------------------


def warc_record(uri: str, text: str) -> bytes:
    body = "<html><body><article>" + "".join(
        f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()
    )
    payload = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + (body + "</article></body></html>").encode()
    )
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n"
        f"WARC-Date: 2024-05-01T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:{abs(hash(uri))}>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload + b"\r\n\r\n"


def _records(gz: bool) -> tuple[list[bytes], list[int]]:
    parts = [warc_record(f"https://example.com/{p}", seed_text(p)) for p in ("000", "002", "003")]
    if gz:
        parts = [gzip.compress(p, mtime=0) for p in parts]
    offsets = [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    return parts, offsets


def test_scan_a_truncated_warc(tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    parts, offsets = _records(gz=False)
    cut = crawl / "a.warc"
    cut.write_bytes(b"".join(parts)[: offsets[1] + len(parts[1]) // 2])
    (crawl / "b.txt").write_text(seed_text("000"), encoding="utf-8")
    code, _, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert (code, err) == (0, "")
    key = f"{cut}#{offsets[1]}"
    assert list(errors(db)) == [key]
    assert errors(db)[key].startswith(f"{key}: truncated WARC record")
    assert statuses(db)[f"{cut}#0"] == "checked"
    assert statuses(db)[str(crawl / "b.txt")] == "checked"


def test_scan_a_warc_gz_with_a_corrupted_member(tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    parts, offsets = _records(gz=True)
    member = bytearray(parts[1])
    middle = len(member) // 2
    member[middle : middle + 16] = bytes(b ^ 0xFF for b in member[middle : middle + 16])
    bad = crawl / "a.warc.gz"
    bad.write_bytes(parts[0] + bytes(member) + parts[2])
    (crawl / "b.txt").write_text(seed_text("000"), encoding="utf-8")
    code, _, err = invoke("scan", "--db", db, "--workers", "1", crawl)
    assert (code, err) == (0, "")
    key = f"{bad}#{offsets[1]}"
    assert list(errors(db)) == [key]
    assert errors(db)[key].startswith(f"{key}: corrupted gzip member")
    assert statuses(db)[str(crawl / "b.txt")] == "checked"
    assert statuses(db)[f"{bad}#0"] == "checked"
    assert statuses(db)[f"{bad}#{offsets[2]}"] == "checked"  # the member after the damage


def _lying(record: bytes, length: int) -> bytes:
    """``record`` with its WARC Content-Length replaced by ``length``."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = [
        b"Content-Length: %d" % length if line.startswith(b"Content-Length:") else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + rest


def _http_block(record: bytes, http: bytes) -> bytes:
    """``record`` with its HTTP block replaced by ``http`` (Content-Length kept right)."""
    head = record.partition(b"\r\n\r\n")[0]
    return _lying(head + b"\r\n\r\n" + http + b"\r\n\r\n", len(http))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda r: _lying(r, len(r) // 3), "does not end where its Content-Length"),
        (lambda r: _lying(r, len(r) + 100), "does not end where its Content-Length"),
        (lambda r: _lying(r, 10 * len(r)), "truncated WARC record"),  # past the file's end
        (lambda r: _lying(r, 10**40), "without a valid Content-Length"),
        (lambda r: r.replace(b"WARC-Date:", b"\xff\xfe no colon\r\nContent-Length: 1\r\nX:"),
         "two different Content-Lengths"),
        (lambda r: _http_block(r, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               b"Content-Encoding: br\r\n\r\nnot brotli"),
         "unreadable WARC record"),
        (lambda r: _http_block(r, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               b"Content-Encoding: gzip\r\n\r\n\x1f\x8b\x08cut"),
         "binary data"),
    ],
    ids=["length-too-short", "length-too-long", "length-past-the-end", "length-absurd",
         "bad-header-lines",
         "bad-brotli", "truncated-gzip-body"],
)  # fmt: skip
def test_scan_a_warc_with_a_hostile_record(
    tmp_path: Path, seed_db: Path, damage: Callable[[bytes], bytes], reason: str
) -> None:
    """One damaged record in the middle of a plain .warc: recorded with the reason, the
    records before and after it checked, the scan a success (exit 0)."""
    db = copy_db(seed_db, tmp_path / "i.db")
    parts, offsets = _records(gz=False)
    path = tmp_path / "a.warc"
    path.write_bytes(parts[0] + damage(parts[1]) + parts[2])
    code, out, err = invoke("scan", "--db", db, "--workers", "1", path)
    assert (code, err) == (0, "")
    key = f"{path}#{offsets[1]}"
    assert list(errors(db)) == [key]
    assert reason in errors(db)[key]
    checked = [k for k, s in statuses(db).items() if s == "checked"]
    assert len(checked) == 2 and f"{path}#0" in checked
    urls = {u for (u,) in query(db, "SELECT url FROM documents WHERE status = 'checked'")}
    assert urls == {"https://example.com/000", "https://example.com/003"}


# -- names that are not UTF-8, URLs with lone surrogates ------------------------------------


def test_a_file_name_that_is_not_utf8(tmp_path: Path, seed_db: Path) -> None:
    """A name with bytes that are not UTF-8 is read under its real name and stored and
    shown with \\xNN escapes; add, sources, check, remove and scan all work."""
    folder = tmp_path / "src"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"bad\xffname.txt")
    with open(raw, "wb") as fh:
        fh.write(seed_text("001").encode())
    (folder / "good.txt").write_text(seed_text("004"), encoding="utf-8")
    shown = f"{folder}/bad\\xffname.txt"
    db = tmp_path / "i.db"
    code, out, err = invoke("add", "--db", db, folder)
    assert (code, err) == (0, "")
    assert out.startswith("2 added (")
    assert (shown,) in query(db, "SELECT path FROM sources")
    code, out, err = invoke("sources", "--db", db, "--json")
    assert shown in [s["path"] for s in json.loads(out)]
    code, out, err = invoke("check", "--db", db, seed_path("000"), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["matches"][0]["source"] == shown
    code, out, err = invoke("add", "--db", db, folder)  # rerun: nothing fails, nothing new
    assert (code, err) == (0, "") and out.startswith("2 unchanged")
    code, out, err = invoke(
        "remove", "--db", db, os.fsdecode(raw)
    )  # the name as the shell gives it
    assert (code, err) == (0, "") and out.startswith(f"removed {shown} (")
    invoke("add", "--db", db, folder)
    code, out, err = invoke("remove", "--db", db, shown)  # the name as prov shows it
    assert (code, err) == (0, "")
    scan_db = copy_db(seed_db, tmp_path / "s.db")
    code, out, err = invoke("scan", "--db", scan_db, "--workers", "1", folder)
    assert (code, err) == (0, "")
    assert statuses(scan_db)[shown] == "checked"
    # a name that is not UTF-8 and cannot be read either: the error names it escaped
    bad = os.path.join(os.fsencode(folder), b"empty\xfe.txt")
    open(bad, "wb").close()
    code, out, err = invoke("add", "--db", db, os.fsdecode(bad))
    assert code == 3
    one_error(err, f"{folder}/empty\\xfe.txt", "no text")


def test_a_jsonl_url_with_a_lone_surrogate(tmp_path: Path, seed_db: Path) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    path = tmp_path / "pages.jsonl"
    lines = [
        json.dumps({"url": "https://example.com/\ud800half", "text": seed_text("000")}),
        json.dumps({"url": "https://example.com/ok", "text": seed_text("002")}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = invoke("scan", "--db", db, "--workers", "1", path)
    assert (code, err) == (0, "")
    urls = {u for (u,) in query(db, "SELECT url FROM documents WHERE status = 'checked'")}
    assert urls == {"https://example.com/\\ud800half", "https://example.com/ok"}
    code, out, err = invoke("history", "--db", db, "https://example.com/\ud800half", "--json")
    assert (code, err) == (0, "")
    assert len(json.loads(out)["versions"]) == 1


# -- size: memory and time stay bounded ----------------------------------------------------

#: Runs the command line in this process and reports its peak resident set (VmHWM).
RSS_RUNNER = """
import sys
from provenance.cli import main
code = 0
try:
    main()
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        sys.stderr.write("PEAK_RSS_KB " + line.split()[1] + "\\n")
sys.exit(code)
"""


def run_measured(*args: str | Path, timeout: float = HANG_GUARD) -> tuple[int, str, str, float]:
    """``(exit code, stdout, stderr without the figure, peak RSS in MiB)``."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", RSS_RUNNER, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    lines = done.stderr.splitlines()
    peak = [int(line.split()[1]) for line in lines if line.startswith("PEAK_RSS_KB ")]
    assert peak, done.stderr
    err = "".join(line + "\n" for line in lines if not line.startswith("PEAK_RSS_KB "))
    mib = peak[0] / 1024
    print(f"\n{args[0]}: peak RSS {mib:.0f} MiB, {time.monotonic() - started:.1f} s")
    return done.returncode, done.stdout, err, mib


#: Measured 2026-11-24 on 2 cores, Python 3.11 (prov 8c98056): add 464-509 MiB, check and
#: scan 336-359, compare 298-324 (texts over 4M characters are cut, with a warning).
BIG_TEXT_CEILING_MIB = 768


@pytest.fixture(scope="module")
def big_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 MiB of English prose (the two canonical seeds over and over) with no line break."""
    path = tmp_path_factory.mktemp("big") / "one-line.txt"
    unit = " ".join(seed_text("001").split()) + " " + " ".join(seed_text("004").split()) + " "
    data = unit.encode()
    with path.open("wb") as fh:
        for _ in range(50 * MiB // len(data) + 1):
            fh.write(data)
    return path


@pytest.mark.parametrize("command", ["add", "compare-source", "compare-copy", "check", "scan"])
def test_a_50_mb_file_with_no_line_break(
    big_text: Path, tmp_path: Path, seed_db: Path, command: str
) -> None:
    assert big_text.stat().st_size > 50 * MiB
    assert b"\n" not in big_text.read_bytes()[: 10 * MiB]
    db = copy_db(seed_db, tmp_path / "i.db")
    table: dict[str, list[str | Path]] = {
        "add": ["add", "--db", db, big_text],
        "compare-source": ["compare", big_text, seed_path("001")],
        "compare-copy": ["compare", seed_path("001"), big_text],
        "check": ["check", "--db", db, big_text],
        "scan": ["scan", "--db", db, "--workers", "1", big_text],
    }
    code, _, err, peak = run_measured(*table[command])
    assert code == 0, err
    assert "Traceback" not in err and "Error" not in err
    assert peak < BIG_TEXT_CEILING_MIB
    if command == "scan":
        assert statuses(db) == {str(big_text): "checked"}


def _nested(tag: str) -> Callable[[Path, int], None]:
    """A page of ``size`` bytes: ``<tag>`` nested as deep as that allows, text at the bottom."""

    def make(path: Path, size: int) -> None:
        opening, closing_ = f"<{tag}>", f"</{tag.split()[0]}>"
        depth = size // (len(opening) + len(closing_))
        with path.open("w", encoding="utf-8") as fh:
            fh.write("<html><body>" + opening * depth)
            fh.write("<p>" + html.escape(seed_text("001")) + "</p>")
            fh.write(closing_ * depth + "</body></html>")

    return make


def _flat_paragraphs(path: Path, size: int) -> None:
    paragraphs = [f"<p>{html.escape(line)}</p>\n" for line in seed_text("001").splitlines()]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<html><body><article>")
        written = 0
        while written < size:
            for p in paragraphs:
                written += fh.write(p)
        fh.write("</article></body></html>")


#: Measured: nested <div>s 883 MiB (resiliparse's tree of 1.9 million nodes), flat 20 MB
#: page 350 MiB.
HTML_CEILING_MIB = 1330


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_flat_paragraphs, id="flat-paragraphs"),
        pytest.param(_nested("div"), id="nested-div"),
        pytest.param(_nested("div class=x"), id="nested-div-attributes"),
        *[
            pytest.param(
                _nested(tag),
                id=f"nested-{tag}",
            )
            for tag in ("Div", "article")
        ],
    ],
)
def test_scan_a_20_mb_html_page(
    tmp_path: Path, seed_db: Path, make: Callable[[Path, int], None]
) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    page = tmp_path / "crawl" / "page.html"
    page.parent.mkdir()
    make(page, 20 * MiB)
    (page.parent / "z-next.txt").write_text(seed_text("000"), encoding="utf-8")
    # (how long it takes is no test: test_many_tags_skip_main_content_detection bounds
    # the work, which is what made it slow; scripts/ benchmarks time it)
    code, _, err, peak = run_measured("scan", "--db", db, "--workers", "1", page.parent)
    assert (code, err) == (0, "")
    assert set(statuses(db).values()) <= {"checked", "error"}
    assert statuses(db)[str(page.parent / "z-next.txt")] == "checked"
    assert peak < HTML_CEILING_MIB


@pytest.mark.parametrize(
    ("tags", "detections"), [(2_000, 1), (40_000, 0)], ids=["article", "over-the-cap"]
)
def test_many_tags_skip_main_content_detection(
    monkeypatch: pytest.MonkeyPatch, tags: int, detections: int
) -> None:
    """What bounds the time of a 20 MB page: main-content detection (quadratic in the
    nesting depth) runs only on pages of at most ``MAX_HTML_TAGS`` tags."""
    from provenance.ingest import files

    assert files.MAX_HTML_TAGS < 40_000
    calls: list[bool] = []
    extract = files.extract_plain_text

    def counted(tree: object, **kwargs: object) -> str:
        calls.append(bool(kwargs.get("main_content")))
        return str(extract(tree, **kwargs))

    monkeypatch.setattr(files, "extract_plain_text", counted)
    depth = tags // 2
    page = "<html><body>" + "<div>" * depth + html.escape(seed_text("001")) + "</div>" * depth
    text, _ = files.html_text(page + "</body></html>")
    assert " ".join(seed_text("001").split()[:8]) in " ".join(text.split())
    assert calls.count(True) == detections
    assert calls.count(False) == 1


def _gzip_member(path: Path, head: bytes, body_size: int, tail: bytes) -> None:
    """A gzip member of ``head``, ``body_size`` zero bytes and ``tail``, written a MiB at a
    time (the file is ~5 MB; nothing large is ever held in memory)."""
    squeeze = zlib.compressobj(1, wbits=31)
    zeros = bytes(MiB)
    with path.open("wb") as fh:
        fh.write(squeeze.compress(head))
        for _ in range(body_size // MiB):
            fh.write(squeeze.compress(zeros))
        fh.write(squeeze.compress(tail))
        fh.write(squeeze.flush())


BOMB_BODY = 1100 * MiB
#: Measured: 186-195 MiB (WARC body), 190-206 MiB (HTTP Content-Encoding), 1-3 s each.
BOMB_CEILING_MIB = 300


def _warc_body_bomb(path: Path) -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>"
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
        b"WARC-Date: 2024-05-01T12:00:00Z\r\nContent-Length: %d\r\n\r\n" % (len(http) + BOMB_BODY)
    )
    _gzip_member(path, head + http, BOMB_BODY, b"\r\n\r\n")


def _http_encoding_bomb(path: Path) -> None:
    inner = path.with_suffix(".inner")
    _gzip_member(inner, b"<html><body><p>", BOMB_BODY, b"</p>")
    payload = inner.read_bytes()
    inner.unlink()
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(payload)
    ) + payload
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://bomb.example/\r\n"
        b"WARC-Date: 2024-05-01T12:00:00Z\r\nContent-Length: %d\r\n\r\n" % len(http)
    )
    path.write_bytes(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1, mtime=0))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_warc_body_bomb, id="warc-gz-body"),
        pytest.param(_http_encoding_bomb, id="http-content-encoding"),
    ],
)
def test_scan_a_gzip_bomb(tmp_path: Path, seed_db: Path, make: Callable[[Path], None]) -> None:
    db = copy_db(seed_db, tmp_path / "i.db")
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    bomb = crawl / "bomb.warc.gz"
    make(bomb)
    assert bomb.stat().st_size < 16 * MiB
    (crawl / "z-next.txt").write_text(seed_text("000"), encoding="utf-8")
    code, _, err, peak = run_measured("scan", "--db", db, "--workers", "1", crawl)
    assert (code, err) == (0, "")
    assert list(errors(db)) == [f"{bomb}#0"]
    assert "too large" in errors(db)[f"{bomb}#0"]
    assert statuses(db)[str(crawl / "z-next.txt")] == "checked"
    assert peak < BOMB_CEILING_MIB


# -- many tiny files -------------------------------------------------------------------------

#: 100,000 took 77 s to add (1,290 files/s) and 83 s to scan (1,206 pages/s, 2 workers).
#: The test bounds the work instead of the time: SQLite's virtual-machine steps per file,
#: which must not grow with the number of files (a query per file that scans a table, or
#: a quadratic pass, would make them grow with it).
TINY_FILES = (500, 2_000)
#: VM steps are counted in units of this many instructions.
VM_UNIT = 1000
_WORDS = (
    "river stone market council winter harbour signal garden letter morning bridge valley "
    "station record museum island forest engine paper minister"
).split()


def _tiny_files(root: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)  # noqa: S311
    for i in range(n):
        folder = root / f"d{i // 1000:03}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        words = " ".join(rng.choice(_WORDS) for _ in range(10))
        (folder / f"f{i:06}.txt").write_text(f"Note {i} says the {words} stayed open.\n")
    return root


def _count_vm_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count (in :data:`VM_UNIT`) the SQLite VM instructions of every index opened."""
    from provenance.index.store import Store

    steps = [0]
    opened = Store._open.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Store], *args: object) -> Store:
        store: Store = opened(cls, *args)

        def tick() -> int:
            steps[0] += 1
            return 0

        store.db.conn.set_progress_handler(tick, VM_UNIT)
        return store

    monkeypatch.setattr(Store, "_open", classmethod(counting))
    return steps


def test_many_tiny_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.crawl.scan import scan

    steps = _count_vm_steps(monkeypatch)
    per_file: list[tuple[float, float]] = []
    for n in TINY_FILES:
        root = _tiny_files(tmp_path / f"tiny{n}", n, seed=n)
        db = tmp_path / f"i{n}.db"
        steps[0] = 0
        started = time.monotonic()
        results = list(indexing.add([root], db, workers=1))
        add_seconds, add_steps = time.monotonic() - started, steps[0]
        assert {r.status for r in results} == {"added"} and len(results) == n
        steps[0] = 0
        started = time.monotonic()
        stats = scan([root], db, workers=1)
        scan_seconds, scan_steps = time.monotonic() - started, steps[0]
        assert (stats.read, stats.checked) == (n, n)
        assert query(db, "SELECT status, count(*) FROM documents GROUP BY status") == [
            ("checked", n)
        ]
        per_file.append((add_steps / n, scan_steps / n))
        print(
            f"\n{n} tiny files: add {add_steps * VM_UNIT / n:,.0f} VM steps a file "
            f"({n / add_seconds:.0f} files/s), scan {scan_steps * VM_UNIT / n:,.0f} "
            f"({n / scan_seconds:.0f} pages/s) on this machine"
        )
    (add_small, scan_small), (add_large, scan_large) = per_file
    assert add_large <= 1.5 * add_small
    assert scan_large <= 1.5 * scan_small
