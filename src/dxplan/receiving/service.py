"""Receiving packets: the service behind `POST /packets` and `GET /packets/{message_id}`.

A packet is checked whole (`receiving.packet`), outside any transaction; then, in one
writing transaction that holds its message id's lock, the receiver looks for a receipt
of the same id (an accepted one: 409 with it), then either records the rejection (422
with every problem) or stores the packet and its receipt together: a catalogue's
indicators, or a KPI data packet's figures as values of the plan's measures through
the value store (a changed figure becomes a new version, the history is kept), with
an audit entry. All or nothing: a packet with one problem stores no value.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from dxplan.domain.measure import SourceKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.receiving.codes import ReceiverMapping, load_receiver_mapping
from dxplan.receiving.packet import (
    MAX_ID,
    Accepted,
    Context,
    Problem,
    check,
    content_hash,
    stated_sender,
)
from dxplan.store import audit, buckets, rollups
from dxplan.store import plans as plan_store
from dxplan.store import receipts as receipt_store
from dxplan.store import units as unit_store
from dxplan.store import values as value_store
from dxplan.store.receipts import ACCEPTED, REJECTED, Receipt
from dxplan.store.tokens import Token
from dxplan.workspace import Workspace

SOURCE: Final = SourceKind.RECEIVED.value  # the `source` of received values
ROLLUP_SOURCE: Final = f"{SOURCE}-rollup"  # their sums over units (the country's figures)
SHOWN_PROBLEMS: Final = 3  # problems quoted in a refusal's `detail` (all are in `errors`)


@dataclass(frozen=True)
class Answer:
    """The HTTP answer: a status and a JSON body."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _refusal(problems: list[Problem]) -> dict[str, Any]:
    shown = "; ".join(f"{p.path}: {p.message}" for p in problems[:SHOWN_PROBLEMS])
    more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return {
        "detail": f"The packet was not stored: {count}. {shown}{more}",
        "errors": [p.as_dict() for p in problems],
    }


class PacketReceiver:
    """Receives the provinces' packets for one workspace (one per app)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._mapping: ReceiverMapping | None = None
        self._cached: tuple[Any, tuple[Plan, Organisation]] | None = None

    @property
    def mapping(self) -> ReceiverMapping:
        """The receiver's mapping file, read once (a broken one fails every packet: 503)."""
        if self._mapping is None:
            self._mapping = load_receiver_mapping(self.workspace.settings.receive_mapping_file)
        return self._mapping

    def _world(self) -> tuple[Plan, Organisation] | None:
        """The plan and the organisation, built again only when either changed (the
        national organisation has 3,376 units: building it for every packet would cost
        more than checking the packet)."""
        workspace = self.workspace
        with workspace.engine.connect() as conn:
            key = (plan_store.latest_key(conn), unit_store.state(conn))
            if self._cached is not None and self._cached[0] == key:
                return self._cached[1]
            plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        if plan is None or organisation is None:
            return None
        self._cached = (key, (plan, organisation))
        return plan, organisation

    def admit(self, token: Token) -> Answer | None:
        """None if the sender may send now; else the 429 that says when again."""
        assert token.sender is not None
        settings = self.workspace.settings
        with self.workspace.writing() as conn:
            wait = buckets.take(
                conn,
                token.sender,
                time.time(),
                settings.receive_rate_per_minute,
                settings.receive_burst,
            )
        if not wait:
            return None
        return Answer(
            429,
            {
                "detail": f"Sender {token.sender} sends faster than "
                f"{self.workspace.settings.receive_rate_per_minute:g} packets a minute: "
                f"nothing was stored; send it again in {wait} s."
            },
            {"Retry-After": str(wait)},
        )

    def receive(self, token: Token, key: str | None, raw: bytes) -> Answer:
        """Check and store one packet; the answer says what happened."""
        sender = token.sender
        assert sender is not None
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError) as error:
            problem = Problem("$", f"the body is not JSON ({error})")
            return Answer(422, _refusal([problem]))
        claimed = stated_sender(body)
        if claimed is not None and claimed != sender:
            return Answer(
                403,
                {"detail": f"The token {token.name!r} sends as {sender}, not as {claimed}."},
            )
        workspace = self.workspace
        found = self._world()
        if found is None:
            return Answer(503, {"detail": "The store holds no plan yet: run `dxplan init`."})
        plan, organisation = found
        context = Context(plan, organisation, sender, workspace.as_of(), self.mapping.codes(sender))
        result = check(body, key, context)
        digest = content_hash(body)
        now = datetime.now(UTC)
        usable_key = key if key is not None and 0 < len(key) <= MAX_ID else None
        with workspace.writing() as conn:
            if usable_key is not None:
                receipt_store.lock_message(conn, sender, usable_key)
                first = receipt_store.get(conn, sender, usable_key)
                if first is not None and first.status == ACCEPTED:
                    return _again(first, digest)
            if not isinstance(result, Accepted):
                if usable_key is not None:
                    receipt_store.record(
                        conn, _receipt(sender, usable_key, body, digest, now, result), token.name
                    )
                return Answer(422, _refusal(result))
            assert usable_key is not None  # a packet without its key has a problem
            written = self._store(conn, sender, usable_key, result, now, plan, organisation)
            receipt = _receipt(sender, usable_key, body, digest, now, result, written)
            receipt_store.record(conn, receipt, token.name)
            audit.append(
                conn,
                actor=f"sender:{sender}",
                action="packet.receive",
                entity="packet",
                key=f"{sender}/{usable_key}",
                after={
                    "kind": result.kind,
                    "period": str(result.period),
                    "items": result.items,
                    "values_written": written,
                },
            )
        return Answer(201, receipt.as_dict())

    def _store(
        self,
        conn: Any,
        sender: str,
        message_id: str,
        packet: Accepted,
        now: datetime,
        plan: Plan,
        organisation: Organisation,
    ) -> int:
        if packet.catalog:
            entries = [(e.indicator, e.sender_code, dict(e.details)) for e in packet.catalog]
            return receipt_store.declare(conn, sender, entries, message_id, now)
        measures = sorted({m for m, _, _, _ in packet.values})
        written = value_store.sync(
            conn,
            [(m, u, p, v) for m, u, p, v in packet.values],
            measures=measures,
            source=SOURCE,
            actor=f"sender:{sender}",
            withdraw_missing=False,
        )
        # the country's figures (and a province's that sent only its communes') are the
        # sums of the units under it, for the periods the provinces sent: kept current in
        # the packet's own transaction, so a reader never sees a province without its sum
        rollups.refresh(
            conn,
            [plan.measure(code) for code in measures],
            organisation,
            plan.calendar,
            source=SOURCE,
            rolled_source=ROLLUP_SOURCE,
            over_time=False,
        )
        return written

    def receipt(self, token: Token, message_id: str) -> Answer:
        """The receipt of one of the token's sender's packets (404: none)."""
        assert token.sender is not None
        found = None
        if 0 < len(message_id) <= MAX_ID and "\x00" not in message_id:  # PostgreSQL: no NUL
            with self.workspace.engine.connect() as conn:
                found = receipt_store.get(conn, token.sender, message_id)
        if found is None:
            return Answer(404, {"detail": f"No packet {message_id!r} from {token.sender}."})
        return Answer(200, found.as_dict())


def _again(first: Receipt, digest: str) -> Answer:
    """A message id already accepted: the same packet again, or another under its id."""
    if first.content_hash == digest:
        detail = (
            f"Packet {first.message_id} was received already "
            f"({first.received_at.isoformat()}); nothing changed."
        )
    else:
        detail = (
            f"Packet {first.message_id} was received already with other content: nothing "
            "was stored. A changed packet needs a new message id."
        )
    return Answer(409, {"detail": detail, "receipt": first.as_dict()})


def _receipt(
    sender: str,
    message_id: str,
    body: Any,
    digest: str,
    now: datetime,
    result: Accepted | list[Problem],
    written: int = 0,
) -> Receipt:
    given = body if isinstance(body, dict) else {}
    kind = given.get("kind") if given.get("kind") in ("kpi_catalog", "kpi_data") else None
    sent_at = given.get("sent_at") if isinstance(given.get("sent_at"), str) else None
    sent_at = sent_at.replace("\x00", "") if sent_at else None  # PostgreSQL text: no NUL
    items = given.get("items")
    if isinstance(result, Accepted):
        return Receipt(
            sender,
            message_id,
            result.kind,
            str(result.period),
            digest,
            ACCEPTED,
            result.items,
            written,
            [],
            result.notes,
            sent_at[:40] if sent_at else None,
            now,
        )
    period = given.get("period")
    value = period.get("value") if isinstance(period, dict) else None
    return Receipt(
        sender,
        message_id,
        kind,
        value if isinstance(value, str) and len(value) <= 8 and "\x00" not in value else None,
        digest,
        REJECTED,
        len(items) if isinstance(items, list) else 0,
        0,
        [p.as_dict() for p in result],
        [],
        sent_at[:40] if sent_at else None,
        now,
    )
