"""The server's guards, as ASGI middleware and helpers: hosts, token, body size, CSRF, headers.

- :class:`Guard` (outermost): refuses a ``Host`` the server does not answer to (a
  loopback server answers only to loopback names, which defeats DNS rebinding), asks for
  the token when one is set (``Authorization: Bearer`` for the API, a cookie set by the
  login form for the pages), refuses bodies over the limit (413, by ``Content-Length``
  or as they stream in), and adds the security headers to every response: the report's
  Content-Security-Policy on pages (with forms allowed to post to this server only),
  ``nosniff``, no framing, no referrer, no caching.
- CSRF: the forms carry a token, an HMAC (with a secret made when the process starts) of a
  random cookie (``SameSite=Strict``); a form post whose token does not match, or whose
  ``Origin`` is another site, is refused (403). No GET changes anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from provenance.errors import ProvError
from provenance.report.html_style import CSP

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Every page's policy: the report's (nothing loads; only its own script, by hash, runs),
#: with forms posting to this server, and no framing by another site.
PAGE_CSP = CSP.replace("form-action 'none'", "form-action 'self'") + "; frame-ancestors 'none'"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CSRF_COOKIE = "prov_csrf"
AUTH_COOKIE = "prov_auth"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
#: Paths open without the token: the login form, and what it needs.
OPEN_PATHS = ("/login",)


class Forbidden(ProvError):
    """A form post without a valid CSRF token, or from another site (HTTP 403)."""


class BodyTooLarge(Exception):
    """A request body went over the limit while it was read."""


@dataclass(frozen=True, slots=True)
class Secrets:
    """The per-process secret and the token (``None``: no token asked for)."""

    key: bytes
    token: str | None

    @classmethod
    def new(cls, token: str | None) -> Secrets:
        return cls(secrets.token_bytes(32), token or None)

    def sign(self, value: str) -> str:
        return hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_token(self, cookie: str) -> str:
        return self.sign("csrf:" + cookie)

    def csrf_ok(self, cookie: str, token: str) -> bool:
        return bool(cookie) and hmac.compare_digest(self.csrf_token(cookie), token)

    def auth_cookie(self) -> str:
        return self.sign("auth:" + (self.token or ""))

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(
            given.encode("utf-8"), self.token.encode("utf-8")
        )


def cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: S112 - a malformed cookie header is no cookie
                continue
    return {k: m.value for k, m in jar.items()}


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without the port (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def same_origin(scope: Scope) -> bool:
    """Whether a request's ``Origin`` (or ``Referer``) is this server or unknown: absent
    or ``null`` (a browser hides it under some referrer policies) leaves the decision to
    the CSRF token; another site's origin is refused outright."""
    origin = header(scope, b"origin") or header(scope, b"referer")
    if not origin or origin == "null":
        return True
    return urlsplit(origin).netloc.lower() == header(scope, b"host").lower()


class Guard:
    """The outermost middleware: hosts, token, body size, security headers."""

    def __init__(
        self, app: ASGIApp, *, keys: Secrets, max_body: int, allowed_hosts: tuple[str, ...]
    ) -> None:
        self.app, self.keys, self.max_body = app, keys, max_body
        self.allowed_hosts = tuple(h.lower() for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        api = path.startswith("/api/") or path == "/openapi.json"
        if self.allowed_hosts and host_name(header(scope, b"host")) not in self.allowed_hosts:
            await _refuse(send, api, 400, "this server answers only to its own host name")
            return
        if self.keys.token is not None and not path.startswith(OPEN_PATHS):
            bearer = header(scope, b"authorization")
            by_header = bearer[:7].lower() == "bearer " and self.keys.token_ok(bearer[7:].strip())
            cookie = cookies(scope).get(AUTH_COOKIE, "")
            by_cookie = bool(cookie) and hmac.compare_digest(cookie, self.keys.auth_cookie())
            if not (by_header or by_cookie):
                if api:
                    await _refuse(send, True, 401, "a token is needed: Authorization: Bearer …")
                else:
                    await _redirect(send, "/login")
                return
        length = header(scope, b"content-length")
        if length.isdigit() and int(length) > self.max_body:
            await _refuse(send, api, 413, _too_large(self.max_body))
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                ctype = next((v for k, v in headers if k == b"content-type"), b"")
                csp = PAGE_CSP if ctype.startswith(b"text/html") else API_CSP
                headers += _security_headers(csp)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited, secured)
        except BodyTooLarge:
            if not started:
                await _refuse(send, api, 413, _too_large(self.max_body))


def _too_large(limit: int) -> str:
    return f"the request body is over the {limit:,} byte limit"


def _security_headers(csp: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", csp.encode("ascii")),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        # same-origin: browsers then send the pages' Origin with their forms (checked
        # above), and no address of this server to another site
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    ]


async def _refuse(send: Send, api: bool, status: int, message: str) -> None:
    if api:
        body = json.dumps({"error": message, "status": status}).encode("utf-8")
        ctype, csp = b"application/json", API_CSP
    else:
        from provenance.serve.pages import error_page

        body = error_page(status, message).encode("utf-8")
        ctype, csp = b"text/html; charset=utf-8", PAGE_CSP
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": headers + _security_headers(csp),
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    headers = [(b"location", location.encode("ascii")), (b"content-length", b"0")]
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": headers + _security_headers(API_CSP),
        }
    )
    await send({"type": "http.response.body", "body": b""})
