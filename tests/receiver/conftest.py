"""A national dxplan receiving packets, served by uvicorn on 127.0.0.1, and its senders.

The receiver's store is the parametrised test database (SQLite, and PostgreSQL for the
`postgres` variant); its plan is the minimal national fixture (`files/national-test.yaml`)
or, for the real sender, a national plan made from the Can Tho plan (every indicator it
shares, each as received measures) so that every packet it sends has somewhere to go.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from sqlalchemy import func, select

from dxplan.documents import Document
from dxplan.domain.indicator import IndicatorKind
from dxplan.national.packets import shared
from dxplan.plans import DEFAULT_PLAN, parse_plan
from dxplan.settings import Settings
from dxplan.store import tokens as token_store
from dxplan.store.tables import measure_values, packet_receipts
from dxplan.store.tokens import Scope
from dxplan.web.local import serve_locally as serve
from dxplan.workspace import Workspace

FILES: Final = Path(__file__).parent / "files"
NATIONAL_TEST_PLAN: Final = FILES / "national-test.yaml"
AS_OF: Final = date(2025, 11, 8)
SENDERS: Final = {"92": "can-tho", "1": "ha-noi"}  # sender code: token name
GOV_03: Final = {
    "indicator": "GOV-03",
    "unit": "92",
    "value": 85,
    "numerator": 85,
    "denominator": 100,
}


@dataclass
class National:
    """A receiving dxplan over real HTTP: its URL, workspace and a token per sender."""

    url: str
    workspace: Workspace
    tokens: dict[str, str]  # sender code: secret

    def headers(self, sender: str, key: str | None = None) -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.tokens[sender]}"}
        if key is not None:
            found["Idempotency-Key"] = key
        return found

    def post(self, sender: str, packet: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/packets",
            content=json.dumps(packet).encode(),
            headers={
                **self.headers(sender, packet.get("message_id")),
                "Content-Type": "application/json",
            },
            timeout=60,
            **kwargs,
        )

    def value_rows(self) -> int:
        with self.workspace.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(measure_values)).scalar())

    def receipt_rows(self) -> int:
        with self.workspace.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(packet_receipts)).scalar())


def packet(
    message_id: str = "m-1",
    *,
    sender: str = "92",
    kind: str = "kpi_data",
    period: tuple[str, str] = ("month", "2025-10"),
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A packet as `dxplan national send` posts it (GOV-03 of Can Tho by default)."""
    return {
        "message_id": message_id,
        "kind": kind,
        "sender": sender,
        "sent_at": "2025-11-08T09:30:12+07:00",
        "period": {"type": period[0], "value": period[1]},
        "items": items if items is not None else [dict(GOV_03)],
    }


def national_plan_from(plan_file: Path, target: Path) -> Path:
    """A national plan (organisation VN) with every shared indicator of `plan_file`, under
    the same code, each reading two received measures (`gov_03_num`, `gov_03_den`)."""
    plan = parse_plan(Document.read(plan_file))
    measures: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for indicator in shared(plan):
        stem = indicator.code.lower().replace("-", "_")
        measures.append(
            {
                "code": f"{stem}_num",
                "names": {"vi": f"Tử số {indicator.code}"},
                "source": "received",
            }
        )
        entry: dict[str, Any] = {
            "code": indicator.code,
            "pillar": indicator.pillar,
            "names": {"vi": indicator.names.get("vi")},
            "kind": indicator.kind.value,
            "numerator": f"{stem}_num",
            "source": "received",
            "lead_agency": "VN",
        }
        if indicator.kind is IndicatorKind.RATIO:
            measures.append(
                {
                    "code": f"{stem}_den",
                    "names": {"vi": f"Mẫu số {indicator.code}"},
                    "source": "received",
                }
            )
            entry["denominator"] = f"{stem}_den"
        indicators.append(entry)
    document = {
        "code": "national-from-cantho",
        "names": {"vi": "Kế hoạch quốc gia (thử)"},
        "organisation": "VN",
        "languages": ["vi"],
        "pillars": [{"code": p.code, "names": {"vi": p.names.get("vi")}} for p in plan.pillars],
        "measures": measures,
        "indicators": indicators,
    }
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


@pytest.fixture
def make_national(tmp_path: Path, database_url: str) -> Iterator[Callable[..., National]]:
    """Start a receiver: `make_national(plan_file=..., **settings)`."""
    started: list[Any] = []

    def make(plan_file: Path = NATIONAL_TEST_PLAN, **overrides: Any) -> National:
        given: dict[str, Any] = {"receive": True, "as_of": AS_OF, **overrides}
        settings = Settings(
            data_dir=tmp_path / "national", database_url=database_url, plan_file=plan_file, **given
        )
        workspace = Workspace(settings)
        workspace.initialise(actor="test")
        tokens: dict[str, str] = {}
        with workspace.writing() as conn:
            for code, name in SENDERS.items():
                tokens[code], _ = token_store.create(
                    conn, name, [Scope.PACKETS_WRITE], "test", sender=code
                )
        server = serve(settings)
        url = server.__enter__()
        started.append((server, workspace))
        return National(url, workspace, tokens)

    yield make
    for server, workspace in started:
        server.__exit__(None, None, None)
        workspace.close()


@pytest.fixture
def national(make_national: Callable[..., National]) -> National:
    return make_national()


__all__ = ["DEFAULT_PLAN", "National", "national_plan_from", "packet"]
