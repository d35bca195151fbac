"""The OpenAPI description as clients need it, beyond what FastAPI writes by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from dxplan.web.auth import api_user, page_user


def describe(app: FastAPI) -> None:
    """Make `app.openapi()` return FastAPI's description with optional sign-in marked."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            optional_sign_in(generate(), app.routes)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def optional_sign_in(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """Mark in `schema` the operations that anyone may call, a token only adding to them.

    FastAPI declares a bearer scheme as required wherever a route reads it, even with
    `auto_error=False`; a route that answers readers without a token too (the dashboard's
    JSON, the overview) gets the empty requirement `{}` beside it, as OpenAPI spells
    "optional". A route needs a token when its dependencies include `api_user` or a
    scope check.
    """
    required = {api_user, page_user}
    for route in _api_routes(routes):
        if not _depends_on(route.dependant, lambda call: call in required or _scoped(call)):
            for method in route.methods:
                operation = schema["paths"].get(route.path, {}).get(method.lower())
                if operation and operation.get("security") and {} not in operation["security"]:
                    operation["security"].append({})
    return schema


def _scoped(call: Any) -> bool:
    return getattr(call, "__qualname__", "").startswith("require_scope.")


def _api_routes(routes: list[Any]) -> list[Any]:
    found: list[Any] = []
    for route in routes:
        if hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
        elif isinstance(route, APIRoute) and route.include_in_schema:
            found.append(route)
    return found


def _depends_on(dependant: Any, wanted: Callable[[Any], bool]) -> bool:
    return bool(wanted(dependant.call)) or any(
        _depends_on(inner, wanted) for inner in dependant.dependencies
    )
