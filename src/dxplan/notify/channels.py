"""How a digest reaches its reader: e-mail over SMTP, or a signed webhook (a registry).

Each channel is built from the settings (None when not configured), says whom it
can reach and delivers one written digest, raising `DeliveryError` when it could not.
A channel that cannot reach its server at all (`stop=True`) is not asked again in the
same run: its digests stay pending for the next.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from dxplan.notify.digest import Recipient
from dxplan.notify.writing import Written
from dxplan.settings import Settings

SIGNATURE_HEADER = "X-Dxplan-Signature"
TIMESTAMP_HEADER = "X-Dxplan-Timestamp"
DELIVERY_HEADER = "X-Dxplan-Delivery"


class DeliveryError(Exception):
    """A digest not delivered; `stop`: the channel's server is unreachable, try no more."""

    def __init__(self, message: str, *, stop: bool = False) -> None:
        super().__init__(message)
        self.stop = stop


class Channel(Protocol):
    name: str

    def reaches(self, recipient: Recipient) -> bool: ...

    def deliver(
        self, message_id: str, recipient: Recipient, written: Written, content: dict[str, Any]
    ) -> None: ...


Factory = Callable[[Settings], Channel | None]
CHANNELS: dict[str, Factory] = {}


def channel(name: str) -> Callable[[Factory], Factory]:
    """Register a channel's factory under `name`."""

    def register(factory: Factory) -> Factory:
        CHANNELS[name] = factory
        return factory

    return register


def configured(settings: Settings) -> list[Channel]:
    """The channels the settings configure, in registry order."""
    return [c for make in CHANNELS.values() if (c := make(settings)) is not None]


# -- e-mail ---------------------------------------------------------------------------------
class Email:
    """Multipart e-mail (plain text and HTML) through the SMTP server of DXPLAN_SMTP_URL."""

    name = "email"

    def __init__(self, url: str, sender: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def reaches(self, recipient: Recipient) -> bool:
        return recipient.address is not None

    def message(self, message_id: str, recipient: Recipient, written: Written) -> EmailMessage:
        """The e-mail; its Message-ID is the digest's, the same on every attempt."""
        mail = EmailMessage()
        mail["Subject"] = written.subject
        mail["From"] = self.sender
        mail["To"] = recipient.address or ""
        mail["Date"] = format_datetime(datetime.now().astimezone())
        mail["Message-ID"] = f"<{message_id}@{self.sender.rpartition('@')[2] or 'dxplan'}>"
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(written.text)
        mail.add_alternative(written.html, subtype="html")
        return mail

    def deliver(
        self, message_id: str, recipient: Recipient, written: Written, content: dict[str, Any]
    ) -> None:
        mail = self.message(message_id, recipient, written)
        try:
            server = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"cannot reach the mail server {self.host}:{self.port}: {error}", stop=True
            ) from None
        try:
            server.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"the mail server refused {recipient.address}: {error}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"the mail server failed: {error}", stop=True) from None
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if self.tls:
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
        if self.user is not None:
            server.login(self.user, self.password or "")
        return server


@channel("email")
def _email(settings: Settings) -> Channel | None:
    if settings.smtp_url is None:
        return None
    sender = settings.mail_from or "dxplan@localhost"
    return Email(settings.smtp_url.get_secret_value(), sender, settings.notify_timeout_seconds)


# -- webhook --------------------------------------------------------------------------------
def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of `timestamp`, a dot and the body, keyed by `secret`.

    The timestamp is signed with the body so a captured request cannot be replayed
    later under a fresh timestamp; the receiver refuses old timestamps.
    """
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Webhook:
    """Each digest as JSON, POSTed to DXPLAN_WEBHOOK_URL with an HMAC-SHA256 signature."""

    name = "webhook"

    def __init__(self, url: str, secret: bytes, timeout: float) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def reaches(self, recipient: Recipient) -> bool:
        return True

    def body(
        self, message_id: str, recipient: Recipient, written: Written, content: dict[str, Any]
    ) -> bytes:
        document = {
            "message_id": message_id,
            "day": content["day"],
            "recipient": {
                "key": recipient.key,
                "name": recipient.name,
                "email": recipient.address,
                "language": recipient.language,
            },
            "subject": written.subject,
            "text": written.text,
            "items": content["items"],
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def deliver(
        self, message_id: str, recipient: Recipient, written: Written, content: dict[str, Any]
    ) -> None:
        import httpx  # only when a webhook is configured

        body = self.body(message_id, recipient, written, content)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            DELIVERY_HEADER: message_id,
        }
        try:
            answer = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise DeliveryError(
                f"cannot reach the webhook {self.url}: {error}", stop=True
            ) from None
        if answer.status_code >= 500:
            raise DeliveryError(f"the webhook answered {answer.status_code}", stop=True)
        if answer.status_code >= 300:
            raise DeliveryError(f"the webhook refused: {answer.status_code} {answer.text[:200]}")


@channel("webhook")
def _webhook(settings: Settings) -> Channel | None:
    if settings.webhook_url is None or settings.webhook_secret is None:
        return None
    secret = settings.webhook_secret.get_secret_value().encode("utf-8")
    return Webhook(settings.webhook_url, secret, settings.notify_timeout_seconds)
