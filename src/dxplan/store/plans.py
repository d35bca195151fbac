"""Plan versions: every plan file ever loaded, numbered, never overwritten."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, insert, select

from dxplan.store import audit
from dxplan.store.tables import plan_versions


@dataclass(frozen=True)
class PlanVersion:
    plan_code: str
    version: int
    sha256: str
    document: str
    created_at: datetime
    created_by: str


def latest(conn: Connection, plan_code: str | None = None) -> PlanVersion | None:
    """The newest version of a plan (of the most recently loaded plan when no code)."""
    query = select(plan_versions).order_by(plan_versions.c.id.desc()).limit(1)
    if plan_code is not None:
        query = query.where(plan_versions.c.plan_code == plan_code)
    row = conn.execute(query).first()
    if row is None:
        return None
    values = dict(row._mapping)
    values.pop("id")
    return PlanVersion(**values)


def save(conn: Connection, plan_code: str, document: str, actor: str) -> PlanVersion:
    """Store `document` as the next version of the plan, unless it equals the latest one."""
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    current = latest(conn, plan_code)
    if current is not None and current.sha256 == digest:
        return current
    number = (
        conn.execute(
            select(func.max(plan_versions.c.version)).where(plan_versions.c.plan_code == plan_code)
        ).scalar_one_or_none()
        or 0
    ) + 1
    version = PlanVersion(plan_code, number, digest, document, datetime.now(UTC), actor)
    conn.execute(insert(plan_versions).values(**version.__dict__))
    audit.append(
        conn,
        actor=actor,
        action="plan.load",
        entity="plan",
        key=plan_code,
        before={"version": current.version, "sha256": current.sha256} if current else None,
        after={"version": number, "sha256": digest},
    )
    return version


def history(conn: Connection, plan_code: str) -> list[PlanVersion]:
    """Every version of a plan, oldest first."""
    rows = conn.execute(
        select(plan_versions)
        .where(plan_versions.c.plan_code == plan_code)
        .order_by(plan_versions.c.version)
    )
    result = []
    for row in rows:
        values = dict(row._mapping)
        values.pop("id")
        result.append(PlanVersion(**values))
    return result


def latest_key(conn: Connection) -> str | None:
    """The SHA-256 of the newest plan version: a cheap check that the plan changed."""
    query = select(plan_versions.c.sha256).order_by(plan_versions.c.id.desc()).limit(1)
    return conn.execute(query).scalar()
