"""The secret that signs session cookies: configured, or random and kept in the data folder.

There is no built-in default: a constant shipped with the code is public, and anyone
could sign a session with it. Without DXPLAN_SECRET_KEY the first start draws 32
random bytes and keeps them in `<data_dir>/secret_key`, readable by the owner only,
so that a restart signs nobody out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from dxplan.settings import MIN_SECRET_BYTES, Settings

SECRET_FILE: Final = "secret_key"


class SecretError(RuntimeError):
    """The kept secret cannot be created or read (the message says where and why)."""


def session_secret(settings: Settings) -> str:
    """The secret that signs cookies: DXPLAN_SECRET_KEY, or the one kept in the data folder."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / SECRET_FILE
    try:
        if not path.exists():
            _create(path)
        kept = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretError(f"cannot keep the session secret in {path}: {error}") from None
    if len(kept.encode("ascii")) < MIN_SECRET_BYTES:
        raise SecretError(
            f"{path} holds a secret shorter than {MIN_SECRET_BYTES} bytes: delete the file "
            "(everyone will sign in again) or set DXPLAN_SECRET_KEY"
        )
    return kept


def _create(path: Path) -> None:
    """Write a new random secret, mode 0600, without ever exposing a half-written file.

    The secret goes to a private temporary file that is then linked into place: of two
    processes starting at once, one wins and the other reads the winner's secret.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(MIN_SECRET_BYTES) + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process kept one first: use it
    finally:
        temporary.unlink(missing_ok=True)
