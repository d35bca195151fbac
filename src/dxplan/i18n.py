"""Messages and numbers in the reader's language: Vietnamese first, English, Bengali.

Messages are written in English in templates and code and translated from gettext
catalogs (`locales/<lang>/LC_MESSAGES/messages.po`), compiled in memory when loaded.
Numbers are formatted per locale with Babel (`80,5%` in Vietnamese, `80.5%` in English).
"""

from __future__ import annotations

import gettext
import io
import math
from decimal import localcontext
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from dxplan.domain.indicator import IndicatorKind, Target
from dxplan.domain.names import LANGUAGES, LocalizedText

LOCALES: Final = Path(__file__).parent / "locales"
LANGUAGE_NAMES: Final = {"vi": "Tiếng Việt", "en": "English", "bn": "বাংলা"}
_OPS: Final = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


class Language(StrEnum):
    """A language dxplan speaks, in order of preference."""

    VI = "vi"
    EN = "en"
    BN = "bn"


__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALES",
    "Formatter",
    "Language",
    "formatter",
    "load_translations",
]


@cache
def load_translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language` (English needs none: messages are written in it)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Formatter:
    """Numbers, percentages, targets and names for one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.gettext = translations.gettext

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return decimal_text(value, pattern, self.language)

    def value(self, value: float | None, kind: IndicatorKind, digits: int = 1) -> str:
        """An indicator value: `80,5%` in Vietnamese, `80.5%` in English, a rank as is."""
        if value is None:
            return "—"
        if kind is IndicatorKind.RATIO:
            return self.number(value, digits) + "%"
        return self.number(value)

    def target(self, target: Target | None, kind: IndicatorKind) -> str:
        """`≥ 80%`, `> 50,5%`, `≤ 10`; "Monitored" for an indicator without a target."""
        if target is None:
            return self.gettext("Monitored")
        digits = 0 if float(target.value).is_integer() else 1
        return f"{_OPS[target.op]} {self.value(target.value, kind, digits)}"

    def name(self, text: LocalizedText | None) -> str:
        return "" if text is None else text.get(self.language)


def decimal_text(value: float, pattern: str, language: str) -> str:
    """`value` in `language` with a Babel `pattern`, whatever its size.

    Babel rounds in the current decimal context (28 digits): a figure of 1e30 or more
    would raise instead of printing. Any double has at most 309 integer digits.
    """
    if not math.isfinite(value):
        return "—"
    with localcontext() as context:
        context.prec = 400
        return format_decimal(value, format=pattern, locale=language)


def formatter(language: str) -> Formatter:
    """The formatter of `language` (one of LANGUAGES)."""
    return Formatter(language, load_translations(language))
