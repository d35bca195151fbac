"""What each person is told, by a real SMTP server on 127.0.0.1, and told once.

The mails are parsed with the standard `email` package and read against what the
city's fixture set up: ward 31135's report missing, ward 31147's returned.
"""

from __future__ import annotations

from sqlalchemy import func, select

from dxplan.store.tables import notify_digests, notify_items, notify_statuses
from tests.notify.conftest import (
    COMMENT,
    COORDINATOR,
    DATASET,
    FOCAL,
    MISSING,
    ON_TIME,
    REPORTER,
    RETURNED,
    Notify,
)
from tests.notify.servers import MailServer, html_of, text_of


def _names(notify: Notify, unit: str) -> tuple[str, str, str]:
    """The unit's name in Vietnamese and English, and the data set's name in English."""
    plan, organisation = notify.workspace.plan(), notify.workspace.organisation()
    assert plan is not None and organisation is not None
    dataset = plan.dataset(DATASET)
    assert dataset is not None
    names = organisation[unit].names
    return names.get("vi"), names.get("en"), dataset.names.get("en")


def _rows(notify: Notify) -> tuple[int, int, int]:
    with notify.workspace.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in (notify_digests, notify_items, notify_statuses)
        )


def test_each_person_gets_what_their_unit_owes_in_their_language(
    notify: Notify, mail: MailServer
) -> None:
    result = notify.run()
    assert result.exit_code == 0, result.output

    # ward 31135's focal point, in the plan's first language (Vietnamese): one item
    [focal] = mail.to(FOCAL)
    ward_vi, _, _ = _names(notify, MISSING)
    text = text_of(focal)
    assert focal["Subject"].startswith("dxplan: 1 ")
    assert "Báo cáo trễ hạn hoặc chưa nộp" in text  # the heading, translated
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 1
    assert lines[0].startswith(f"- {ward_vi}: ") and "2024Q1" in lines[0]
    assert "10 ngày" in lines[0]  # due on 10 April, 10 days late on the 20th
    assert ward_vi in html_of(focal) and focal.get_content_type() == "multipart/alternative"

    # ward 31147's reporter asked for English: the returned report with the comment
    [reporter] = mail.to(REPORTER)
    _, ward_en, dataset_en = _names(notify, RETURNED)
    text = text_of(reporter)
    assert "Reports returned to you" in text
    assert f"- {ward_en}: {dataset_en}, 2024Q1: returned by the coordinator: {COMMENT}" in text
    assert "late or missing" not in text  # the report is in: nothing else is owed

    # the coordinator: the whole city, ward 31135 among the missing, 31120 nowhere
    [coordinator] = mail.to(COORDINATOR)
    text = text_of(coordinator)
    assert ward_vi in text and _names(notify, ON_TIME)[0] not in text
    assert COMMENT in text
    # the leader subscribed to nothing; nobody got two mails
    assert len(mail.messages) == 3 and mail.duplicates == 0


def test_a_second_run_sends_nothing_and_a_dry_run_stores_nothing(
    notify: Notify, mail: MailServer
) -> None:
    dry = notify.run("--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"{FOCAL} (Lê Thị Đầu Mối) by email in vi: 1 item(s)" in dry.stdout
    assert f"report_missing:{DATASET}/{MISSING}/2024Q1" in dry.stdout
    assert "3 digest(s) would be composed" in dry.stdout
    assert _rows(notify) == (0, 0, 0) and mail.messages == []

    first = notify.run()
    assert first.exit_code == 0 and "3 digest(s) composed, 3 sent, 0 pending" in first.stdout
    digests, items, _ = _rows(notify)
    second = notify.run()
    assert second.exit_code == 0 and "0 digest(s) composed, 0 sent, 0 pending" in second.stdout
    assert _rows(notify)[:2] == (digests, items) and len(mail.messages) == 3
    # a later day: the wards' items were told and they owe nothing new, so they get no
    # digest; the coordinator is told only what is new (a report due on the 20th is
    # now missing: it was "due soon" before, a distinct item)
    later = notify("notify", "--as-of", "2024-04-25")
    assert later.exit_code == 0 and "1 digest(s) composed" in later.stdout
    assert mail.to(FOCAL)[1:] == [] and mail.to(REPORTER)[1:] == []
    new = text_of(mail.to(COORDINATOR)[1])
    assert _names(notify, MISSING)[0] not in new and COMMENT not in new
    assert "trễ 5 ngày" in new


def test_opt_out_per_person_and_per_kind(notify: Notify, mail: MailServer) -> None:
    assert notify("notify", "opt-out", FOCAL).exit_code == 0
    out = notify("notify", "opt-out", "bao-cao", "--kind", "report_returned")
    assert out.exit_code == 0 and f"{REPORTER}: opted out of report_returned" in out.stdout
    bad = notify("notify", "opt-out", "bao-cao", "--kind", "everything")
    assert bad.exit_code == 2 and "--kind: 'everything'" in bad.output
    assert notify.run().exit_code == 0
    # the focal point opted out of all, the reporter of the only kind it had
    assert mail.to(FOCAL) == [] and mail.to(REPORTER) == []
    assert len(mail.to(COORDINATOR)) == 1
    # opting in again: the items still untold come the next day
    assert notify("notify", "opt-in", FOCAL).exit_code == 0
    assert notify("notify", "--as-of", "2024-04-21").exit_code == 0
    assert len(mail.to(FOCAL)) == 1 and mail.duplicates == 0
