"""``/api/docs``: the API reference as a plain server-rendered page, made from the OpenAPI document.

FastAPI's Swagger UI loads scripts and styles from a CDN and starts with an inline
script, both of which our content-security policy forbids (and a clinic network
may have no internet). This page lists the same operations, parameters, bodies and
answers without any script; ``/api/openapi.json`` is the machine-readable version.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backmech.web.templating import render

router = APIRouter()

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref:
        name = str(ref).rsplit("/", 1)[-1]
        return f"list of {name}" if "items" in schema else name
    return str(schema.get("type", ""))


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per (path, method), in the document's order, with what a reader needs."""
    found: list[dict[str, Any]] = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            found.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "where": p.get("in"),
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _schema_name(body.get("schema")),
                    "responses": [
                        {
                            "status": status,
                            "description": answer.get("description", ""),
                            "schema": _schema_name(
                                (answer.get("content") or {}).get("application/json", {}).get("schema")
                            ),
                        }
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    document = request.app.openapi()
    schemas = document.get("components", {}).get("schemas", {})
    return render(
        request,
        "api_docs.html",
        {
            "info": document.get("info", {}),
            "operations": operations(document),
            "schemas": sorted(schemas.items()),
        },
    )
