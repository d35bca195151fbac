"""Who may send packets: a province of the organisation (a unit right under its root)."""

from __future__ import annotations

from dxplan.domain.organisation import Organisation
from dxplan.store.tokens import TokenError


def senders(organisation: Organisation) -> list[str]:
    """The codes that may send: the units right under the root (the 34 provinces of `VN`)."""
    return [unit.code for unit in organisation.children(organisation.root.code)]


def check_sender(organisation: Organisation, code: str) -> None:
    """TokenError unless `code` is a province (a unit right under the root)."""
    if code not in organisation:
        raise TokenError(f"--sender {code!r} is not a unit of the organisation")
    if organisation[code].parent != organisation.root.code:
        raise TokenError(
            f"--sender {code!r} is not a province of the organisation: a sender is a unit "
            f"right under {organisation.root.code} ({', '.join(senders(organisation)[:5])}…)"
        )
