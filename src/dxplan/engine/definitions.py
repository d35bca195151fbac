"""The measure definitions, written once as portable SQL over the operational tables.

They read `dossiers` (epoch-microsecond instants and local month keys, see
`operational/dossiers.py`), `procedures` (the latest catalog), `months` (the month
grid with each month's end instant and last day) and, for an incremental recompute,
`cells` (the (unit_code, month) pairs to recompute). The SQL uses only joins, CASE and
SUM, so SQLGlot transpiles it to Spark SQL unchanged in meaning (see `engines.py`).
Every definition follows `docs/operational-data.md` (the feeds contract) line by line.
Which measures exist, and how they aggregate, is the registry's (`domain/computed.py`);
here is only how each is counted.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from dxplan.domain.computed import COMPUTED
from dxplan.domain.measure import SourceKind


class Stage(StrEnum):
    """The moment a dossier measure counts a dossier at, and the query part that does."""

    RECEIVED = "received"  # in the month it was received
    FINISHED = "finished"  # in the month it was finished
    OVERDUE = "overdue"  # at each month end while it is open and past its deadline


# How each registered measure is counted: its stage and an aggregate over dossiers.
DOSSIER_SQL: Final[dict[str, tuple[Stage, str]]] = {
    "dossiers_received": (Stage.RECEIVED, "COUNT(*)"),
    "dossiers_online": (Stage.RECEIVED, "SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END)"),
    "dossiers_input_digitized": (
        Stage.RECEIVED,
        "SUM(CASE WHEN input_digitized THEN 1 ELSE 0 END)",
    ),
    "dossiers_fee": (Stage.RECEIVED, "SUM(CASE WHEN fee_required THEN 1 ELSE 0 END)"),
    "dossiers_paid_online": (
        Stage.RECEIVED,
        "SUM(CASE WHEN fee_required AND paid_online THEN 1 ELSE 0 END)",
    ),
    "dossiers_finished": (Stage.FINISHED, "COUNT(*)"),
    "dossiers_finished_with_due": (
        Stage.FINISHED,
        "SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END)",
    ),
    "dossiers_finished_on_time": (
        Stage.FINISHED,
        "SUM(CASE WHEN due_at IS NOT NULL AND finished_at <= due_at THEN 1 ELSE 0 END)",
    ),
    "dossiers_result_digitized": (
        Stage.FINISHED,
        "SUM(CASE WHEN result_digitized THEN 1 ELSE 0 END)",
    ),
    "dossiers_overdue_open": (Stage.OVERDUE, "COUNT(*)"),
}

# Over the procedures in force on a month's last day (`p`), per responsible agency.
CATALOG_SQL: Final[dict[str, str]] = {
    "procedures_in_force": "COUNT(*)",
    "procedures_online": "SUM(CASE WHEN p.online_level IN ('full', 'partial') THEN 1 ELSE 0 END)",
    "procedures_on_portal": "SUM(CASE WHEN p.on_national_portal THEN 1 ELSE 0 END)",
    "procedures_with_fee": "SUM(CASE WHEN p.has_fee THEN 1 ELSE 0 END)",
    "procedures_fee_online_payment": (
        "SUM(CASE WHEN p.has_fee AND p.online_payment THEN 1 ELSE 0 END)"
    ),
}

# The registry says which measures exist; a registered one without SQL fails here.
DOSSIER_MEASURES: Final = COMPUTED.codes(SourceKind.DOSSIERS)
CATALOG_MEASURES: Final = COMPUTED.codes(SourceKind.CATALOG)
_STAGES: Final = {code: DOSSIER_SQL[code][0] for code in DOSSIER_MEASURES}
_CATALOG: Final = {code: CATALOG_SQL[code] for code in CATALOG_MEASURES}


def _aggregates(stage: Stage) -> str:
    return ",\n            ".join(
        f"{DOSSIER_SQL[code][1]} AS {code}" for code, at in _STAGES.items() if at is stage
    )


# `withdrawn` dossiers count nowhere. Only the columns the measures read: a wider row
# costs memory at every step of the query (measured: 5.3 s -> 1.2 s at 10M rows).
_LIVE = (
    "SELECT unit_code, channel, received_at, due_at, finished_at, status, fee_required, "
    "paid_online, input_digitized, result_digitized, received_month, finished_month "
    "FROM {source} WHERE status <> 'withdrawn'"
)
# Only a dossier with a deadline that is still open, or was finished after it, can ever
# be overdue and open at a month end: the others need not meet the month grid.
_CAN_BE_OVERDUE = "due_at IS NOT NULL AND (status = 'processing' OR finished_at > due_at)"


_ALIAS: Final = {Stage.RECEIVED: "r", Stage.FINISHED: "f", Stage.OVERDUE: "o"}


def _coalesced() -> str:
    return ",\n        ".join(
        f"COALESCE({_ALIAS[stage]}.{code}, 0) AS {code}" for code, stage in _STAGES.items()
    )


def dossier_measures_sql(*, incremental: bool, source: str = "dossiers") -> str:
    """Own monthly dossier measures per (unit_code, month) on the month grid.

    With `incremental`, only the cells listed in `cells` are computed (and each of them
    is returned, with zeros where nothing is left). `source` names the table of dossiers
    (every measure is a sum over dossiers, so it also gives the share of a few).
    """
    live = _LIVE.format(source=source) + (
        " AND unit_code IN (SELECT DISTINCT unit_code FROM cells)" if incremental else ""
    )
    grid = (
        "SELECT unit_code, month FROM cells"
        if incremental
        else "SELECT unit_code, received_month AS month FROM live "
        "UNION SELECT unit_code, finished_month FROM live WHERE status = 'finished' "
        "UNION SELECT unit_code, month FROM overdue"
    )
    return f"""
    WITH live AS ({live}),
    received AS (
        SELECT unit_code, received_month AS month,
            {_aggregates(Stage.RECEIVED)}
        FROM live
        GROUP BY unit_code, received_month
    ),
    finished AS (
        SELECT unit_code, finished_month AS month,
            {_aggregates(Stage.FINISHED)}
        FROM live
        WHERE status = 'finished'
        GROUP BY unit_code, finished_month
    ),
    overdue AS (
        -- at the end of m (the first instant of the next month): received by then, not
        -- finished by then, and due before then
        SELECT d.unit_code, m.month,
            {_aggregates(Stage.OVERDUE)}
        FROM (SELECT * FROM live WHERE {_CAN_BE_OVERDUE}) d JOIN months m
          ON d.received_at <= m.end_at
         AND d.due_at < m.end_at
         AND (d.status = 'processing' OR d.finished_at > m.end_at)
        GROUP BY d.unit_code, m.month
    ),
    grid AS ({grid})
    SELECT g.unit_code, g.month,
        {_coalesced()}
    FROM grid g
    LEFT JOIN received r ON r.unit_code = g.unit_code AND r.month = g.month
    LEFT JOIN finished f ON f.unit_code = g.unit_code AND f.month = g.month
    LEFT JOIN overdue o ON o.unit_code = g.unit_code AND o.month = g.month
    WHERE g.month IN (SELECT month FROM months)
    """


CATALOG_MEASURES_SQL: Final = f"""
    -- for each month, the procedures in force on its last day, per responsible agency
    SELECT p.agency_code AS unit_code, m.month,
        {", ".join(f"{expression} AS {code}" for code, expression in _CATALOG.items())}
    FROM procedures p JOIN months m
      ON (p.valid_from IS NULL OR p.valid_from <= m.last_day)
     AND (p.valid_to IS NULL OR p.valid_to >= m.last_day)
    GROUP BY p.agency_code, m.month
"""
