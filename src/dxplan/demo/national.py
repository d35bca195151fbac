"""The national demo: 34 provinces' packets for 2024–2025, sent to a real receiver.

`national_packets` draws, for every province of the national plan's organisation, a
quarterly KPI data packet per quarter that ended before the demo's day, with each
indicator's numerator and denominator: a province has a level of its own (some lead,
some trail), figures grow a little each quarter, and each packet has a day it arrives
on (mostly before the due day, some late, a few never). Some packets are sent twice
(the receiver answers the second with the first's receipt) and a few are malformed
the first time (a value that is not a number, a numerator above its denominator, an
unknown indicator: refused with 422, then sent again, corrected, under a new message
id). `send` posts them over HTTP with the national feed's own request
(`dxplan.national.sender.post`), as each province with its own token.

The demo replays two years in a minute: the receiver records when each packet came,
which is now; `restamp` then dates each province's figures to the day the generator
drew for them, so that the timeliness page shows the story the demo tells.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import httpx

from dxplan.domain.indicator import IndicatorKind
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.national.mapping import load_mapping
from dxplan.national.packets import DATA, body
from dxplan.national.sender import Outcome, post

__all__ = ["DemoPacket", "Sent", "national_packets", "send"]

SEED: Final = 2025
FIRST_YEAR: Final = 2024
LATE_SHARE: Final = 0.12  # packets that come after the due day
REPEATED_SHARE: Final = 0.05  # packets sent twice under the same message id
MALFORMED: Final = 6  # packets refused the first time, then sent corrected


@dataclass(frozen=True)
class DemoPacket:
    """One packet of one province for one quarter, and how the demo sends it."""

    sender: str
    period: Period
    items: list[dict[str, Any]]
    arrives: datetime  # the day the demo says it came (local time of the plan)
    message_id: str
    repeated: bool = False  # sent a second time, unchanged
    broken: list[dict[str, Any]] | None = None  # the malformed items sent first, if any


def _quarters(as_of: date, year_start: int) -> list[Period]:
    """Every quarter from FIRST_YEAR that ended before `as_of`."""
    quarter = Period(FIRST_YEAR, PeriodKind.QUARTER, 1, year_start)
    found = []
    while quarter.last_day < as_of:
        found.append(quarter)
        quarter = quarter.next()
    return found


def _items(
    plan: Plan, level: float, step: int, rng: random.Random, sender: str
) -> list[dict[str, Any]]:
    """One item per ratio indicator of the plan: the province's share grows with `step`."""
    found = []
    for number, indicator in enumerate(plan.indicators):
        if indicator.kind is not IndicatorKind.RATIO:
            continue
        goal = indicator.target.value if indicator.target is not None else 80.0
        share = goal * level * (1 + 0.02 * step) + rng.gauss(0, 3)
        share = min(max(share, 1.0), 100.0)
        denominator = rng.randint(800, 2_000) * (1 + number % 4) * 10
        numerator = round(denominator * share / 100)
        found.append(
            {
                "indicator": indicator.code,
                "unit": sender,
                "value": numerator / denominator * 100,
                "numerator": numerator,
                "denominator": denominator,
            }
        )
    return found


def _broken(items: list[dict[str, Any]], kind: int) -> list[dict[str, Any]]:
    """The items with one mistake the receiver refuses (422)."""
    first = dict(items[0])
    if kind % 3 == 0:
        first["numerator"] = "n/a"  # not a number
    elif kind % 3 == 1:
        first["numerator"] = first["denominator"] + 1  # above its denominator
    else:
        first["indicator"] = "GOV-99"  # not in the national plan
    return [first, *items[1:]]


def national_packets(
    plan: Plan, organisation: Organisation, as_of: date, seed: int = SEED
) -> list[DemoPacket]:
    """Every province's quarterly packets up to `as_of`, in the order they arrive."""
    if plan.index is None:
        raise ValueError("the national demo needs a plan with an index")
    rng = random.Random(seed)
    provinces = [u.code for u in organisation.ranking(plan.index.ranking)]
    quarters = _quarters(as_of, plan.fiscal_year_start)
    zone = plan.calendar.zone
    silent = set(rng.sample(provinces, 2))  # send nothing for the last quarter
    found = []
    malformed = MALFORMED
    for code in provinces:
        level = min(max(rng.gauss(0.72, 0.1), 0.35), 1.0)  # most provinces close together
        for step, quarter in enumerate(quarters):
            if code in silent and quarter == quarters[-1]:
                continue
            due = quarter.last_day + timedelta(days=plan.index.due_days)
            days = rng.randint(3, 40) if rng.random() < LATE_SHARE else -rng.randint(0, 12)
            day = due + timedelta(days=days)
            if day >= as_of:
                continue  # would come after the demo's day: still missing then
            arrives = datetime.combine(day, time(9 + rng.randint(0, 8)), zone)
            items = _items(plan, level, step, rng, code)
            broken = None
            if malformed and rng.random() < 0.04:
                broken = _broken(items, malformed)
                malformed -= 1
            found.append(
                DemoPacket(
                    code,
                    quarter,
                    items,
                    arrives,
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    repeated=rng.random() < REPEATED_SHARE,
                    broken=broken,
                )
            )
    return sorted(found, key=lambda p: p.arrives)


@dataclass
class Sent:
    """What the receiver answered: receipts, repeats it recognised, refusals."""

    received: int = 0
    repeated: int = 0  # 409 with the first receipt
    refused: int = 0  # 422: malformed
    other: list[str] = field(default_factory=list)  # anything unexpected
    arrived: list[DemoPacket] = field(default_factory=list)


def send(
    url: str,
    tokens: dict[str, str],
    packets: Iterable[DemoPacket],
    progress: Callable[[str], None] = lambda _: None,
) -> Sent:
    """Post every packet to `url` (the receiver's base URL) as its province."""
    mapping = load_mapping(None)
    target = url.rstrip("/") + mapping.path
    done = Sent()
    with httpx.Client(timeout=60) as client:

        def one(packet: DemoPacket, message_id: str, items: list[dict[str, Any]]) -> Any:
            payload = body(
                mapping,
                message_id=message_id,
                kind=DATA,
                sender=packet.sender,
                sent_at=packet.arrives,
                period=packet.period,
                items=items,
            )
            return post(client, target, tokens[packet.sender], message_id, payload)

        for packet in packets:
            if packet.broken is not None:
                answer = one(packet, str(uuid.uuid4()), packet.broken)
                if answer.outcome is Outcome.REFUSED:
                    done.refused += 1
                else:
                    done.other.append(f"{packet.sender} {packet.period}: {answer.message}")
            answer = one(packet, packet.message_id, packet.items)
            if answer.outcome is not Outcome.RECEIPT:
                done.other.append(f"{packet.sender} {packet.period}: {answer.message}")
                continue
            done.received += 1
            done.arrived.append(packet)
            if packet.repeated:
                again = one(packet, packet.message_id, packet.items)
                if again.outcome is Outcome.RECEIPT:  # 409 with the first receipt
                    done.repeated += 1
                else:
                    done.other.append(f"{packet.sender} {packet.period}: {again.message}")
        progress(
            f"{done.received} packets received, {done.repeated} repeats recognised, "
            f"{done.refused} malformed ones refused"
        )
    return done
