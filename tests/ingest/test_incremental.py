"""Incremental recompute agrees with a full recompute, on random batches (property test)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxplan.domain.period import Period, PeriodKind
from dxplan.engine.compute import Engine
from dxplan.ingest.service import import_files, operational_store
from dxplan.settings import Settings
from dxplan.store import values as value_store
from dxplan.workspace import Workspace
from tests.ingest.conftest import HEADER

CANTHO_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the shipped plan's time zone

START = datetime(2025, 5, 1, 7, 0)


@st.composite
def dossier(draw):
    received = START + timedelta(hours=draw(st.integers(0, 24 * 120)))
    status = draw(st.sampled_from(["processing", "finished", "withdrawn"]))
    finished = (
        received + timedelta(hours=draw(st.integers(0, 24 * 60))) if status == "finished" else None
    )
    due = received + timedelta(hours=draw(st.integers(0, 24 * 30))) if draw(st.booleans()) else None
    updated = (
        datetime(2025, 5, 1) + timedelta(days=draw(st.integers(0, 150)))
        if draw(st.booleans())
        else None
    )
    fee = draw(st.booleans())
    paid = fee and draw(st.booleans())

    def ts(value):
        return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")

    return ",".join(
        [
            draw(st.sampled_from("ABCDEFGH")),
            "1.000001",
            draw(st.sampled_from(["31135", "31120", "92-SXD", "92"])),
            draw(st.sampled_from(["online", "direct", "postal"])),
            ts(received),
            ts(due),
            ts(finished),
            status,
            str(fee).lower(),
            str(paid).lower(),
            str(draw(st.booleans())).lower(),
            str(draw(st.booleans())).lower(),
            ts(updated),
        ]
    )


def _stored(workspace):
    with workspace.engine.connect() as conn:
        return {v.key: v.value for v in value_store.latest(conn) if v.source == "engine"}


def _full(workspace):
    store = operational_store(workspace)
    con, _ = store.connect()
    try:
        engine = Engine(con, workspace.plan(), workspace.organisation())
        today = Period.of(PeriodKind.MONTH, datetime.now(CANTHO_TZ), zone=CANTHO_TZ)
        result = engine.full(engine.month_grid(today))
        return {
            (row["measure"], row["unit_code"], Period.parse(row["period"])): row["value"]
            for row in result.values.to_pylist()
        }
    finally:
        con.close()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(dossier(), min_size=1, max_size=10), min_size=1, max_size=4))
def test_incremental_and_full_recompute_agree(tmp_path_factory, batches):
    folder = tmp_path_factory.mktemp("incremental")
    with Workspace(Settings(data_dir=folder / "data")) as workspace:
        workspace.initialise()
        for number, rows in enumerate(batches):
            path = folder / f"batch-{number}.csv"
            path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
            import_files(workspace, "dossiers", [path])
        incremental, full = _stored(workspace), _full(workspace)
    for key in incremental.keys() | full.keys():
        assert incremental.get(key, 0) == full.get(key, 0), key
    assert date(2025, 5, 1)  # the batches stay in 2025: later imports are incremental
