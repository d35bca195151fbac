"""Tasks of the plan and units' breakthrough tasks: what they are and when they are late.

The plan file lists the plan's own tasks (`tasks:`), each led by one unit with others
supporting, between a start and a due date, serving some of the plan's indicators.
Units report progress on them (a percent, a progress state, a note, evidence files);
every agency and commune also registers one breakthrough task (`nhiệm vụ đột phá`) a
year, which the coordinator approves. What a reader sees is a `TaskStatus`: the
unit's progress, or `overdue` once the due date has passed and the task is not done.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dxplan.domain.names import LocalizedText

BREAKTHROUGH_PREFIX: Final = "BT-"  # codes of units' breakthrough tasks: BT-2025-92-SKHCN
UNIT_TASK_PREFIX: Final = "U-"  # codes of units' own detailed tasks: U-31135-01
RESERVED_PREFIXES: Final = (BREAKTHROUGH_PREFIX, UNIT_TASK_PREFIX)
MAX_PERCENT: Final = 100


class TaskKind(StrEnum):
    TASK = "task"
    BREAKTHROUGH = "breakthrough"


class Progress(StrEnum):
    """What a unit reports about its task."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskStatus(StrEnum):
    """What readers see: the unit's progress, or overdue."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"


def status_of(progress: Progress, due: date, as_of: date) -> TaskStatus:
    """A task past its due day (as of `as_of`) and not done is overdue; else its progress."""
    if progress is not Progress.DONE and as_of > due:
        return TaskStatus.OVERDUE
    return TaskStatus(progress.value)


def progress_problems(percent: object, progress: Progress) -> list[tuple[str, str]]:
    """What is wrong with a progress report, as (field, message) pairs; [] when fine.

    The percent is a whole number from 0 to 100; `done` means 100, `not_started` 0.
    """
    if isinstance(percent, bool) or not isinstance(percent, int):
        return [("percent", f"{percent!r} is not a whole number from 0 to {MAX_PERCENT}")]
    if percent < 0:
        return [("percent", f"{percent} is below 0")]
    if percent > MAX_PERCENT:
        return [("percent", f"{percent} is above {MAX_PERCENT}")]
    if progress is Progress.DONE and percent != MAX_PERCENT:
        return [("percent", f"a done task is at {MAX_PERCENT}%, not {percent}%")]
    if progress is Progress.NOT_STARTED and percent != 0:
        return [("progress", f"a task at {percent}% has started: in_progress")]
    return []


def breakthrough_code(unit: str, year: int) -> str:
    """The code of `unit`'s breakthrough task of `year`: `BT-2025-92-SKHCN`."""
    return f"{BREAKTHROUGH_PREFIX}{year}-{unit}"


class PlanTask(BaseModel):
    """One task of the plan: who leads it, who helps, when, for which indicators."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(
        pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$",
        max_length=40,
        description="stable code, e.g. T-GOV-01 (codes beginning BT- or U- are units' "
        "breakthrough and own tasks)",
    )
    name: LocalizedText
    lead: str = Field(description="code of the unit that leads the task")
    supporting: list[str] = Field(default_factory=list, description="codes of units that help")
    start: date
    due: date
    indicators: list[str] = Field(
        default_factory=list, description="codes of the indicators the task serves"
    )
    kind: TaskKind = TaskKind.TASK
    pillar: str | None = Field(
        default=None, description="the task's pillar; default: its first indicator's"
    )

    @field_validator("code")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.startswith(RESERVED_PREFIXES):
            raise ValueError(
                f"codes beginning with {' or '.join(RESERVED_PREFIXES)} are those of units' "
                "breakthrough and own tasks; choose another"
            )
        return value

    def units(self) -> tuple[str, ...]:
        """The lead unit, then the supporting ones."""
        return (self.lead, *self.supporting)

    def active_in(self, first: date, last: date) -> bool:
        """Whether the task runs during some day from `first` to `last`."""
        return self.start <= last and self.due >= first
