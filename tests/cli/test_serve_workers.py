"""`dxplan serve --workers N`: each worker process builds the app from DXPLAN_* variables,
so the settings the command was given must survive the trip through the environment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from dxplan.settings import Settings


def test_the_given_settings_come_back_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = Settings(
        data_dir=tmp_path / "data",
        as_of=date(2025, 11, 8),
        board_check_seconds=2.5,
        secure_cookies=True,
        language="en",
        secret_key=SecretStr("x" * 40),
    )
    variables = given.environment_variables()
    assert variables["DXPLAN_DATA_DIR"] == str(tmp_path / "data")
    assert variables["DXPLAN_AS_OF"] == "2025-11-08"
    assert variables["DXPLAN_SECURE_COOKIES"] == "true"
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    read = Settings()
    assert read == given


def test_settings_left_to_their_defaults_are_not_exported(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).environment_variables() == {"DXPLAN_DATA_DIR": str(tmp_path)}
