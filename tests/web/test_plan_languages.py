"""Pages speak the plan's languages: its first is the default, the switch offers only its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dxplan.plans import DEFAULT_PLAN
from dxplan.settings import Settings
from dxplan.web import create_app
from dxplan.workspace import Workspace


def english_and_bengali(folder: Path) -> Path:
    """The shipped plan without its Vietnamese texts, in English first, then Bengali."""
    lines = [
        line
        for line in DEFAULT_PLAN.read_text("utf-8").splitlines(keepends=True)
        if not line.lstrip().startswith("vi: ")
    ]
    text = "".join(lines).replace('period: "2025"\n', 'period: "2025"\nlanguages: [en, bn]\n')
    path = folder / "plan-en-bn.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url=database_url, plan_file=english_and_bengali(tmp_path))


def test_the_first_language_is_the_default_and_only_the_plans_are_offered(
    workspace: Workspace,
) -> None:
    with TestClient(create_app(workspace.settings)) as http:
        page = http.get("/")
        assert page.status_code == 200
        assert '<html lang="en">' in page.text
        assert 'hreflang="bn"' in page.text
        assert 'hreflang="vi"' not in page.text  # Vietnamese is not one of the plan's
        # asking for a language the plan does not have gives its default
        assert '<html lang="en">' in http.get("/?lang=vi").text
        bengali = http.get("/?lang=bn")
        assert '<html lang="bn">' in bengali.text
        assert 'hreflang="en"' in bengali.text
        # the plan's names in Bengali, not a fallback
        plan = workspace.plan()
        assert plan is not None
        assert plan.names.get("bn") in bengali.text


def test_a_configured_language_of_the_plan_wins(
    make_settings: Callable[..., Settings], workspace: Workspace
) -> None:
    chosen = make_settings(
        database_url=workspace.settings.database_url,
        plan_file=workspace.settings.plan_file,
        language="bn",
    )
    with TestClient(create_app(chosen)) as http:
        assert '<html lang="bn">' in http.get("/").text
