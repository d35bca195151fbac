"""Hypothesis on the parsers that read what people and source systems write.

The period and formula parsers and the feed readers take text from plan files, URLs
and feeds. Whatever they are given, they answer with their own error (ValueError for
a period, FormulaError for a formula, UnusableInput or row errors for a feed), never
another exception that would surface as a traceback or a 500. The round trip of a
generated period is in tests/domain/test_period.py; here: arbitrary text.
"""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path
from typing import Any, Final

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dxplan.domain.formula import MAX_LENGTH, Formula, FormulaError
from dxplan.domain.period import Period, PeriodKind
from dxplan.ingest.errors import ErrorReport, UnusableInput
from dxplan.ingest.feeds import FEEDS
from dxplan.ingest.readers import read
from dxplan.ingest.validate import Validator

BOUNDED: Final = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# -- periods ---------------------------------------------------------------------------

period_like = st.builds(
    "".join,
    st.lists(st.sampled_from([*string.digits, "S", "Q", "-", " ", "0", "٢", "\x00"]), max_size=9),
)


@BOUNDED
@given(st.one_of(st.text(max_size=40), period_like))
def test_a_period_is_read_or_refused_with_a_value_error(text: str) -> None:
    try:
        period = Period.parse(text)
    except ValueError:
        return
    assert Period.parse(str(period)) == period
    assert period.kind in PeriodKind


# -- formulas --------------------------------------------------------------------------

codes = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
numbers = st.one_of(
    st.integers(0, 10**6).map(str), st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:g}")
)


@st.composite
def formulas(draw: st.DrawFn) -> tuple[str, list[tuple[int, str | float]]]:
    """A valid formula and the signed terms it must parse into."""
    terms = draw(
        st.lists(
            st.tuples(st.sampled_from([1, -1]), st.one_of(codes, numbers)), min_size=1, max_size=8
        )
    )
    text = ""
    for position, (sign, term) in enumerate(terms):
        if position == 0:
            text = f"-{term}" if sign < 0 else term
        else:
            text += f" {'+' if sign > 0 else '-'} {term}"
    expected = [(s, t if t[0].isalpha() else float(t)) for s, t in terms]
    return text, expected


@BOUNDED
@given(formulas())
def test_a_valid_formula_parses_into_its_terms(
    case: tuple[str, list[tuple[int, str | float]]],
) -> None:
    text, expected = case
    formula = Formula.parse(text)
    assert list(formula.terms) == expected
    assert Formula.parse(str(formula)) == formula


formula_like = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.sampled_from(["a", "b1", "1", "1e999", "+", "-", "(", ")", " ", "*", ".", "\x00"]),
            st.sampled_from(["-" * 600, "a+" * 300, "(" * 150, "9" * 400, "\ud800", "lambda:"]),
        ),
        max_size=12,
    ),
)


@BOUNDED
@given(st.one_of(st.text(max_size=60), formula_like))
def test_any_text_is_a_formula_or_a_formula_error(text: str) -> None:
    try:
        formula = Formula.parse(text)
    except FormulaError:
        return
    assert len(formula.expression) <= MAX_LENGTH
    assert all(isinstance(term, str) or abs(term) < float("inf") for _, term in formula.terms)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" + " + a" * 400, "at most 1000 characters"),  # found: RecursionError
        ("a + \ud800", "cannot be in a formula"),  # found: UnicodeEncodeError
        ("9" * 400, "too large a number"),  # found: OverflowError
        ("1e999", "too large a number"),  # found: accepted as infinity
    ],
)
def test_formulas_that_broke_the_parser_are_refused(text: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        Formula.parse(text)


def test_a_long_run_of_signs_is_read_or_refused_as_nested_too_deeply() -> None:
    # found: RecursionError (and MemoryError past 10,000 signs); where the parser's
    # limit falls depends on the stack in use, so either answer is right, nothing else
    try:
        formula = Formula.parse("-" * 999 + "a")
    except FormulaError as error:
        assert "nested too deeply" in str(error)
    else:
        assert formula.terms == ((-1, "a"),)


# -- feeds -----------------------------------------------------------------------------

UNITS: Final = frozenset({"31120", "31135", "92", "92-SXD"})
DOSSIER_VALUES: Final = {
    "dossier_id": ["H1", "H2", ""],
    "procedure_code": ["1.004227", "x"],
    "unit_code": [*sorted(UNITS), "00000"],
    "channel": ["online", "direct", "postal", "fax"],
    "received_at": ["2025-07-01T08:15:00+07:00", "2025-07-01 08:00:00", "01/07/2025", "9" * 30],
    "status": ["processing", "finished", "pending"],
    "fee_required": ["true", "false", "maybe", "1"],
    "paid_online": ["true", "false"],
}


def _check_feed(folder: Path, feed_name: str, ending: str, content: bytes) -> None:
    """Read and validate `content` as a file; only UnusableInput may escape.

    The rows read are either staged or rejected: none goes missing.
    """
    feed = FEEDS[feed_name]
    path = folder / f"feed{ending}"
    path.write_bytes(content)
    report = ErrorReport()
    con = duckdb.connect()
    try:
        validator = Validator(con, feed, UNITS, None)
        columns = [c.name for c in feed.columns]
        rows = staged = 0
        for batch, errors in read(path, path.name, columns, feed.required, feed.containers):
            report.rejected_rows += len(errors)
            rows += batch.num_rows + len(errors)
            staged += validator.stage(batch, 0, path.name, report)
    except UnusableInput as error:
        assert error.message
        return
    finally:
        con.close()
    assert staged + report.rejected_rows == rows


@st.composite
def dossier_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = [c.name for c in FEEDS["dossiers"].columns]
    value = st.one_of(
        st.none(),
        st.text(max_size=12),
        st.integers(-(10**30), 10**30),
        st.floats(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
    row = st.dictionaries(
        st.sampled_from(names) | st.text(max_size=5),
        st.one_of(value, st.sampled_from([v for vs in DOSSIER_VALUES.values() for v in vs])),
        max_size=len(names),
    )
    return draw(st.lists(row, max_size=6))


@pytest.mark.parametrize("content", [b'"', b"\r", b'dossier_id\n"', b"\xc2"])
def test_a_csv_file_pyarrow_cannot_open_is_unusable(tmp_path: Path, content: bytes) -> None:
    # found: a lone quote or carriage return raised pyarrow's ArrowInvalid, and a file
    # cut inside a character UnicodeDecodeError (each a traceback in `dxplan import`)
    feed = FEEDS["dossiers"]
    path = tmp_path / "feed.csv"
    path.write_bytes(content)
    columns = [c.name for c in feed.columns]
    with pytest.raises(UnusableInput):
        list(read(path, path.name, columns, feed.required, feed.containers))


@BOUNDED
@given(st.binary(max_size=600), st.sampled_from([".csv", ".jsonl", ".ndjson", ".parquet"]))
def test_any_bytes_are_rows_or_an_unusable_file(
    tmp_path: Path, content: bytes, ending: str
) -> None:
    _check_feed(tmp_path, "dossiers", ending, content)


@BOUNDED
@given(dossier_rows())
def test_any_json_lines_rows_are_staged_or_rejected(
    tmp_path: Path, rows: list[dict[str, Any]]
) -> None:
    text = "\n".join(json.dumps(row, allow_nan=True) for row in rows)
    _check_feed(tmp_path, "dossiers", ".jsonl", text.encode("utf-8", "surrogatepass"))


@BOUNDED
@given(dossier_rows(), st.booleans())
def test_any_csv_rows_are_staged_or_rejected(
    tmp_path: Path, rows: list[dict[str, Any]], with_header: bool
) -> None:
    names = [c.name for c in FEEDS["dossiers"].columns]
    out = io.StringIO()
    writer = csv.writer(out)
    if with_header:
        writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(n) is None else str(row.get(n)) for n in names])
    _check_feed(tmp_path, "dossiers", ".csv", out.getvalue().encode("utf-8", "surrogatepass"))
