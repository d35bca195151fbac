"""`dxplan notify`: compose the digests due today, then deliver every undelivered one.

Exactly once, in three steps (docs/decisions/0019):

1. compose, in one transaction: for each person and channel without a digest today,
   the items they want and were never told (the sent log); a digest only when there
   is something; the digest and the claims of its items are stored together, with the
   indicator statuses this run saw (the next run's "since the last digest");
2. deliver each undelivered digest: mark it `sending` (committed), send it, mark it
   `sent`. A server that cannot be reached leaves it `pending`; a run killed between
   the two marks leaves it `sending`, and the next run sends it again with the same
   message id (the one case a receiver may see it twice, and can tell);
3. a pending digest of an earlier day is dropped before composing: its items are told
   in today's digest if they still hold, so nobody gets two digests for one day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from dxplan.keys import session_secret
from dxplan.notify import digest, gather
from dxplan.notify.channels import Channel, DeliveryError
from dxplan.notify.digest import Item, Recipient
from dxplan.notify.links import unsubscribe_token
from dxplan.notify.writing import write
from dxplan.store import notifications as notify_store
from dxplan.workspace import Workspace


@dataclass(frozen=True)
class Planned:
    """A digest to compose: whom, over which channel, with which items."""

    recipient: Recipient
    channel: str
    items: list[Item]


@dataclass
class Outcome:
    composed: int = 0
    sent: int = 0
    failed: list[str] = field(default_factory=list)  # "recipient (channel): why"
    pending: int = 0  # digests left undelivered after the run


class Notifier:
    """The digests of one day (the `as_of` day, else today on the plan's clock)."""

    def __init__(
        self, workspace: Workspace, channels: list[Channel], *, as_of: date | None = None
    ) -> None:
        self.workspace = workspace
        self.channels = channels
        self.day = as_of or workspace.as_of()

    def _scene(self, conn: Connection) -> gather.Scene:
        plan, organisation = self.workspace.plan(conn), self.workspace.organisation(conn)
        if plan is None or organisation is None:
            raise RuntimeError("the store is empty: run `dxplan init` first")
        return gather.Scene(
            conn,
            plan,
            organisation,
            self.day,
            self.workspace.settings.remind_days,
            self.workspace.board(as_of=self.day),
            notify_store.statuses(conn),
            notify_store.last_item_data(conn, digest.CITY_SUMMARY.code),
        )

    def _plan(self, conn: Connection, scene: gather.Scene) -> list[Planned]:
        items = gather.items(scene)
        people = gather.recipients(conn, scene.plan, scene.organisation)
        choices = notify_store.preferences(conn)
        told = notify_store.told(conn)
        today = notify_store.digests_of_day(conn, self.day.isoformat())
        planned = []
        for person in people:
            for channel in self.channels:
                if not channel.reaches(person) or (person.key, channel.name) in today:
                    continue
                mine = {k for p, c, k in told if p == person.key and c == channel.name}
                chosen = digest.choose(
                    person, items, preferences=choices.get(person.key, {}), told=mine.__contains__
                )
                if chosen:
                    planned.append(Planned(person, channel.name, chosen))
        return planned

    def preview(self) -> list[Planned]:
        """What a run would compose now; stores nothing (`--dry-run`)."""
        with self.workspace.engine.connect() as conn:
            return self._plan(conn, self._scene(conn))

    def undelivered(self) -> list[notify_store.StoredDigest]:
        with self.workspace.engine.connect() as conn:
            return notify_store.undelivered(conn)

    def run(self, progress: Callable[[str], None] = lambda _: None) -> Outcome:
        outcome = Outcome()
        with self.workspace.writing() as conn:
            notify_store.release_stale(conn, self.day.isoformat())
            scene = self._scene(conn)
            for planned in self._plan(conn, scene):
                notify_store.add_digest(
                    conn,
                    recipient=planned.recipient.key,
                    channel=planned.channel,
                    day=self.day.isoformat(),
                    content=_content(planned, self.day),
                    item_keys=[i.key for i in planned.items],
                )
                outcome.composed += 1
            notify_store.record_statuses(conn, gather.current_statuses(scene.board))
        self._deliver(outcome, progress)
        return outcome

    def _deliver(self, outcome: Outcome, progress: Callable[[str], None]) -> None:
        by_name = {c.name: c for c in self.channels}
        stopped: set[str] = set()
        links = self._links()
        for stored in self.undelivered():
            channel = by_name.get(stored.channel)
            if channel is None or stored.channel in stopped:
                outcome.pending += 1
                continue
            person = _recipient(stored.content)
            written = write(stored.content, links=links(person))
            with self.workspace.writing() as conn:
                notify_store.mark(conn, stored.id, notify_store.SENDING)
            try:
                channel.deliver(stored.message_id, person, written, stored.content)
            except DeliveryError as error:
                with self.workspace.writing() as conn:
                    notify_store.mark(conn, stored.id, notify_store.PENDING, error=str(error))
                outcome.failed.append(f"{person.key} ({stored.channel}): {error}")
                outcome.pending += 1
                if error.stop:
                    stopped.add(stored.channel)
                continue
            with self.workspace.writing() as conn:
                notify_store.mark(conn, stored.id, notify_store.SENT)
            outcome.sent += 1
            progress(
                f"sent to {person.key} ({stored.channel}): {len(stored.content['items'])} item(s)"
            )

    def _links(self) -> Callable[[Recipient], dict[str, str]]:
        base = self.workspace.settings.public_url
        if base is None:
            return lambda _: {}
        secret = session_secret(self.workspace.settings)
        site = base.rstrip("/")

        def links(person: Recipient) -> dict[str, str]:
            token = unsubscribe_token(secret, person.key)
            return {"site": site + "/", "unsubscribe": f"{site}/unsubscribe/{token}"}

        return links


def _content(planned: Planned, day: date) -> dict[str, Any]:
    return digest.content(planned.recipient, day.isoformat(), planned.items)


def _recipient(content: dict[str, Any]) -> Recipient:
    return Recipient(
        content["recipient"],
        content["name"],
        content["address"],
        content["language"],
        frozenset(),
    )
