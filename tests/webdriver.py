"""A small W3C WebDriver client over httpx, for headless Chromium driven by chromedriver.

Enough to drive the server's pages as a person would (type into a field, click, read the
page) without a browser-automation dependency: chromedriver comes with Debian's
chromium-driver (scripts/install_chromium.sh), and WebDriver is JSON over HTTP.
Used by tests/test_serve_browser.py and scripts/screenshot_serve.py.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
FLAGS = [
    "--headless",
    "--no-sandbox",  # as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
#: Seconds any one WebDriver call may take (a hang guard).
TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def find_browser() -> tuple[str, str] | None:
    """``(chromium, chromedriver)`` if both are installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


class Browser:
    """One WebDriver session."""

    def __init__(self, client: httpx.Client, session: str) -> None:
        self.http, self.session = client, session

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.request(method, f"/session/{self.session}{path}", json=body)
        value = r.json().get("value")
        if r.status_code != 200:
            raise RuntimeError(f"webdriver {method} {path}: {value}")
        return value

    def get(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return str(self._call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def find_all(self, css: str) -> list[str]:
        found = self._call("POST", "/elements", {"using": "css selector", "value": css})
        return [str(e[ELEMENT]) for e in found]

    def type(self, element: str, text: str) -> None:
        self._call("POST", f"/element/{element}/value", {"text": text})

    def click(self, element: str) -> None:
        self._call("POST", f"/element/{element}/click", {})

    def text(self, element: str) -> str:
        return str(self._call("GET", f"/element/{element}/text"))

    def attribute(self, element: str, name: str) -> str | None:
        value = self._call("GET", f"/element/{element}/attribute/{name}")
        return None if value is None else str(value)

    def source(self) -> str:
        return str(self._call("GET", "/source"))

    def script(self, code: str) -> Any:
        return self._call("POST", "/execute/sync", {"script": code, "args": []})

    def wait_for(self, condition: str, seconds: float = TIMEOUT) -> None:
        """Wait until the JavaScript expression ``condition`` is true (a click that
        submits a form returns before the next page is there)."""
        deadline = time.monotonic() + seconds
        while not self.script(f"return Boolean({condition})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {seconds} s: {condition}")
            time.sleep(0.05)

    def resize(self, width: int, height: int) -> None:
        self._call("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self) -> bytes:
        return base64.b64decode(self._call("GET", "/screenshot"))


@contextlib.contextmanager
def browser(
    chromium: str, chromedriver: str, width: int = 1280, height: int = 900
) -> Iterator[Browser]:
    """A headless Chromium session (chromedriver started and stopped here)."""
    port = free_port()
    proc = subprocess.Popen(
        [chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        with (
            tempfile.TemporaryDirectory(prefix="prov-chromium-") as profile,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT) as client,
        ):
            args = [*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]
            caps = {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
            }
            r = client.post("/session", json={"capabilities": {"alwaysMatch": caps}})
            value = r.json()["value"]
            if r.status_code != 200:
                raise RuntimeError(f"chromedriver could not start Chromium: {value}")
            b = Browser(client, value["sessionId"])
            try:
                yield b
            finally:
                with contextlib.suppress(httpx.HTTPError):
                    client.delete(f"/session/{b.session}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
