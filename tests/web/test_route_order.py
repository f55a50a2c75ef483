"""The app includes the patient router first because routes are matched one by one in order.

That is only safe while no path of one router could be taken by a route of another;
this test keeps it so (a new route that overlaps another router's fails here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from starlette.routing import compile_path

from backmech.web.routes import auth, clinician, intake, movement, patient


def _paths(router: Any, prefix: str = "") -> Iterator[str]:
    for route in router.routes:
        if hasattr(route, "original_router"):  # an included sub-router
            yield from _paths(route.original_router, prefix + getattr(route.include_context, "prefix", ""))
        else:
            yield prefix + route.path


def _example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_no_page_router_can_take_another_routers_path() -> None:
    routers = {
        module.__name__: list(_paths(module.router))
        for module in (patient, auth, intake, movement, clinician)
    }
    assert sum(len(paths) for paths in routers.values()) > 30
    clashes = [
        (name, path, other, example)
        for name, paths in routers.items()
        for path in paths
        for other, others in routers.items()
        if other != name
        for example in map(_example, others)
        if compile_path(path)[0].match(example)
    ]
    assert clashes == []
