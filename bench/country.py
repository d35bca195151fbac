"""The whole country's dossiers at scale (issue 13): generated into the store, then computed.

    .venv/bin/python bench/country.py generate --size 200000000 --out /work/bench-data/country
    DXPLAN_DUCKDB_MEMORY_LIMIT=3GB .venv/bin/python bench/country.py run \
        --work /work/bench-data/country/n200000000 [--repeat 1]

`generate` makes a workspace in `OUT/nSIZE/store` on a bench plan (`country_plan`: the
national plan, `organisation: VN`, whose dossier indicators are counted from dossiers
as in the Can Tho plan) and writes SIZE dossiers (half a year, 2024 and 2025) of the
country's 34 provinces and 3,321 communes and wards straight into its operational
store: one Parquet file a month and a manifest, through the store's own `Writer` (the
layout stays the store's), each month one DuckDB query (range() and hash-based
draws), as an import of the same rows would have stored them. Importing 200 million
rows through `import_files` would take hours; the import is measured elsewhere.

The shapes follow the demo generator (`dxplan.demo`): its daily volumes (weekdays,
holidays, Tết), units drawn with a size and a digital maturity (wards larger and more
mature), the online share, digitisation and online payment rising month by month and
with maturity, deadlines in business days, most dossiers finished on time, a backlog
of forgotten ones, 1% withdrawn, the latest still processing at the cut-off.
Commune-level procedures are received by communes and wards, province-level ones by
the province itself (the agencies of a province are not in the national list except
for Can Tho's).

`run` runs `bench/engine.py`'s steps `floor`, `engine-full` and `compute` on that
workspace, each in a process of its own (peak RSS), alternating, and compares their
cells (unit, month, ten measures).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray
from ruamel.yaml import YAML

from dxplan.demo.dossiers import DAY, HOUR, trend_month, working_calendar, year_counts
from dxplan.domain.organisation import Organisation
from dxplan.operational.dossiers import STORED, sql_path
from dxplan.operational.snapshot import Manifest, Snapshots
from dxplan.plans import DEFAULT_PLAN
from dxplan.settings import Settings
from dxplan.units import COUNTRY_CODE
from dxplan.workspace import Workspace

PLANS: Final = DEFAULT_PLAN.parent
YEARS: Final = (2024, 2025)
PROCEDURES: Final = 2_000
SLOTS: Final = 4_096  # popularity-weighted draw of a procedure: one hash into these slots
COMMUNE_SHARE: Final = 0.6  # dossiers of commune-level procedures (as the demo)
_UTC_OFFSET: Final = 7 * HOUR  # Asia/Ho_Chi_Minh, no daylight saving
_SEED, _UNITS, _CATALOG, _CALENDAR, _SPLIT = 2025, 1, 2, 3, 4  # random stream names


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


# -- the bench plan ------------------------------------------------------------------------


def country_plan(path: Path) -> Path:
    """Write the bench plan: the national plan with its dossier indicators from dossiers.

    GOV-03, GOV-06 and GOV-07 take the Can Tho plan's numerator and denominator (the
    dossier measures) instead of the figures the provinces send; GOV-10 and GOV-11 are
    added; the ten dossier measures replace the six received ones they stood for. The
    shipped national plan is left as it is (`dxplan demo --plan national` unchanged).
    """
    yaml = YAML()
    national = yaml.load((PLANS / "national-2025.yaml").read_text(encoding="utf-8"))
    cantho = yaml.load((PLANS / "cantho-2025.yaml").read_text(encoding="utf-8"))
    from_dossiers = {i["code"]: i for i in cantho["indicators"] if i["source"] == "dossiers"}
    replaced: set[str] = set()
    for indicator in national["indicators"]:
        own = from_dossiers.pop(indicator["code"], None)
        if own is not None:
            replaced |= {indicator["numerator"], indicator["denominator"]}
            for key in ("numerator", "denominator", "source"):
                indicator[key] = own[key]
    for indicator in from_dossiers.values():  # GOV-10, GOV-11: monitored, led nationally
        indicator["lead_agency"] = COUNTRY_CODE
        national["indicators"].append(indicator)
    measures = [m for m in national["measures"] if m["code"] not in replaced]
    measures += [m for m in cantho["measures"] if m["source"] == "dossiers"]
    national["measures"] = measures
    national["code"] = "national-dx-2025-dossiers"
    out = io.StringIO()
    yaml.dump(national, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# -- who receives, which procedure, which day ----------------------------------------------


@dataclass(frozen=True)
class Receivers:
    """Communes and wards, then the provinces (for province-level procedures)."""

    codes: list[str]
    province: list[str]  # the province each receiver is in (itself for a province)
    local: NDArray[np.bool_]
    maturity: NDArray[np.float64]  # 0..1
    weight: NDArray[np.float64]  # share of all dossiers, sums to 1

    def table(self) -> pa.Table:
        return pa.table(
            {
                "receiver": np.arange(len(self.codes), dtype=np.int64),
                "code": self.codes,
                "is_local": self.local,
                "m": self.maturity - 0.5,
                "slots_from": np.where(self.local, 0, SLOTS).astype(np.int64),
            }
        )


def receivers(organisation: Organisation, rng: np.random.Generator) -> Receivers:
    """Each commune and ward with a size and a maturity (wards larger and more mature, as
    the demo draws them); each province receives its province-level dossiers, in
    proportion to the size of its communes and wards."""
    local = organisation.local()
    provinces = [u for u in organisation if u.parent == COUNTRY_CODE]
    index = {p.code: i for i, p in enumerate(provinces)}
    ward = np.array([u.kind == "ward" for u in local])
    size = np.where(ward, rng.lognormal(0.6, 0.4, len(local)), rng.lognormal(0.0, 0.45, len(local)))
    of = np.array([index[str(u.parent)] for u in local])
    province_size = np.bincount(of, weights=size, minlength=len(provinces))
    weight = np.concatenate(
        [
            COMMUNE_SHARE * size / size.sum(),
            (1 - COMMUNE_SHARE) * province_size / province_size.sum(),
        ]
    )
    maturity = np.concatenate(
        [
            np.where(ward, rng.beta(7.0, 3.0, len(local)), rng.beta(2.5, 3.5, len(local))),
            rng.beta(6.0, 3.0, len(provinces)),
        ]
    )
    return Receivers(
        codes=[u.code for u in (*local, *provinces)],
        province=[str(u.parent) for u in local] + [p.code for p in provinces],
        local=np.concatenate([np.ones(len(local), bool), np.zeros(len(provinces), bool)]),
        maturity=maturity,
        weight=weight / weight.sum(),
    )


def procedures(rng: np.random.Generator, count: int = PROCEDURES) -> tuple[pa.Table, pa.Table]:
    """A national catalog's shape (codes, level, online level, fee, deadline in business
    days, -1 for none) and its popularity as `SLOTS` slots per level."""
    commune = rng.random(count) < 0.3
    online = rng.choice([1.0, 0.9, 0.0], size=count, p=[0.5, 0.35, 0.15])  # full, partial, none
    has_fee = rng.random(count) < 0.4
    due = rng.choice([-1, 0, 1, 2, 3, 5, 7, 10, 15, 20, 30], size=count)
    catalog = pa.table(
        {
            "procedure": np.arange(count, dtype=np.int64),
            "procedure_code": [f"1.{1000 + i:06d}" for i in range(count)],
            "online_factor": online,
            "has_fee": has_fee,
            "online_payment": has_fee & (rng.random(count) < 0.7),
            "due_days": due.astype(np.int64),
        }
    )
    popularity = rng.pareto(1.2, count) + 0.05
    chosen = []  # slots 0.. of commune-level procedures, then SLOTS.. of province-level
    for level in (True, False):
        pool = np.flatnonzero(commune == level)
        weight = popularity[pool] / popularity[pool].sum()
        edges = np.searchsorted(np.cumsum(weight), (np.arange(SLOTS) + 0.5) / SLOTS)
        chosen.append(pool[np.minimum(edges, len(pool) - 1)])
    slots = np.concatenate(chosen).astype(np.int64)
    return catalog, pa.table({"slot": np.arange(len(slots), dtype=np.int64), "procedure": slots})


def business_days() -> tuple[pa.Table, pa.Table]:
    """`days`: each day of 2024–2031 with its label, month key, whether it is a business
    day and the index of the first business day on or after it; `bdays`: index -> day."""
    first, last = np.datetime64("2024-01-01"), np.datetime64("2032-01-01")
    dates = np.arange(first, last)
    open_ = np.is_busday(dates, busdaycal=working_calendar(range(2024, 2033)))
    index = np.cumsum(open_) - open_  # business days before each day
    days = pa.table(
        {
            "day": dates.astype(np.int64),
            "label": [f"{d.item():%y%m%d}" for d in dates],
            "month_key": [d.item().year * 100 + d.item().month for d in dates],
            "is_open": open_,
            "next_open": index.astype(np.int64),
        }
    )
    bdays = pa.table(
        {"idx": np.arange(int(open_.sum()), dtype=np.int64), "day": dates[open_].astype(np.int64)}
    )
    return days, bdays


def cells(who: Receivers, size: int, seed: int = _SEED) -> Iterator[tuple[int, int, pa.Table]]:
    """(year, month, table of receiver, day, n, first_seq) for every month of `YEARS`:
    the demo's daily volumes split over the receivers by their weight."""
    seq = 0
    for number, year in enumerate(YEARS):
        total = size // len(YEARS) + (1 if number < size % len(YEARS) else 0)
        days, counts = year_counts(year, total, _stream(seed, _CALENDAR, year))
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
        rng = _stream(seed, _SPLIT, year)
        split = np.stack([rng.multinomial(int(c), who.weight) for c in counts])  # day × receiver
        for month in range(1, 13):
            in_month = np.flatnonzero(months == month)
            day_i, receiver = np.nonzero(split[in_month])
            n = split[in_month][day_i, receiver]
            starts = seq + np.cumsum(n) - n
            seq += int(n.sum())
            yield (
                year,
                month,
                pa.table(
                    {
                        "receiver": receiver.astype(np.int64),
                        "day": days[in_month][day_i].astype(np.int64),
                        "n": n.astype(np.int64),
                        "first_seq": starts.astype(np.int64),
                    }
                ),
            )


# -- one month's dossiers, in SQL ----------------------------------------------------------


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def month_sql(year: int, month: int, seed: int, as_of: int) -> str:
    """The stored rows of the dossiers of `cells` (one month), as the store keeps them.

    `u(seq, i)` is the i-th uniform draw of dossier `seq`; instants are computed as local
    microseconds (the zone has no daylight saving) and stored as UTC epoch microseconds.
    """
    t = trend_month(year, month)
    end_local = as_of

    def u(i: int) -> str:
        return f"((hash(seq, {i}, {seed}) >> 11)::DOUBLE / 9007199254740992.0)"

    def logistic(x: str) -> str:
        return f"(1.0 / (1.0 + exp(-({x}))))"

    office = (
        "(CASE WHEN {a} < 0.55 THEN 27000 + floor({b} * 14400) "
        "ELSE 48600 + floor({b} * 12600) END)::BIGINT"
    )
    return f"""
    WITH rows AS (
        SELECT c.receiver, c.day, r.k, c.first_seq + r.k AS seq
        FROM cells c, range(c.n) r(k)
    ),
    arrived AS (
        SELECT rows.*, w.code AS unit_code, w.m, w.is_local, p.procedure_code, p.has_fee,
            p.online_payment, p.due_days, p.online_factor,
            {logistic(f"-0.38 + 0.145 * {t} + 4.0 * w.m")} * p.online_factor AS share,
            {u(1)} AS channel_draw, d.label, d.month_key, d.is_open, d.next_open
        FROM rows
        JOIN receivers w USING (receiver)
        JOIN slots s ON s.slot = w.slots_from + (hash(rows.seq, 0, {seed}) % {SLOTS})::BIGINT
        JOIN catalog p ON p.procedure = s.procedure
        JOIN days d ON d.day = rows.day
    ),
    channelled AS (
        SELECT *,
            CASE WHEN channel_draw < share THEN 'online'
                 WHEN channel_draw < share + (1 - share) * 0.04 THEN 'postal'
                 ELSE 'direct' END AS channel
        FROM arrived
    ),
    timed AS (
        SELECT *,
            CASE WHEN channel = 'online' AND {u(2)} < 0.3 THEN 21600 + floor({u(3)} * 61200)::BIGINT
                 ELSE {office.format(a=u(4), b=u(3))} END AS seconds
        FROM channelled
    ),
    started AS (
        SELECT *, day * {DAY} + seconds * 1000000 AS received,
            next_open + CASE WHEN is_open AND seconds >= 61200 THEN 1 ELSE 0 END AS start_idx,
            due_days >= 0 AS has_due,
            {u(5)} < {logistic(f"{_logit(0.93)} + 0.02 * {t} + 1.5 * m")} AND {u(6)} >= 0.004
                AS on_time
        FROM timed
    ),
    planned AS (
        SELECT s.*, due.day AS due_day,
            CASE WHEN NOT on_time AND {u(7)} < 0.05 THEN 40 + floor({u(8)} * 240)::BIGINT
                 ELSE 0 END AS delay
        FROM started s
        JOIN bdays due ON due.idx = s.start_idx + greatest(s.due_days, 0)
    ),
    finishing AS (
        SELECT p.*, fin.day AS finish_day FROM (
            SELECT *, least(CASE
                WHEN has_due AND on_time
                    THEN start_idx + floor(sqrt({u(9)}) * (due_days + 1))::BIGINT
                WHEN has_due
                    THEN start_idx + due_days
                         + floor(ln(1 - {u(10)}) / ln(0.85))::BIGINT + 1 + delay
                ELSE start_idx + floor(ln(1 - {u(10)}) / ln(0.92))::BIGINT + delay
            END, (SELECT max(idx) FROM bdays)) AS finish_idx
            FROM planned
        ) p JOIN bdays fin ON fin.idx = p.finish_idx
    ),
    done AS (
        SELECT *,
            CASE WHEN has_due AND on_time THEN least(finish, due) ELSE finish END AS finished,
            {u(14)} < 0.01 AS withdrawn
        FROM (
            SELECT *, due_day * {DAY} + {17 * HOUR} AS due,
                greatest(
                    finish_day * {DAY} + {office.format(a=u(11), b=u(12))} * 1000000,
                    received + (300 + floor(-ln(1 - {u(13)}) * 1800))::BIGINT * 1000000
                ) AS finish
            FROM finishing
        )
    ),
    stood AS (
        SELECT *, NOT withdrawn AND finished < {end_local} AS is_finished,
            0.08 * {t} + 3.0 * m AS lift
        FROM done
    )
    SELECT
        unit_code || '-' || label || '-' || lpad(CAST(k + 1 AS VARCHAR), 6, '0') AS dossier_id,
        procedure_code, unit_code, channel,
        received - {_UTC_OFFSET} AS received_at,
        CASE WHEN has_due THEN due - {_UTC_OFFSET} END AS due_at,
        CASE WHEN is_finished THEN finished - {_UTC_OFFSET} END AS finished_at,
        CASE WHEN withdrawn THEN 'withdrawn' WHEN is_finished THEN 'finished'
             ELSE 'processing' END AS status,
        has_fee AND {u(16)} >= 0.08 AS fee_required,
        has_fee AND {u(16)} >= 0.08 AND online_payment AND {u(17)} < CASE
            WHEN channel = 'online' THEN {logistic(f"{_logit(0.35)} + lift")} ELSE 0.05 END
            AS paid_online,
        {u(18)} < CASE WHEN channel = 'online' THEN 0.98
            ELSE {logistic(f"{_logit(0.35)} + 0.09 * {t} + 3.0 * m")} END AS input_digitized,
        is_finished AND {u(19)} < {
        logistic(f"{_logit(0.55)} + lift + CASE WHEN channel = 'online' THEN 0.7 ELSE 0 END")
    } AS result_digitized,
        CASE WHEN is_finished THEN least(finished + floor({u(15)} * {2 * HOUR})::BIGINT,
                                        {end_local - 1})
             ELSE received + floor(least({end_local - 1} - received, {30 * DAY}) * {u(15)})::BIGINT
        END - {_UTC_OFFSET} AS updated_at,
        1::INTEGER AS import_no, seq,
        month_key::INTEGER AS received_month,
        CASE WHEN is_finished THEN (year(make_timestamp(finished))
            * 100 + month(make_timestamp(finished)))::INTEGER END AS finished_month
    FROM stood
    """


# -- generate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """What `generate` wrote: rows per receiving unit code, the manifest, the seconds."""

    rows: dict[str, int]
    manifest: Manifest
    seconds: float


def workspace_settings(data_dir: Path, plan_file: Path | None = None) -> Settings:
    if plan_file is None:
        return Settings(data_dir=data_dir)
    return Settings(data_dir=data_dir, plan_file=plan_file)


def generate(
    data_dir: Path,
    size: int,
    *,
    seed: int = _SEED,
    memory_limit: str = "2GB",
    progress: bool = False,
) -> Generated:
    """Initialise a workspace on the bench plan in `data_dir` and write `size` dossiers
    into its (empty) operational store as one snapshot."""
    if size < 0:
        raise ValueError("size must be ≥ 0")
    plan_file = country_plan(data_dir / "country-plan.yaml")
    with Workspace(workspace_settings(data_dir, plan_file)) as workspace:
        workspace.initialise()
        organisation = workspace.organisation()
    assert organisation is not None
    who = receivers(organisation, _stream(seed, _UNITS))
    catalog, slots = procedures(_stream(seed, _CATALOG))
    days, bdays = business_days()
    as_of = (date(YEARS[-1] + 1, 1, 1).toordinal() - date(1970, 1, 1).toordinal()) * DAY

    started = time.perf_counter()
    snapshots = Snapshots(data_dir / "operational")
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = {sql_path(data_dir / 'tmp' / 'generate')}")
    con.execute("SET preserve_insertion_order = false")
    for name, table in (
        ("receivers", who.table()), ("catalog", catalog), ("slots", slots),
        ("days", days), ("bdays", bdays),
    ):  # fmt: skip
        con.register(name, table)
    rows = np.zeros(len(who.codes), dtype=np.int64)
    with snapshots.writer() as writer:
        if writer.base.dossiers:
            raise SystemExit(f"{snapshots.root} already holds dossiers: generate into a new folder")
        files: dict[str, str] = {}
        for year, month, month_cells in cells(who, size, seed):
            np.add.at(
                rows,
                month_cells.column("receiver").to_numpy(),
                month_cells.column("n").to_numpy(),
            )
            if month_cells.num_rows == 0:
                continue
            key = f"{year}{month:02d}"
            relative, path = writer.new_file("dossiers", key)
            con.register("cells", month_cells)
            con.execute(
                f"COPY (SELECT {STORED} FROM ({month_sql(year, month, seed, as_of)})) "
                f"TO {sql_path(path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
            )
            files[key] = relative
            if progress:
                print(
                    f"  {key}: {int(month_cells.column('n').to_numpy().sum()):>11,} dossiers "
                    f"({time.perf_counter() - started:6.0f} s)",
                    flush=True,
                )
        manifest = writer.commit(Manifest(imports=1, dossiers=files, dossier_count=int(rows.sum())))
    con.close()
    return Generated(
        {code: int(n) for code, n in zip(who.codes, rows, strict=True) if n},
        manifest,
        time.perf_counter() - started,
    )


# -- run: the engine benchmark's steps on the country's store ------------------------------


def _engine_bench() -> Any:
    sys.path.insert(0, str(Path(__file__).parent))
    import engine  # bench/engine.py: its steps, run in processes of their own

    return engine


STEPS: Final = ("floor", "engine-full", "compute")  # bench/engine.py's
_CELLS: Final = {"floor": "floor", "engine-full": "engine", "compute": "compute"}


def run(
    work: Path,
    size: int,
    repeat: int,
    steps: tuple[str, ...] = STEPS,
    *,
    side_by_side: bool = False,
) -> dict[str, Any]:
    """Run `steps` in alternation, `repeat` rounds; their best times, peak RSS, cells.

    `side_by_side` starts a round's steps at once, each in its process: the same load
    hits them all (when a run is too long to alternate on a busy machine).
    """
    engine = _engine_bench()
    results: dict[str, dict[str, Any]] = {}
    for number in range(repeat):
        with ThreadPoolExecutor(len(steps) if side_by_side else 1) as pool:
            done = [
                (name, pool.submit(engine.run_step, name, work, size, number, repeat, False))
                for name in steps
            ]
        for name, future in done:
            result = future.result()
            kept = results.setdefault(name, {"times": [], "rss_mib": 0.0, "cells": None})
            kept["times"].append(result["time"])
            kept["rss_mib"] = max(kept["rss_mib"], result.get("rss_mib", 0.0))
            kept["cells"] = result.get("cells")
    tables = {n: pq.read_table(work / f"cells-{_CELLS[n]}.parquet") for n in steps}
    floor = tables["floor"]
    equal = {n: t.equals(floor) for n, t in tables.items()}
    totals = {m: int(pa.compute.sum(floor[m]).as_py() or 0) for m in engine.MEASURES}
    floor_best = min(results["floor"]["times"])
    summary = {
        "size": size,
        "memory_limit": os.environ.get("DXPLAN_DUCKDB_MEMORY_LIMIT", "(default)"),
        "side_by_side": side_by_side,
        "results": results,
        "ratios": {n: min(r["times"]) / floor_best for n, r in results.items()},
        "cells_equal": equal,
        "unit_months": floor.num_rows,
        "totals": totals,
    }
    (work / "country-results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write SIZE dossiers into OUT/nSIZE/store")
    make.add_argument("--size", type=int, required=True)
    make.add_argument("--out", type=Path, required=True)
    make.add_argument("--memory-limit", default="2GB", help="DuckDB's, while generating")
    bench = commands.add_parser("run", help="floor, Engine.full and compute(full=True)")
    bench.add_argument("--work", type=Path, required=True, help="OUT/nSIZE of `generate`")
    bench.add_argument("--repeat", type=int, default=1)
    bench.add_argument(
        "--side-by-side", action="store_true", help="start each round's steps at once"
    )
    bench.add_argument(
        "--steps", default=",".join(STEPS), help=f"some of {', '.join(STEPS)}, the floor first"
    )
    args = parser.parse_args()

    if args.command == "generate":
        work = args.out / f"n{args.size}"
        made = generate(work / "store", args.size, memory_limit=args.memory_limit, progress=True)
        stored = sum(
            (work / "store" / "operational" / f).stat().st_size for f in made.manifest.files()
        )
        print(
            f"{made.manifest.dossier_count:,} dossiers of {len(made.rows):,} units in "
            f"{len(made.manifest.dossiers)} files ({stored / 2**30:.1f} GiB) "
            f"in {made.seconds:.0f} s"
        )
        return
    manifest = Snapshots(args.work / "store" / "operational").current()
    steps = tuple(args.steps.split(","))
    if steps[0] != "floor" or not set(steps) <= set(STEPS):
        raise SystemExit(f"--steps: the floor first, then some of {', '.join(STEPS)}")
    summary = run(
        args.work, manifest.dossier_count, args.repeat, steps, side_by_side=args.side_by_side
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=1))
    for name, result in summary["results"].items():
        print(
            f"{name:<12} best {min(result['times']):8.2f} s  {summary['ratios'][name]:.2f}× floor"
            f"  peak RSS {result['rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
