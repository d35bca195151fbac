"""The life of one report (data set × unit × period): draft → submitted → approved.

A coordinator may return a submitted report with a comment; the reporter corrects it
and submits again. Saving an approved report starts a correction: a new draft whose
values, once approved, become new versions of the figures (the old ones stay).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Status(StrEnum):
    EMPTY = "empty"  # nothing saved yet
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status


TRANSITIONS: Final = {
    Action.SAVE: Transition(
        frozenset({Status.EMPTY, Status.DRAFT, Status.RETURNED, Status.APPROVED}), Status.DRAFT
    ),
    Action.SUBMIT: Transition(frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
    Action.APPROVE: Transition(frozenset({Status.SUBMITTED}), Status.APPROVED),
    Action.RETURN: Transition(frozenset({Status.SUBMITTED}), Status.RETURNED),
}


class TransitionError(ValueError):
    """An action the report's status does not allow (the message says why)."""


def next_status(current: Status, action: Action) -> Status:
    """The status after `action`, or TransitionError."""
    transition = TRANSITIONS[action]
    if current not in transition.sources:
        allowed = ", ".join(sorted(s.value for s in transition.sources))
        raise TransitionError(
            f"cannot {action.value} a report that is {current.value} (only when {allowed})"
        )
    return transition.target


def allowed_actions(current: Status) -> list[Action]:
    return [a for a, t in TRANSITIONS.items() if current in t.sources]
