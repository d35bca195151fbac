"""Days and instants as the reader writes them (Babel), instants on the plan's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time


@dataclass(frozen=True)
class Dates:
    """Date formatting for one language: `8 thg 11, 2025` in Vietnamese, `Nov 8, 2025`."""

    language: str
    zone: ZoneInfo  # the plan's time zone: instants are shown in it

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_date(value, "medium", locale=self.language)

    def __call__(self, value: date | datetime | None) -> str:
        """A day, or an instant with its local time of day."""
        return self.moment(value) if isinstance(value, datetime) else self.day(value)

    def moment(self, value: datetime | None) -> str:
        """An aware instant as the local day and time of day."""
        if value is None:
            return "—"
        local = value.astimezone(self.zone)
        time = format_time(local, "short", tzinfo=self.zone, locale=self.language)
        return f"{self.day(local.date())} {time}"


def dial(phone: str | None) -> str:
    """A `tel:` link's number: the digits and a leading plus, nothing else."""
    if not phone:
        return ""
    digits = "".join(c for c in phone if c.isdigit())
    return ("+" if phone.strip().startswith("+") else "") + digits
