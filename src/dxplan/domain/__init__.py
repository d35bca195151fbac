"""The pure core of dxplan: plans, indicators, targets, measures, units, periods.

Nothing here does I/O, talks to a database or knows about the web.
"""

from dxplan.domain.formula import Formula, FormulaError
from dxplan.domain.indicator import Direction, Indicator, IndicatorKind, SourceKind, Target
from dxplan.domain.measure import Measure, TimeAggregation, UnitAggregation
from dxplan.domain.names import LANGUAGES, LocalizedText
from dxplan.domain.organisation import Organisation, OrganisationError
from dxplan.domain.period import Period, PeriodKind
from dxplan.domain.plan import Pillar, Plan, Problem
from dxplan.domain.unit import Ranking, Unit, UnitKind, UnitKinds, UnitsSource

__all__ = [
    "LANGUAGES",
    "Direction",
    "Formula",
    "FormulaError",
    "Indicator",
    "IndicatorKind",
    "LocalizedText",
    "Measure",
    "Organisation",
    "OrganisationError",
    "Period",
    "PeriodKind",
    "Pillar",
    "Plan",
    "Problem",
    "Ranking",
    "SourceKind",
    "Target",
    "TimeAggregation",
    "Unit",
    "UnitAggregation",
    "UnitKind",
    "UnitKinds",
    "UnitsSource",
]
