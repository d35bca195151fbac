"""Measure and indicator values as CSV rows: the exports other systems check value by value.

- measures: `measure,unit_code,period,value`
- indicators: `indicator,unit_code,period,numerator,denominator,value` (value in
  percent for ratios, at full precision; empty when the denominator is 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from sqlalchemy import Connection

from dxplan.domain.plan import Plan
from dxplan.evaluate.reading import readings
from dxplan.exports.cells import SafeWriter
from dxplan.store import values as value_store

MEASURE_HEADER = ("measure", "unit_code", "period", "value")
INDICATOR_HEADER = ("indicator", "unit_code", "period", "numerator", "denominator", "value")


def number(value: float | None) -> str:
    """805.0 prints as 805; other numbers at full precision; None as empty."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def measure_rows(conn: Connection, plan: Plan) -> Iterator[tuple[str, ...]]:
    """Latest value of every measure of the plan, by measure, unit and period."""
    codes = [m.code for m in plan.measures]
    found = value_store.latest(conn, measures=codes, calendar=plan.calendar)
    order = {code: i for i, code in enumerate(codes)}
    for value in sorted(found, key=lambda v: (order[v.measure], v.unit, v.period)):
        yield (value.measure, value.unit, str(value.period), number(value.value))


def indicator_rows(conn: Connection, plan: Plan) -> Iterator[tuple[str, ...]]:
    """Every indicator of the plan for every (unit, period) whose figures are stored."""
    measures = {code for indicator in plan.indicators for code in indicator.measures}
    found = value_store.latest(conn, measures=measures, calendar=plan.calendar)
    for indicator in plan.indicators:
        for reading in readings(indicator, found):
            yield (
                indicator.code,
                reading.unit,
                str(reading.period),
                number(reading.numerator),
                number(reading.denominator),
                number(reading.value),
            )


def write_csv(handle: TextIO, header: Iterable[str], rows: Iterable[tuple[str, ...]]) -> int:
    writer = SafeWriter(handle)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
