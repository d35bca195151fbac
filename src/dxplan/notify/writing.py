"""A digest written in its reader's language: a subject, plain text and HTML.

Everything comes from the digest's stored content, so a retry writes the same message.
Values in an item's data are shown by their shape: {"vi": .., "en": .., "bn": ..} is a
text in the reader's language, {"date": "YYYY-MM-DD"} a day, {"status": code} an
indicator status; numbers and strings as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dxplan.domain.names import LANGUAGES
from dxplan.evaluate.status import Status, status_labels
from dxplan.i18n import formatter
from dxplan.notify.digest import KINDS, Item

_NOT_SHOWN: Final = frozenset(
    {"details", "city_statuses", "path"}
)  # data for lines under, or later
TEMPLATES: Final = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Written:
    """A digest ready to send."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[tuple[str, str, list[str], str | None]]  # (unit, line, lines under, link)


def shown(value: Any, language: str) -> str:
    """A value of an item's data as the reader reads it."""
    if isinstance(value, Mapping):
        if "date" in value:
            return format_date(date.fromisoformat(value["date"]), "medium", locale=language)
        if "status" in value:
            labels = status_labels(formatter(language).gettext)
            return labels.get(Status(value["status"]), str(value["status"]))
        for candidate in (language, "en", *LANGUAGES):
            if value.get(candidate):
                return str(value[candidate])
        return ""
    if isinstance(value, float):
        return formatter(language).number(value, 0 if value.is_integer() else 1)
    return "" if value is None else str(value)


def _shown_all(data: Mapping[str, Any], language: str) -> dict[str, str]:
    return {k: shown(v, language) for k, v in data.items() if k not in _NOT_SHOWN}


def write(content: Mapping[str, Any], *, links: Mapping[str, str] | None = None) -> Written:
    """The message of a digest's stored content; `links`: "site" and "unsubscribe"
    addresses when dxplan knows its public address."""
    language = content["language"]
    fmt = formatter(language)
    _ = fmt.gettext
    items = [Item.from_json(i) for i in content["items"]]
    site = (links or {}).get("site", "").rstrip("/")
    sections = []
    for code, kind in KINDS.items():
        mine = [i for i in items if i.kind == code]
        if not mine:
            continue
        lines = [
            (
                shown(i.data.get("unit_name"), language),
                _(kind.line).format(**_shown_all(i.data, language)),
                [
                    _(kind.detail).format(**_shown_all(entry, language))
                    for entry in i.data.get("details", [])
                    if kind.detail is not None
                ],
                site + i.data["path"] if site and i.data.get("path") else None,
            )
            for i in mine
        ]
        sections.append(Section(_(kind.heading), lines))
    day = format_date(date.fromisoformat(content["day"]), "long", locale=language)
    subject = _("dxplan: {count} items for you, {day}").format(count=len(items), day=day)
    context = {
        "_": _,
        "lang": language,
        "name": content["name"],
        "day": day,
        "sections": sections,
        "links": dict(links or {}),
        "subject": subject,
    }
    return Written(
        subject,
        _environment.get_template("digest.txt").render(context),
        _environment.get_template("digest.html").render(context),
    )
