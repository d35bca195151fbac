"""Setting a unit's digital-transformation focal point, from a form or the command line.

The entry is checked first (every problem named per field, nothing stored), then
recorded in the append-only history, and the focal-point figures are recomputed in the same
transaction so the indicator moves at once.

The checks are deliberately simple rules, documented here:

- name: required unless the focal point is removed;
- phone: 8 to 20 characters, only digits, spaces and `+ - ( )`, at least one digit;
- e-mail: `local@domain.tld` without spaces: one `@`, a domain of dot-separated labels
  with at least one dot and no empty label (no e-mail library is installed, and no
  rule short of sending a message proves an address works);
- every field: at most 200 characters, surrounding spaces dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from dxplan import policy
from dxplan.domain.account import User
from dxplan.domain.organisation import Organisation
from dxplan.domain.plan import Plan
from dxplan.domain.unit import Unit
from dxplan.reporting import platform
from dxplan.store import focal_points as focal_store
from dxplan.store.focal_points import FocalPoint

FIELDS: Final = ("name", "title", "phone", "email")
MAX_LENGTH: Final = 200
PHONE: Final = re.compile(r"[0-9 +\-()]{8,20}")
EMAIL: Final = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def _(message: str) -> str:
    """Marks a message for the gettext catalogs; it is translated when shown."""
    return message


NAME_REQUIRED: Final = _("Enter the focal point's name, or tick “Remove the focal point”.")
BAD_PHONE: Final = _("Use 8 to 20 characters: digits, spaces and + - ( ) only.")
BAD_EMAIL: Final = _("Enter an e-mail address such as name@example.gov.vn, without spaces.")
TOO_LONG: Final = _("At most 200 characters.")


@dataclass(frozen=True)
class Entry:
    """A checked entry: the values to record (no name: the unit has no focal point)."""

    name: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None


def check(given: Mapping[str, str | None], *, remove: bool = False) -> tuple[Entry, dict[str, str]]:
    """The cleaned entry and the problems per field (English messages of the catalogs)."""
    if remove:
        return Entry(), {}
    values = {f: (given.get(f) or "").strip() for f in FIELDS}
    problems: dict[str, str] = {}
    if not values["name"]:
        problems["name"] = NAME_REQUIRED
    phone, email = values["phone"], values["email"]
    if phone and (not PHONE.fullmatch(phone) or not any(c.isdigit() for c in phone)):
        problems["phone"] = BAD_PHONE
    if email and not EMAIL.fullmatch(email):
        problems["email"] = BAD_EMAIL
    for field, value in values.items():
        if len(value) > MAX_LENGTH:
            problems[field] = TOO_LONG
    entry = Entry(**{f: v or None for f, v in values.items()})
    return entry, problems


def units(plan: Plan, organisation: Organisation) -> list[Unit]:
    """The units that must name a focal point, in tree order."""
    return [] if plan.focal_points is None else plan.focal_points.units(organisation)


def must_name(plan: Plan, organisation: Organisation, unit: str) -> bool:
    return any(u.code == unit for u in units(plan, organisation))


def may_set(user: User, unit: str) -> bool:
    """A coordinator or admin sets any unit's focal point; a reporter its own units'."""
    return policy.can(user, policy.Action.FOCAL_POINT_SET, policy.UnitRef(unit))


def save(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    unit: str,
    entry: Entry,
    *,
    actor: str,
    at: datetime,
) -> FocalPoint | None:
    """Record the entry at `at` (None: nothing changed), then recompute the focal-point
    figures as of that day.

    `at` is the service's now (`Reporting.now()`): with an `as_of` day set, the record
    falls on that day and counts at once.
    """
    recorded = focal_store.record(
        conn,
        unit,
        name=entry.name,
        title=entry.title,
        phone=entry.phone,
        email=entry.email,
        actor=actor,
        at=at,
    )
    if recorded is not None:
        today = plan.calendar.today(at)
        platform.refresh(conn, plan, organisation, today, parts=["focal_points"])
    return recorded


@dataclass(frozen=True)
class Coverage:
    """The focal-point coverage as it stands: units with a named focal point out of
    those that need one."""

    named: int
    total: int

    @property
    def share(self) -> float | None:
        return 100.0 * self.named / self.total if self.total else None


def since(history: Sequence[FocalPoint]) -> datetime | None:
    """Since when the current focal point (the same name) holds the role; None if none."""
    if not history or not history[-1].named:
        return None
    start = history[-1].recorded_at
    for record in reversed(history):
        if record.name != history[-1].name:
            break
        start = record.recorded_at
    return start


def coverage(required: list[Unit], current: Mapping[str, FocalPoint]) -> Coverage:
    named = sum(1 for u in required if u.code in current and current[u.code].named)
    return Coverage(named, len(required))
