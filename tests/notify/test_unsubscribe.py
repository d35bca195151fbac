"""The unsubscribe link of every mail, and a person's own choices on /account/notifications."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from dxplan.store import notifications as notify_store
from dxplan.web import create_app
from tests.notify.conftest import FOCAL, REPORTER, Notify
from tests.notify.servers import MailServer, html_of, text_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_link_in_a_mail_stops_that_persons_digests(
    notify: Notify, mail: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXPLAN_PUBLIC_URL", "https://dxplan.cantho.gov.vn")
    assert notify.run().exit_code == 0
    [focal] = mail.to(FOCAL)
    found = re.search(r"https://dxplan\.cantho\.gov\.vn(/unsubscribe/\S+)", text_of(focal))
    assert found is not None and found.group(1) in html_of(focal)
    path = found.group(1)
    # each item links to its page: the report form of ward 31135
    report = "https://dxplan.cantho.gov.vn/reports/past-results/31135/2024Q1"
    assert report in text_of(focal) and f'href="{report}"' in html_of(focal)
    with TestClient(create_app(notify.workspace.settings)) as client:
        page = client.get(path)  # a GET changes nothing: mail scanners follow links
        assert page.status_code == 200 and FOCAL in page.text
        with notify.workspace.engine.connect() as conn:
            assert FOCAL not in notify_store.preferences(conn)
        token = CSRF.search(page.text)
        assert token is not None
        done = client.post(path, data={"csrf_token": token.group(1)})
        assert done.status_code == 200
        forged = client.get(path[:-3] + "abc")
        assert forged.status_code == 404
    with notify.workspace.engine.connect() as conn:
        assert notify_store.preferences(conn)[FOCAL] == {"all": "out"}
    # something new for ward 31135 the next days: the focal point is told nothing
    assert notify("notify", "--as-of", "2024-05-25").exit_code == 0
    assert len(mail.to(FOCAL)) == 1


def test_a_reporter_chooses_its_reminders_on_its_account_page(
    notify: Notify, mail: MailServer
) -> None:
    app = create_app(notify.workspace.settings)
    with TestClient(app, follow_redirects=False) as client:
        token = CSRF.search(client.get("/sign-in").text)
        assert token is not None
        form = {"username": "bao-cao", "password": "a-long-password-2024"}
        assert (
            client.post("/sign-in", data={**form, "csrf_token": token.group(1)}).status_code == 303
        )
        page = client.get("/account/notifications")
        assert page.status_code == 200 and REPORTER in page.text
        # every kind but the weekly summary is ticked by default
        assert page.text.count(" checked>") == 6
        token = CSRF.search(page.text)
        assert token is not None
        saved = client.post(
            "/account/notifications",
            data={"csrf_token": token.group(1), "kind.report_missing": "1"},
        )
        assert saved.status_code == 303
    with notify.workspace.engine.connect() as conn:
        mine = notify_store.preferences(conn)[REPORTER]
    assert mine["report_returned"] == "out" and "report_missing" not in mine
    assert notify.run().exit_code == 0
    assert mail.to(REPORTER) == []  # its only item was a returned report
