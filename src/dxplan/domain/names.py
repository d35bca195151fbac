"""Text in the languages dxplan speaks: Vietnamese first, then English and Bengali."""

from __future__ import annotations

import unicodedata
from typing import Final

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

LANGUAGES: Final = ("vi", "en", "bn")
"""Languages dxplan's pages speak; a plan chooses among them (`Plan.languages`)."""
LANGUAGES_FALLBACK: Final = ("en", "vi", "bn")
"""Where a text missing in the asked language falls back to, in order."""


def nfc(text: str) -> str:
    """Return `text` trimmed and normalised to Unicode NFC (Vietnamese has two spellings)."""
    return unicodedata.normalize("NFC", text.strip())


class LocalizedText(BaseModel):
    """A name or text in each language; at least one is given, the others fall back.

    Which languages a text must have is the plan's choice (`Plan.languages`): a plan
    in Bengali and English needs no Vietnamese.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: str | None = None
    en: str | None = None
    bn: str | None = None

    @field_validator("vi", "en", "bn")
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = nfc(value)
        if not value:
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _some_language(self) -> LocalizedText:
        if not any(getattr(self, lang) for lang in LANGUAGES):
            raise ValueError(f"give the text in at least one of {', '.join(LANGUAGES)}")
        return self

    def get(self, language: str) -> str:
        """Return the text in `language`, falling back to English, Vietnamese, Bengali."""
        for candidate in (language, *LANGUAGES_FALLBACK):
            text = getattr(self, candidate, None) if candidate in LANGUAGES else None
            if text:
                return str(text)
        raise AssertionError("unreachable: a text has at least one language")

    def missing(self) -> list[str]:
        """Languages this text has no translation for."""
        return [lang for lang in LANGUAGES if not getattr(self, lang)]
