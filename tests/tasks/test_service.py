"""The tasks service: what each role may do, progress with history, evidence, breakthrough
tasks; each refusal leaves the store as it was. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from dxplan import policy
from dxplan.demo.tasks import tiny_pdf, tiny_png
from dxplan.domain.submission import Status
from dxplan.domain.task import Progress, TaskStatus
from dxplan.store import audit
from dxplan.store.tables import audit_log, breakthrough_tasks, task_evidence, task_progress
from dxplan.tasks.service import Conflict, Forbidden, Invalid, NotFound, Upload

from .conftest import OTHER, OWN

ROLES = ["admin", "coordinator", "reporter", "other", "viewer"]


def _counts(workspace):
    with workspace.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (task_progress, task_evidence, breakthrough_tasks, audit_log)
        )


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def test_progress_is_kept_with_its_history_and_audit(workspace, people, tasks_of):
    reporter = people["reporter"]
    with tasks_of(write=True) as service:
        service.update_progress(
            reporter, "T-GOV-05", percent=30, progress="in_progress", note="phase 1"
        )
    with tasks_of(write=True) as service:
        view = service.update_progress(
            reporter,
            "T-GOV-05",
            percent=100,
            progress=Progress.DONE,
            note="accepted",
            files=[Upload("bien-ban.pdf", tiny_pdf("done"))],
        )
    assert (view.progress, view.status, view.note) == (100, TaskStatus.DONE, "accepted")
    assert view.updated_by == "skhcn" and view.unit_code == OWN
    with tasks_of() as service:
        history = service.history(people["viewer"], "T-GOV-05")
        trail = audit.entries(service.conn, entity="task", key="T-GOV-05")
    assert [(h.percent, h.progress, h.note) for h in history] == [
        (100, Progress.DONE, "accepted"),
        (30, Progress.IN_PROGRESS, "phase 1"),
    ]
    assert history[0].evidence == (view.evidence[0].id,) and history[1].evidence == ()
    assert [e.action for e in trail] == ["task.progress", "task.evidence", "task.progress"]
    assert trail[0].before["percent"] == 30 and trail[0].after["percent"] == 100


def test_a_task_past_due_and_not_done_is_overdue(people, tasks_of):
    with tasks_of(write=True) as service:
        # T-GOV-02 was due on 2025-06-30; the workspace's day is 2025-11-08
        view = service.update_progress(
            people["reporter"], "T-GOV-02", percent=60, progress="in_progress"
        )
        assert view.status is TaskStatus.OVERDUE
        assert (
            service.get(None, "T-GOV-02", as_of=date(2025, 6, 30)).status is TaskStatus.IN_PROGRESS
        )
        late = [v.code for v in service.overdue(people["coordinator"])]
        soon = [v.code for v in service.due_within(people["coordinator"], 30)]
    assert "T-GOV-02" in late and "T-GOV-05" not in late  # due 2025-12-15
    assert soon == ["T-GOV-07", "T-GOV-08"]  # both due 2025-11-30, within 30 days


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_who_may_update_a_task_of_92_skhcn(workspace, people, tasks_of, role):
    user = people.get(role)
    allowed = role == "reporter"
    assert policy.can(user, policy.Action.TASK_UPDATE, policy.UnitRef(OWN)) is allowed
    assert policy.can(user, policy.Action.TASK_READ, policy.UnitRef(OWN)) is (role != "anonymous")
    assert policy.can(user, policy.Action.TASK_APPROVE, policy.UnitRef(OWN)) is (
        role in ("admin", "coordinator")
    )
    if role == "anonymous":
        return  # the service's None is the command line's owner; the web refuses first
    before = _counts(workspace)
    with tasks_of(write=True) as service:
        if allowed:
            assert (
                service.update_progress(
                    user, "T-GOV-01", percent=50, progress="in_progress"
                ).progress
                == 50
            )
        else:
            with pytest.raises(Forbidden):
                service.update_progress(user, "T-GOV-01", percent=50, progress="in_progress")
    assert (_counts(workspace) != before) is allowed


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (Upload("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 100), "a Linux program (ELF)"),
        (Upload("report.pdf", b"MZ\x90\x00" + b"\0" * 100), "a Windows program (PE)"),
        (Upload("photo.png", tiny_pdf("x")), "named .png but the content is PDF"),
        (Upload("plan.docx", _xlsx()), "named .docx but the content is Excel (.xlsx)"),
        (Upload("setup.exe", b"MZ" + b"\0" * 10), ".exe is not a kind of evidence file"),
        (
            Upload("big.pdf", b"%PDF-1.4\n" + b"0" * (64 * 1024)),
            "larger than the limit of 65,536 bytes",
        ),
        (Upload("empty.pdf", b""), "the file is empty"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_stored(workspace, people, tasks_of, upload, words):
    before = _counts(workspace)
    with pytest.raises(Invalid) as refused, tasks_of(write=True) as service:
        service.update_progress(
            people["reporter"],
            "T-GOV-01",
            percent=40,
            progress="in_progress",
            files=[Upload("ok.png", tiny_png()), upload],  # the good file is not kept either
        )
    assert refused.value.status == 422
    assert refused.value.problems[0][0] == "files[2]" and words in refused.value.problems[0][1]
    assert _counts(workspace) == before


def test_progress_above_100_is_refused_naming_the_field(workspace, people, tasks_of):
    before = _counts(workspace)
    with pytest.raises(Invalid) as refused, tasks_of(write=True) as service:
        service.update_progress(people["reporter"], "T-GOV-01", percent=140, progress="in_progress")
    assert str(refused.value) == "percent: 140 is above 100"
    assert _counts(workspace) == before


def test_evidence_downloads_for_readers_with_its_checksum(people, tasks_of):
    data = tiny_png(rgb=(200, 10, 10))
    with tasks_of(write=True) as service:
        view = service.update_progress(
            people["reporter"],
            "T-SOC-01",
            percent=20,
            progress="in_progress",
            files=[Upload("../../etc/tram-5g.png", data, "application/octet-stream")],
        )
    stored = view.evidence[0]
    assert (stored.filename, stored.media_type, stored.size) == (
        "tram-5g.png",
        "image/png",
        len(data),
    )
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with tasks_of() as service:
        for role in ROLES:
            meta, content = service.evidence_file(people[role], "T-SOC-01", stored.id)
            assert content == data and meta.sha256 == stored.sha256
        with pytest.raises(NotFound):
            service.evidence_file(people["viewer"], "T-GOV-01", stored.id)  # another task's id


def test_breakthrough_task_workflow(workspace, people, tasks_of):
    reporter, coordinator = people["reporter"], people["coordinator"]
    with tasks_of(write=True) as service:
        draft = service.register_breakthrough(
            reporter,
            OWN,
            2025,
            title="Kết nối IOC với 20 sở",
            description="...",
            expected_result="IOC nhận dữ liệu của 20 sở",
            due=date(2025, 10, 31),
            indicators=["GOV-08"],
        )
        assert (draft.code, draft.approval, draft.version) == ("BT-2025-92-SKHCN", Status.DRAFT, 1)
        with pytest.raises(Conflict):  # progress waits for approval
            service.update_progress(reporter, draft.code, percent=10, progress="in_progress")
        service.submit_breakthrough(reporter, draft.code)
        with pytest.raises(Forbidden):
            service.approve_breakthrough(reporter, draft.code)
        with pytest.raises(Invalid):
            service.return_breakthrough(coordinator, draft.code, "  ")
        returned = service.return_breakthrough(coordinator, draft.code, "Nêu rõ chỉ tiêu")
        assert returned.approval is Status.RETURNED and returned.review_comment == "Nêu rõ chỉ tiêu"
        service.revise_breakthrough(
            reporter,
            draft.code,
            title="Kết nối IOC với 20 sở",
            due=date(2025, 10, 31),
            indicators=["GOV-08", "OVR-01"],
            read_version=returned.version,
        )
        service.submit_breakthrough(reporter, draft.code)
        assert service.units_without_breakthrough(coordinator, 2025).count(OWN) == 0
        approved = service.approve_breakthrough(coordinator, draft.code)
        assert approved.approval is Status.APPROVED and approved.indicators == ("GOV-08", "OVR-01")
        late = service.update_progress(reporter, draft.code, percent=70, progress="in_progress")
        assert late.status is TaskStatus.OVERDUE  # due 2025-10-31, today 2025-11-08
        with pytest.raises(Conflict):
            service.approve_breakthrough(coordinator, draft.code, read_version=1)
        with pytest.raises(Conflict):  # approved: a changed title would silently un-approve it
            service.revise_breakthrough(
                reporter, draft.code, title="Đổi tên", due=date(2025, 12, 31)
            )
        assert service.get(reporter, draft.code).approval is Status.APPROVED
    with tasks_of() as service:
        listed = {v.code: v for v in service.list(people["viewer"], 2025, unit=OWN)}
        trail = [e.action for e in audit.entries(service.conn, entity="breakthrough_task")]
    assert listed["BT-2025-92-SKHCN"].contract_json() == {
        "code": "BT-2025-92-SKHCN",
        "title": "Kết nối IOC với 20 sở",
        "unit_code": OWN,
        "kind": "breakthrough",
        "due": "2025-10-31",
        "status": "overdue",
        "progress": 70,
    }
    assert trail[::-1] == [
        "breakthrough.register",
        "breakthrough.submit",
        "breakthrough.return",
        "breakthrough.save",
        "breakthrough.submit",
        "breakthrough.approve",
    ]


def test_a_second_breakthrough_task_for_the_unit_and_year_is_refused(workspace, people, tasks_of):
    with tasks_of(write=True) as service:
        service.register_breakthrough(
            people["reporter"], OWN, 2025, title="Một", due=date(2025, 12, 1)
        )
    before = _counts(workspace)
    with pytest.raises(Conflict) as refused, tasks_of(write=True) as service:
        service.register_breakthrough(
            people["reporter"], OWN, 2025, title="Hai", due=date(2025, 12, 1)
        )
    assert refused.value.status == 409 and "already has a breakthrough task for 2025" in str(
        refused.value
    )
    assert _counts(workspace) == before
    with pytest.raises(Forbidden), tasks_of(write=True) as service:
        service.register_breakthrough(
            people["reporter"], OTHER, 2025, title="x", due=date(2025, 12, 1)
        )
    with pytest.raises(Invalid) as bad, tasks_of(write=True) as service:
        service.register_breakthrough(
            people["other"], OTHER, 2025, title="", due=date(2026, 1, 5), indicators=["GOV-99"]
        )
    assert [name for name, _ in bad.value.problems] == ["title", "indicators[0]", "due"]
    assert _counts(workspace) == before


def test_units_without_breakthrough_is_for_coordinators(people, tasks_of):
    with tasks_of() as service:
        missing = service.units_without_breakthrough(people["coordinator"], 2025)
        assert len(missing) == 123 and missing[0] == "31120" and "92" not in missing
        assert missing == service.units_without_breakthrough(people["admin"], 2025)
        for role in ("reporter", "other", "viewer"):
            with pytest.raises(Forbidden):
                service.units_without_breakthrough(people[role], 2025)


def test_unknown_things_are_not_found(people, tasks_of):
    with tasks_of() as service:
        with pytest.raises(NotFound):
            service.get(people["viewer"], "T-NOPE")
        with pytest.raises(NotFound):
            service.list(people["viewer"], 2025, unit="99999")
        with pytest.raises(NotFound):
            service.history(people["viewer"], "BT-2025-92-SYT")
