"""The national organisation, the province tokens, the limiter and the mapping file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dxplan.documents import DocumentError
from dxplan.domain.organisation import Organisation
from dxplan.receiving.codes import load_receiver_mapping
from dxplan.receiving.packet import Codes, Context, check
from dxplan.store import buckets
from dxplan.units import national_organisation
from dxplan.workspace import Workspace, check_plan_file
from tests.receiver.conftest import AS_OF, GOV_03, NATIONAL_TEST_PLAN, packet


@pytest.fixture(scope="module")
def country() -> Organisation:
    return national_organisation()


def test_the_country_is_34_provinces_with_their_wards(country: Organisation) -> None:
    provinces = country.of_kind("province")
    assert len(provinces) == 34  # since 1 July 2025
    assert {p.parent for p in provinces} == {"VN"}
    assert country["92"].names.vi == "Thành phố Cần Thơ"
    assert country["1"].names.vi == "Thành phố Hà Nội"
    assert country["31135"].parent == "92"  # Phường Ninh Kiều
    assert country["92-STP"].parent == "92"  # Can Tho's agency file is shipped
    assert len(country.local()) == 3321  # the communes and wards of the official list
    assert [r.code for r in country.rankings] == ["provinces", "communes"]


def test_a_plan_declares_the_whole_country() -> None:
    checked = check_plan_file(NATIONAL_TEST_PLAN)
    assert checked.plan.organisation == "VN"
    assert len(checked.organisation.of_kind("province")) == 34


def test_a_province_token_names_a_province(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXPLAN_PLAN_FILE", str(NATIONAL_TEST_PLAN))
    assert cli("init").exit_code == 0
    made = cli(
        "tokens", "create", "--name", "can-tho", "--scope", "packets:write", "--sender", "92"
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("dxp_")
    ward = cli("tokens", "create", "--name", "w", "--scope", "packets:write", "--sender", "31135")
    assert ward.exit_code == 2 and "not a province" in ward.output
    unknown = cli("tokens", "create", "--name", "x", "--scope", "packets:write", "--sender", "99")
    assert unknown.exit_code == 2 and "not a unit" in unknown.output
    alone = cli("tokens", "create", "--name", "y", "--scope", "packets:write")
    assert alone.exit_code == 2 and "needs --sender" in alone.output
    stray = cli("tokens", "create", "--name", "z", "--scope", "dossiers:write", "--sender", "92")
    assert stray.exit_code == 2 and "packets:write only" in stray.output


def test_the_bucket_refills_at_the_rate(workspace: Workspace) -> None:
    """60 a minute after a burst of 3, kept in the store: a second connection (another
    worker process) draws from the same bucket."""
    other = Workspace(workspace.settings)  # its own engine, as another process has

    def take(at: float, sender: str = "1", where: Workspace = workspace) -> int:
        with where.writing() as conn:
            return buckets.take(conn, sender, at, rate_per_minute=60, burst=3)

    assert [take(0.0), take(0.0, where=other), take(0.0), take(0.0, where=other)] == [0, 0, 0, 1]
    assert take(0.0, "92") == 0  # another sender has its own bucket
    assert take(0.5) == 1  # half a packet back: wait the other half, rounded up
    assert take(1.5, where=other) == 0
    assert take(1.0) == 1  # a clock behind the bucket's refills nothing
    assert [take(100.0) for _ in range(4)] == [0, 0, 0, 1]  # never more than the burst
    other.engine.dispose()


def test_the_mapping_file_translates_a_senders_codes(tmp_path: Path, country: Organisation) -> None:
    path = tmp_path / "receive.yaml"
    path.write_text('senders:\n  "92":\n    indicator_codes: {CT-DVC-03: GOV-03}\n')
    codes = load_receiver_mapping(path).codes("92")
    assert codes == Codes({"CT-DVC-03": "GOV-03"}, {})
    plan = check_plan_file(NATIONAL_TEST_PLAN).plan
    context = Context(plan, country, "92", AS_OF, codes)
    own = packet(items=[{**GOV_03, "indicator": "CT-DVC-03"}])
    found = check(own, "m-1", context)
    assert not isinstance(found, list)
    assert sorted(found.values) == [
        ("all_dossiers", "92", "2025-10", 100.0),
        ("online_dossiers", "92", "2025-10", 85.0),
    ]
    # another sender's codes are not translated
    other = Context(plan, country, "92", AS_OF, load_receiver_mapping(path).codes("1"))
    assert isinstance(check(own, "m-1", other), list)
    path.write_text('senders:\n  "92":\n    indicator_codes: {A-01: GOV-03, B-01: GOV-03}\n')
    with pytest.raises(DocumentError) as error:
        load_receiver_mapping(path)
    assert str(error.value) == (
        f"{path}:2:3: senders.92: indicator_codes: GOV-03 given to more than one field"
    )
