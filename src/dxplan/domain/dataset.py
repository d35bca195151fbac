"""Data sets: the periodic reports units send (DHIS2's idea), declared in the plan file.

A data set names the measures a report carries, who reports (listed units or kinds of
unit), for which units the values are (the reporter itself, every commune and ward,
or the city as a whole), how often, by when, and the checks a report must pass.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.unit import KindCode, Unit

DATASET_CODE = r"^[a-z][a-z0-9-]*$"


class ValuesFor(StrEnum):
    """For which units a report's values are."""

    REPORTER = "reporter"  # the reporting unit's own figures
    COMMUNES = "communes"  # one value per local unit (commune and ward; an agency per commune)
    ROOT = "root"  # the whole city's figure (e.g. the DTI rank, reported by one agency)


class Convention(StrEnum):
    """Which days a reporting period covers."""

    CALENDAR = "calendar"  # the calendar month, quarter, half or year
    DECREE_09 = "decree09"  # Decree 09/2019: from the 15th before to the 14th of the last month


class NumberType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"


class FormField(BaseModel):
    """One measure on a report form and its own checks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: str
    type: NumberType = NumberType.INTEGER
    required: bool = True
    min: float | None = 0
    max: float | None = None


class CheckRule(StrEnum):
    AT_MOST = "at_most"  # measure <= limit (a numerator never above its denominator)
    SUM = "sum"  # parts add up to total


class Check(BaseModel):
    """A rule across the measures of one report, for each unit the values are for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: CheckRule
    measure: str | None = None  # at_most
    limit: str | None = None  # at_most
    parts: list[str] = Field(default_factory=list)  # sum
    total: str | None = None  # sum

    @model_validator(mode="after")
    def _complete(self) -> Check:
        if self.rule is CheckRule.AT_MOST and (self.measure is None or self.limit is None):
            raise ValueError("an at_most check needs `measure` and `limit`")
        if self.rule is CheckRule.SUM and (not self.parts or self.total is None):
            raise ValueError("a sum check needs `parts` and `total`")
        return self

    @property
    def measures(self) -> list[str]:
        named = [self.measure, self.limit, self.total, *self.parts]
        return [code for code in named if code is not None]


class Reporters(BaseModel):
    """Who reports: listed units, and/or every active unit of the listed kinds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    units: list[str] = Field(default_factory=list)
    kinds: list[KindCode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _someone(self) -> Reporters:
        if not self.units and not self.kinds:
            raise ValueError("name reporting `units` or unit `kinds`")
        return self


_PERIOD_KINDS = {
    "month": PeriodKind.MONTH,
    "quarter": PeriodKind.QUARTER,
    "half": PeriodKind.HALF,
    "year": PeriodKind.YEAR,
}


class DataSet(BaseModel):
    """A periodic report: its measures, reporters, periodicity, due date and checks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=DATASET_CODE, max_length=48)
    names: LocalizedText
    fields: list[FormField] = Field(min_length=1)
    reporters: Reporters
    values_for: ValuesFor = ValuesFor.REPORTER
    periodicity: str = Field(pattern=r"^(month|quarter|half|year)$")
    convention: Convention = Convention.CALENDAR
    due_days: int = Field(ge=0, le=366, description="days after the period's last day")
    confidential: bool = False
    checks: list[Check] = Field(default_factory=list)
    outlier_change: float | None = Field(
        default=0.5,
        gt=0,
        description="warn when a value moves by more than this share of the last period's",
    )
    description: LocalizedText | None = None

    @property
    def measures(self) -> list[str]:
        return [f.measure for f in self.fields]

    def field(self, measure: str) -> FormField | None:
        return next((f for f in self.fields if f.measure == measure), None)

    @property
    def period_kind(self) -> PeriodKind:
        return _PERIOD_KINDS[self.periodicity]

    def accepts(self, period: Period) -> bool:
        return period.kind is self.period_kind

    def window(self, period: Period) -> tuple[date, date]:
        """The first and last day a report for `period` covers."""
        if self.convention is Convention.CALENDAR:
            return period.first_day, period.last_day
        last = period.last_day.replace(day=14)
        first = (period.first_day - timedelta(days=1)).replace(day=15)
        return first, last

    def due(self, period: Period) -> date:
        """The last day a report for `period` is on time."""
        return self.window(period)[1] + timedelta(days=self.due_days)

    def reporting_units(self, organisation: Organisation) -> list[Unit]:
        """Every unit that reports this data set, in tree order."""
        kinds = set(self.reporters.kinds)
        listed = set(self.reporters.units)
        return [u for u in organisation if u.kind in kinds or u.code in listed]

    def reports(self, organisation: Organisation, unit: str) -> bool:
        return any(u.code == unit for u in self.reporting_units(organisation))

    def value_units(self, organisation: Organisation, reporter: str) -> list[str]:
        """The units a report of `reporter` carries values for."""
        if self.values_for is ValuesFor.REPORTER:
            return [reporter]
        if self.values_for is ValuesFor.ROOT:
            return [organisation.root.code]
        return [u.code for u in organisation.local()]


class FocalPoints(BaseModel):
    """The focal-point registry: which units must name a digital-transformation lead."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: list[KindCode] = Field(min_length=1)
    names: LocalizedText | None = None

    def units(self, organisation: Organisation) -> list[Unit]:
        return [u for u in organisation if u.kind in self.kinds]
