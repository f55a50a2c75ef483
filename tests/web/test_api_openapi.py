"""The OpenAPI document: every /api route is in it, it is OpenAPI 3, it says who may call what."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from tests.web.conftest import Site
from tests.web.test_api_support import api_site

__all__ = ["api_site"]

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
UNDOCUMENTED = {"/api/openapi.json", "/api/docs"}


def _document(site: Site) -> dict[str, Any]:
    got = TestClient(site.app).get("/api/openapi.json")
    assert got.status_code == 200
    doc = got.json()
    assert isinstance(doc, dict)
    return doc


def _api_operations(site: Site) -> set[tuple[str, str]]:
    """(path, method) of every /api route the app serves, read from the app itself."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(site.app.routes):
        path = route.path_format or route.path or ""
        if not path.startswith("/api/") or path in UNDOCUMENTED:
            continue
        assert isinstance(route.original_route, APIRoute), f"{path} is not an APIRoute, so it is undocumented"
        for method in route.methods or ():
            if method != "HEAD":
                found.add((path, method.lower()))
    return found


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_api_route_is_documented_and_nothing_else(api_site: Site) -> None:
    doc = _document(api_site)
    documented = {
        (path, method) for path, item in doc["paths"].items() for method in item if method in HTTP_METHODS
    }
    served = _api_operations(api_site)
    assert len(served) >= 12
    assert served == {op for op in documented if op[0].startswith("/api/")}


def test_pages_stay_out_of_the_api_document(api_site: Site) -> None:
    """HTML pages are not API operations: their routes need ``include_in_schema=False``."""
    pages = sorted(path for path in _document(api_site)["paths"] if not path.startswith("/api/"))
    assert pages == [], f"pages listed as API operations (add include_in_schema=False): {pages}"


def test_the_document_is_structurally_openapi_3(api_site: Site) -> None:
    doc = _document(api_site)
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] == "backmech" and doc["info"]["version"]
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, f"dangling {ref}"
    operation_ids: list[str] = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for name in re.findall(r"{(\w+)}", path):
            for method, operation in item.items():
                params = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
                assert (name, "path") in params, f"{method} {path} does not declare {name}"
        for method, operation in item.items():
            assert method in HTTP_METHODS
            operation_ids.append(operation["operationId"])
            assert operation["responses"], f"{method} {path} has no responses"
            for status in operation["responses"]:
                assert re.fullmatch(r"[1-5]\d\d|[1-5]XX|default", status), status
            for param in operation.get("parameters", []):
                assert param["in"] in {"path", "query", "header", "cookie"}
                assert "schema" in param
                if param["in"] == "path":
                    assert param["required"] is True
            if "requestBody" in operation:
                assert "application/json" in operation["requestBody"]["content"]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_every_route_says_who_may_call_it_and_how_errors_look(api_site: Site) -> None:
    doc = _document(api_site)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert set(doc["components"]["schemas"]["ErrorOut"]["properties"]) >= {"error", "message", "hint"}
    for path, item in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert "**Auth:**" in operation["description"], where
            if (path, method) != ("/api/session", "post"):
                assert operation["security"] == [{"bearer": []}], where
                assert "401" in operation["responses"], where
            if "{patient_id}" in path:
                assert "404" in operation["responses"], where
                assert "**Who:**" in operation["description"], where
            if "requestBody" in operation:
                error = operation["responses"]["422"]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorOut"}, where


def test_request_models_carry_their_limits(api_site: Site) -> None:
    schemas = _document(api_site)["components"]["schemas"]
    log = schemas["SessionLogIn"]
    for field in ("pain_before", "pain_after", "effort"):
        assert (log["properties"][field]["minimum"], log["properties"][field]["maximum"]) == (0, 10)
    assert set(log["required"]) == {"session_date", "pain_before", "pain_after", "effort", "idempotency_key"}
    assert log["additionalProperties"] is False
    assert schemas["NextMorningIn"]["properties"]["pain"]["maximum"] == 10


def test_the_docs_page_is_served(api_site: Site) -> None:
    page = TestClient(api_site.app).get("/api/docs")
    assert page.status_code == 200 and "/api/openapi.json" in page.text


def test_the_api_reference_page_lists_every_operation_without_scripts(sqlite_site: Site) -> None:
    page = sqlite_site.client().get("/api/docs")
    assert page.status_code == 200
    assert "<script" not in page.text.replace('<script src="/static/app.js" defer></script>', "")
    document = sqlite_site.client().get("/api/openapi.json").json()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in page.text
