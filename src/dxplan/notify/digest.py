"""What a digest tells whom: item kinds, recipients, and the choice of items (pure).

An `Item` is one thing a unit owes or should know (a report due, a report returned,
an indicator that turned off track...), with a stable `key`: the sent log remembers
keys, so an item told once is never told again to the same person over the same
channel. Kinds are a registry (`KINDS`, filled by `item_kind`): each has a heading
and a line to show, both English msgids translated when the digest is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

ALL: Final = "all"  # a preference for every kind at once
OUT: Final = "out"  # opted out
IN: Final = "in"  # subscribed (kinds sent only on request)


def _(message: str) -> str:
    """Marks a message for the gettext catalogs; it is translated when the digest is written."""
    return message


@dataclass(frozen=True)
class ItemKind:
    """A kind of item: its heading and line (msgids with {placeholders} of the item's data).

    `detail`: a line for each entry of the item's `details` list, shown under it.
    `on_request`: told only to people who subscribed (the weekly city summary), not to
    everyone concerned.
    """

    code: str
    heading: str
    line: str
    detail: str | None = None
    on_request: bool = False


KINDS: dict[str, ItemKind] = {}


def item_kind(
    code: str, heading: str, line: str, *, detail: str | None = None, on_request: bool = False
) -> ItemKind:
    """Register a kind of item (the order of registration is the order in a digest)."""
    found = ItemKind(code, heading, line, detail, on_request)
    KINDS[code] = found
    return found


REPORT_MISSING = item_kind(
    "report_missing",
    _("Reports late or missing"),
    _("{dataset}, {period}: due on {due}, {days} days late"),
)
REPORT_RETURNED = item_kind(
    "report_returned",
    _("Reports returned to you"),
    _("{dataset}, {period}: returned by the coordinator: {comment}"),
)
REPORT_DUE = item_kind(
    "report_due",
    _("Reports due soon"),
    _("{dataset}, {period}: due on {due}, in {days} days"),
)
TASK_OVERDUE = item_kind(
    "task_overdue",
    _("Tasks overdue"),
    _("{task} ({code}): due on {due}, {progress}% done"),
)
TASK_DUE = item_kind(
    "task_due",
    _("Tasks due soon"),
    _("{task} ({code}): due on {due}, {progress}% done"),
)
OFF_TRACK = item_kind(
    "off_track",
    _("Indicators that turned off track"),
    _("{indicator} ({code}), {period}: {before} → {after}"),
)
CITY_SUMMARY = item_kind(
    "city_summary",
    _("Weekly city summary"),
    _(
        "{period}: overall score {overall}; {on_track} indicators on track or achieved, "
        "{at_risk} at risk, {off_track} off track or not achieved; {changes} changed "
        "since the last summary"
    ),
    detail=_("{indicator} ({code}): {before} → {after}"),
    on_request=True,
)


@dataclass(frozen=True)
class Item:
    """One thing to tell about one unit; `data` holds JSON values the kind's line names
    (texts in several languages as {"vi": ..., "en": ..., "bn": ...})."""

    kind: str
    key: str
    unit: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "unit": self.unit, "data": dict(self.data)}

    @classmethod
    def from_json(cls, found: Mapping[str, Any]) -> Item:
        return cls(found["kind"], found["key"], found["unit"], found.get("data", {}))


@dataclass(frozen=True)
class Recipient:
    """A person told: by e-mail address (`key` is it, lowercased) or, without one, by
    account (`user:NAME`) or focal point (`focal:UNIT`) for the webhook only.

    `units`: the units whose items concern the person; None: every unit (the
    coordinator's city-wide digest).
    """

    key: str
    name: str
    address: str | None
    language: str
    units: frozenset[str] | None
    roles: frozenset[str] = frozenset()

    def concerned(self, unit: str) -> bool:
        return self.units is None or unit in self.units

    def merged(self, other: Recipient) -> Recipient:
        """One person reached as several (a reporter who is also a focal point)."""
        units = None if self.units is None or other.units is None else self.units | other.units
        return Recipient(
            self.key,
            self.name,
            self.address or other.address,
            self.language,
            units,
            self.roles | other.roles,
        )


def merge(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Recipients with the same key as one, in the order first seen."""
    found: dict[str, Recipient] = {}
    for r in recipients:
        found[r.key] = found[r.key].merged(r) if r.key in found else r
    return list(found.values())


def wanted(kind: ItemKind, preferences: Mapping[str, str]) -> bool:
    """Whether a person with these preferences ({kind or "all": "in" | "out"}) is told
    items of `kind`: opted out of it or of all, no; on request, only if subscribed."""
    if preferences.get(ALL) == OUT or preferences.get(kind.code) == OUT:
        return False
    return not kind.on_request or preferences.get(kind.code) == IN


def choose(
    recipient: Recipient,
    items: Iterable[Item],
    *,
    preferences: Mapping[str, str],
    told: Callable[[str], bool],
) -> list[Item]:
    """The items of a digest to `recipient`: of the units concerning them, of kinds they
    want, not told before (`told(key)`), each key once, in the order of KINDS then given."""
    order = {code: n for n, code in enumerate(KINDS)}
    seen: set[str] = set()
    chosen: list[Item] = []
    for item in items:
        kind = KINDS[item.kind]
        if item.key in seen or not wanted(kind, preferences):
            continue
        if not kind.on_request and not recipient.concerned(item.unit):
            continue
        if told(item.key):
            continue
        seen.add(item.key)
        chosen.append(item)
    return sorted(chosen, key=lambda i: order[i.kind])


def content(recipient: Recipient, day: str, items: Iterable[Item]) -> dict[str, Any]:
    """The stored content of a digest: enough to write it again, identically, on a retry."""
    return {
        "recipient": recipient.key,
        "name": recipient.name,
        "address": recipient.address,
        "language": recipient.language,
        "day": day,
        "items": [i.as_json() for i in items],
    }
