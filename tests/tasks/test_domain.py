"""The status rules of a task: what readers see from what a unit reported."""

from datetime import date

import pytest

from dxplan.domain.task import Progress, TaskStatus, progress_problems, status_of
from dxplan.tasks.evidence import clean_name

DUE = date(2025, 9, 30)


@pytest.mark.parametrize(
    ("progress", "as_of", "expected"),
    [
        (Progress.NOT_STARTED, date(2025, 9, 30), TaskStatus.NOT_STARTED),  # the due day itself
        (Progress.NOT_STARTED, date(2025, 10, 1), TaskStatus.OVERDUE),
        (Progress.IN_PROGRESS, date(2025, 9, 1), TaskStatus.IN_PROGRESS),
        (Progress.IN_PROGRESS, date(2025, 11, 8), TaskStatus.OVERDUE),
        (Progress.DONE, date(2025, 11, 8), TaskStatus.DONE),  # done late is done
        (Progress.DONE, date(2025, 1, 1), TaskStatus.DONE),
    ],
)
def test_overdue_is_past_due_and_not_done(progress, as_of, expected):
    assert status_of(progress, DUE, as_of) is expected


@pytest.mark.parametrize(
    ("percent", "progress", "field", "words"),
    [
        (140, Progress.IN_PROGRESS, "percent", "140 is above 100"),
        (-5, Progress.IN_PROGRESS, "percent", "-5 is below 0"),
        (12.5, Progress.IN_PROGRESS, "percent", "not a whole number"),
        (True, Progress.IN_PROGRESS, "percent", "not a whole number"),
        (80, Progress.DONE, "percent", "a done task is at 100%, not 80%"),
        (30, Progress.NOT_STARTED, "progress", "has started"),
    ],
)
def test_bad_progress_names_the_field(percent, progress, field, words):
    problems = progress_problems(percent, progress)
    assert len(problems) == 1
    assert problems[0][0] == field and words in problems[0][1]


@pytest.mark.parametrize(
    ("percent", "progress"),
    [
        (0, Progress.NOT_STARTED),
        (55, Progress.IN_PROGRESS),
        (100, Progress.DONE),
        (100, Progress.IN_PROGRESS),
    ],
)
def test_consistent_progress_passes(percent, progress):
    assert progress_problems(percent, progress) == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("báo cáo\u202egpj.pdf", "báo cáo_gpj.pdf"),  # shown as "báo cáofdp.jpg" otherwise
        ("a\u2067b\u2069.pdf", "a_b_.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\hồ sơ\\biên bản.pdf", "biên bản.pdf"),
        ("a\x00\x85b.pdf", "a__b.pdf"),
    ],
)
def test_an_evidence_name_keeps_no_folder_nor_direction_trick(given: str, kept: str) -> None:
    assert clean_name(given) == kept
