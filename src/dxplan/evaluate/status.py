"""The status of an indicator for a unit and period, as of a date.

- No target: `monitored`.
- Period over (its last day, or the target's deadline, is before `as_of`): `achieved`
  or `not_achieved` by the final value; `no_data` without one.
- Period open: the projection's 80% interval against the target. For `>=`/`>`:
  `on_track` when the low end meets the target, `off_track` when the high end misses
  it, `at_risk` otherwise; for `<=`/`<` the ends swap roles. `no_data` without a
  projection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum

from dxplan.domain.indicator import Target
from dxplan.domain.period import Period
from dxplan.evaluate.projection import Projection

__all__ = ["Status", "is_over", "status"]


class Status(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MONITORED = "monitored"
    NO_DATA = "no_data"


def is_over(period: Period, target: Target, as_of: date) -> bool:
    """Whether nothing can change any more: the period or the deadline ended before `as_of`."""
    return as_of > min(period.last_day, target.deadline)


def status(
    target: Target | None,
    *,
    value: float | None,
    projection: Projection | None,
    period: Period,
    as_of: date,
) -> Status:
    """The status of one indicator for one unit and period.

    `value` is the value of the period so far (its final value once it is over);
    `projection` is the value expected at the deadline with its 80% interval.
    """
    if target is None:
        return Status.MONITORED
    if is_over(period, target, as_of):
        if value is None:
            return Status.NO_DATA
        return Status.ACHIEVED if target.is_met(value) else Status.NOT_ACHIEVED
    if projection is None:
        return Status.NO_DATA
    # The end of the interval that is worst for the target, and the one that is best.
    if target.op in (">=", ">"):
        worst, best = projection.low, projection.high
    else:
        worst, best = projection.high, projection.low
    if target.is_met(worst):
        return Status.ON_TRACK
    if not target.is_met(best):
        return Status.OFF_TRACK
    return Status.AT_RISK


def status_labels(_: Callable[[str], str]) -> dict[Status, str]:
    """Each status in the reader's language."""
    return {
        Status.OFF_TRACK: _("Off track"),
        Status.NOT_ACHIEVED: _("Not achieved"),
        Status.AT_RISK: _("At risk"),
        Status.NO_DATA: _("No data"),
        Status.ON_TRACK: _("On track"),
        Status.ACHIEVED: _("Achieved"),
        Status.MONITORED: _("Monitored"),
    }
