"""The error answers of the API, declared once for the OpenAPI description.

A client generated from the description, or a schema-driven fuzzer, must meet only
status codes the description lists. Every route may answer 400 or 413 (the body
limits run before routing) and 503 (the database stopped answering); the reporting
API adds its own refusals.
"""

from __future__ import annotations

from typing import Any, Final

_ERROR: Final = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {}, "errors": {"type": "array", "items": {}}},
            }
        }
    }
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_ERROR}


def error_response(description: str) -> dict[str, Any]:
    """A refusal of a route's own, with the error body every refusal carries."""
    return _error(description)


ANY_ROUTE: Final[dict[int | str, dict[str, Any]]] = {
    400: _error("The body is not usable: bad JSON, nested too deeply, not valid Unicode."),
    413: _error("The body is larger than this address takes (settings DXPLAN_MAX_BODY_*)."),
    503: _error("The database is unavailable, or the store holds no plan yet."),
}
_REFUSALS: Final = {
    401: _error(
        "No valid session or personal bearer token: none where one is needed, or an unknown,"
        " revoked or disabled one (also: a confidential indicator asked for anonymously)."
    ),
    403: _error("Your role may not read this."),
    404: _error("No such pillar, indicator, unit, data set or task, or one you may not see."),
    409: _error(
        "It changed meanwhile (send the version you read), or its state does not allow this."
    ),
    422: _error("A query parameter cannot be read (the message says which)."),
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a route may answer besides ANY_ROUTE's, for its `responses=`.

    The API's readers take a personal bearer token too, and a bad one is a 401 even
    where reading needs none: such routes declare 401.
    """
    return {code: _REFUSALS[code] for code in codes}


REPORTING: Final[dict[int | str, dict[str, Any]]] = {
    401: _error("Neither a signed-in session nor a personal bearer token."),
    403: _error("You may not do this to this report, or a cookie write lacks its CSRF token."),
    404: _error("No such data set, unit or period, or a report you may not see."),
    409: _error("The report changed meanwhile, or its status does not allow this."),
    422: _error("The values fail the checks (each finding listed), or the request is malformed."),
}
