"""The API's OpenAPI 3.1 description, written by hand (served at ``/openapi.json``).

The schemas are the README's JSON contract; tests/test_serve.py checks that every route
of the app is described here and every path described here is a route.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _q(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": kind}}  # fmt: skip


_INPUT = {
    "type": "object",
    "description": "One text: given inline, or fetched from an http(s) URL.",
    "properties": {
        "text": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "name": {"type": "string", "description": "What the reports call this text."},
    },
}
_COMPARE = {
    "type": "object",
    "description": "The `prov compare --json` object (README: The JSON contract).",
    "required": ["source", "copy", "verdict", "meaning_changed", "fidelity", "alterations"],
    "properties": {
        "source": {"type": "string"}, "copy": {"type": "string"},
        "source_sha256": {"type": "string"}, "copy_sha256": {"type": "string"},
        "verdict": {"enum": ["verbatim", "near-verbatim", "paraphrased", "partial", "unrelated"]},
        "meaning_changed": {"type": "boolean"}, "fidelity": {"type": "number"},
        "source_coverage": {"type": "number"}, "copy_coverage": {"type": "number"},
        "summary": {"type": "string"}, "warnings": {"type": "array", "items": {"type": "string"}},
        "counts": {"type": "object"},
        "alterations": {"type": "array", "items": {"type": "object"}},
        "added": {"type": "array", "items": {"type": "object"}},
        "missing": {"type": "array", "items": {"type": "object"}},
    },
}  # fmt: skip
_CHECK = {
    "type": "object",
    "description": "What `prov check --json` prints for one suspect.",
    "properties": {
        "suspect": {"type": "string"}, "suspect_sha256": {"type": "string"},
        "candidates": {"type": "integer"},
        "matches": {"type": "array", "items": {"$ref": "#/components/schemas/Compare"}},
    },
}  # fmt: skip

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "prov",
        "version": "1",
        "description": "Which indexed sources a text copies, how faithfully, and which words "
        "were altered. Answers are the CLI's JSON; errors are {error, status} with the CLI's "
        "message. With a token (--token / PROV_TOKEN), send `Authorization: Bearer TOKEN`.",
    },
    "components": {
        "schemas": {"Input": _INPUT, "Compare": _COMPARE, "Check": _CHECK},
        "responses": {
            "Error": _json(
                {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
                "400 bad input, 401 no token, 404 not found, 413 too large, 502/504 a URL "
                "could not be fetched, 503 the index is unavailable (locked, being "
                "migrated or rebuilt); the message says why and what to do",
            )  # fmt: skip
        },
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
    },
    "paths": {
        "/api/check": {
            "post": {
                "summary": "Check a text against the index (prov check --json)",
                "parameters": [
                    _q("name", "What to call the text (the CLI's file name)."),
                    _q("top", "Best matches to return (1-50, default 5).", "integer"),
                    _q("url", "Fetch this page instead of reading the body."),
                ],
                "requestBody": {
                    "required": False,
                    "content": {
                        "text/plain": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"$ref": "#/components/schemas/Input"}},
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "text": {"type": "string"},
                                    "url": {"type": "string"},
                                    "file": {"type": "string", "format": "binary"},
                                },
                            }
                        },
                    },  # fmt: skip
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Check"}, "The matches"),
                    "default": _ERROR,
                },
            }
        },
        "/api/compare": {
            "post": {
                "summary": "Compare a copy with a source directly (prov compare --json)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["source", "copy"],
                                "properties": {
                                    "source": {"$ref": "#/components/schemas/Input"},
                                    "copy": {"$ref": "#/components/schemas/Input"},
                                },
                            }
                        }
                    },  # fmt: skip
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Compare"}, "The comparison"),
                    "default": _ERROR,
                },
            }
        },
        "/api/sources": {
            "get": {
                "summary": "The indexed sources (prov sources --json)",
                "parameters": [_q("q", "Only sources whose path contains this.")],
                "responses": {
                    "200": _json({"type": "array", "items": {"type": "object"}}, "Sources"),
                    "default": _ERROR,
                },
            }
        },
        "/api/results": {
            "get": {
                "summary": "What scans found (prov results -f json), newest first",
                "parameters": [
                    _q("verdict", "Only this verdict."),
                    _q("meaning_changed", "true or false.", "boolean"),
                    _q("since", "Scanned at or after this date (YYYY-MM-DD)."),
                    _q("until", "Scanned on or before this date."),
                    _q("url", "Only pages whose URL contains this."),
                    _q("limit", "Rows (1-10000, default 1000); X-Total-Count has all.", "integer"),
                    _q("offset", "Rows to skip.", "integer"),
                ],
                "responses": {
                    "200": _json({"type": "array", "items": {"type": "object"}}, "Rows"),
                    "default": _ERROR,
                },
            }
        },
        "/api/history": {
            "get": {
                "summary": "A page's versions and what changed (prov history --json)",
                "parameters": [{**_q("url", "The page's URL."), "required": True}],
                "responses": {"200": _json({"type": "object"}, "Versions"), "default": _ERROR},
            }
        },
        "/api/health": {
            "get": {
                "summary": "The index's health (prov doctor --json)",
                "responses": {"200": _json({"type": "object"}, "Health"), "default": _ERROR},
            }
        },
    },
    "security": [{"token": []}, {}],
}
