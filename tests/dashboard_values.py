"""Figures for the dashboard tests, with statuses a person can check by hand.

As of 2025-11-08 (October is the last month that ended), for the year 2025:
- GOV-01 (a stock): 100 procedures in force, 50 online in January rising by 2 a month
  to 68 in October: projected 72 at December (an exact line): off_track, 16 points a
  month still needed. Its two agencies add up to the city: the Department of
  Construction 92-SXD (60 in force, 40 + month − 1 online: 49 in October) and the
  Department of Justice 92-STP (40 in force, 19 online in October). Their
  contributions to the city's gap of 100 − 68 = 32 points: 92-STP (40 − 19) / 100 ×
  100 = 21 and 92-SXD (60 − 49) / 100 × 100 = 11.
- GOV-03 (a flow): 85 of 100 dossiers online every month: 85 %, on_track for ≥ 80 %.
- GOV-10 (no target): 9 of 10 on time, monitored at 90 %.
- SOC-02 (households with fibre, reported, a stock): two wards of 1,000 households.
  Phường Cái Khế (31120) 900 every month (90 %); Phường Ninh Kiều (31135) 400 until
  September, then 700 in October: a jump of +75 %. The city: 1,300 of 2,000 until
  September, 1,600 in October (80 %); the gap of 20 points is 15 (Ninh Kiều) + 5
  (Cái Khế).
- Scores: agencies 92-SXD 49/60 = 0.817 (rank 1), 92-STP 19/40 = 0.475 (rank 2);
  wards Cái Khế 0.9 (rank 1), Ninh Kiều 0.7 (rank 2).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from dxplan.domain.period import Period
from dxplan.domain.value import MeasureValue
from dxplan.store import values as value_store
from dxplan.workspace import Workspace

AS_OF: Final = date(2025, 11, 8)
MONTHS: Final = 10  # January to October


def _months(unit: str, figures: dict[str, list[float]], source: str) -> list[MeasureValue]:
    return [
        MeasureValue(measure, unit, Period.parse(f"2025-{month:02d}"), number, source)
        for measure, numbers in figures.items()
        for month, number in enumerate(numbers, start=1)
    ]


def record_dashboard_values(workspace: Workspace) -> None:
    """Store the figures above (the workspace must be initialised)."""
    ninh_kieu = [400.0] * 9 + [700.0]
    values = (
        _months(
            "92",
            {
                "procedures_in_force": [100] * MONTHS,
                "procedures_online": [50 + 2 * i for i in range(MONTHS)],
                "dossiers_received": [100] * MONTHS,
                "dossiers_online": [85] * MONTHS,
                "dossiers_finished_with_due": [10] * MONTHS,
                "dossiers_finished_on_time": [9] * MONTHS,
            },
            "test",
        )
        + _months(
            "92-SXD",
            {
                "procedures_in_force": [60] * MONTHS,
                "procedures_online": [40 + i for i in range(10)],
            },
            "test",
        )
        + _months(
            "92-STP",
            {
                "procedures_in_force": [40] * MONTHS,
                "procedures_online": [10 + i for i in range(10)],
            },
            "test",
        )
        + _months("92", {"households": [2000] * MONTHS}, "reported")
        + _months("92", {"households_with_fibre": [900 + n for n in ninh_kieu]}, "reported")
        + _months(
            "31120",
            {"households": [1000] * MONTHS, "households_with_fibre": [900] * MONTHS},
            "reported",
        )
        + _months(
            "31135", {"households": [1000] * MONTHS, "households_with_fibre": ninh_kieu}, "reported"
        )
    )
    with workspace.engine.begin() as conn:
        value_store.record(conn, values, actor="test")
