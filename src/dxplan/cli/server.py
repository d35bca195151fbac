"""`dxplan serve` and `dxplan demo`: the dashboard in a browser."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Annotated

import typer

from dxplan.cli.common import ExitCode, fail, open_workspace, settings
from dxplan.cli.national_demo import is_national, load_national
from dxplan.cli.setup import initialise
from dxplan.demo.load import has_data, load_demo, scale_of
from dxplan.demo.reports import DEMO_AS_OF, DEMO_PASSWORD, has_accounts, load_reports
from dxplan.demo.tasks import load_tasks
from dxplan.keys import SecretError, session_secret
from dxplan.plans import shipped, shipped_plan
from dxplan.settings import Settings

WORKER_HEALTHCHECK_SECONDS = 60

HostOption = Annotated[
    str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for the whole network.")
]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=64,
        help="Server processes sharing the port (about one per core). Each keeps its own "
        "cache of the board, keyed by the store's state, so all serve the same figures "
        "once they have checked the store (at most DXPLAN_BOARD_CHECK_SECONDS apart).",
    ),
]


def _run(ctx: typer.Context, host: str, port: int, workers: int = 1) -> None:
    import uvicorn  # the web stack loads only when serving: other commands start faster

    from dxplan.web import create_app

    _check_free(host, port)
    try:
        session_secret(settings(ctx))  # made (or checked) before the server says it is up
    except SecretError as error:
        fail(str(error), ExitCode.FAILED)
    warning = cookie_warning(host, settings(ctx))
    if warning:
        typer.secho(warning, err=True, fg=typer.colors.RED, bold=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"dxplan is serving the dashboard on http://{shown}:{port}/")
    typer.echo(f"API documentation: http://{shown}:{port}/docs  (Ctrl+C stops the server)")
    if workers == 1:
        uvicorn.run(create_app(settings(ctx)), host=host, port=port, log_level="warning")
        return
    # worker processes each build the app from the environment: pass them these settings
    os.environ.update(settings(ctx).environment_variables())
    uvicorn.run(
        "dxplan.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # uvicorn kills a worker that does not answer its supervisor's ping within this
        # many seconds (5 by default): a worker still importing on a loaded machine, or
        # busy building the board, was killed and started again, mid-request
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def cookie_warning(host: str, config: Settings) -> str | None:
    """A loud warning when session cookies would cross a network in clear, else None."""
    if config.secure_cookies or getattr(config, "trust_proxy_headers", False):
        return None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return None
    return (
        f"WARNING: serving on {host} with DXPLAN_SECURE_COOKIES=false: session cookies "
        "travel in clear and anyone on the network can copy one and act as its user. "
        "Put dxplan behind an HTTPS reverse proxy and set DXPLAN_SECURE_COOKIES=true."
    )


def _check_free(host: str, port: int) -> None:
    """Say clearly that the port is taken, before announcing an address that will not work."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(
                f"cannot listen on {host}:{port}: {error.strerror}; choose another --port",
                ExitCode.FAILED,
            )


def serve(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Serve the dashboard and the API of an initialised store (see `dxplan init`)."""
    with open_workspace(ctx) as workspace:
        if not workspace.initialised:
            fail("the store is empty: run `dxplan init` first (or `dxplan demo`)", ExitCode.FAILED)
    _run(ctx, host, port, workers)


def demo(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    dossiers_per_year: Annotated[
        int | None,
        typer.Option(
            "--dossiers-per-year",
            min=1000,
            help="Size of the demo data (2 years); default: the plan's (2.5 million for Can Tho).",
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            help=f"A shipped plan to show: {', '.join(shipped())}; default DXPLAN_PLAN_FILE "
            "(Can Tho's plan).",
        ),
    ] = None,
) -> None:
    """Set up the store with the plan, the units and realistic demo data, then serve.

    This is the first command to try: it needs nothing but the data folder
    (--data-dir, default ./dxplan-data). On the first run it generates two years of
    demo dossiers (2024-2025, about 2.5 million a year, with a procedure catalog) and
    imports them like any feed, which takes about a minute; later runs reuse them.
    It also creates demo accounts and two years of periodic reports and focal points,
    as they stood on 8 November 2025 (password of every demo account: demo-password-2025).
    Then it opens the city's dashboard on http://127.0.0.1:8000/, judged as of that
    day unless DXPLAN_AS_OF says otherwise.

    --plan meherpur-2025 shows the example outside Vietnam instead (a district of
    Bangladesh, in Bengali and English, its units from a file); use a fresh --data-dir.
    --plan national serves the national level: the 34 provinces send their 2024-2025
    packets to this dxplan over HTTP, which ranks them by the index (a fresh --data-dir).
    """
    root = ctx.find_root()
    if plan is not None:
        try:
            root.obj = settings(ctx).model_copy(update={"plan_file": shipped_plan(plan)})
        except ValueError as error:
            fail(str(error), ExitCode.BAD_INPUT)
    if settings(ctx).as_of is None:  # the demo's figures stop on its day: judge from there
        root.obj = settings(ctx).model_copy(update={"as_of": DEMO_AS_OF})
    report = initialise(ctx)
    typer.echo(f"plan {report.plan_code} v{report.plan_version} and the units are loaded")
    with open_workspace(ctx) as workspace:
        if is_national(workspace):
            root.obj = settings(ctx).model_copy(update={"receive": True})
    with open_workspace(ctx) as workspace:
        if is_national(workspace):
            load_national(workspace)
            typer.echo("the ranking is on /index, the provinces' timeliness on /timeliness")
            _run(ctx, host, port)
            return
        if has_data(workspace):
            typer.echo("demo data: already loaded")
        else:
            per_year = dossiers_per_year or scale_of(workspace).dossiers_per_year
            typer.echo(f"demo data: generating and importing {2 * per_year:,} dossiers")
            loaded = load_demo(workspace, dossiers_per_year=per_year)
            typer.echo(
                f"demo data: {loaded.procedures.rows:,} procedures and "
                f"{loaded.dossiers.stored:,} dossiers stored, "
                f"{loaded.dossiers.values_written:,} figures computed"
            )
        if has_accounts(workspace):
            typer.echo("demo reports and accounts: already loaded (or the store has accounts)")
        else:
            made = load_reports(workspace)
            typer.echo(
                f"demo reports: {made.approved:,} approved ({made.late} late, "
                f"{made.returned} returned once), {made.missing} missing, "
                f"{made.submitted} awaiting approval; {made.focal_points} focal points"
            )
            tasks = load_tasks(workspace)
            typer.echo(
                f"demo tasks: {tasks.progress_reports} progress reports, "
                f"{tasks.breakthroughs} breakthrough tasks ({tasks.approved} approved, "
                f"{tasks.pending} awaiting approval), {tasks.missing} units without one"
            )
            typer.echo(
                f"demo accounts: admin, dieuphoi (coordinator), lanhdao (viewer), nhap-lieu "
                f"and the agencies' reporters (skhcn, thue, ...); password: {DEMO_PASSWORD}"
            )
    typer.echo(
        "the dashboard is open to readers; sign in (top right) to report or approve, "
        f"e.g. as dieuphoi (coordinator) or a unit's reporter (`dxplan users list` names "
        f"them), password {DEMO_PASSWORD}"
    )
    _run(ctx, host, port)
