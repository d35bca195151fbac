"""Source systems send dossiers and the procedure catalog: the same checks as a file import.

The body is a JSON array of objects or JSON Lines (one object a line), at most 50,000
rows. It goes through the same readers, validation and upsert as `dxplan import`;
row errors come back in the response, numbered by their position in the body.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from dxplan.ingest.errors import ErrorReport, UnusableInput
from dxplan.ingest.service import ImportResult, import_files
from dxplan.operational import StoreBusy
from dxplan.store.tokens import Scope, Token
from dxplan.web.deps import WorkspaceDep, require_scope

router = APIRouter(prefix="/api", tags=["feeds"])
MAX_ROWS = 50_000
MAX_BYTES = 200 << 20


class RowProblem(BaseModel):
    row: int
    column: str
    code: str
    severity: str
    message: str


class FeedResult(BaseModel):
    """What happened to a batch: counts, and every row error or warning."""

    rows: int
    valid: int
    rejected: int
    stored: int
    figures_updated: int
    errors: list[RowProblem]


async def _as_json_lines(request: Request, folder: Path) -> Path:
    """Write the body as a JSON Lines file (row n = the n-th object); 400 if it is neither."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise HTTPException(413, f"The body is larger than {MAX_BYTES >> 20} MB.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    path = folder / "batch.jsonl"
    if kind in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        lines = [line for line in body.splitlines() if line.strip()]
        count = len(lines)
        path.write_bytes(b"\n".join(lines) + b"\n")
    else:
        try:
            rows: Any = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise HTTPException(
                400, f"The body is not JSON ({error}); send a JSON array or JSON Lines."
            ) from None
        except RecursionError:
            raise HTTPException(400, "The body is nested too deeply to be rows.") from None
        except ValueError:  # an integer of more than 4,300 digits
            raise HTTPException(400, "The body holds a number too long to read.") from None
        if not isinstance(rows, list):
            raise HTTPException(
                400, "The body must be a JSON array of objects (or JSON Lines, one per line)."
            )
        count = len(rows)
        with path.open("w", encoding="utf-8") as handle:
            for number, row in enumerate(rows, start=1):
                try:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                except UnicodeEncodeError:
                    raise HTTPException(
                        400,
                        f"Row {number} holds text that is not valid Unicode (a lone surrogate).",
                    ) from None
                except RecursionError:
                    raise HTTPException(400, f"Row {number} is nested too deeply.") from None
    if count == 0:
        raise HTTPException(400, "The body holds no rows.")
    if count > MAX_ROWS:
        raise HTTPException(413, f"{count} rows: send at most {MAX_ROWS} per request.")
    return path


def _body(example: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI text for a body read by hand (so /docs can send one)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}, "maxItems": MAX_ROWS},
                    "example": [example],
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not a JSON array, not JSON, or holds no rows."},
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token lacks the scope."},
    413: {"description": f"More than {MAX_ROWS} rows, or a body over {MAX_BYTES >> 20} MB."},
    503: {"description": "Another import is running: retry after a few seconds."},
}
_DOSSIER = {
    "dossier_id": "H13.92-250701-0001",
    "procedure_code": "1.004227",
    "unit_code": "31135",
    "channel": "online",
    "received_at": "2025-07-01T08:15:00+07:00",
    "status": "processing",
    "fee_required": False,
    "paid_online": False,
    "input_digitized": True,
    "result_digitized": False,
}
_PROCEDURE = {
    "procedure_code": "1.004227",
    "name": "Cấp giấy phép xây dựng",
    "agency_code": "92-SXD",
    "level": "city",
    "online_level": "full",
    "on_national_portal": True,
    "has_fee": True,
    "online_payment": True,
}


def _result(result: ImportResult) -> FeedResult:
    return FeedResult(
        rows=result.rows,
        valid=result.rows - result.rejected,
        rejected=result.rejected,
        stored=result.stored,
        figures_updated=result.values_written,
        errors=[
            RowProblem(
                row=e.row,
                column=e.column,
                code=e.code,
                severity="warning" if e.warning else "error",
                message=e.message,
            )
            for e in result.report.errors
        ],
    )


async def _receive(
    request: Request, workspace: WorkspaceDep, feed: str, token: Token
) -> FeedResult:
    scratch = workspace.settings.data_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        path = await _as_json_lines(request, Path(folder))
        try:
            # the import blocks for seconds: in a worker thread, the server keeps answering
            result = await run_in_threadpool(
                import_files,
                workspace,
                feed,
                [path],
                actor=f"token:{token.name}",
                report=ErrorReport(keep=MAX_ROWS * 2),
            )
        except UnusableInput as error:
            raise HTTPException(400, error.message) from None
        except StoreBusy:
            raise HTTPException(
                503, "Another import is running; retry shortly.", headers={"Retry-After": "5"}
            ) from None
    return _result(result)


@router.post(
    "/dossiers",
    response_model=FeedResult,
    summary="Send dossier records",
    responses=_ERRORS,
    openapi_extra=_body(_DOSSIER),
)
async def post_dossiers(
    request: Request,
    workspace: WorkspaceDep,
    token: Annotated[Token, Depends(require_scope(Scope.DOSSIERS_WRITE))],
) -> FeedResult:
    """Upsert dossier records (contract: docs/operational-data.md).

    Needs a token with the scope `dossiers:write`. Rows with errors are left out and
    listed in `errors` (row = position in the body, from 1); the others are stored and
    the figures they touch recomputed before the response.
    """
    return await _receive(request, workspace, "dossiers", token)


@router.post(
    "/procedures",
    response_model=FeedResult,
    summary="Send the procedure catalog",
    responses=_ERRORS,
    openapi_extra=_body(_PROCEDURE),
)
async def post_procedures(
    request: Request,
    workspace: WorkspaceDep,
    token: Annotated[Token, Depends(require_scope(Scope.PROCEDURES_WRITE))],
) -> FeedResult:
    """Replace the procedure catalog (earlier versions are kept). Needs `procedures:write`."""
    return await _receive(request, workspace, "procedures", token)
