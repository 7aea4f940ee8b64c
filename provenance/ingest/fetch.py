"""Fetching a page by its URL, for ``prov check URL``, ``prov compare URL URL`` and the server.

:func:`fetch` is an HTTP GET with the limits a tool that fetches what strangers name needs:

- only ``http`` and ``https``; at most :data:`MAX_REDIRECTS` redirects, each one checked
  as the first request was;
- a connect and read timeout, and a deadline for the whole fetch;
- at most :data:`MAX_FETCH_BYTES` of body, counted as it streams in (a ``Content-Length``
  over it is refused before reading);
- only ``text/html`` (and XHTML) and ``text/plain``; HTML is read by its main text, as
  ``prov scan`` reads a page (:func:`provenance.ingest.files.html_text`);
- no server-side request forgery: the host is resolved here, every address it resolves
  to must be a public one (not loopback, private, link-local, shared, reserved or
  multicast), and the connection goes to the address that was checked (the request
  keeps the host's name for ``Host`` and TLS), so a second DNS answer cannot point it
  elsewhere. ``allow_private`` lifts the address rule (for an intranet, and for tests).

Errors are :class:`FetchError`, an :class:`~provenance.errors.InputError` whose ``status``
is the HTTP status a server answers with (400 a URL or page refused, 413 too large, 502
the remote server failed, 504 it timed out).
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.errors import InputError
from provenance.ingest.files import RawText, read_document, web_text

if TYPE_CHECKING:
    import httpx

#: Largest page body read, in bytes.
MAX_FETCH_BYTES = 10 * 1024 * 1024
#: Redirects followed at most.
MAX_REDIRECTS = 5
#: Seconds to connect, and to wait for each read.
CONNECT_SECONDS, READ_SECONDS = 5.0, 10.0
#: Seconds a whole fetch may take (redirects and body included).
TOTAL_SECONDS = 30.0
#: Media types read, and whether they are HTML.
MEDIA_TYPES = {"text/html": True, "application/xhtml+xml": True, "text/plain": False}
USER_AGENT = "prov (text provenance check; +https://pypi.org/project/prov/)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(InputError):
    """A URL that could not be fetched; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Limits:
    """What one fetch may do."""

    allow_private: bool = False
    max_bytes: int = MAX_FETCH_BYTES
    max_redirects: int = MAX_REDIRECTS
    connect_seconds: float = CONNECT_SECONDS
    read_seconds: float = READ_SECONDS
    total_seconds: float = TOTAL_SECONDS


def is_url(name: str | Path) -> bool:
    """Whether an argument names a URL (``scheme://...``) rather than a file."""
    s = str(name)
    scheme, sep, _ = s.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").isalpha()


def read_input(name: str | Path, *, allow_private: bool = False) -> RawText:
    """A file (:func:`~provenance.ingest.files.read_document`) or a URL (:func:`fetch`)."""
    if isinstance(name, str) and is_url(name):
        return fetch(name, Limits(allow_private=allow_private))
    return read_document(name)


def reader(allow_private: bool) -> Callable[[str | Path], RawText]:
    """:func:`read_input` with ``allow_private`` set (what ``pipeline.check`` takes)."""

    def read(name: str | Path) -> RawText:
        return read_input(name, allow_private=allow_private)

    return read


def refusal(ip: IPAddress) -> str:
    """Why an address may not be fetched without ``allow_private`` ("" when it may)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, what in (
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_private, "a private"),
        (ip.is_multicast, "a multicast"),
        (ip.is_unspecified, "an unspecified"),
        (ip.is_reserved, "a reserved"),
        (not ip.is_global, "a non-public"),
    ):
        if test:
            return f"{what} address ({ip})"
    return ""


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError(f"cannot resolve the host {host!r} ({e})", 502) from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise FetchError(f"the host {host!r} has no address", 502)
    return found


def _target(url: httpx.URL, limits: Limits, origin: str) -> tuple[IPAddress, str]:
    """The checked address to connect to, and the host name (for ``Host`` and TLS).

    Errors name ``origin`` (the URL asked for) and, after a redirect, where it led.
    """
    where = origin if str(url) == origin else f"{origin}: redirected to {url}"
    if url.scheme not in ("http", "https"):
        raise FetchError(f"{where}: only http and https URLs can be fetched")
    host = url.raw_host.decode("ascii")
    if not host:
        raise FetchError(f"{where}: no host in this URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except FetchError as e:
        raise FetchError(f"{where}: {e}", e.status) from None
    if not limits.allow_private:
        for ip in addresses:
            why = refusal(ip)
            if why:
                raise FetchError(
                    f"{where}: refused, {host} is {why}; fetching private and local "
                    "addresses needs --allow-private"
                )
    return addresses[0], host


def fetch(url: str, limits: Limits | None = None) -> RawText:
    """GET ``url`` and return its text (an HTML page's main text), as a file is read.

    ``RawText.path`` is the URL as given; ``sha256`` is the digest of the body's bytes.

    Raises:
        FetchError: the URL is refused, the server fails or answers an error, the
            page is too large, of another type, empty or undecodable.
    """
    import httpx  # only when a URL is fetched (~90 ms to import)

    limits = limits or Limits()
    deadline = time.monotonic() + limits.total_seconds
    timeout = httpx.Timeout(limits.read_seconds, connect=limits.connect_seconds)
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as e:
        raise FetchError(f"{url}: not a valid URL ({e})") from None
    with httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, verify=True
    ) as client:
        for _hop in range(limits.max_redirects + 1):
            ip, host = _target(current, limits, url)
            pinned = current.copy_with(host=str(ip))
            headers = {
                "Host": current.netloc.decode("ascii"),
                "User-Agent": USER_AGENT,
                "Accept": "text/html, application/xhtml+xml, text/plain;q=0.9",
                "Accept-Encoding": "gzip, deflate",
            }
            request = client.build_request("GET", pinned, headers=headers)
            if current.scheme == "https":
                request.extensions["sni_hostname"] = host
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise FetchError(f"{url}: the server did not answer in time", 504) from None
            except httpx.HTTPError as e:
                raise FetchError(f"{url}: cannot fetch ({_reason(e)})", 502) from None
            try:
                if response.is_redirect and "location" in response.headers:
                    try:
                        current = current.join(response.headers["location"])
                    except httpx.InvalidURL as e:
                        raise FetchError(
                            f"{url}: a redirect to an invalid URL ({e})", 502
                        ) from None
                    continue
                return _read(url, response, limits, deadline)
            finally:
                response.close()
    raise FetchError(f"{url}: more than {limits.max_redirects} redirects")


def _reason(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _read(url: str, response: httpx.Response, limits: Limits, deadline: float) -> RawText:
    import httpx

    if response.status_code >= 400 or response.status_code < 200:
        raise FetchError(
            f"{url}: the server answered {response.status_code} {response.reason_phrase}", 502
        )
    mime, _, _params = response.headers.get("content-type", "").partition(";")
    mime = mime.strip().lower()
    if mime not in MEDIA_TYPES:
        kinds = ", ".join(sorted(MEDIA_TYPES))
        raise FetchError(f"{url}: a {mime or 'page of no stated type'}, expected {kinds}")
    declared = response.charset_encoding
    size = response.headers.get("content-length", "")
    if size.isdigit() and int(size) > limits.max_bytes:
        raise FetchError(f"{url}: {int(size):,} bytes, over the {limits.max_bytes:,} limit", 413)
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchError(f"{url}: more than the {limits.max_bytes:,} byte limit", 413)
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: the page took over {limits.total_seconds:g} s", 504)
    except httpx.TimeoutException:
        raise FetchError(f"{url}: the server stopped sending in time", 504) from None
    except httpx.HTTPError as e:
        raise FetchError(f"{url}: cannot read the page ({_reason(e)})", 502) from None
    data = bytes(body)
    try:
        text = web_text(url, data, declared, html=MEDIA_TYPES[mime], what="page")
    except InputError as e:
        raise FetchError(str(e)) from None
    return RawText(url, text, hashlib.sha256(data).hexdigest(), declared or "detected")
