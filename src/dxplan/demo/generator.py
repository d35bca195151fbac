"""Realistic, deterministic demo data: a procedure catalog and monthly dossier files.

The files follow the operational-data contract (`procedures.parquet`, and
`dossiers-YYYY-MM.parquet` for every month of `years`). Each part draws from its own
random stream, derived from the seed and the part's name (catalog, units, a year's
calendar, a month's dossiers): the same seed gives the same data, and the catalog and
the units do not change with the number of dossiers asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow.parquet as pq

from dxplan.demo.dossiers import (
    DAY,
    Receivers,
    Setting,
    month_table,
    trend_month,
    working_calendar,
    year_counts,
)
from dxplan.demo.procedures import agency_suffix, build_catalog
from dxplan.domain.organisation import Organisation
from dxplan.domain.unit import Unit

__all__ = ["DemoFiles", "generate"]

_CATALOG, _UNITS, _CALENDAR, _MONTH = range(4)  # random stream names
_CENTRE_SUFFIX = "TTHCC"  # the public administration service centre (trung tâm hành chính công)


@dataclass(frozen=True)
class DemoFiles:
    """The files written: the catalog and the dossiers, one file a month, in order."""

    procedures: Path
    dossiers: list[Path]


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


URBAN_KINDS: Final = frozenset({"ward"})  # local kinds drawn larger and more mature


def agencies_of(organisation: Organisation) -> list[Unit]:
    """The units that own procedures: under the root, not local, with no local unit below."""
    local = set(organisation.kinds.local)

    def has_local(unit: Unit) -> bool:
        return any(u.kind in local for u in organisation.descendants(unit.code))

    return [
        u for u in organisation if u.parent is not None and u.kind not in local and not has_local(u)
    ]


def _receivers(organisation: Organisation, rng: np.random.Generator) -> Receivers:
    """Receiving units with a digital maturity and a size each, drawn once.

    Wards (urban) are larger and more mature than communes; agencies are mature.
    """
    local = organisation.local()
    agencies = agencies_of(organisation)
    if not local or not agencies:
        raise ValueError("the organisation needs local units (its `local` kinds) and agencies")
    ward = np.array([unit.kind in URBAN_KINDS for unit in local])
    maturity = np.concatenate(
        [
            np.where(ward, rng.beta(7.0, 3.0, len(local)), rng.beta(2.5, 3.5, len(local))),
            rng.beta(6.0, 3.0, len(agencies)),
        ]
    )
    size = np.where(ward, rng.lognormal(0.6, 0.4, len(local)), rng.lognormal(0.0, 0.45, len(local)))
    centre = [i for i, unit in enumerate(agencies) if agency_suffix(unit.code) == _CENTRE_SUFFIX]
    return Receivers(
        codes=[unit.code for unit in (*local, *agencies)],
        maturity=maturity,
        local=np.arange(len(local), dtype=np.int64),
        local_share=size / size.sum(),
        agency=np.arange(len(local), len(local) + len(agencies), dtype=np.int64),
        centre=len(local) + centre[0] if centre else None,
    )


def generate(
    out_dir: Path,
    organisation: Organisation,
    *,
    seed: int = 2025,
    years: tuple[int, ...] = (2024, 2025),
    dossiers_per_year: int = 2_500_000,
    procedures: int = 1900,
) -> DemoFiles:
    """Write the catalog and every month's dossiers of `years` into `out_dir`.

    The dossiers stand as they would be extracted at the first instant after the last
    year: the latest ones are often still processing.
    """
    if seed < 0 or dossiers_per_year < 0 or not years:
        raise ValueError("seed and dossiers_per_year must be ≥ 0, and years not empty")
    years = tuple(sorted(set(years)))
    out_dir.mkdir(parents=True, exist_ok=True)
    agencies = agencies_of(organisation)
    catalog = build_catalog(agencies, procedures, _stream(seed, _CATALOG), years)
    catalog_path = out_dir / "procedures.parquet"
    pq.write_table(catalog.to_table(), catalog_path, compression="zstd")

    end = date(years[-1] + 1, 1, 1).toordinal() - date(1970, 1, 1).toordinal()
    setting = Setting(
        catalog=catalog,
        receivers=_receivers(organisation, _stream(seed, _UNITS)),
        calendar=working_calendar(range(years[0], years[-1] + 2)),
        as_of=end * DAY,
    )
    written = []
    for year in years:
        days, counts = year_counts(year, dossiers_per_year, _stream(seed, _CALENDAR, year))
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
        for month in range(1, 13):
            in_month = months == month
            rng = _stream(seed, _MONTH, year, month)
            table = month_table(
                setting, days[in_month], counts[in_month], trend_month(year, month), rng
            )
            path = out_dir / f"dossiers-{year}-{month:02d}.parquet"
            pq.write_table(table, path, compression="zstd")
            written.append(path)
    return DemoFiles(procedures=catalog_path, dossiers=written)
