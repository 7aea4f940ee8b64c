"""The JSON API: the CLI's JSON (``report/json.py``) over HTTP, and its OpenAPI description.

``POST /api/check`` takes the text as the request body (any type but JSON and multipart:
``curl --data-binary @page.txt``), or JSON ``{"text": ...}`` / ``{"url": ...}``, or a
multipart form (``text``, ``file`` or ``url``); ``?name=`` names the suspect as the CLI
would name the file, ``?top=`` is ``--top``. The answer is what ``prov check --json``
prints for one suspect. Errors are ``{"error": message, "status": code}``, the message
being the CLI's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from provenance.errors import InputError
from provenance.ingest.files import RawText
from provenance.report import json as report
from provenance.serve.service import MAX_TOP, ResultFilter, Service, document, pasted

JSON_TYPE = "application/json"
#: Fetches a URL (off the event loop) as the server's settings allow.
Fetch = Callable[[str], Awaitable[RawText]]


def json_response(text: str, status: int = 200) -> Response:
    return Response(text if text.endswith("\n") else text + "\n", status, media_type=JSON_TYPE)


def error_json(status: int, message: str) -> Response:
    return json_response(
        json.dumps({"error": message, "status": status}, ensure_ascii=False), status
    )


def int_param(value: str | None, name: str, default: int, lo: int, hi: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise InputError(f"{name}: expected a whole number, got {value!r}") from None
    if not lo <= n <= hi:
        raise InputError(f"{name}: {n} is out of range ({lo}-{hi})")
    return n


def bool_param(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    v = value.lower()
    if v in ("true", "yes", "1"):
        return True
    if v in ("false", "no", "0"):
        return False
    raise InputError(f"{name}: expected true or false, got {value!r}")


async def read_form_input(form: Any, prefix: str, name: str, fetch: Fetch) -> RawText | None:
    """The one input a form gives as ``{prefix}text``, ``{prefix}file`` or ``{prefix}url``."""
    text = form.get(prefix + "text")
    upload = form.get(prefix + "file")
    url = form.get(prefix + "url")
    given = []
    if isinstance(text, str) and text.strip():
        given.append("text")
    if isinstance(upload, UploadFile) and upload.filename:
        given.append("file")
    if isinstance(url, str) and url.strip():
        given.append("url")
    if len(given) > 1:
        raise InputError(f"give one of a text, a file or a URL, not {' and '.join(given)}")
    if not given:
        return None
    if given == ["file"]:
        assert isinstance(upload, UploadFile)  # noqa: S101
        data = await upload.read()
        return document(name or upload.filename or "upload.txt", data)
    if given == ["url"]:
        assert isinstance(url, str)  # noqa: S101
        return await fetch(url.strip())
    assert isinstance(text, str)  # noqa: S101
    return pasted(name or "pasted text", text)


async def suspect(request: Request, fetch: Fetch) -> RawText:
    """The text ``POST /api/check`` was given (see the module's docstring)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    name = request.query_params.get("name", "")
    if ctype == JSON_TYPE:
        obj = await _json_object(request)
        return await _json_input(obj, name, fetch)
    if ctype == "multipart/form-data":
        form = await request.form(max_files=2, max_fields=20, max_part_size=_limit(request))
        raw = await read_form_input(form, "", name or str(form.get("name") or ""), fetch)
        if raw is None:
            raise InputError("no text: give text, file or url")
        return raw
    url = request.query_params.get("url", "")
    body = await request.body()
    if url and not body:
        return await fetch(url)
    charset = _charset(request.headers.get("content-type", ""))
    return document(name or "request body", body, charset)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _limit(request: Request) -> int:
    return int(request.app.state.max_body)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        obj = json.loads(await request.body())
    except (ValueError, RecursionError) as e:
        raise InputError(f"the request body is not valid JSON ({e})") from None
    if not isinstance(obj, dict):
        raise InputError("the request body must be a JSON object")
    return obj


async def _json_input(obj: Any, name: str, fetch: Fetch, what: str = "") -> RawText:
    if not isinstance(obj, dict):
        raise InputError(f"{what or 'input'}: expected an object with text or url")
    text, url = obj.get("text"), obj.get("url")
    name = name or (obj.get("name") if isinstance(obj.get("name"), str) else "") or ""
    if (text is None) == (url is None):
        raise InputError(f"{what + ': ' if what else ''}give either text or url (one of them)")
    if url is not None:
        if not isinstance(url, str):
            raise InputError(f"{what + ': ' if what else ''}url must be a string")
        return await fetch(url)
    if not isinstance(text, str):
        raise InputError(f"{what + ': ' if what else ''}text must be a string")
    return pasted(name or what or "request body", text)


async def check(request: Request) -> Response:
    service: Service = request.app.state.service
    raw = await suspect(request, request.app.state.fetch)
    top = int_param(request.query_params.get("top"), "top", 5, 1, MAX_TOP)
    if request.headers.get("content-type", "").startswith(JSON_TYPE):
        obj = json.loads(await request.body())
        top = int_param(str(obj["top"]) if "top" in obj else None, "top", top, 1, MAX_TOP)
    started = time.perf_counter()
    result = await service.run(service.check, raw, top)
    checked = time.perf_counter()
    response = json_response(report.render_check_json([result]))
    done = time.perf_counter()
    response.headers["server-timing"] = (
        f"check;dur={1000 * (checked - started):.1f}, render;dur={1000 * (done - checked):.1f}"
    )
    return response


async def compare(request: Request) -> Response:
    """``{"source": {"text"|"url": ...}, "copy": {...}}`` (or a form with ``source_text``,
    ``source_file``, ``source_url``, ``copy_...``): ``prov compare --json``."""
    service: Service = request.app.state.service
    fetch = request.app.state.fetch
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=2, max_fields=20, max_part_size=_limit(request))
        source = await read_form_input(form, "source_", str(form.get("source_name") or ""), fetch)
        copy = await read_form_input(form, "copy_", str(form.get("copy_name") or ""), fetch)
        if source is None or copy is None:
            raise InputError("give a source and a copy (source_text/file/url, copy_...)")
    else:
        obj = await _json_object(request)
        source = await _json_input(obj.get("source"), "", fetch, "source")
        copy = await _json_input(obj.get("copy"), "", fetch, "copy")
    result = await service.run(service.compare, source, copy)
    return json_response(report.render_compare_json(result))


async def sources(request: Request) -> Response:
    service: Service = request.app.state.service
    rows = await service.run(service.sources, request.query_params.get("q", ""))
    return json_response(report.render_sources_json(rows))


def result_filter(params: Any, limit: int = 100) -> ResultFilter:
    return ResultFilter(
        verdict=params.get("verdict", ""),
        meaning_changed=bool_param(params.get("meaning_changed"), "meaning_changed"),
        since=params.get("since", ""),
        until=params.get("until", ""),
        url=params.get("url", ""),
        limit=int_param(params.get("limit"), "limit", limit, 1, 10_000),
        offset=int_param(params.get("offset"), "offset", 0, 0, 10**9),
    )


async def results(request: Request) -> Response:
    service: Service = request.app.state.service
    rows, total = await service.run(service.results, result_filter(request.query_params, 1000))
    response = json_response(report.render_results(rows, "json"))
    response.headers["x-total-count"] = str(total)
    return response


async def history(request: Request) -> Response:
    service: Service = request.app.state.service
    url = request.query_params.get("url", "")
    if not url:
        raise InputError("url: give the page's URL (?url=...)")
    versions = await service.run(service.history, url)
    body = json.dumps({"url": url, "versions": versions}, ensure_ascii=False, indent=2)
    return json_response(body)


async def health(request: Request) -> Response:
    service: Service = request.app.state.service
    healthy, figures = await service.run(service.health)
    body = json.dumps({"healthy": healthy, **figures}, ensure_ascii=False, indent=2)
    return json_response(body)


async def openapi(request: Request) -> Response:
    from provenance.serve.openapi import SPEC

    return json_response(json.dumps(SPEC, indent=2))
