"""``prov serve``: the Starlette application, its routes and error handling, and ``serve``.

The pages (:mod:`provenance.serve.views`) and the JSON API (:mod:`provenance.serve.api`)
call the same library functions as the CLI through one :class:`~provenance.serve.service.Service`
(the index opened once per worker thread). Library errors become the CLI's message with an
HTTP status (:func:`status_of`): JSON under ``/api/``, an error page elsewhere.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from provenance.errors import InputError, NotFound, ProvError, StoreError
from provenance.ingest.fetch import FetchError, Limits, fetch
from provenance.ingest.files import RawText
from provenance.serve import api, views
from provenance.serve.pages import error_page
from provenance.serve.security import LOOPBACK_NAMES, Forbidden, Guard, Secrets
from provenance.serve.service import Service

log = logging.getLogger("prov.serve")

#: Largest request body, in bytes (a pasted text or an upload).
MAX_BODY = 16 * 1024 * 1024
#: Shortest token accepted.
MIN_TOKEN = 16


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """How ``prov serve`` runs."""

    db: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    allow_private: bool = False
    threads: int = 4
    max_body: int = MAX_BODY
    #: Host names answered to; empty: any (a loopback server answers only to loopback).
    allowed_hosts: tuple[str, ...] = ()
    busy_ms: int = 5_000
    #: Server processes (each with its own index threads).
    workers: int = 1
    #: The CSRF and sign-in secret, hex; "" makes one (processes of one server share it).
    secret: str = ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def binding_problem(host: str, token: str | None) -> str:
    """Why the server must not start with this address and token ("" when it may)."""
    if token is not None and len(token) < MIN_TOKEN:
        return f"the token is too short: use at least {MIN_TOKEN} random characters"
    if not is_loopback(host) and not token:
        return (
            f"binding {host} makes the server reachable from other machines: give a token "
            "with --token or PROV_TOKEN (clients send it as `Authorization: Bearer TOKEN`)"
        )
    return ""


def status_of(e: Exception) -> int:
    """The HTTP status of a library error."""
    if isinstance(e, FetchError):
        return e.status
    if isinstance(e, NotFound):
        return 404
    if isinstance(e, Forbidden):
        return 403
    if isinstance(e, StoreError | sqlite3.DatabaseError):
        return 503
    if isinstance(e, InputError):
        return 400
    return 500


def _message(e: Exception) -> str:
    if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
        return "the index is locked (a migration or a long write is running); try again shortly"
    if isinstance(e, sqlite3.DatabaseError):
        return f"the database failed: {e}; run `prov doctor`"
    return str(e)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, message: str) -> Response:
    response: Response
    if _is_api(request):
        response = api.error_json(status, message)
    else:
        response = HTMLResponse(error_page(status, message), status)
    if status == 503:
        response.headers["retry-after"] = "5"
    return response


async def _prov_error(request: Request, exc: Exception) -> Response:
    return _error(request, status_of(exc), _message(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101
    return _error(request, exc.status_code, exc.detail)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s", request.url.path, exc_info=exc)
    msg = f"internal error {type(exc).__name__}: {exc} (please report it)"
    return _error(request, 500, msg)


ROUTES = [
    Route("/", views.home, methods=["GET"]),
    Route("/check", views.check, methods=["POST"]),
    Route("/sources", views.sources, methods=["GET"]),
    Route("/sources/add", views.add_source, methods=["POST"]),
    Route("/sources/remove", views.remove_source, methods=["POST"]),
    Route("/results", views.results, methods=["GET"]),
    Route("/history", views.history, methods=["GET"]),
    Route("/report", views.report, methods=["GET"]),
    Route("/login", views.login, methods=["GET", "POST"]),
    Route("/api/check", api.check, methods=["POST"]),
    Route("/api/compare", api.compare, methods=["POST"]),
    Route("/api/sources", api.sources, methods=["GET"]),
    Route("/api/results", api.results, methods=["GET"]),
    Route("/api/history", api.history, methods=["GET"]),
    Route("/api/health", api.health, methods=["GET"]),
    Route("/openapi.json", api.openapi, methods=["GET"]),
]


def create_app(config: ServeConfig) -> Starlette:
    """The application over ``config.db`` (which must be a prov index)."""
    service = Service(config.db, config.threads, config.busy_ms)
    limits = Limits(allow_private=config.allow_private)

    async def fetch_url(url: str) -> RawText:
        return await run_in_threadpool(fetch, url, limits)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()

    keys = (
        Secrets(bytes.fromhex(config.secret), config.token or None)
        if config.secret
        else Secrets.new(config.token)
    )
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(
                Guard,
                keys=keys,
                max_body=config.max_body,
                allowed_hosts=config.allowed_hosts,
            )
        ],
        exception_handlers={
            ProvError: _prov_error,
            sqlite3.DatabaseError: _prov_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.fetch = fetch_url
    app.state.keys = keys
    app.state.max_body = config.max_body
    return app


def serve(config: ServeConfig) -> None:
    """Check the configuration and the index, then serve until interrupted.

    Raises:
        StoreError: the index is missing or cannot be used.
    """
    import uvicorn

    Service(config.db, 1).open_check()
    if not config.allowed_hosts and is_loopback(config.host):
        config = replace(config, allowed_hosts=LOOPBACK_NAMES)
    options: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "log_level": "info",
        "server_header": False,
        "proxy_headers": False,
        "timeout_graceful_shutdown": 5,
    }
    if config.workers <= 1:
        uvicorn.run(create_app(config), **options)
        return
    # worker processes build the app from the environment, with one shared secret
    shared = replace(config, secret=secrets.token_hex(32))
    os.environ[ENV_CONFIG] = json.dumps({**asdict(shared), "db": str(shared.db)})
    target = "provenance.serve.app:from_environment"
    uvicorn.run(target, factory=True, workers=config.workers, **options)


#: How ``serve`` hands its configuration to worker processes.
ENV_CONFIG = "PROV_SERVE_CONFIG"


def from_environment() -> Starlette:
    """The app of a worker process (``--workers``), configured by :data:`ENV_CONFIG`."""
    data = json.loads(os.environ[ENV_CONFIG])
    data["db"] = Path(data["db"])
    data["allowed_hosts"] = tuple(data["allowed_hosts"])
    return create_app(ServeConfig(**data))
