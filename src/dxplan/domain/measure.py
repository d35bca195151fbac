"""Measures: the data elements every figure is a value of (per unit and period)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dxplan.domain.names import LocalizedText

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class SourceKind(StrEnum):
    """Where the values of a measure, or the figures of an indicator, come from."""

    CATALOG = "catalog"  # the administrative-procedure catalog
    DOSSIERS = "dossiers"  # dossier records of the one-stop system
    REPORTED = "reported"  # periodic reports of units
    PLATFORM = "platform"  # dxplan's own records (reports received, focal points)
    RECEIVED = "received"  # packets the provinces send to a national dxplan (POST /packets)


class TimeAggregation(StrEnum):
    """How the value of a longer period follows from its months."""

    SUM = "sum"  # a flow: dossiers received in a quarter = sum of its months
    LAST = "last"  # a stock: households with fibre in a year = value at its end


class UnitAggregation(StrEnum):
    """How the value of a parent unit follows from the units under it."""

    SUM = "sum"  # counts add up over communes and agencies
    NONE = "none"  # only reported for the unit itself (a rank, a ratio of the city)


class Measure(BaseModel):
    """A data element: one number per unit and period, computed or reported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    names: LocalizedText
    source: SourceKind
    time_aggregation: TimeAggregation = TimeAggregation.SUM
    unit_aggregation: UnitAggregation = UnitAggregation.SUM
    unit_of_measure: LocalizedText | None = None
    description: LocalizedText | None = None
