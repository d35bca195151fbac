"""Indicator values from measure values: what the plan's figures are, per unit and period."""

from dxplan.evaluate.reading import Reading, latest_reading, readings
from dxplan.evaluate.scorecard import ScorecardLine, scorecard

__all__ = ["Reading", "ScorecardLine", "latest_reading", "readings", "scorecard"]
