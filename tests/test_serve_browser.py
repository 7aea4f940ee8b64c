"""`prov serve` in a real browser (headless Chromium driven over WebDriver by chromedriver).

A person's path: open the check form, paste seed 003 into it, submit, and read the
verdict and the "falsely" alteration in the rendered report. Then hostile text pasted
the same way: the report's own script runs (it marks the page ``data-js="on"``), the
page's payloads do not.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, seed_text
from tests.test_html_report import hostile_copy
from tests.webdriver import Browser, browser, find_browser, free_port

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
INSTALL = ROOT / "scripts" / "install_chromium.sh"


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    found = find_browser()
    if found is None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(["bash", str(INSTALL)], capture_output=True, timeout=240, check=False)
        found = find_browser()
    if found is None:
        pytest.skip("chromium/chromedriver are not installed (scripts/install_chromium.sh)")
    return found


def run_server(db: Path) -> Iterator[str]:
    """``prov serve``'s app with uvicorn, in a thread, on a free loopback port."""
    import uvicorn

    from provenance.serve.app import ServeConfig, create_app
    from provenance.serve.security import LOOPBACK_NAMES

    port = free_port()
    app = create_app(ServeConfig(db, port=port, allowed_hosts=LOOPBACK_NAMES))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a hang guard
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.test_serve import demo_index

    yield from run_server(demo_index(tmp_path_factory.mktemp("browser")))


@pytest.fixture(scope="module")
def chrome(tools: tuple[str, str]) -> Iterator[Browser]:
    with browser(*tools) as b:
        yield b


def paste_and_check(b: Browser, site: str, text: str) -> None:
    b.get(site + "/")
    b.type(b.find("textarea#text"), text)
    b.click(b.find("form[action='/check'] button[type=submit]"))
    b.wait_for("location.pathname === '/check' && document.readyState === 'complete'")


def test_paste_seed_003_and_read_the_report(chrome: Browser, site: str) -> None:
    paste_and_check(chrome, site, seed_text("003"))
    summary = chrome.find("section.match p.summary")
    assert chrome.attribute(summary, "data-verdict") == "paraphrased"
    assert chrome.text(summary).lower().startswith("verdict: paraphrased. meaning changed.")
    rows = chrome.find_all("tr.item.risk-qualifier")
    assert any("falsely" in chrome.text(r) for r in rows)
    assert chrome.script("return document.documentElement.getAttribute('data-js')") == "on"
    assert chrome.script("return location.pathname") == "/check"


def test_pasted_hostile_text_runs_nothing(chrome: Browser, site: str, tmp_path: Path) -> None:
    paste_and_check(chrome, site, hostile_copy(tmp_path).read_text(encoding="utf-8"))
    assert chrome.script("return document.documentElement.getAttribute('data-js')") == "on"
    assert chrome.script("return document.title").startswith("prov check:")
    assert chrome.script("return window.pwned === undefined") is True
    assert chrome.script("return document.querySelectorAll('[data-pwned]').length") == 0
    assert chrome.script("return document.querySelectorAll('svg, img, iframe, base').length") == 0
    assert "<script>document.title" in chrome.text(chrome.find("main"))  # shown as text


def test_forms_work_without_javascript_errors(chrome: Browser, site: str) -> None:
    """The sources and results pages render and their forms submit (GET search)."""
    chrome.get(site + "/sources")
    chrome.type(chrome.find("input#q"), "004")
    chrome.click(chrome.find("form[action='/sources'] button"))
    chrome.wait_for("location.search !== '' && document.readyState === 'complete'")
    assert chrome.script("return location.search") == "?q=004"
    assert "1 of 2 sources" in chrome.text(chrome.find("main"))
