"""The plan: pillars, measures and indicators with their targets, as one document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dxplan.domain.computed import COMPUTED
from dxplan.domain.dataset import DataSet, FocalPoints
from dxplan.domain.indicator import Indicator
from dxplan.domain.issuer import Issuer
from dxplan.domain.measure import Measure, SourceKind
from dxplan.domain.names import LANGUAGES, LocalizedText
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import DEFAULT_TIMEZONE, Calendar, PeriodKind, zone_of
from dxplan.domain.task import PlanTask
from dxplan.domain.unit import UnitKinds, UnitsSource

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One mistake in a plan: where (a path into the document), a code and a message."""

    loc: Loc
    code: str
    message: str


class Pillar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z]{2,5}$")
    names: LocalizedText
    description: LocalizedText | None = None
    weight: float = Field(default=1.0, gt=0, description="weight in the overall score")


class Plan(BaseModel):
    """A government's digital transformation plan as data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    names: LocalizedText
    organisation: str | UnitsSource = Field(
        description="a Vietnamese province code (e.g. 92), or `units_file:` a units file"
    )
    unit_kinds: UnitKinds | None = Field(
        default=None, description="the kinds of unit; default: those of the organisation's source"
    )
    period: str | None = Field(default=None, description="the plan's horizon, e.g. 2025")
    source: LocalizedText | None = None
    pillars: list[Pillar]
    measures: list[Measure]
    indicators: list[Indicator]
    datasets: list[DataSet] = Field(default_factory=list)
    focal_points: FocalPoints | None = None
    issuer: Issuer | None = None  # who signs the official reports (domain/issuer.py)
    tasks: list[PlanTask] = Field(
        default_factory=list,
        description="the plan's tasks: lead and supporting units, dates, indicators served",
    )
    languages: list[str] = Field(
        default_factory=lambda: list(LANGUAGES),
        min_length=1,
        description="the plan's languages, the first is the default one of pages",
    )
    timezone: str = Field(
        default=DEFAULT_TIMEZONE, description="IANA time zone in which months begin"
    )
    fiscal_year_start: int = Field(
        default=1,
        ge=1,
        le=12,
        description="first month of the plan's year: 1 for the calendar year, 7 for July–June",
    )

    @field_validator("languages")
    @classmethod
    def _spoken_languages(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"dxplan's pages speak {', '.join(LANGUAGES)} only, not {', '.join(unknown)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_of(value)  # ValueError naming the zone when it is unknown
        return value

    @property
    def calendar(self) -> Calendar:
        """How the plan counts time: its time zone and the first month of its year."""
        return Calendar(self.timezone, self.fiscal_year_start)

    @property
    def language(self) -> str:
        """The plan's default language: the first it lists."""
        return self.languages[0]

    @model_validator(mode="after")
    def _confidentiality_follows_data(self) -> Plan:
        """An indicator that reads a confidential data set's measure is confidential,
        unless the plan says otherwise (a contradiction `problems` reports)."""
        secret = self.confidential_measures()
        derived = [
            i.model_copy(update={"confidential": True})
            if i.measures & secret and "confidential" not in i.model_fields_set
            else i
            for i in self.indicators
        ]
        # frozen: set the derived list once, while the plan is being built
        object.__setattr__(self, "indicators", derived)
        return self

    def confidential_measures(self) -> frozenset[str]:
        """Measures reported in a confidential data set."""
        return frozenset(m for d in self.datasets if d.confidential for m in d.measures)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def measure(self, code: str) -> Measure:
        return next(m for m in self.measures if m.code == code)

    def dataset(self, code: str) -> DataSet | None:
        return next((d for d in self.datasets if d.code == code), None)

    def dataset_of(self, measure: str) -> DataSet | None:
        """The data set that reports `measure`, if any."""
        return next((d for d in self.datasets if measure in d.measures), None)

    def task(self, code: str) -> PlanTask | None:
        return next((t for t in self.tasks if t.code == code), None)

    def pillar_of(self, task: PlanTask) -> str | None:
        """The task's pillar: its own, else its first known indicator's."""
        if task.pillar is not None:
            return task.pillar
        known = {i.code: i.pillar for i in self.indicators}
        return next((known[c] for c in task.indicators if c in known), None)

    def indicators_of(self, pillar: str) -> list[Indicator]:
        return [i for i in self.indicators if i.pillar == pillar]

    def problems(self, organisation: Organisation | None = None) -> list[Problem]:
        """Every inconsistency between the parts of the plan (and its organisation)."""
        return list(_problems(self, organisation))


def _duplicates(items: list[str], section: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, code in enumerate(items):
        if code in seen:
            yield Problem(
                (section, index, "code"), "duplicate-code", f"code {code!r} appears twice"
            )
        seen.add(code)


def _problems(plan: Plan, organisation: Organisation | None) -> Iterator[Problem]:
    yield from _duplicates([p.code for p in plan.pillars], "pillars")
    yield from _duplicates([m.code for m in plan.measures], "measures")
    yield from _duplicates([i.code for i in plan.indicators], "indicators")
    yield from _duplicates([d.code for d in plan.datasets], "datasets")
    yield from _duplicates([t.code for t in plan.tasks], "tasks")
    for index, field, code, message in COMPUTED.problems(plan.measures):
        yield Problem(("measures", index, field), code, message)
    yield from _period_problems(plan)
    yield from _language_problems(plan)
    pillars = {p.code for p in plan.pillars}
    measures = {m.code for m in plan.measures}
    if (
        organisation is not None
        and isinstance(plan.organisation, str)
        and plan.organisation not in organisation
    ):
        yield Problem(("organisation",), "unknown-unit", f"unknown unit {plan.organisation!r}")
    yield from _kind_problems(plan, organisation)
    for index, indicator in enumerate(plan.indicators):
        here = ("indicators", index)
        if indicator.pillar not in pillars:
            yield Problem(
                (*here, "pillar"), "unknown-pillar", f"unknown pillar {indicator.pillar!r}"
            )
        for part in ("numerator", "denominator"):
            formula = getattr(indicator, part)
            for code in sorted(formula.measures - measures) if formula else ():
                yield Problem(
                    (*here, part),
                    "unknown-measure",
                    f"{indicator.code} names unknown measure {code!r}",
                )
        leaked = sorted(indicator.measures & plan.confidential_measures())
        if leaked and not indicator.confidential:
            yield Problem(
                (*here, "confidential"),
                "confidential-measure",
                f"{indicator.code} reads {', '.join(leaked)} of a confidential data set: "
                "it must be confidential too (write `confidential: true` or leave it out)",
            )
        if organisation is not None and indicator.lead_agency not in organisation:
            yield Problem(
                (*here, "lead_agency"),
                "unknown-unit",
                f"{indicator.code} names unknown unit {indicator.lead_agency!r}",
            )
    yield from _dataset_problems(plan, organisation)
    yield from _task_problems(plan, organisation)
    for code in plan.issuer.units if plan.issuer is not None else ():
        if organisation is not None and code not in organisation:
            yield Problem(("issuer", "units", code), "unknown-unit", f"unknown unit {code!r}")


def _texts(node: object, loc: Loc, label: str) -> Iterator[tuple[Loc, str, LocalizedText]]:
    """Every localized text in a part of the plan, with where it is (`pillars[GOV].names`)."""
    if isinstance(node, LocalizedText):
        yield loc, label, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _texts(getattr(node, name), (*loc, name), f"{label}.{name}".lstrip("."))
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            code = getattr(item, "code", None)
            yield from _texts(item, (*loc, index), f"{label}[{code or index}]")
    elif isinstance(node, dict):  # by code, e.g. the issuers of units
        for key, item in node.items():
            yield from _texts(item, (*loc, key), f"{label}[{key}]")


def _language_problems(plan: Plan) -> Iterator[Problem]:
    """Every name and text of the plan is written in each of the plan's languages."""
    for loc, label, text in _texts(plan, (), ""):
        for language in plan.languages:
            if not getattr(text, language):
                yield Problem(
                    (*loc, language),
                    "missing-language",
                    f"{label}.{language}: no text in {language!r}, one of the plan's "
                    f"languages ({', '.join(plan.languages)})",
                )


def _period_problems(plan: Plan) -> Iterator[Problem]:
    """The plan's horizon is one of its years; baselines are periods of its calendar."""
    calendar = plan.calendar
    if plan.period is not None:
        example = "FY2026" if calendar.year_start != 1 else "2025"
        try:
            period = calendar.parse(plan.period)
        except ValueError as error:
            yield Problem(("period",), "bad-period", f"period: {error}")
        else:
            if period.kind is not PeriodKind.YEAR:
                yield Problem(
                    ("period",),
                    "bad-period",
                    f"period: the plan's period is one whole year of its calendar, e.g. {example}, "
                    f"not {plan.period!r}",
                )
    for index, indicator in enumerate(plan.indicators):
        baseline = indicator.target.baseline if indicator.target else None
        if baseline is None:
            continue
        try:
            calendar.parse(baseline.period)
        except ValueError as error:
            yield Problem(
                ("indicators", index, "target", "baseline", "period"),
                "bad-period",
                f"{indicator.code} target.baseline.period: {error}",
            )


def _dataset_problems(plan: Plan, organisation: Organisation | None) -> Iterator[Problem]:
    sources = {m.code: m.source for m in plan.measures}
    reported_by: dict[str, str] = {}
    for index, dataset in enumerate(plan.datasets):
        here = ("datasets", index)
        for position, spec in enumerate(dataset.fields):
            where = (*here, "fields", position, "measure")
            if spec.measure not in sources:
                yield Problem(
                    where,
                    "unknown-measure",
                    f"{dataset.code} names unknown measure {spec.measure!r}",
                )
            elif sources[spec.measure] is not SourceKind.REPORTED:
                yield Problem(
                    where,
                    "not-reported",
                    f"{spec.measure!r} is a {sources[spec.measure]} measure, not a reported one",
                )
            elif spec.measure in reported_by:
                yield Problem(
                    where,
                    "reported-twice",
                    f"{spec.measure!r} is already reported in {reported_by[spec.measure]}",
                )
            reported_by.setdefault(spec.measure, dataset.code)
        for position, check in enumerate(dataset.checks):
            for code in check.measures:
                if code not in dataset.measures:
                    yield Problem(
                        (*here, "checks", position),
                        "unknown-measure",
                        f"{dataset.code}: the check names {code!r}, not a measure of the data set",
                    )
        for position, unit in enumerate(dataset.reporters.units):
            if organisation is not None and unit not in organisation:
                yield Problem(
                    (*here, "reporters", "units", position),
                    "unknown-unit",
                    f"{dataset.code} names unknown unit {unit!r}",
                )


def _kind_problems(plan: Plan, organisation: Organisation | None) -> Iterator[Problem]:
    """Kinds named by data sets and the focal-point registry must be declared."""
    if organisation is None:
        return
    known = organisation.kinds.codes
    named: list[tuple[Loc, str]] = [
        (("datasets", index, "reporters", "kinds", position), kind)
        for index, dataset in enumerate(plan.datasets)
        for position, kind in enumerate(dataset.reporters.kinds)
    ]
    if plan.focal_points is not None:
        named += [(("focal_points", "kinds", i), k) for i, k in enumerate(plan.focal_points.kinds)]
    for loc, kind in named:
        if kind not in known:
            yield Problem(
                loc, "unknown-kind", f"unknown unit kind {kind!r}; declared: {', '.join(known)}"
            )


def _task_problems(plan: Plan, organisation: Organisation | None) -> Iterator[Problem]:
    """Tasks name units of the organisation and the plan's indicators, and end after
    they start."""
    indicators = {i.code for i in plan.indicators}
    pillars = {p.code for p in plan.pillars}
    for index, task in enumerate(plan.tasks):
        here = ("tasks", index)
        named = [((*here, "lead"), task.lead)] + [
            ((*here, "supporting", position), unit) for position, unit in enumerate(task.supporting)
        ]
        for loc, unit in named:
            if organisation is not None and unit not in organisation:
                yield Problem(loc, "unknown-unit", f"{task.code} names unknown unit {unit!r}")
        for position, code in enumerate(task.indicators):
            if code not in indicators:
                yield Problem(
                    (*here, "indicators", position),
                    "unknown-indicator",
                    f"{task.code} names unknown indicator {code!r}",
                )
        if task.pillar is not None and task.pillar not in pillars:
            yield Problem(
                (*here, "pillar"), "unknown-pillar", f"{task.code}: unknown pillar {task.pillar!r}"
            )
        if task.due < task.start:
            yield Problem(
                (*here, "due"),
                "due-before-start",
                f"{task.code} is due on {task.due.isoformat()}, before its start on "
                f"{task.start.isoformat()}",
            )
