"""The report's wording in one language: labels, the period's name, the date line.

Messages are English in code and translated from the gettext catalogs, like every
other text of dxplan (`dxplan.i18n`); the administrative formulas of Decree 30 (the
national motto, `Số:`, `Nơi nhận:`, `Lưu:`) are the Vietnamese translations.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from dxplan.domain.indicator import Indicator, IndicatorKind
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.evaluate.evaluation import Evaluation
from dxplan.evaluate.status import Status, status_labels
from dxplan.i18n import Formatter, formatter

_ROMAN: Final = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class Wording:
    """Texts and numbers of a report in `language` (vi, en or bn)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.fmt: Formatter = formatter(language)
        self._ = self.fmt.gettext

    def roman(self, number: int) -> str:
        return _ROMAN[number - 1]

    def period(self, period: Period) -> str:
        """`quý III năm 2025`, `6 tháng đầu năm 2025`, `tháng 07 năm 2025`, `năm 2025`."""
        _ = self._
        match period.kind:
            case PeriodKind.YEAR:
                return _("the year {year}").format(year=period.year)
            case PeriodKind.HALF if period.index == 1:
                return _("the first half of {year}").format(year=period.year)
            case PeriodKind.HALF:
                return _("the second half of {year}").format(year=period.year)
            case PeriodKind.QUARTER:
                return _("quarter {roman} of {year}").format(
                    roman=self.roman(period.index), year=period.year
                )
            case PeriodKind.MONTH:
                return _("month {month} of {year}").format(
                    month=f"{period.index:02d}", year=period.year
                )

    def date_line(self, place: str, day: date) -> str:
        """`Cần Thơ, ngày 05 tháng 10 năm 2025`: day and month with leading zeros."""
        return self._("{place}, {year}-{month}-{day}").format(
            place=place, day=f"{day.day:02d}", month=f"{day.month:02d}", year=f"{day.year:04d}"
        )

    def day(self, day: date) -> str:
        return self._("{year}-{month}-{day}").format(
            day=f"{day.day:02d}", month=f"{day.month:02d}", year=f"{day.year:04d}"
        )

    def status(self, status: Status) -> str:
        return status_labels(self._)[status]

    def unit_of_measure(self, indicator: Indicator, plan: Plan) -> str:
        """`%` for a ratio, the rank's word, else the unit of the measure it counts."""
        if indicator.kind is IndicatorKind.RATIO:
            return "%"
        if indicator.kind is IndicatorKind.RANK:
            return self._("rank")
        measures = sorted(indicator.numerator.measures)
        if len(measures) == 1:
            return self.fmt.name(plan.measure(measures[0]).unit_of_measure)
        return ""

    def value(self, value: float | None, indicator: Indicator) -> str:
        return self.fmt.value(value, indicator.kind)

    def target(self, indicator: Indicator) -> str:
        return self.fmt.target(indicator.target, indicator.kind)

    def projection(self, evaluation: Evaluation | None) -> str:
        """`82,0% (78,1%–85,9%)`: the projection at the deadline and its 80% interval."""
        if evaluation is None or evaluation.projection is None:
            return "—"
        p, kind = evaluation.projection, evaluation.indicator.kind
        return (
            f"{self.fmt.value(p.value, kind)} "
            f"({self.fmt.value(p.low, kind)}–{self.fmt.value(p.high, kind)})"
        )
