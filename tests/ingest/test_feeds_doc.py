"""docs/operational-data.md shows the feeds exactly as `ingest/feeds.py` defines them.

Regenerate the tables with
`python -c 'from tests.ingest.test_feeds_doc import tables; print(tables())'`.
"""

from __future__ import annotations

from pathlib import Path

from dxplan.ingest.feeds import FEEDS, Column, Feed

PAGE = Path(__file__).parents[2] / "docs" / "operational-data.md"


def _type(column: Column) -> str:
    if column.choices:
        return "enum " + ", ".join(f"`{c}`" for c in column.choices)
    if column.max_length:
        return f"{column.type.value} ≤ {column.max_length}"
    return column.type.value


def table(feed: Feed) -> str:
    """The columns of `feed` as a Markdown table, then its row rules."""
    lines = ["| column | type | required | meaning |", "|---|---|---|---|"]
    lines += [
        f"| {c.name} | {_type(c)} | {'yes' if c.required else 'no'} | {c.meaning} |"
        for c in feed.columns
    ]
    lines += ["", "| row rule | refused when |", "|---|---|"]
    lines += [f"| `{r.code}` | `{r.condition}` |" for r in feed.rules]
    return "\n".join(lines) + "\n"


def tables() -> str:
    return "\n".join(f"### `{name}`\n\n{table(feed)}" for name, feed in FEEDS.items())


def test_the_page_shows_the_feeds_as_the_code_defines_them() -> None:
    assert tables() in PAGE.read_text("utf-8")
