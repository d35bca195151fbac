"""Packets for the national system, built from the plan and the exported figures (pure).

A KPI catalogue packet describes every non-confidential indicator; KPI data packets
carry the rows of `dxplan indicators export` for one period, one indicator per packet
and at most `size` items each. A packet's `slot` names what it replaces when queued
again (`catalog`, `GOV-01#1`...); its `content_hash` tells whether anything changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from dxplan.domain.indicator import Indicator, IndicatorKind
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.national.mapping import Mapping

CATALOG: Final = "kpi_catalog"
DATA: Final = "kpi_data"
CATALOG_SLOT: Final = "catalog"

_INTEGER: Final = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Packet:
    """A packet to queue: its kind, the slot it fills, its items as the receiver names them."""

    kind: str
    slot: str
    items: list[dict[str, Any]]
    content_hash: str


def exported_number(text: str) -> int | float | None:
    """A number as `dxplan indicators export` prints it, back as JSON: '' is null."""
    if text == "":
        return None
    return int(text) if _INTEGER.match(text) else float(text)


def shared(plan: Plan) -> list[Indicator]:
    """The indicators whose figures may leave dxplan: never a confidential one."""
    secret = plan.confidential_measures()
    return [i for i in plan.indicators if not i.confidential and not (i.measures & secret)]


def periodicity(plan: Plan, indicator: Indicator) -> str:
    """The shortest period its reported figures come in; computed figures are monthly."""
    kinds = [d.period_kind for d in plan.datasets if indicator.measures & set(d.measures)]
    order = list(PeriodKind)
    return max(kinds, key=order.index).value if kinds else PeriodKind.MONTH.value


def unit_of_measure(plan: Plan, indicator: Indicator) -> str | None:
    """'%' for a ratio, else the Vietnamese unit of its single measure (None if unknown)."""
    if indicator.kind is IndicatorKind.RATIO:
        return "%"
    codes = sorted(indicator.numerator.measures)
    if len(codes) != 1:
        return None
    of = plan.measure(codes[0]).unit_of_measure
    return of.vi if of is not None else None


def catalog_fields(plan: Plan) -> list[dict[str, Any]]:
    """One catalogue item per shared indicator, in dxplan's names."""
    return [
        {
            "indicator": indicator.code,
            "name_vi": indicator.names.vi,
            "name_en": indicator.names.en,
            "unit_of_measure": unit_of_measure(plan, indicator),
            "periodicity": periodicity(plan, indicator),
            "formula": str(indicator.numerator)
            + (f" / ({indicator.denominator})" if indicator.denominator is not None else ""),
        }
        for indicator in shared(plan)
    ]


def data_fields(
    plan: Plan, rows: Iterable[Sequence[str]], period: Period
) -> dict[str, list[dict[str, Any]]]:
    """Data items of `period` per shared indicator, from indicator export rows.

    A row is `indicator,unit_code,period,numerator,denominator,value` as
    `dxplan.exports.figures.indicator_rows` yields it; other periods are skipped.
    Items are sorted by unit code, whatever order the rows came in.
    """
    allowed = {indicator.code for indicator in shared(plan)}
    found: dict[str, list[dict[str, Any]]] = {}
    wanted = str(period)
    for code, unit, row_period, numerator, denominator, value in rows:
        if row_period != wanted or code not in allowed:
            continue
        found.setdefault(code, []).append(
            {
                "indicator": code,
                "unit": unit,
                "value": exported_number(value),
                "numerator": exported_number(numerator),
                "denominator": exported_number(denominator),
            }
        )
    for items in found.values():  # a fixed order: the same figures hash the same
        items.sort(key=lambda item: str(item["unit"]))
    return found


def content_hash(kind: str, period: str | None, items: list[dict[str, Any]]) -> str:
    """SHA-256 of the packet's content in canonical JSON (the envelope left out)."""
    text = json.dumps(
        {"kind": kind, "period": period, "items": items},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(
    plan: Plan, rows: Iterable[Sequence[str]], period: Period, mapping: Mapping, size: int
) -> list[Packet]:
    """The catalogue packet, then the data packets of `period`, items already mapped.

    The catalogue's hash leaves the period out: it changes only with the catalogue.
    """
    items = [mapping.item(CATALOG, fields) for fields in catalog_fields(plan)]
    packets = [Packet(CATALOG, CATALOG_SLOT, items, content_hash(CATALOG, None, items))]
    for code, fields in data_fields(plan, rows, period).items():
        mapped = [mapping.item(DATA, each) for each in fields]
        for number, start in enumerate(range(0, len(mapped), size), start=1):
            chunk = mapped[start : start + size]
            packets.append(
                Packet(DATA, f"{code}#{number}", chunk, content_hash(DATA, str(period), chunk))
            )
    return packets


def body(
    mapping: Mapping,
    *,
    message_id: str,
    kind: str,
    sender: str,
    sent_at: datetime,
    period: Period,
    items: list[dict[str, Any]],
) -> dict[str, Any]:
    """The JSON body of `POST <url>/packets`, every name as the mapping spells it."""
    names = mapping.packet
    return {
        names.message_id: message_id,
        names.kind: getattr(mapping.kinds, kind),
        names.sender: sender,
        names.sent_at: sent_at.isoformat(timespec="seconds"),
        names.period: {
            mapping.period.type: getattr(mapping.period_types, period.kind.value),
            mapping.period.value: str(period),
        },
        names.items: items,
    }
