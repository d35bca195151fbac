"""Delivering the outbox: `dxplan national send` and the background task of `dxplan serve`.

Packets go one at a time, in the order they were queued. A packet the network, a
5xx or a 429 keeps from the receiver is tried `national_attempts` times, waiting
`national_backoff_seconds` × 2ⁿ (at most `national_backoff_max_seconds`) with jitter
between attempts, or longer when the receiver's Retry-After asks (up to that most);
then the run stops and leaves it, and those after it, queued. The
database is never held during a request: an attempt is counted, the request made,
the answer recorded, each in its own short transaction.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from dxplan.documents import DocumentError
from dxplan.domain.period import Calendar
from dxplan.national import outbox
from dxplan.national.mapping import Mapping, load_mapping
from dxplan.national.packets import body
from dxplan.national.sender import Outcome, post
from dxplan.settings import Settings
from dxplan.workspace import Workspace

log = logging.getLogger("dxplan.national")


class NotConfigured(Exception):
    """A setting the feed needs is missing."""


@dataclass(frozen=True)
class Target:
    """Where and as whom packets go."""

    url: str
    token: str
    sender: str
    mapping: Mapping

    @classmethod
    def of(cls, settings: Settings) -> Target:
        missing = [
            name
            for name, value in (
                ("DXPLAN_NATIONAL_URL", settings.national_url),
                ("DXPLAN_NATIONAL_TOKEN", settings.national_token),
                ("DXPLAN_SENDER_CODE", settings.sender_code),
            )
            if not value
        ]
        if missing:
            raise NotConfigured(f"set {', '.join(missing)} to send to the national system")
        assert settings.national_url and settings.national_token and settings.sender_code
        mapping = load_mapping(settings.national_mapping_file)
        return cls(
            settings.national_url.rstrip("/") + mapping.path,
            settings.national_token.get_secret_value(),
            settings.sender_code,
            mapping,
        )


@dataclass
class Delivery:
    """What one run did: packets received, refused, still queued, requests made."""

    sent: int = 0
    failed: int = 0
    remaining: int = 0
    requests: int = 0


def backoff(settings: Settings, retry: int, rng: random.Random) -> float:
    """Seconds before retry number `retry` (1, 2...): doubling, capped, half jittered."""
    full = min(
        settings.national_backoff_max_seconds, settings.national_backoff_seconds * 2 ** (retry - 1)
    )
    return float(full / 2 + rng.uniform(0, full / 2))


def deliver(
    workspace: Workspace,
    *,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
    progress: Callable[[str], None] = log.info,
) -> Delivery:
    """Send every queued packet; raise NotConfigured without URL, token or sender."""
    settings = workspace.settings
    target = Target.of(settings)
    stop = stop or threading.Event()
    rng = rng or random.Random()
    done = Delivery()
    with workspace.engine.connect() as conn:
        queued = outbox.pending(conn)
    timeout = httpx.Timeout(settings.national_timeout_seconds)
    # HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE from the environment apply, as for curl
    calendar = workspace.calendar()
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for index, packet in enumerate(queued):
            outcome = _deliver_one(
                workspace, calendar, client, target, packet, stop, rng, done, progress
            )
            if outcome is Outcome.RECEIPT:
                done.sent += 1
            elif outcome is Outcome.REFUSED:
                done.failed += 1
            else:  # the receiver is unreachable or the run was stopped: leave the rest
                done.remaining = len(queued) - index
                break
    return done


def _deliver_one(
    workspace: Workspace,
    calendar: Calendar,
    client: httpx.Client,
    target: Target,
    packet: outbox.Pending,
    stop: threading.Event,
    rng: random.Random,
    done: Delivery,
    progress: Callable[[str], None],
) -> Outcome:
    settings = workspace.settings
    for number in range(1, settings.national_attempts + 1):
        if stop.is_set():
            return Outcome.RETRY
        with workspace.writing() as conn:
            outbox.attempt(conn, packet.id)
        payload = body(
            target.mapping,
            message_id=packet.message_id,
            kind=packet.kind,
            sender=target.sender,
            sent_at=datetime.now(calendar.zone),
            period=calendar.parse(packet.period),
            items=packet.items,
        )
        answer = post(client, target.url, target.token, packet.message_id, payload)
        done.requests += 1
        with workspace.writing() as conn:
            if answer.outcome is Outcome.RECEIPT:
                outbox.sent(conn, packet.id, datetime.now(UTC), answer.answer or "", answer.note)
            elif answer.outcome is Outcome.REFUSED:
                outbox.failed(conn, packet.id, answer.message, answer.answer)
            else:
                outbox.retry_later(conn, packet.id, answer.message)
        progress(f"{packet.message_id} {packet.kind} {packet.period}: {answer.message}")
        if answer.outcome is not Outcome.RETRY:
            return answer.outcome
        wait = backoff(settings, number, rng)
        if answer.retry_after is not None:  # the receiver said when: never sooner
            wait = max(wait, min(answer.retry_after, settings.national_backoff_max_seconds))
        if number < settings.national_attempts and stop.wait(wait):
            return Outcome.RETRY
    return Outcome.RETRY


class BackgroundDelivery:
    """A thread that delivers the outbox every `national_interval_seconds` until stopped."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dxplan-national", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait: float | None = None) -> None:
        """Ask the thread to stop and wait for it (a request in flight ends by its timeout)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(wait)

    def _run(self) -> None:
        interval = self._workspace.settings.national_interval_seconds
        while not self._stop.is_set():
            try:
                if self._workspace.initialised:
                    done = deliver(self._workspace, stop=self._stop)
                    if done.requests:
                        log.info(
                            "national feed: %d sent, %d refused, %d still queued",
                            done.sent,
                            done.failed,
                            done.remaining,
                        )
            except (NotConfigured, DocumentError) as error:
                log.error("national feed: %s", error)
            except Exception:  # keep serving; the next round tries again
                log.exception("national feed: delivery failed")
            self._stop.wait(interval)
