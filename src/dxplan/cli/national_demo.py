"""`dxplan demo --plan national`: the provinces' packets sent to this dxplan, then ranked.

The demo serves the national plan as a receiver: it makes a token for each province,
starts the receiving app on a free local port, lets the 34 provinces post their
packets over HTTP (`dxplan.demo.national`), stops it, and prints the ranking before
serving the dashboard.
"""

from __future__ import annotations

import typer

from dxplan.demo.national import national_packets, send
from dxplan.evaluate.ranking import standings
from dxplan.store import tokens as token_store
from dxplan.store.arrivals import restamp
from dxplan.store.tokens import Scope
from dxplan.workspace import Workspace

__all__ = ["is_national", "load_national"]


def is_national(workspace: Workspace) -> bool:
    """Whether the plan ranks units by an index: the national demo applies."""
    plan = workspace.plan()
    return plan is not None and plan.index is not None


def load_national(workspace: Workspace) -> None:
    """Send the provinces' demo packets through the real receiver (once), print the ranking."""
    plan, organisation = workspace.plan(), workspace.organisation()
    assert plan is not None and plan.index is not None and organisation is not None
    provinces = [u.code for u in organisation.ranking(plan.index.ranking)]
    with workspace.engine.connect() as conn:
        made = {t.sender for t in token_store.list_all(conn) if t.active and t.sender}
    if set(provinces) <= made:
        typer.echo("demo packets: already received")
    else:
        tokens: dict[str, str] = {}
        with workspace.writing() as conn:
            for code in provinces:
                secret, _ = token_store.create(
                    conn, f"demo-{code}", [Scope.PACKETS_WRITE], "demo", sender=code
                )
                tokens[code] = secret
        packets = national_packets(plan, organisation, workspace.as_of())
        typer.echo(
            f"demo packets: {len(provinces)} provinces send {len(packets)} packets over HTTP"
        )
        from dxplan.web.local import serve_locally  # the web stack loads only when serving

        with serve_locally(workspace.settings) as url:
            sent = send(url, tokens, packets, typer.echo)
        for problem in sent.other:
            typer.secho(f"  unexpected: {problem}", err=True, fg=typer.colors.RED)
        with workspace.writing() as conn:
            for packet in sent.arrived:
                restamp(conn, packet.sender, str(packet.period), packet.message_id, packet.arrives)
    board = workspace.board()
    assert board is not None
    result = standings(board, workspace.board(board.period.previous(), board.as_of))
    assert result is not None
    typer.echo(f"{plan.index.code} {board.period} as of {board.as_of}: the top {plan.index.top}")
    for row in result.standings[: plan.index.top]:
        name = organisation[row.unit].names.get(plan.language)
        moved = "" if row.movement is None else f" ({row.movement:+d})"
        typer.echo(f"  {row.rank:>2}. {name}  {row.composite:.3f}{moved}")
