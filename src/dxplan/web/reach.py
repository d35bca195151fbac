"""Which boards a reader may ask for: the days and periods that mean something for the plan.

Every new `?as_of=` and `?period=` makes a board of its own (seconds of work, kept in a
bounded cache), so what a reader may ask for is bounded too (issue 9). Readers who have
not signed in (the wall screen, the public) get the plan's own periods (its year, halves,
quarters and months) and its days from its first up to today: what the plan has to say.
Signed-in readers may also look at the year before the plan (the comparisons), at any
period of it, and at days up to the end of the year after the plan (its final reading).
Anything else is refused with a 400 that says what may be asked, rather than snapped to
a nearby value: a link that is shared must show the day it names, or say why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dxplan.domain.period import Period
from dxplan.domain.plan import Plan
from dxplan.i18n import Formatter


@dataclass(frozen=True)
class Reach:
    """The days and the years of the periods a reader may ask a board for."""

    first_day: date
    last_day: date
    first_year: Period  # years of the plan's calendar (FY2026 in a fiscal plan)
    last_year: Period

    def allows_day(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def allows_period(self, period: Period) -> bool:
        year = period.year_period()
        return self.first_year <= year <= self.last_year


def reach(plan: Plan, today: date, *, signed_in: bool) -> Reach:
    """What `plan`'s readers may ask for on `today` (see the module's docstring)."""
    calendar = plan.calendar
    span = calendar.parse(plan.period) if plan.period else calendar.year_of(today)
    if signed_in:
        latest = max(today, span.next().last_day)
        return Reach(span.previous().first_day, latest, span.previous(), span)
    return Reach(span.first_day, today, span, span)


def refusal(fmt: Formatter, allowed: Reach, period: Period | None, day: date | None) -> str | None:
    """Why a board for `period` as of `day` is not served, in the reader's language, or None."""
    _ = fmt.gettext
    if day is not None and not allowed.allows_day(day):
        return _(
            "as_of %(day)s is outside this dashboard: choose a day from %(first)s to %(last)s."
        ) % {
            "day": day.isoformat(),
            "first": allowed.first_day.isoformat(),
            "last": allowed.last_day.isoformat(),
        }
    if period is not None and not allowed.allows_period(period):
        return _(
            "period %(period)s is outside this dashboard: choose a year, half, quarter or "
            "month from %(first)s to %(last)s."
        ) % {
            "period": str(period),
            "first": str(allowed.first_year.months()[0]),
            "last": str(allowed.last_year.months()[-1]),
        }
    return None
