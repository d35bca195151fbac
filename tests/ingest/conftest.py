"""Helpers for the ingest suites: write feed files, import them, read figures back."""

import csv
import io

import pytest

HEADER = (
    "dossier_id,procedure_code,unit_code,channel,received_at,due_at,finished_at,status,"
    "fee_required,paid_online,input_digitized,result_digitized,updated_at"
)


@pytest.fixture
def initialised(cli):
    assert cli("init").exit_code == 0
    return cli


@pytest.fixture
def dossier_file(tmp_path):
    """Write dossier rows (CSV lines without header) to a numbered file; return its path."""
    counter = iter(range(1, 1000))

    def write(*rows: str, name: str | None = None) -> str:
        path = tmp_path / (name or f"batch-{next(counter)}.csv")
        path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def measures(cli):
    """The measures export as {(measure, unit, period): value}."""

    def read() -> dict[tuple[str, str, str], float]:
        result = cli("measures", "export", "--format", "csv")
        assert result.exit_code == 0, result.output
        return {
            (r["measure"], r["unit_code"], r["period"]): float(r["value"])
            for r in csv.DictReader(io.StringIO(result.stdout))
        }

    return read
