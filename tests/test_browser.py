"""The HTML report in a real browser (headless Chromium): hostile text runs nothing.

Chromium loads the report from a file, runs its scripts, and prints the resulting DOM
(``--dump-dom``). Our own inline script marks the page (``data-js="on"``, the keys hint),
which proves scripts do run there; the hostile document's payloads would set
``data-pwned`` or change the title if they ran. A control page with the same payloads
left raw shows that the check would catch them.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.report.html import render_check_html, render_compare_html
from tests.conftest import HANG_GUARD, ROOT, seed_path
from tests.test_html_report import hostile_copy
from tests.webdriver import FLAGS  # one list of Chromium's flags for the tests

pytestmark = pytest.mark.browser

INSTALL = ROOT / "scripts" / "install_chromium.sh"


def _find() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _find()
    if path is None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                ["bash", str(INSTALL)], capture_output=True, timeout=HANG_GUARD, check=False
            )
        path = _find()
    if path is None:
        pytest.skip(
            "chromium is not installed and scripts/install_chromium.sh could not install it"
        )
    return path


@pytest.fixture
def run(chromium: str) -> Iterator[Callable[..., str]]:
    with tempfile.TemporaryDirectory(prefix="prov-chromium-") as profile:

        def _run(*args: str) -> str:
            done = subprocess.run(
                [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                capture_output=True,
                text=True,
                timeout=HANG_GUARD,  # (Chromium on a busy machine: only a hang guard)
                check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            return done.stdout

        yield _run


class _Dom(HTMLParser):
    """What the checks need from a dumped DOM: elements with their attributes, the title."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self._in_title = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def with_attr(self, name: str) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.elements if name in a]


def _pwned(dom: _Dom) -> list[str]:
    """Every sign that a payload ran or became markup."""
    signs = [f"{t} {a}" for t, a in dom.with_attr("data-pwned")]
    signs += [t for t, _ in dom.elements if t in {"svg", "img", "iframe", "base", "textarea"}]
    signs += [f"{t} {k}" for t, a in dom.elements for k in a if k.startswith("on")]
    if "pwned" in dom.title:
        signs.append("title: " + dom.title)
    return signs


def _page(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


def _hostile_page(tmp_path: Path) -> str:
    r = pipeline.compare(seed_path("004"), hostile_copy(tmp_path))
    return render_compare_html(r)


def test_hostile_report_runs_only_its_own_script(tmp_path: Path, run: Callable[..., str]) -> None:
    page = _hostile_page(tmp_path)
    dumped = run("--dump-dom", _page(tmp_path, "report.html", page))
    dom = _Dom(dumped)
    html_attrs = next(a for t, a in dom.elements if t == "html")
    assert html_attrs.get("data-js") == "on", "our inline script did not run"
    assert [a for t, a in dom.elements if a.get("id") == "js-hint"], "no hint from our script"
    assert _pwned(dom) == []
    assert dom.title == _Dom(page).title
    scripts = [a for t, a in dom.elements if t == "script"]
    assert scripts == [{}]


def test_check_report_with_hostile_suspect(
    tmp_path: Path, run: Callable[..., str], seed_db: Path
) -> None:
    (c,) = pipeline.check([hostile_copy(tmp_path)], seed_db)
    page = render_check_html(c)
    dom = _Dom(run("--dump-dom", _page(tmp_path, "check.html", page)))
    assert next(a for t, a in dom.elements if t == "html").get("data-js") == "on"
    assert _pwned(dom) == []


def test_control_page_shows_the_check_would_catch_a_payload(
    tmp_path: Path, run: Callable[..., str]
) -> None:
    raw = (
        "<!DOCTYPE html><html><head><title>control</title></head><body>"
        '<script>document.title="pwned";'
        'document.documentElement.setAttribute("data-pwned","1")</script></body></html>'
    )
    dom = _Dom(run("--dump-dom", _page(tmp_path, "control.html", raw)))
    assert _pwned(dom), "a raw payload ran undetected: the browser check proves nothing"


def test_screenshot(tmp_path: Path, run: Callable[..., str]) -> None:
    r = pipeline.compare(seed_path("004"), seed_path("003"))
    url = _page(tmp_path, "report.html", render_compare_html(r))
    png = tmp_path / "report.png"
    run(f"--screenshot={png}", "--window-size=1280,2000", url)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000, "a blank page compresses to a few kB"


def test_keys_step_through_alterations(tmp_path: Path, run: Callable[..., str]) -> None:
    r = pipeline.compare(seed_path("004"), seed_path("003"))
    page = render_compare_html(r)
    # A test harness appended to the page presses n n p p p; its CSP is lifted for that.
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    harness = (
        "<script>var seen = [];"
        "function press(k) { document.dispatchEvent(new KeyboardEvent('keydown', {key: k}));"
        " seen.push(location.hash); }"
        "press('n'); press('n'); press('p'); press('p'); press('p');"
        "document.body.setAttribute('data-seen', seen.join(' '));</script>"
    )
    page = page.replace("</body>", harness + "</body>")
    dom = _Dom(run("--dump-dom", _page(tmp_path, "keys.html", page)))
    body = next(a for t, a in dom.elements if t == "body")
    assert body["data-seen"] == "#alt-1 #alt-2 #alt-1 #alt-1 #alt-1"


def test_phone_shows_the_scores_on_the_first_screen(
    tmp_path: Path, run: Callable[..., str]
) -> None:
    """In a 390 x 844 frame (a phone), long absolute paths do not fill the header: the
    score cards start on the first screen and nothing is wider than the screen. Measured
    on a copy of the report with a measuring script of the test's own (the report's CSP
    would block it), in a frame (headless Chromium's window is at least 500 px wide)."""
    folder = tmp_path.joinpath(*["a-rather-long-folder-name-for-archived-pages"] * 4)
    folder.mkdir(parents=True)
    for prefix in ("004", "003"):
        (folder / seed_path(prefix).name).write_bytes(seed_path(prefix).read_bytes())
    r = pipeline.compare(folder / seed_path("004").name, folder / seed_path("003").name)
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", render_compare_html(r))
    measure = (
        "<script>addEventListener('load', function () {"
        "var d = document.documentElement, b = document.querySelector('header.banner');"
        "var c = document.querySelector('#scores .cards');"
        "parent.postMessage([Math.round(b.getBoundingClientRect().height),"
        "Math.round(c.getBoundingClientRect().top), d.scrollWidth, innerWidth], '*');"
        "});</script>"
    )
    _page(tmp_path, "phone.html", page.replace("</body>", measure + "</body>"))
    frame = (
        "<!DOCTYPE html><html><body style='margin:0'>"
        "<iframe src='phone.html' width='390' height='844' style='border:0'></iframe>"
        "<script>addEventListener('message', function (e) {"
        "document.documentElement.setAttribute('data-got', e.data.join(','));"
        "});</script></body></html>"
    )
    url = _page(tmp_path, "frame.html", frame)
    dumped = run("--window-size=800,900", "--virtual-time-budget=3000", "--dump-dom", url)
    found = re.search(r'data-got="([\d,]+)"', dumped)
    assert found, dumped[:300]
    banner, cards, width, inner = (int(x) for x in found.group(1).split(","))
    assert inner == 390
    assert banner < 260
    assert cards < 844
    assert width <= 390
