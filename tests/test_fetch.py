"""ingest/fetch.py: URLs fetched from a local HTTP server, and every refusal.

The server runs on 127.0.0.1, so fetching it needs ``allow_private``; without it the
same URLs are refused before any connection (the server counts the requests it gets).
"""

from __future__ import annotations

import gzip
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.ingest import fetch as fetch_module
from provenance.ingest.fetch import FetchError, Limits, fetch, is_url, refusal, resolve
from tests.conftest import seed_path, seed_text

PAGE = (
    "<html><head><title>T</title><meta charset='utf-8'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About us</a></nav>"
    "<article><h1>Ministers meet</h1>"
    + "".join(
        f"<p>Paragraph {i}: the ministers agreed on a plan to rebuild the bridge and the "
        f"school, café owners said the river had risen again in the night.</p>"
        for i in range(6)
    )
    + "</article><footer>Copyright 2024 Example News · Contact · Privacy</footer></body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the test server's threads

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        Handler.hits.append(self.path)
        port = self.server.server_address[1]
        p = self.path
        if p == "/page.html":
            self._send(200, "text/html; charset=utf-8", PAGE.encode("utf-8"))
        elif p == "/latin1.txt":
            self._send(200, "text/plain; charset=iso-8859-1", "café crème brûlée".encode("latin-1"))
        elif p.startswith("/seeds/"):
            self._send(200, "text/plain; charset=utf-8", seed_path(p[7:10]).read_bytes())
        elif p == "/gz.txt":
            body = gzip.compress(b"compressed words " * 100)
            self._send(200, "text/plain", body, Content_Encoding="gzip")
        elif p == "/redirect":
            self._send(302, "text/plain", b"", Location="/page.html")
        elif p.startswith("/chain/"):
            n = int(p.rsplit("/", 1)[1])
            self._send(302, "text/plain", b"", Location=f"/chain/{n + 1}")
        elif p == "/to-other":
            self._send(302, "text/plain", b"", Location=f"http://127.0.0.2:{port}/page.html")
        elif p == "/to-ftp":
            self._send(302, "text/plain", b"", Location="ftp://example.org/x")
        elif p == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.4 binary")
        elif p == "/big":
            self._send(200, "text/plain", b"word " * 5000)
        elif p == "/big-unsized":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"word " * 5000)
            self.close_connection = True
        elif p == "/binary.txt":
            self._send(200, "text/plain", b"\x00\x01\x02\x00" * 50)
        elif p == "/empty.html":
            self._send(200, "text/html", b"<html><body>   </body></html>")
        elif p == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            threading.Event().wait(5)  # never sends the body in time
        else:
            self._send(404, "text/plain", b"not here")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


OPEN = Limits(allow_private=True)


def test_fetch_html_reads_the_main_text(server: str) -> None:
    raw = fetch(f"{server}/page.html", OPEN)
    assert raw.path == f"{server}/page.html"
    assert "Paragraph 5: the ministers agreed" in raw.text
    assert "Copyright 2024" not in raw.text and "About us" not in raw.text


def test_fetch_text_declared_charset(server: str) -> None:
    assert fetch(f"{server}/latin1.txt", OPEN).text == "café crème brûlée"


def test_fetch_gzip_body(server: str) -> None:
    assert fetch(f"{server}/gz.txt", OPEN).text.startswith("compressed words compressed")


def test_fetch_follows_redirects(server: str) -> None:
    assert "Paragraph 0" in fetch(f"{server}/redirect", OPEN).text


def test_fetch_seed_is_the_file(server: str) -> None:
    raw = fetch(f"{server}/seeds/{seed_path('003').name}", OPEN)
    assert raw.text == seed_text("003")


@pytest.mark.parametrize(
    ("path", "limits", "status", "words"),
    [
        ("/chain/0", OPEN, 400, "more than 5 redirects"),
        ("/to-ftp", OPEN, 400, "only http and https"),
        ("/pdf", OPEN, 400, "a application/pdf, expected application/xhtml+xml, text/html, text/plain"),
        ("/big", Limits(allow_private=True, max_bytes=1000), 413, "25,000 bytes, over the 1,000 limit"),
        ("/big-unsized", Limits(allow_private=True, max_bytes=1000), 413, "more than the 1,000 byte limit"),
        ("/binary.txt", OPEN, 400, "binary data, not text"),
        ("/empty.html", OPEN, 400, "no text in this page"),
        ("/missing", OPEN, 502, "the server answered 404 Not Found"),
        ("/slow", Limits(allow_private=True, read_seconds=0.3), 504, "stopped sending in time"),
    ],
)  # fmt: skip
def test_fetch_refusals(server: str, path: str, limits: Limits, status: int, words: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(server + path, limits)
    assert words in str(info.value)
    assert str(info.value).startswith(server + path + ": ")
    assert info.value.status == status


def test_fetch_counts_redirects(server: str) -> None:
    Handler.hits.clear()
    with pytest.raises(FetchError):
        fetch(f"{server}/chain/0", OPEN)
    assert Handler.hits == [f"/chain/{n}" for n in range(6)]  # the first and 5 redirects


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/page.html",
        "http://localhost:{port}/page.html",
        "http://[::1]:{port}/page.html",
        "http://10.1.2.3:{port}/",
        "http://192.168.0.1:{port}/",
        "http://169.254.169.254:{port}/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://0.0.0.0:{port}/",
        "http://100.64.0.1:{port}/",
    ],
)
def test_private_addresses_refused_without_a_request(server: str, url: str) -> None:
    Handler.hits.clear()
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError) as info:
        fetch(url.format(port=port))
    assert "refused" in str(info.value) and "--allow-private" in str(info.value)
    assert info.value.status == 400
    assert Handler.hits == []


def test_redirect_to_a_private_address_is_checked_again(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first hop is let through (as if 127.0.0.1 were public); its redirect to
    127.0.0.2 is checked again and refused."""
    real = fetch_module.refusal
    monkeypatch.setattr(
        fetch_module, "refusal", lambda ip: "" if str(ip) == "127.0.0.1" else real(ip)
    )
    Handler.hits.clear()
    with pytest.raises(FetchError) as info:
        fetch(f"{server}/to-other")
    assert "127.0.0.2" in str(info.value) and "a loopback address" in str(info.value)
    assert Handler.hits == ["/to-other"]


def test_a_host_with_one_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(host: str, port: int, **kw: object) -> list[tuple[object, ...]]:
        assert host == "mixed.example"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(FetchError, match=r"a private address \(10\.0\.0\.7\)"):
        fetch("http://mixed.example/page")


def test_connection_goes_to_the_checked_address(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is resolved once: the connection uses the checked address, and the
    request still names the host (so a second DNS answer cannot redirect it)."""
    port = int(server.rsplit(":", 1)[1])
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]])
    real = socket.getaddrinfo

    def once(host: str, *args: object, **kw: object) -> object:
        return next(answers) if host == "news.example" else real(host, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", once)
    raw = fetch(f"http://news.example:{port}/page.html", OPEN)
    assert "Paragraph 3" in raw.text


def test_refusal_rules() -> None:
    import ipaddress

    assert refusal(ipaddress.ip_address("93.184.216.34")) == ""
    assert refusal(ipaddress.ip_address("2606:4700::1111")) == ""
    assert refusal(ipaddress.ip_address("fe80::1")).startswith("a link-local")
    assert refusal(ipaddress.ip_address("fc00::1")).startswith("a private")
    assert refusal(ipaddress.ip_address("224.0.0.1")).startswith("a multicast")
    assert [str(ip) for ip in resolve("127.0.0.1", 80)] == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("name", "url"),
    [("https://a.example/x", True), ("http://a", True), ("ftp://a/b", True),
     ("notes.txt", False), ("dir/file://x", False), ("C:\\x.txt", False)],
)  # fmt: skip
def test_is_url(name: str, url: bool) -> None:
    assert is_url(name) is url


def test_not_a_url(server: str) -> None:
    with pytest.raises(FetchError, match="no host"):
        fetch("http:///nohost", OPEN)


# -- the CLI: prov check URL, prov compare URL URL --------------------------------------

runner = CliRunner()


def test_cli_check_url_is_the_file(server: str, seed_db: Path) -> None:
    url = f"{server}/seeds/{seed_path('003').name}"
    by_url = runner.invoke(app, ["check", "--db", str(seed_db), "--json", "--allow-private", url])
    assert by_url.exit_code == 0, by_url.stderr
    by_file = runner.invoke(app, ["check", "--db", str(seed_db), "--json", str(seed_path("003"))])
    assert by_url.stdout.replace(url, "X") == by_file.stdout.replace(str(seed_path("003")), "X")
    assert '"suspect": "' + url + '"' in by_url.stdout


def test_cli_check_url_refused_without_allow_private(server: str, seed_db: Path) -> None:
    url = f"{server}/seeds/{seed_path('003').name}"
    result = runner.invoke(app, ["check", "--db", str(seed_db), url])
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {url}: refused, 127.0.0.1 is a loopback address (127.0.0.1); fetching private "
        "and local addresses needs --allow-private\n"
    )


def test_cli_compare_urls(server: str) -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            "--json",
            "--allow-private",
            f"{server}/seeds/{seed_path('004').name}",
            f"{server}/seeds/{seed_path('003').name}",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert '"verdict": "paraphrased"' in result.stdout
    assert '"copy": "falsely"' in result.stdout


def test_cli_compare_file_and_missing_url(server: str) -> None:
    result = runner.invoke(
        app, ["compare", "--allow-private", str(seed_path("004")), f"{server}/gone"]
    )
    assert result.exit_code == 3
    assert result.stderr == f"Error: {server}/gone: the server answered 404 Not Found\n"


def test_plain_check_never_imports_httpx_or_the_server() -> None:
    """A check of files loads neither the HTTP client nor the web framework."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys; from typer.testing import CliRunner; from provenance.cli import app; "
        f"r = CliRunner().invoke(app, ['compare', {str(seed_path('004'))!r}, "
        f"{str(seed_path('003'))!r}]); assert r.exit_code == 0, r.output; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'starlette', 'uvicorn', 'multipart') or m.startswith('provenance.serve') "
        "or m == 'provenance.ingest.fetch']; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
