"""The measure definitions, written once as portable SQL over the operational tables.

They read `dossiers` (epoch-microsecond instants and local month keys, see
`operational/dossiers.py`), `procedures` (the latest catalog), `months` (the month
grid with each month's end instant and last day) and, for an incremental recompute,
`cells` (the (unit_code, month) pairs to recompute). The SQL uses only joins, CASE and
SUM, so SQLGlot transpiles it to Spark SQL unchanged in meaning (see `engines.py`).
Every definition follows `docs/operational-data.md` (the feeds contract) line by line.
"""

from __future__ import annotations

from typing import Final

DOSSIER_MEASURES: Final = (
    "dossiers_received",
    "dossiers_online",
    "dossiers_input_digitized",
    "dossiers_fee",
    "dossiers_paid_online",
    "dossiers_finished",
    "dossiers_finished_with_due",
    "dossiers_finished_on_time",
    "dossiers_result_digitized",
    "dossiers_overdue_open",
)

CATALOG_MEASURES: Final = (
    "procedures_in_force",
    "procedures_online",
    "procedures_on_portal",
    "procedures_with_fee",
    "procedures_fee_online_payment",
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
            COUNT(*) AS dossiers_received,
            SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END) AS dossiers_online,
            SUM(CASE WHEN input_digitized THEN 1 ELSE 0 END) AS dossiers_input_digitized,
            SUM(CASE WHEN fee_required THEN 1 ELSE 0 END) AS dossiers_fee,
            SUM(CASE WHEN fee_required AND paid_online THEN 1 ELSE 0 END)
                AS dossiers_paid_online
        FROM live
        GROUP BY unit_code, received_month
    ),
    finished AS (
        SELECT unit_code, finished_month AS month,
            COUNT(*) AS dossiers_finished,
            SUM(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END) AS dossiers_finished_with_due,
            SUM(CASE WHEN due_at IS NOT NULL AND finished_at <= due_at THEN 1 ELSE 0 END)
                AS dossiers_finished_on_time,
            SUM(CASE WHEN result_digitized THEN 1 ELSE 0 END) AS dossiers_result_digitized
        FROM live
        WHERE status = 'finished'
        GROUP BY unit_code, finished_month
    ),
    overdue AS (
        -- at the end of m (the first instant of the next month): received by then, not
        -- finished by then, and due before then
        SELECT d.unit_code, m.month, COUNT(*) AS dossiers_overdue_open
        FROM (SELECT * FROM live WHERE {_CAN_BE_OVERDUE}) d JOIN months m
          ON d.received_at <= m.end_at
         AND d.due_at < m.end_at
         AND (d.status = 'processing' OR d.finished_at > m.end_at)
        GROUP BY d.unit_code, m.month
    ),
    grid AS ({grid})
    SELECT g.unit_code, g.month,
        COALESCE(r.dossiers_received, 0) AS dossiers_received,
        COALESCE(r.dossiers_online, 0) AS dossiers_online,
        COALESCE(r.dossiers_input_digitized, 0) AS dossiers_input_digitized,
        COALESCE(r.dossiers_fee, 0) AS dossiers_fee,
        COALESCE(r.dossiers_paid_online, 0) AS dossiers_paid_online,
        COALESCE(f.dossiers_finished, 0) AS dossiers_finished,
        COALESCE(f.dossiers_finished_with_due, 0) AS dossiers_finished_with_due,
        COALESCE(f.dossiers_finished_on_time, 0) AS dossiers_finished_on_time,
        COALESCE(f.dossiers_result_digitized, 0) AS dossiers_result_digitized,
        COALESCE(o.dossiers_overdue_open, 0) AS dossiers_overdue_open
    FROM grid g
    LEFT JOIN received r ON r.unit_code = g.unit_code AND r.month = g.month
    LEFT JOIN finished f ON f.unit_code = g.unit_code AND f.month = g.month
    LEFT JOIN overdue o ON o.unit_code = g.unit_code AND o.month = g.month
    WHERE g.month IN (SELECT month FROM months)
    """


CATALOG_MEASURES_SQL: Final = """
    -- for each month, the procedures in force on its last day, per responsible agency
    SELECT p.agency_code AS unit_code, m.month,
        COUNT(*) AS procedures_in_force,
        SUM(CASE WHEN p.online_level IN ('full', 'partial') THEN 1 ELSE 0 END)
            AS procedures_online,
        SUM(CASE WHEN p.on_national_portal THEN 1 ELSE 0 END) AS procedures_on_portal,
        SUM(CASE WHEN p.has_fee THEN 1 ELSE 0 END) AS procedures_with_fee,
        SUM(CASE WHEN p.has_fee AND p.online_payment THEN 1 ELSE 0 END)
            AS procedures_fee_online_payment
    FROM procedures p JOIN months m
      ON (p.valid_from IS NULL OR p.valid_from <= m.last_day)
     AND (p.valid_to IS NULL OR p.valid_to >= m.last_day)
    GROUP BY p.agency_code, m.month
"""
