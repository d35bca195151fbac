"""Text in the languages dxplan speaks: Vietnamese first, then English and Bengali."""

from __future__ import annotations

import unicodedata
from typing import Final

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

LANGUAGES: Final = ("vi", "en", "bn")
"""Languages in order of preference; Vietnamese is the working language."""


def nfc(text: str) -> str:
    """Return `text` trimmed and normalised to Unicode NFC (Vietnamese has two spellings)."""
    return unicodedata.normalize("NFC", text.strip())


class LocalizedText(BaseModel):
    """A name or text in each language; at least one, the others fall back to it."""

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
    def _some(self) -> LocalizedText:
        if not (self.vi or self.en or self.bn):
            raise ValueError("give the text in at least one language")
        return self

    def get(self, language: str) -> str:
        """Return the text in `language`, falling back to English, then Vietnamese."""
        for candidate in (language, "en", "vi"):
            text = getattr(self, candidate, None) if candidate in LANGUAGES else None
            if text:
                return str(text)
        return next(str(t) for t in (self.vi, self.en, self.bn) if t)

    def missing(self) -> list[str]:
        """Languages this text has no translation for."""
        return [lang for lang in LANGUAGES if not getattr(self, lang)]
