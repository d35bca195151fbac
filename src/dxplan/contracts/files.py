"""Generated files: a whole file, or a marked section of a page written by hand."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Render = Callable[[], str]


class GeneratedError(Exception):
    """A hand-written page lost the markers of its generated section."""


class Generated(ABC):
    path: str

    def current(self, root: Path) -> str | None:
        target = root / self.path
        return target.read_text("utf-8") if target.exists() else None

    @abstractmethod
    def rendered(self, root: Path) -> str:
        """The file's content as the code renders it (for a section, the whole page)."""


@dataclass(frozen=True)
class Whole(Generated):
    """A file rendered entirely from the code."""

    path: str
    render: Render

    def rendered(self, root: Path) -> str:
        return self.render()


@dataclass(frozen=True)
class Section(Generated):
    """The part of a hand-written page between `<!-- BEGIN name -->` and `<!-- END name -->`."""

    path: str
    name: str
    render: Render

    def rendered(self, root: Path) -> str:
        text = self.current(root) or ""
        begin, end = f"<!-- BEGIN {self.name} -->\n", f"<!-- END {self.name} -->"
        if begin not in text or end not in text:
            raise GeneratedError(f"{self.path}: the markers {begin.strip()} and {end} are missing")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        return f"{head}{begin}{self.render()}{end}{tail}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; a `|` inside a cell is escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)]) + "\n"
