"""Organisational units: the city, its communes and wards, its agencies."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dxplan.domain.names import LocalizedText


class UnitKind(StrEnum):
    CITY = "city"  # a province or centrally-run city: the root
    WARD = "ward"  # phường
    COMMUNE = "commune"  # xã (and đặc khu, a special zone at the same level)
    AGENCY = "agency"  # a department, office or centrally-managed branch


class Unit(BaseModel):
    """One unit of the organisation; `parent` is None for the root only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)
    names: LocalizedText
    kind: UnitKind
    parent: str | None = None

    @property
    def name(self) -> str:
        """The official name (Vietnamese when the unit has one)."""
        return self.names.get("vi")
