"""The CLI as a newcomer meets it: help, init, serve refusals, settings errors."""

import pytest
import typer.main

from dxplan.cli import app
from dxplan.plans import DEFAULT_PLAN


def _commands(group, prefix=()):
    for name, command in getattr(group, "commands", {}).items():
        yield (*prefix, name), command
        yield from _commands(command, (*prefix, name))


def test_every_command_has_real_help(cli):
    """Documentation coverage: each command says what it does, in more than a line."""
    root = typer.main.get_command(app)
    found = list(_commands(root))
    names = {" ".join(path) for path, _ in found}
    assert {"init", "serve", "demo", "plan show", "plan validate", "units list"} <= names
    for path, command in found:
        result = cli(*path, "--help")
        assert result.exit_code == 0
        assert len((command.help or "").split()) >= 4, f"`dxplan {' '.join(path)}` needs docs"
    assert "--data-dir" in cli("--help").stdout


def test_init_reports_and_is_idempotent(cli, tmp_path):
    first = cli("init")
    assert first.exit_code == 0, first.output
    assert "124 added" in first.stdout and "version 1" in first.stdout
    assert (tmp_path / "data" / "dxplan.sqlite3").exists()
    second = cli("init")
    assert "0 added" in second.stdout and "124 unchanged" in second.stdout


def test_data_dir_option_beats_the_environment(cli, tmp_path):
    other = tmp_path / "elsewhere"
    assert cli("--data-dir", str(other), "init").exit_code == 0
    assert (other / "dxplan.sqlite3").exists()
    assert not (tmp_path / "data").exists()


def test_serve_refuses_an_empty_store(cli):
    result = cli("serve", "--port", "8765")
    assert result.exit_code == 1
    assert "run `dxplan init` first" in result.stderr


def test_production_refuses_a_short_secret(cli, monkeypatch):
    monkeypatch.setenv("DXPLAN_ENVIRONMENT", "production")
    monkeypatch.setenv("DXPLAN_SECRET_KEY", "12345")
    result = cli("plan", "show")
    assert result.exit_code == 2
    assert "DXPLAN_SECRET_KEY must be at least 32 bytes" in result.stderr
    monkeypatch.setenv("DXPLAN_SECRET_KEY", "a-real-secret-of-32-characters-at-least")
    assert cli("plan", "show", "--format", "json").exit_code == 0


@pytest.mark.parametrize(
    "args", [("plan", "show", "--format", "xml"), ("units", "list", "--kind", "x")]
)
def test_bad_options_exit_2(cli, args):
    assert cli(*args).exit_code == 2


def test_unreachable_database_is_a_clear_error(cli, monkeypatch):
    monkeypatch.setenv("DXPLAN_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = cli("init")
    assert result.exit_code == 1
    assert "cannot reach the database" in result.stderr
    shown = cli("plan", "show", "--format", "json")
    assert shown.exit_code == 1 and "cannot reach the database" in shown.stderr
    # checking a file needs no database
    assert cli("plan", "validate", str(DEFAULT_PLAN)).exit_code == 0


def test_init_never_prints_the_database_password(cli, monkeypatch, postgres_url):
    url = postgres_url.replace("postgres@", "postgres:s3cret@")  # trust auth ignores it
    monkeypatch.setenv("DXPLAN_DATABASE_URL", url)
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output and "***" in result.stdout


def test_a_busy_port_is_a_clear_error(cli):
    import socket

    assert cli("init").exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "serving" not in result.stdout


def test_a_bad_setting_names_its_variable(cli, monkeypatch):
    monkeypatch.setenv("DXPLAN_ENVIRONMENT", "prod")
    result = cli("plan", "show")
    assert result.exit_code == 2
    assert "DXPLAN_ENVIRONMENT" in result.stderr
