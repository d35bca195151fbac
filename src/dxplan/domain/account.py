"""People and what their role grants: roles and their permissions, as data.

What a person may do to a given report, figure or unit is `dxplan.policy`'s answer,
built on these permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from email_validator import EmailNotValidError, validate_email


class Role(StrEnum):
    ADMIN = "admin"  # manages accounts; may do everything
    COORDINATOR = "coordinator"  # city-wide: manages data sets, approves, sees everything
    REPORTER = "reporter"  # enters and submits reports for its own unit(s) only
    VIEWER = "viewer"  # a leader or reader: reads everything, writes nothing


class Permission(StrEnum):
    READ_ALL = "read_all"  # every unit's reports, confidential data sets included
    READ_PUBLIC = "read_public"  # every unit's reports of non-confidential data sets
    ENTER_OWN = "enter_own"  # save and submit reports of one's own units
    APPROVE = "approve"  # approve or return submitted reports
    MANAGE_FOCAL_POINTS = "manage_focal_points"  # any unit's focal point
    MANAGE_USERS = "manage_users"


PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COORDINATOR: frozenset(
        {Permission.READ_ALL, Permission.APPROVE, Permission.MANAGE_FOCAL_POINTS}
    ),
    Role.REPORTER: frozenset({Permission.ENTER_OWN}),
    Role.VIEWER: frozenset({Permission.READ_PUBLIC}),
}


@dataclass(frozen=True)
class User:
    """A signed-in person (or a token acting for one)."""

    id: int
    username: str
    display_name: str
    role: Role
    units: tuple[str, ...]
    active: bool = True
    email: str | None = None  # where reminders go
    language: str | None = None  # of reminders; None: the plan's first

    def can(self, permission: Permission) -> bool:
        return self.active and permission in PERMISSIONS[self.role]

    def reports_for(self, unit: str) -> bool:
        """Whether this person enters reports of `unit`."""
        return self.can(Permission.ENTER_OWN) and unit in self.units


def email_address(text: str) -> str:
    """`text` as an e-mail address (the domain lowercased), or ValueError saying why.

    Only the form is checked (RFC 5322 and 6531, by `email-validator`), never the DNS:
    government networks are often closed.
    """
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"{text!r} is not an e-mail address: {error}") from None
    return str(checked.normalized)
