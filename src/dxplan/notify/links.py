"""The unsubscribe link of a digest: the recipient, signed with the site's secret.

Whoever holds the link may stop that person's digests (and only that): it travels in
the person's own mail, like every list's unsubscribe link (RFC 8058).
"""

from __future__ import annotations

from typing import Final

from itsdangerous import BadSignature, URLSafeSerializer

SALT: Final = "dxplan.notify.unsubscribe"


def unsubscribe_token(secret: str, recipient: str) -> str:
    """The token of `recipient`'s unsubscribe link."""
    return str(URLSafeSerializer(secret, salt=SALT).dumps(recipient))


def recipient_of(secret: str, token: str) -> str | None:
    """The recipient a token was made for, or None when it is not one of ours."""
    try:
        found = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    return found if isinstance(found, str) else None
