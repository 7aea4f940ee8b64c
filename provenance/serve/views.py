"""The pages' endpoints: read the request, call the service, render a page of ``pages``.

Every form post is checked for its CSRF token and origin (:func:`_form`); GETs change
nothing. A form that fails on bad input is shown again with the CLI's message (400).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from provenance.errors import InputError
from provenance.report.html import render_check_html, render_compare_html
from provenance.serve import pages
from provenance.serve.api import int_param, read_form_input, result_filter
from provenance.serve.security import AUTH_COOKIE, CSRF_COOKIE, Forbidden, Secrets, same_origin
from provenance.serve.service import MAX_TOP, Service

#: Scan results shown per page.
RESULTS_PER_PAGE = 100
#: Sources listed per page.
SOURCES_PER_PAGE = 200


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _page(request: Request, render: Callable[[str], str], status: int = 200) -> HTMLResponse:
    """A page with forms: ``render`` gets the CSRF token; the cookie is set if new."""
    keys: Secrets = request.app.state.keys
    cookie = request.cookies.get(CSRF_COOKIE, "")
    new = not (20 <= len(cookie) <= 64 and cookie.isascii())
    if new:
        cookie = secrets.token_urlsafe(24)
    response = HTMLResponse(render(keys.csrf_token(cookie)), status)
    if new:
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")
    return response


async def _form(request: Request) -> FormData:
    """The posted form, once its origin and CSRF token are checked."""
    if not same_origin(request.scope):
        raise Forbidden("this form was posted from another site")
    form = await request.form(
        max_files=2, max_fields=20, max_part_size=int(request.app.state.max_body)
    )
    keys: Secrets = request.app.state.keys
    token = form.get("csrf")
    if not isinstance(token, str) or not keys.csrf_ok(request.cookies.get(CSRF_COOKIE, ""), token):
        raise Forbidden("the form's security token is missing or expired: reload the page")
    return form


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def home(request: Request) -> Response:
    return _page(request, pages.check_page)


async def check(request: Request) -> Response:
    form = await _form(request)
    text, url = _text(form, "text"), _text(form, "url")
    try:
        top = int_param(_text(form, "top"), "top", 5, 1, MAX_TOP)
        raw = await read_form_input(form, "", "", request.app.state.fetch)
        if raw is None:
            raise InputError("paste a text, choose a file or give a URL")
        service = _service(request)
        result = await service.run(service.check, raw, top)
    except InputError as e:
        message = str(e)
        return _page(request, lambda csrf: pages.check_page(csrf, message, text, url), 400)
    return HTMLResponse(pages.with_nav(render_check_html(result)))


async def _sources_page(
    request: Request, query: str, notice: str, bad: bool, status: int
) -> Response:
    service = _service(request)
    rows = await service.run(service.sources, "")
    shown = [r for r in rows if query.casefold() in r.path.casefold()] if query else rows
    offset = int_param(request.query_params.get("offset"), "offset", 0, 0, 10**9)
    if request.query_params.get("health"):
        await service.run(service.health)
    health = await service.run(service.last_health)

    def render(csrf: str) -> str:
        return pages.sources_page(
            shown[offset : offset + SOURCES_PER_PAGE],
            pages.Listing(len(rows), len(shown), offset, SOURCES_PER_PAGE, query),
            health,
            csrf,
            notice,
            bad,
        )

    return _page(request, render, status)


async def sources(request: Request) -> Response:
    return await _sources_page(request, request.query_params.get("q", ""), "", False, 200)


async def add_source(request: Request) -> Response:
    form = await _form(request)
    service = _service(request)
    try:
        raw = await read_form_input(form, "", _text(form, "name").strip(), _no_fetch)
        if raw is None:
            raise InputError("choose a file to add")
        done = await service.run(service.add, raw)
    except InputError as e:
        return await _sources_page(request, "", str(e), True, 400)
    said = {
        "added": f"added {done.path} ({done.passages} passages)",
        "replaced": f"{done.path}: changed, replaced ({done.passages} passages)",
        "unchanged": f"{done.path}: already in the index, unchanged",
        "duplicate": f"{done.path}: same text as {done.same_as}, kept once",
    }
    return await _sources_page(request, "", said.get(done.status, done.status), False, 200)


async def _no_fetch(url: str) -> Any:
    raise InputError("a source is added from a file (upload it), not a URL")


async def remove_source(request: Request) -> Response:
    form = await _form(request)
    service = _service(request)
    row = await service.run(service.remove, _text(form, "path"))
    notice = f"removed {row.path} ({row.passages} passages)"
    return await _sources_page(request, "", notice, False, 200)


async def results(request: Request) -> Response:
    q = request.query_params
    meaning = q.get("meaning", "")
    params = {
        "verdict": q.get("verdict", ""),
        "meaning_changed": {"yes": "true", "no": "false"}.get(meaning, ""),
        "since": q.get("since", ""),
        "until": q.get("until", ""),
        "url": q.get("url", ""),
        "limit": str(RESULTS_PER_PAGE),
        "offset": q.get("offset", ""),
    }
    f = result_filter(params, RESULTS_PER_PAGE)
    service = _service(request)
    rows, total = await service.run(service.results, f)
    shown: dict[str, Any] = {
        "verdict": f.verdict,
        "meaning": meaning if meaning in ("yes", "no") else "",
    }
    shown |= {"since": f.since, "until": f.until, "url": f.url}
    shown |= {"offset": f.offset, "limit": f.limit}
    return HTMLResponse(pages.results_page(rows, total, shown))


async def history(request: Request) -> Response:
    url = request.query_params.get("url", "")
    if not url:
        raise InputError("give a page's URL (?url=...)")
    service = _service(request)
    versions = await service.run(service.history, url)
    return HTMLResponse(pages.history_page(url, versions), 200 if versions else 404)


async def report(request: Request) -> Response:
    q = request.query_params
    sha, source = q.get("sha", ""), q.get("source", "")
    if not sha or not source:
        raise InputError("give the page content (sha=) and the source (source=)")
    service = _service(request)
    result = await service.run(service.page_report, sha, source, q.get("url", ""))
    return HTMLResponse(pages.with_nav(render_compare_html(result)))


async def login(request: Request) -> Response:
    keys: Secrets = request.app.state.keys
    if keys.token is None:
        return RedirectResponse("/", 303)
    if request.method == "GET":
        return _page(request, pages.login_page)
    form = await _form(request)
    if not keys.token_ok(_text(form, "token")):
        return _page(request, lambda csrf: pages.login_page(csrf, "wrong token"), 401)
    response = RedirectResponse("/", 303)
    response.set_cookie(AUTH_COOKIE, keys.auth_cookie(), httponly=True, samesite="strict")
    return response
