"""Organisational units and their kinds: kinds are data, declared by the plan or its source."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.domain.names import LocalizedText

KIND_PATTERN = r"^[a-z][a-z0-9_-]*$"
KindCode = Annotated[str, Field(pattern=KIND_PATTERN, max_length=16)]
"""A kind of unit: a free word (`ward`, `upazila`, `office`) that the plan declares."""

UNIT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class Unit(BaseModel):
    """One unit of the organisation; `parent` is None for the root only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=UNIT_CODE_PATTERN, max_length=32)
    names: LocalizedText
    kind: KindCode
    parent: str | None = None

    @property
    def name(self) -> str:
        """The official name (Vietnamese first, else the first language it has)."""
        return self.names.get("vi")


class UnitKind(BaseModel):
    """One declared kind of unit and its names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: KindCode = Field(description="the word units of this kind carry in `kind`")
    names: LocalizedText = Field(description="the kind's name, as pages show it")


class Ranking(BaseModel):
    """A group of kinds ranked together on the dashboard (communes with wards, say)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(
        pattern=KIND_PATTERN, max_length=32, description="the ranking's code (`/rankings#code`)"
    )
    names: LocalizedText = Field(description="the ranking's title")
    kinds: list[KindCode] = Field(min_length=1, description="the kinds ranked together in it")


class UnitKinds(BaseModel):
    """The kinds of unit an organisation has, how they are ranked, which are places.

    `local` lists the kinds whose units are the territory's places (communes and
    wards; upazilas or unions): a data set with `values_for: communes` carries one value
    per such unit, and the platform counts them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: list[UnitKind] = Field(min_length=1, description="every kind a unit may have")
    rankings: list[Ranking] = Field(
        default_factory=list, description="the dashboard's rankings, in order"
    )
    local: list[KindCode] = Field(
        default_factory=list,
        description="the kinds whose units are the territory's places (communes and wards)",
    )

    @model_validator(mode="after")
    def _declared(self) -> UnitKinds:
        codes = [k.code for k in self.kinds]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"kind {twice[0]!r} is declared twice")
        named = [k for r in self.rankings for k in r.kinds] + list(self.local)
        unknown = sorted(set(named) - set(codes))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}: declare it under `kinds`")
        ranked = [k for r in self.rankings for k in r.kinds]
        again = sorted({k for k in ranked if ranked.count(k) > 1})
        if again:
            raise ValueError(f"kind {again[0]!r} is in two rankings")
        return self

    @property
    def codes(self) -> list[str]:
        return [k.code for k in self.kinds]

    def kind(self, code: str) -> UnitKind | None:
        return next((k for k in self.kinds if k.code == code), None)

    def ranking_of(self, kind: str) -> Ranking | None:
        """The ranking a unit of `kind` is ranked in, if any."""
        return next((r for r in self.rankings if kind in r.kinds), None)

    @classmethod
    def plain(cls, codes: list[str]) -> UnitKinds:
        """Kinds named by their codes only, nothing ranked: for units that declare nothing."""
        return cls(kinds=[UnitKind(code=c, names=LocalizedText(en=c)) for c in codes])


class UnitsSource(BaseModel):
    """An organisation read from a units file (CSV or YAML), relative to the plan file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    units_file: str = Field(
        min_length=1, max_length=255, description="the units file, relative to the plan file"
    )
