"""One attempt to hand a packet to the national system, and what its answer means.

- 2xx: a receipt (an unreadable body is still one, with a note recorded);
- 409: the receiver has the message id already: a receipt too;
- 5xx, 429 (the receiver's rate for this sender), a timeout, a refused or closed
  connection: try again later (after the answer's Retry-After, if it gives one);
- any other answer (4xx, 3xx): refused, with the receiver's message recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import httpx

MESSAGE_LENGTH: Final = 500  # characters of an answer kept in a message
ANSWER_LIMIT: Final = 64 * 1024  # bytes of an answer read; the rest is ignored


class Outcome(StrEnum):
    RECEIPT = "receipt"
    RETRY = "retry"
    REFUSED = "refused"


@dataclass(frozen=True)
class Answer:
    """What one attempt gave: the outcome, a message for the operator, the raw answer."""

    outcome: Outcome
    message: str
    answer: str | None = None
    note: str | None = None  # something odd about a receipt (a garbage body)
    retry_after: float | None = None  # seconds the receiver asked to wait (429, 503)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH] + "…"


def receiver_message(data: bytes, text: str) -> str:
    """The receiver's own words: a JSON `detail`, `message` or `error`, else its text."""
    try:
        found = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return _short(text)
    if isinstance(found, dict):
        for key in ("detail", "message", "error"):
            if isinstance(found.get(key), str) and found[key]:
                return _short(found[key])
    return _short(json.dumps(found, ensure_ascii=False))


def post(client: httpx.Client, url: str, token: str, message_id: str, body: Any) -> Answer:
    """POST one packet; never raises for what the network or the receiver does."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": message_id,
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
    }
    try:
        with client.stream("POST", url, content=content, headers=headers) as streamed:
            status = streamed.status_code
            data = b""
            for chunk in streamed.iter_bytes():  # a receiver cannot make us read gigabytes
                data += chunk
                if len(data) > ANSWER_LIMIT:
                    data = data[:ANSWER_LIMIT]
                    break
    except httpx.TimeoutException as error:
        return Answer(Outcome.RETRY, f"no answer in time ({type(error).__name__})")
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        return Answer(Outcome.RETRY, f"connection failed: {_short(reason)}")
    text = data.decode("utf-8", errors="replace")
    raw = f"HTTP {status}: {_short(text)}"
    if status == 409:
        return Answer(Outcome.RECEIPT, "already received (409)", raw)
    if 200 <= status < 300:
        try:
            json.loads(data or b"null")
            note = None
        except (ValueError, UnicodeDecodeError):
            note = f"receipt with an unreadable answer: {_short(text)!r}"
        return Answer(Outcome.RECEIPT, f"received ({status})", raw, note)
    message = f"HTTP {status}: {receiver_message(data, text) or streamed.reason_phrase}"
    if status >= 500 or status == 429:
        wait = streamed.headers.get("Retry-After", "")
        later = float(wait) if wait.strip().isdigit() else None
        return Answer(Outcome.RETRY, message, raw, retry_after=later)
    return Answer(Outcome.REFUSED, message, raw)
