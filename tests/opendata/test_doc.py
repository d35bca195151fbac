"""docs/open-data.md shows the package's tables exactly as `opendata/schema.py` defines them.

Regenerate the tables with
`python -c 'from tests.opendata.test_doc import tables; print(tables())'`.
"""

from __future__ import annotations

from pathlib import Path

from dxplan.opendata.schema import RESOURCES, Field, Resource

PAGE = Path(__file__).parents[2] / "docs" / "open-data.md"


def _meaning(field: Field) -> str:
    return field.description + (f" ({field.language})" if field.language else "")


def table(resource: Resource) -> str:
    """The fields of `resource` as a Markdown table, then its keys."""
    lines = [
        f"{resource.description}",
        "",
        "| field | type | required | meaning |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{f.name}` | {f.kind.replace('|', '/')} | {'yes' if f.required else 'no'} "
        f"| {_meaning(f)} |"
        for f in resource.fields
    ]
    lines += ["", f"Primary key: {', '.join(f'`{k}`' for k in resource.primary_key)}."]
    for key in resource.foreign_keys:
        lines.append(
            f"`{', '.join(key.fields)}` refers to `{key.resource}.csv` "
            f"(`{', '.join(key.reference)}`)."
        )
    return "\n".join(lines) + "\n"


def tables() -> str:
    return "\n".join(f"### `{r.path}`: {r.title.lower()}\n\n{table(r)}" for r in RESOURCES.values())


def test_the_page_shows_the_tables_as_the_code_defines_them() -> None:
    assert tables() in PAGE.read_text("utf-8")
