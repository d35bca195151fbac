"""`POST /packets` and `GET /packets/{message_id}`: a national dxplan receives the
provinces' packets exactly as their national feed sends them (docs/national-feed.md).

Only when `DXPLAN_RECEIVE` is set (else 404). A province's token (`packets:write`,
`--sender CODE`) is asked for, and the sender's rate, before the packet is read.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from dxplan.receiving.service import Answer, PacketReceiver
from dxplan.store.tokens import Scope, Token
from dxplan.web.deps import require_scope
from dxplan.web.responses import error_response

router = APIRouter(tags=["packets"])

_SENDER = Depends(require_scope(Scope.PACKETS_WRITE))
RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    401: error_response("No bearer token, or an unknown or revoked one."),
    403: error_response("The token lacks packets:write, or the packet names another sender."),
    404: error_response("This dxplan does not receive packets (DXPLAN_RECEIVE is off)."),
    409: error_response(
        "The message id was received already: the first receipt (`receipt`); nothing changed."
    ),
    422: error_response("The packet has problems, each in `errors` (path, message); none stored."),
    429: error_response("The sender sends too fast: send it again after Retry-After seconds."),
}
_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {
                    "message_id": "6a1e0f1c-8f0b-4c52-9d51-7f6a4f0f9b11",
                    "kind": "kpi_data",
                    "sender": "92",
                    "sent_at": "2025-11-08T09:30:12+07:00",
                    "period": {"type": "month", "value": "2025-10"},
                    "items": [
                        {
                            "indicator": "GOV-03",
                            "unit": "92",
                            "value": 85,
                            "numerator": 85,
                            "denominator": 100,
                        }
                    ],
                },
            }
        },
    }
}


def get_receiver(request: Request) -> PacketReceiver:
    """The app's receiver; 404 when this dxplan does not receive packets."""
    if not request.app.state.settings.receive:
        raise HTTPException(404, "Not Found")
    receiver: PacketReceiver = request.app.state.receiver
    return receiver


ReceiverDep = Annotated[PacketReceiver, Depends(get_receiver)]


def _json(answer: Answer) -> JSONResponse:
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


@router.post(
    "/packets",
    status_code=201,
    summary="Receive a province's packet",
    responses=RESPONSES,
    openapi_extra=_BODY,
)
async def post_packet(
    request: Request,
    receiver: ReceiverDep,
    token: Annotated[Token, _SENDER],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """A KPI catalogue or KPI data packet, as `dxplan national send` posts it.

    201 with the receipt when stored; 409 with the first receipt when the message id
    was received already; 422 listing every problem (nothing stored); 429 past the
    sender's rate (not recorded: send it again after Retry-After).
    """
    refused = receiver.admit(token)
    if refused is not None:
        return _json(refused)
    raw = await request.body()
    return _json(await run_in_threadpool(receiver.receive, token, idempotency_key, raw))


@router.get("/packets/{message_id}", summary="The receipt of a packet", responses=RESPONSES)
def get_packet(
    receiver: ReceiverDep, token: Annotated[Token, _SENDER], message_id: str
) -> JSONResponse:
    """The receipt (status, received_at, problems) of one of the token's sender's packets."""
    return _json(receiver.receipt(token, message_id))
