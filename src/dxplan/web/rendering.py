"""Pages in the reader's language: templates, translations, numbers formatted per locale.

Messages are written in English in the templates and translated from gettext
catalogs (`locales/<lang>/LC_MESSAGES/messages.po`), compiled in memory at start-up.
Vietnamese is the default language.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any, Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dxplan.domain.indicator import IndicatorKind, Target
from dxplan.domain.names import LANGUAGES, LocalizedText

HERE: Final = Path(__file__).parent
LOCALES: Final = HERE / "locales"
LANGUAGE_NAMES: Final = {"vi": "Tiếng Việt", "en": "English", "bn": "বাংলা"}
_OPS: Final = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


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
        return format_decimal(value, format=pattern, locale=self.language)

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


class Renderer:
    """Renders templates for a request, in the language the reader chose."""

    def __init__(self, default_language: str = "vi") -> None:
        self.default_language = default_language
        self.translations = {lang: load_translations(lang) for lang in LANGUAGES}
        self.environment = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def language(self, request: Request) -> str:
        """`?lang=` if given, else the reader's earlier choice (cookie), else the default."""
        for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
            if candidate in LANGUAGES:
                return candidate
        return self.default_language

    def formatter(self, request: Request) -> Formatter:
        language = self.language(request)
        return Formatter(language, self.translations[language])

    def render(self, request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
        fmt = self.formatter(request)
        html = self.environment.get_template(template).render(
            request=request,
            fmt=fmt,
            _=fmt.gettext,
            lang=fmt.language,
            languages=LANGUAGE_NAMES,
            **context,
        )
        response = HTMLResponse(html)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax")
        return response
