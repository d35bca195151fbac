"""A received packet, checked against the plan and the organisation (pure: no I/O).

The body is the JSON a province's dxplan sends (`dxplan.national`, docs/national-feed.md).
`check` finds every problem at once, each with the path of the field it concerns
(`items[3].numerator`), or gives what to store: the values of a KPI data packet (the
numerator and denominator of each item as values of the indicator's measures, for the
item's unit and the packet's period) or the entries of a KPI catalogue packet.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from dxplan.domain.indicator import Indicator, IndicatorKind
from dxplan.domain.measure import SourceKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan

CATALOG: Final = "kpi_catalog"
DATA: Final = "kpi_data"
KINDS: Final = (CATALOG, DATA)
MAX_ITEMS: Final = 100_000  # the sender's largest packet (DXPLAN_NATIONAL_PACKET_SIZE)
MAX_ID: Final = 64
MAX_TEXT: Final = 1_000
CATALOG_TEXTS: Final = ("name_vi", "name_en", "unit_of_measure", "periodicity", "formula")
TOLERANCE: Final = 1e-6  # relative: a value sent at full precision, as computed


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where in the body (`items[3].numerator`)."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class Codes:
    """One sender's own codes → the national ones (the receiver's mapping file)."""

    indicators: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a packet is checked against."""

    plan: Plan
    organisation: Organisation
    sender: str  # the token's sender: the packet's must be the same
    today: date  # a period that begins after it is refused
    codes: Codes = Codes()


@dataclass(frozen=True)
class CatalogEntry:
    """An indicator a sender declares: its national code, its own, what it says of it."""

    indicator: str
    sender_code: str
    details: dict[str, str | None]
    known: bool  # whether the receiver's plan has the indicator


@dataclass(frozen=True)
class Accepted:
    """A packet with no problem: what to store."""

    kind: str
    period: Period
    items: int
    values: list[tuple[str, str, str, float]]  # measure, unit, period, value
    catalog: list[CatalogEntry]
    notes: list[str]


def content_hash(body: Any) -> str:
    """SHA-256 of what a packet says, `sent_at` left out (it changes with every attempt):
    a retry of the same packet hashes the same, a changed one does not."""
    shown = {k: v for k, v in body.items() if k != "sent_at"} if isinstance(body, dict) else body
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stated_sender(body: Any) -> str | None:
    """The sender code the packet claims, if it claims one as text."""
    found = body.get("sender") if isinstance(body, dict) else None
    return found if isinstance(found, str) else None


def receivable(indicator: Indicator, plan: Plan) -> bool:
    """Whether received items of `indicator` can be stored: its numerator (and its
    denominator) is one measure that the provinces send (`source: received`)."""
    parts = [indicator.numerator] + (
        [indicator.denominator] if indicator.denominator is not None else []
    )
    for formula in parts:
        if len(formula.terms) != 1 or formula.terms[0][0] != 1:
            return False
        code = formula.terms[0][1]
        if not isinstance(code, str) or code not in {m.code for m in plan.measures}:
            return False
        if plan.measure(code).source is not SourceKind.RECEIVED:
            return False
    return True


def _measure(formula_terms: tuple[tuple[int, str | float], ...]) -> str:
    code = formula_terms[0][1]
    assert isinstance(code, str)
    return code


def _number(value: Any, path: str, problems: list[Problem]) -> float | None:
    """A JSON number as a float; None for null; a problem for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(
            Problem(path, f"{json.dumps(value, ensure_ascii=False)[:40]} is not a number")
        )
        return None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        problems.append(Problem(path, "the number is not finite"))
        return None
    return number


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, path: str, problems: list[Problem], *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(path, "a non-empty text is required"))
        return None
    if len(value) > MAX_TEXT:
        problems.append(Problem(path, f"longer than {MAX_TEXT} characters"))
        return None
    if _CONTROL.search(value):  # a NUL also breaks PostgreSQL's text (a 500)
        problems.append(Problem(path, "holds a control character"))
        return None
    return value


def _period(body: dict[str, Any], context: Context, problems: list[Problem]) -> Period | None:
    given = body.get("period")
    if not isinstance(given, dict):
        problems.append(Problem("period", 'an object {"type": ..., "value": ...} is required'))
        return None
    kind, value = given.get("type"), given.get("value")
    if kind not in {k.value for k in PeriodKind}:
        problems.append(Problem("period.type", "must be month, quarter, half or year"))
    if not isinstance(value, str):
        problems.append(Problem("period.value", "a period such as 2025-10 is required"))
        return None
    try:
        period = context.plan.calendar.parse(value)
    except ValueError as error:
        problems.append(Problem("period.value", str(error)))
        return None
    if kind in {k.value for k in PeriodKind} and period.kind.value != kind:
        problems.append(Problem("period.type", f"{value} is a {period.kind.value}, not a {kind}"))
    if period.first_day > context.today:
        problems.append(
            Problem("period.value", f"{value} begins after today ({context.today.isoformat()})")
        )
    return period


def _envelope(
    body: dict[str, Any], key: str | None, problems: list[Problem]
) -> tuple[str | None, list[Any] | None]:
    """Check the fields around the items; return the kind and the items."""
    message_id = body.get("message_id")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_ID:
        problems.append(Problem("message_id", f"a text of 1 to {MAX_ID} characters is required"))
    elif key is not None and key != message_id:
        problems.append(Problem("message_id", f"differs from the Idempotency-Key {key!r}"))
    if key is None:
        problems.append(Problem("Idempotency-Key", "the header is required: the message id"))
    kind = body.get("kind")
    if kind not in KINDS:
        problems.append(Problem("kind", f"must be {' or '.join(KINDS)}"))
        kind = None
    if not isinstance(body.get("sender"), str):
        problems.append(Problem("sender", "the sender's code is required"))
    sent_at = body.get("sent_at")
    try:
        moment = datetime.fromisoformat(sent_at) if isinstance(sent_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems.append(Problem("sent_at", "an ISO 8601 moment with its offset is required"))
    items = body.get("items")
    if not isinstance(items, list) or not items:
        problems.append(Problem("items", "a non-empty array is required"))
        return kind, None
    if len(items) > MAX_ITEMS:
        problems.append(Problem("items", f"{len(items)} items: at most {MAX_ITEMS} in a packet"))
        return kind, None
    return kind, items


def check(body: Any, key: str | None, context: Context) -> Accepted | list[Problem]:
    """Every problem of the packet, or what to store when there is none."""
    if not isinstance(body, dict):
        return [Problem("$", "the packet must be a JSON object")]
    problems: list[Problem] = []
    kind, items = _envelope(body, key, problems)
    period = _period(body, context, problems)
    catalog: list[CatalogEntry] = []
    values: list[tuple[str, str, str, float]] = []
    notes: list[str] = []
    if items is not None and kind == CATALOG:
        catalog = _catalog(items, context, problems)
        unknown = sorted(e.indicator for e in catalog if not e.known)
        if unknown:
            notes.append(f"not in the plan {context.plan.code}: {', '.join(unknown)}")
    elif items is not None and kind == DATA:
        values = _data(items, context, str(period) if period else "", problems)
    if problems:
        return problems
    assert kind is not None and period is not None and items is not None
    return Accepted(kind, period, len(items), values, catalog, notes)


def _catalog(items: list[Any], context: Context, problems: list[Problem]) -> list[CatalogEntry]:
    known = {i.code for i in context.plan.indicators}
    found: dict[str, CatalogEntry] = {}
    for index, item in enumerate(items):
        here = f"items[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(here, "an object is required"))
            continue
        own = _text(item.get("indicator"), f"{here}.indicator", problems, required=True)
        details = {
            name: _text(item.get(name), f"{here}.{name}", problems, required=False)
            for name in CATALOG_TEXTS
            if name in item
        }
        if own is None:
            continue
        code = context.codes.indicators.get(own, own)
        if code in found:
            problems.append(Problem(f"{here}.indicator", f"{code} is listed twice"))
            continue
        found[code] = CatalogEntry(code, own, details, code in known)
    return list(found.values())


def _data(
    items: list[Any], context: Context, period: str, problems: list[Problem]
) -> list[tuple[str, str, str, float]]:
    plan = context.plan
    indicators = {i.code: i for i in plan.indicators}
    seen: dict[tuple[str, str], int] = {}
    values: dict[tuple[str, str], tuple[float, int]] = {}  # (measure, unit): (value, item)
    for index, item in enumerate(items):
        here = f"items[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(here, "an object is required"))
            continue
        count = len(problems)
        own = _text(item.get("indicator"), f"{here}.indicator", problems, required=True)
        indicator = None
        if own is not None:
            code = context.codes.indicators.get(own, own)
            indicator = indicators.get(code)
            if indicator is None:
                problems.append(
                    Problem(f"{here}.indicator", f"unknown indicator {code!r} in {plan.code}")
                )
            elif not receivable(indicator, plan):
                problems.append(
                    Problem(
                        f"{here}.indicator",
                        f"{code} is not received from the provinces in {plan.code}: its "
                        "figures are not measures with source `received`",
                    )
                )
                indicator = None
        unit = _unit(item.get("unit"), f"{here}.unit", context, problems)
        parts = _figures(item, indicator, here, problems)
        if len(problems) > count or indicator is None or unit is None or parts is None:
            continue
        if (indicator.code, unit) in seen:
            problems.append(
                Problem(
                    here,
                    f"{indicator.code} for {unit} is already in "
                    f"items[{seen[indicator.code, unit]}]",
                )
            )
            continue
        seen[indicator.code, unit] = index
        numerator, denominator = parts
        pairs = [(_measure(indicator.numerator.terms), numerator)]
        if indicator.denominator is not None and denominator is not None:
            pairs.append((_measure(indicator.denominator.terms), denominator))
        for measure, number in pairs:
            before = values.get((measure, unit))
            if before is not None and before[0] != number:
                problems.append(
                    Problem(
                        here,
                        f"gives {measure} of {unit} as {number:g}, items[{before[1]}] as "
                        f"{before[0]:g}",
                    )
                )
            values.setdefault((measure, unit), (number, index))
    return [(m, u, period, v) for (m, u), (v, _) in values.items()]


def _unit(value: Any, path: str, context: Context, problems: list[Problem]) -> str | None:
    own = _text(value, path, problems, required=True)
    if own is None:
        return None
    code = context.codes.units.get(own, own)
    organisation = context.organisation
    if code not in organisation:
        problems.append(Problem(path, f"unknown unit {code!r}"))
        return None
    if code != context.sender and context.sender not in {
        u.code for u in organisation.ancestors(code)
    }:
        problems.append(Problem(path, f"unit {code} is not in the sender's {context.sender}"))
        return None
    return code


def _figures(
    item: dict[str, Any], indicator: Indicator | None, here: str, problems: list[Problem]
) -> tuple[float, float | None] | None:
    """(numerator, denominator) of an item, checked against each other and its value."""
    value = _number(item.get("value"), f"{here}.value", problems)
    numerator = _number(item.get("numerator"), f"{here}.numerator", problems)
    denominator = _number(item.get("denominator"), f"{here}.denominator", problems)
    if indicator is None:
        return None
    if indicator.kind is not IndicatorKind.RATIO:
        if denominator is not None:
            problems.append(Problem(f"{here}.denominator", f"{indicator.code} is not a ratio"))
        number = numerator if numerator is not None else value
        if number is None:
            problems.append(Problem(f"{here}.value", "a number is required"))
            return None
        if numerator is not None and value is not None and not _close(value, numerator):
            problems.append(
                Problem(f"{here}.value", f"{value:g} differs from the numerator {numerator:g}")
            )
        return number, None
    for name, number in (("numerator", numerator), ("denominator", denominator)):
        if number is None and f"{here}.{name}" not in {p.path for p in problems}:
            problems.append(Problem(f"{here}.{name}", "a number is required for a ratio"))
        elif number is not None and number < 0:
            problems.append(Problem(f"{here}.{name}", f"{number:g} is below 0"))
    if numerator is None or denominator is None:
        return None
    if numerator > denominator:
        problems.append(
            Problem(
                f"{here}.numerator",
                f"the numerator {numerator:g} is above the denominator {denominator:g}",
            )
        )
        return None
    expected = numerator / denominator * 100 if denominator else None
    if expected is None and value is not None:
        problems.append(Problem(f"{here}.value", "must be null when the denominator is 0"))
    elif expected is not None and value is not None and not _close(value, expected):
        problems.append(
            Problem(
                f"{here}.value",
                f"{value:g} is not numerator / denominator × 100 ({expected:g})",
            )
        )
    return numerator, denominator


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
