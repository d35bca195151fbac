"""The audit log: who did what, when, with the state before and after. Append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from dxplan.store.tables import audit_log


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    before: Any
    after: Any


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record one action; `before` and `after` are JSON-ready states (None when absent)."""
    conn.execute(
        insert(audit_log).values(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
        )
    )


def append_many(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Record several actions at once, in their order; each a dict of `append`'s
    arguments (`actor`, `action`, `entity`, `key`, `before`, `after`)."""
    if not entries:
        return
    at = datetime.now(UTC)
    conn.execute(
        insert(audit_log),
        [
            {
                "at": at,
                "actor": e["actor"],
                "action": e["action"],
                "entity": e["entity"],
                "entity_key": e["key"],
                "before": e.get("before"),
                "after": e.get("after"),
            }
            for e in entries
        ],
    )


def entries(
    conn: Connection, *, entity: str | None = None, key: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first, optionally for one entity (and key)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(audit_log.c.entity == entity)
    if key is not None:
        query = query.where(audit_log.c.entity_key == key)
    return [AuditEntry(**row._mapping) for row in conn.execute(query)]
