"""The official report as data: what the DOCX, the PDF and the XLSX annex all print.

`build_report` arranges evaluations that were computed elsewhere (the dashboard's
board, `dxplan evaluate`): it never computes a figure, so the three files and the
dashboard cannot disagree. Every text that depends on the reader's language is chosen
by the writers, not here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dxplan.domain.indicator import Indicator
from dxplan.domain.issuer import Issuer
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import Period
from dxplan.domain.plan import Pillar, Plan
from dxplan.domain.unit import Unit
from dxplan.evaluate.evaluation import Evaluation
from dxplan.evaluate.public import evaluation_json
from dxplan.evaluate.reading import Reading
from dxplan.evaluate.status import Status
from dxplan.reporting.completeness import LateReport
from dxplan.store.report_notes import Notes

BEHIND = 3  # units named as furthest from a target, per target


class OfficialReportError(ValueError):
    """A report that cannot be made as asked (unknown period or unit, no issuer...)."""


class BadDay(OfficialReportError):
    """A report's date that dxplan cannot judge from (past its calendar's end)."""


@dataclass(frozen=True)
class Row:
    """One indicator of the annex and of its pillar's section, for the report's unit."""

    indicator: Indicator
    evaluation: Evaluation | None  # None: the unit has no figure of it in the period
    year_before: float | None
    behind: list[Evaluation] = field(default_factory=list)  # units furthest from target

    @property
    def value(self) -> float | None:
        return self.evaluation.value if self.evaluation is not None else None

    @property
    def status(self) -> Status:
        return self.evaluation.status if self.evaluation is not None else Status.NO_DATA


@dataclass(frozen=True)
class Section:
    pillar: Pillar
    rows: list[Row]


@dataclass(frozen=True)
class OfficialReport:
    """Everything one periodic report says, for one unit and period, as of one day."""

    plan: Plan
    plan_version: int | None
    organisation: Organisation
    issuer: Issuer
    unit: Unit
    period: Period
    as_of: date
    sections: list[Section]
    late: list[LateReport]
    notes: Notes | None
    figures: list[tuple[Reading, Unit]]  # readings in the period, the unit's and below (XLSX)
    freshness: datetime | None  # when the newest figure was recorded

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def missing(self) -> list[Indicator]:
        """Indicators without a value for the period: the report says so."""
        return [row.indicator for row in self.rows if row.value is None]

    @property
    def empty(self) -> bool:
        return all(row.value is None for row in self.rows)


def _behind(
    indicator: Indicator, evaluations: Sequence[Evaluation], under: Collection[str]
) -> list[Evaluation]:
    """The units under the report's unit whose attainment of the target is lowest."""
    if indicator.target is None:
        return []
    missed = [
        e
        for e in evaluations
        if e.unit in under
        and e.value is not None
        and e.attainment is not None
        and not indicator.target.is_met(e.value)
    ]
    return sorted(missed, key=lambda e: (e.attainment, e.unit))[:BEHIND]


def build_report(
    *,
    plan: Plan,
    plan_version: int | None,
    organisation: Organisation,
    unit: str,
    period: Period,
    as_of: date,
    evaluations: Sequence[Evaluation],
    year_before: Sequence[Evaluation],
    late: Sequence[LateReport],
    readings: Sequence[Reading],
    notes: Notes | None,
    freshness: datetime | None,
    hidden: Collection[str] = frozenset(),
) -> OfficialReport:
    """Arrange the evaluations of `period` (and of a year before) into the report of `unit`.

    `hidden` names indicators the reader may not see: they are left out everywhere.
    """
    if plan.issuer is None:
        raise OfficialReportError(
            "the plan has no `issuer:` section (agency, abbreviation, place, signer, "
            "recipients): add it to the plan file and load it with `dxplan plan load`"
        )
    if unit not in organisation:
        raise OfficialReportError(f"unknown unit {unit!r}: not in the organisation")
    under = {u.code for u in organisation.descendants(unit)}
    mine = {e.indicator.code: e for e in evaluations if e.unit == unit}
    before = {e.indicator.code: e.value for e in year_before if e.unit == unit}
    by_indicator: dict[str, list[Evaluation]] = {}
    for e in evaluations:
        by_indicator.setdefault(e.indicator.code, []).append(e)
    sections = []
    for pillar in plan.pillars:
        rows = [
            Row(
                indicator,
                mine.get(indicator.code),
                before.get(indicator.code),
                _behind(indicator, by_indicator.get(indicator.code, []), under),
            )
            for indicator in plan.indicators_of(pillar.code)
            if indicator.code not in hidden
        ]
        if rows:
            sections.append(Section(pillar, rows))
    mine_or_under = under | {unit}
    return OfficialReport(
        plan=plan,
        plan_version=plan_version,
        organisation=organisation,
        issuer=plan.issuer.of(unit),
        unit=organisation[unit],
        period=period,
        as_of=as_of,
        sections=sections,
        late=[r for r in late if r.unit.code in mine_or_under and period.contains(r.period)],
        notes=notes,
        figures=[
            (r, organisation[r.unit])
            for r in readings
            if r.indicator not in hidden and r.unit in mine_or_under and r.unit in organisation
        ],
        freshness=freshness,
    )


def report_json(report: OfficialReport) -> dict[str, Any]:
    """The report as the API gives it: each indicator as `dxplan evaluate` prints it
    (`evaluation_json`), plus the year before, the units behind, late reports, notes."""
    notes = report.notes
    return {
        "unit_code": report.unit.code,
        "period": str(report.period),
        "as_of": report.as_of.isoformat(),
        "plan": {"code": report.plan.code, "version": report.plan_version},
        "issuer": {"agency": report.issuer.agency.vi, "abbreviation": report.issuer.abbreviation},
        "indicators": [
            {
                **(
                    evaluation_json(row.evaluation)
                    if row.evaluation is not None
                    else {
                        "indicator": row.indicator.code,
                        "unit_code": report.unit.code,
                        "period": str(report.period),
                        "value": None,
                        "status": row.status.value,
                        "pillar": row.indicator.pillar,
                    }
                ),
                "year_before": row.year_before,
                "behind": [{"unit_code": e.unit, "value": e.value} for e in row.behind],
            }
            for row in report.rows
        ],
        "missing": [i.code for i in report.missing],
        "late": [r.as_json() for r in report.late],
        "notes": None
        if notes is None
        else {
            "difficulties": notes.difficulties,
            "next_tasks": notes.next_tasks,
            "saved_by": notes.saved_by,
            "saved_at": notes.saved_at.isoformat() if notes.saved_at else None,
        },
        "newest_figure_at": report.freshness.isoformat() if report.freshness else None,
    }
