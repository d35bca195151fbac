"""The mapping file: dxplan's names → the national system's field names.

The national schema is data, not code: a copy of the shipped `mapping.yaml` with other
names on the right changes every packet without a release. A mistake in the file is
reported with its line and column (`dxplan.documents`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping as MappingOf
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.documents import Document

DEFAULT_MAPPING: Final = Path(__file__).parent / "mapping.yaml"

_NAME = r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"
Name = Field(pattern=_NAME)


def _unique(names: MappingOf[str, str | None], where: str) -> None:
    """Two dxplan names (or codes) sent under one national name could not be told apart."""
    twice = sorted(
        name for name, count in Counter(n for n in names.values() if n).items() if count > 1
    )
    if twice:
        raise ValueError(f"{where}: {', '.join(twice)} given to more than one field")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def names(self) -> dict[str, str | None]:
        return dict(self.model_dump())

    @model_validator(mode="after")
    def _no_name_twice(self) -> _Section:
        _unique(self.names(), type(self).__name__.lower())
        return self


class PacketFields(_Section):
    message_id: str = Name
    kind: str = Name
    sender: str = Name
    sent_at: str = Name
    period: str = Name
    items: str = Name


class PeriodFields(_Section):
    type: str = Name
    value: str = Name


class PeriodTypes(_Section):
    month: str = Name
    quarter: str = Name
    half: str = Name
    year: str = Name


class Kinds(_Section):
    kpi_catalog: str = Name
    kpi_data: str = Name


class CatalogFields(_Section):
    indicator: str = Name
    name_vi: str | None = Field(default=None, pattern=_NAME)
    name_en: str | None = Field(default=None, pattern=_NAME)
    unit_of_measure: str | None = Field(default=None, pattern=_NAME)
    periodicity: str | None = Field(default=None, pattern=_NAME)
    formula: str | None = Field(default=None, pattern=_NAME)


class DataFields(_Section):
    indicator: str = Name
    unit: str = Name
    value: str = Name
    numerator: str | None = Field(default=None, pattern=_NAME)
    denominator: str | None = Field(default=None, pattern=_NAME)


class Mapping(BaseModel):
    """Every name a packet carries, as the national system spells it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(pattern=r"^/[A-Za-z0-9._~/-]*$")
    packet: PacketFields
    period: PeriodFields
    period_types: PeriodTypes
    kinds: Kinds
    kpi_catalog: CatalogFields
    kpi_data: DataFields
    indicator_codes: dict[str, str] = Field(default_factory=dict)
    unit_codes: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _codes_one_to_one(self) -> Mapping:
        for where, codes in (
            ("indicator_codes", self.indicator_codes),
            ("unit_codes", self.unit_codes),
        ):
            _unique(codes, where)
        return self

    def item(self, kind: str, fields: MappingOf[str, Any]) -> dict[str, Any]:
        """An item with dxplan's `fields` renamed and its indicator and unit codes
        translated (a code not listed is kept); fields mapped to null left out."""
        names = (self.kpi_catalog if kind == "kpi_catalog" else self.kpi_data).names()
        codes = {"indicator": self.indicator_codes, "unit": self.unit_codes}
        found: dict[str, Any] = {}
        for key, value in fields.items():
            name = names.get(key)
            if name:
                found[name] = codes[key].get(value, value) if key in codes else value
        return found


def load_mapping(path: Path | None = None) -> Mapping:
    """Read a mapping file (default: the shipped one); DocumentError names the line."""
    return Document.read(path or DEFAULT_MAPPING).validate(Mapping)
