"""The signed webhook, e-mail addresses that are not ones, and the weekly summary."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dxplan.store import notifications as notify_store
from dxplan.store.tables import users
from dxplan.tasks.service import Tasks
from tests.notify.conftest import COORDINATOR, FOCAL, MISSING, Notify, webhook_env
from tests.notify.servers import Hook, MailServer


def test_the_webhook_signs_each_digest_and_the_receiver_verifies_it(
    notify: Notify, mail: MailServer, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook_env(hook, monkeypatch)
    result = notify.run()
    assert result.exit_code == 0, result.output
    assert hook.forged == 0
    # the three people with something owed get a mail and a webhook message each; the
    # leader subscribed to nothing and gets neither
    assert len(hook.bodies) == len(mail.messages) == 3
    [focal] = hook.to(FOCAL)
    assert [i["key"] for i in focal["items"]] == [f"report_missing:past-results/{MISSING}/2024Q1"]
    assert focal["recipient"]["language"] == "vi" and focal["day"] == "2024-04-20"
    # a receiver with another secret refuses every request: dxplan keeps them pending
    hook.secret = b"not-the-secret"
    monkeypatch.setenv("DXPLAN_SMTP_URL", mail.url)
    refused = notify("notify", "--as-of", "2024-04-25")
    assert refused.exit_code == 4 and "the webhook refused: 401" in refused.stderr
    assert hook.forged == 1  # the coordinator's new digest, refused


def test_an_address_that_is_not_one_is_refused_and_nothing_stored(notify: Notify) -> None:
    added = notify(
        "users",
        "add",
        "xa-moi",
        "--role",
        "viewer",
        "--email",
        "xa-moi@",
        "--password-stdin",
        input="a-long-password-2024\n",
    )
    assert added.exit_code == 2 and "--email: 'xa-moi@' is not an e-mail address" in added.output
    changed = notify("users", "contact", "bao-cao", "--email", "bao cao@phuong.vn")
    assert changed.exit_code == 2 and "is not an e-mail address" in changed.output
    with notify.workspace.engine.connect() as conn:
        names = {r.username: r.email for r in conn.execute(select(users))}
    assert "xa-moi" not in names and names["bao-cao"] == "bao-cao@phuong31147.cantho.gov.vn"
    good = notify("users", "contact", "bao-cao", "--email", "Moi@Phuong31147.Cantho.Gov.VN")
    assert good.exit_code == 0 and "Moi@phuong31147.cantho.gov.vn" in good.stdout
    assert notify("notify", "opt-out", "no one").exit_code == 2


def test_a_leader_subscribes_to_the_weekly_city_summary(notify: Notify, mail: MailServer) -> None:
    assert notify("notify", "opt-in", "lanhdao", "--kind", "city_summary").exit_code == 0
    assert notify.run().exit_code == 0
    [summary] = mail.to("lanh-dao@cantho.gov.vn")
    assert "Tóm tắt tuần của thành phố" in summary.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # the same week again: nothing; the next week: a new summary
    assert notify("notify", "--as-of", "2024-04-21").exit_code == 0
    assert len(mail.to("lanh-dao@cantho.gov.vn")) == 1
    assert notify("notify", "--as-of", "2024-04-22").exit_code == 0
    assert len(mail.to("lanh-dao@cantho.gov.vn")) == 2
    # the coordinator never subscribed: no summary in its digests
    assert all("Tóm tắt tuần" not in str(m.get_body(("plain",))) for m in mail.to(COORDINATOR))


def test_tasks_overdue_reach_the_lead_units_focal_point(notify: Notify, mail: MailServer) -> None:
    """As of 8 November 2025 the plan's tasks past due and not done (the tasks
    service's answer) are told to their lead unit's focal point, each once."""
    workspace = notify.workspace
    day = date(2025, 11, 8)
    with workspace.engine.connect() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        assert plan is not None and organisation is not None
        overdue = Tasks(conn, plan, organisation).overdue(None, day)
    assert overdue, "the shipped plan has tasks past due on 8 November 2025"
    lead = overdue[0].unit_code
    expected = sorted(f"task_overdue:{t.code}" for t in overdue if t.unit_code == lead)
    assert (
        notify(
            "focal-points", "set", lead, "--name", "Phạm Đầu Mối", "--email", "dm@x.vn"
        ).exit_code
        == 0
    )
    dry = notify("notify", "--as-of", day.isoformat(), "--dry-run")
    after = dry.stdout.split("dm@x.vn (Phạm Đầu Mối) by email in vi:")[1].splitlines()[1:]
    block = [
        line.strip()
        for line in after[: next(n for n, line in enumerate(after) if not line.startswith("  "))]
    ]
    told = sorted(line for line in block if line.startswith("task_"))
    assert told == expected
    assert notify("notify", "--as-of", day.isoformat()).exit_code == 0
    with workspace.engine.connect() as conn:
        keys = {k for r, _, k in notify_store.told(conn) if r == "dm@x.vn"}
    assert set(expected) <= keys


def test_a_mail_server_port_above_65535_is_a_setting_error_not_a_traceback(
    notify: Notify, mail: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pattern took 1 to 5 digits: smtp://host:99999 passed, then urlsplit() raised."""
    monkeypatch.setenv("DXPLAN_SMTP_URL", "smtp://127.0.0.1:99999")
    result = notify.run()
    assert result.exit_code == 2, result.output
    assert "DXPLAN_SMTP_URL: not a mail server address" in result.stderr
    assert mail.messages == []
    with notify.workspace.engine.connect() as conn:
        assert notify_store.listing(conn) == []  # nothing composed, nothing pending
