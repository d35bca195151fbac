"""A person's choice of reminders: which kinds they get, from a page, a link or the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from dxplan.domain.account import User
from dxplan.notify import digest
from dxplan.notify.gather import user_key
from dxplan.store import notifications as notify_store
from dxplan.workspace import Workspace


def key_of(user: User) -> str:
    """The recipient key of an account: its e-mail address, else `user:NAME`."""
    return user_key(user.username, user.email)


@dataclass(frozen=True)
class Choice:
    kind: digest.ItemKind
    wanted: bool


def choices(workspace: Workspace, recipient: str) -> list[Choice]:
    """Each kind in digest order, and whether `recipient` gets it."""
    with workspace.engine.connect() as conn:
        mine = notify_store.preferences(conn).get(recipient, {})
    return [Choice(kind, digest.wanted(kind, mine)) for kind in digest.KINDS.values()]


def save(workspace: Workspace, recipient: str, wanted: set[str], *, actor: str) -> None:
    """Record that `recipient` wants exactly the kinds in `wanted`."""
    with workspace.writing() as conn:
        notify_store.set_preference(conn, recipient, digest.ALL, None, actor=actor)
        for code, kind in digest.KINDS.items():
            if kind.on_request:
                choice = digest.IN if code in wanted else None
            else:
                choice = None if code in wanted else digest.OUT
            notify_store.set_preference(conn, recipient, code, choice, actor=actor)


def unsubscribe(workspace: Workspace, recipient: str, *, actor: str) -> None:
    """Stop every digest to `recipient` (an unsubscribe link)."""
    with workspace.writing() as conn:
        notify_store.set_preference(conn, recipient, digest.ALL, digest.OUT, actor=actor)
