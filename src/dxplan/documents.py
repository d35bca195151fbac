"""Declarative YAML documents (plans, agency lists) read with the line of every mistake.

A document is parsed with ruamel.yaml, which remembers where each key and item stands,
then validated against a pydantic model. Every error, from the YAML syntax to a
cross-reference the domain finds, comes back as a `DocumentProblem` naming the file,
the line and the column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class DocumentProblem:
    """A mistake in a document: where it is (1-based line and column) and what it is."""

    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class DocumentError(Exception):
    """A document that cannot be used; `problems` lists every mistake found."""

    def __init__(self, problems: Sequence[DocumentProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Document:
    """A parsed YAML file that can say on which line any part of it stands."""

    def __init__(self, name: str, tree: Any) -> None:
        self.name = name
        self.tree = tree

    @classmethod
    def read(cls, path: Path, *, name: str | None = None) -> Document:
        """Parse `path`; raise DocumentError for unreadable files and YAML mistakes."""
        label = name or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DocumentError([DocumentProblem(label, 1, 1, "unreadable", str(error))]) from None
        return cls.parse(text, name=label)

    @classmethod
    def parse(cls, text: str, *, name: str = "<text>") -> Document:
        yaml = YAML(typ="rt")  # round-trip mode keeps line numbers; refuses duplicate keys
        # Dates stay text: pydantic checks them and names the line (2025-13-31 included).
        yaml.constructor.add_constructor(
            "tag:yaml.org,2002:timestamp", yaml.constructor.__class__.construct_yaml_str
        )
        try:
            tree = yaml.load(text)
        except MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            message = " ".join(str(part) for part in (error.context, error.problem) if part)
            raise DocumentError([DocumentProblem(name, line, column, "yaml", message)]) from None
        except YAMLError as error:
            raise DocumentError([DocumentProblem(name, 1, 1, "yaml", str(error))]) from None
        if not isinstance(tree, CommentedMap):
            raise DocumentError(
                [DocumentProblem(name, 1, 1, "yaml", "the document must be a mapping of keys")]
            )
        return cls(name, tree)

    def position(self, loc: Loc) -> tuple[int, int]:
        """Line and column (1-based) of the deepest part of `loc` found in the document."""
        node: Any = self.tree
        line, column = 0, 0
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line, column = node.lc.key(part)
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line, column = node.lc.item(part)
            else:
                break
            node = node[part]
        return line + 1, column + 1

    def problem(self, loc: Loc, code: str, message: str) -> DocumentProblem:
        line, column = self.position(loc)
        return DocumentProblem(self.name, line, column, code, message)

    def plain(self) -> Any:
        """The document as plain dicts, lists and scalars, ready for validation."""
        return _plain(self.tree)

    def validate(self, model: type[Model]) -> Model:
        """Validate against `model`; raise DocumentError with a line for every error."""
        try:
            return model.model_validate(self.plain())
        except ValidationError as error:
            raise DocumentError(list(self._explain(error))) from None

    def fail(self, problems: Iterable[tuple[Loc, str, str]]) -> None:
        """Raise DocumentError for domain problems given as (loc, code, message), if any."""
        found = [self.problem(loc, code, message) for loc, code, message in problems]
        if found:
            raise DocumentError(found)

    def describe(self, loc: Loc) -> str:
        """`indicators[GOV-03].target.op` for a loc: list items named by their code."""
        node: Any = self.tree
        text = ""
        for part in loc:
            if isinstance(part, int):
                code = None
                if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                    code = node[part].get("code")
                text += f"[{code}]" if code else f"[{part}]"
            else:
                text += f".{part}" if text else str(part)
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        return text

    def _explain(self, error: ValidationError) -> Iterable[DocumentProblem]:
        problems = []
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            if detail["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}" + (
                    f" in {self.describe(loc[:-1])}" if len(loc) > 1 else ""
                )
            elif detail["type"] == "missing":
                message = f"missing key {self.describe(loc)}"
            else:
                message = f"{self.describe(loc)}: {detail['msg'].removeprefix('Value error, ')}"
            problems.append(self.problem(loc, detail["type"], message))
        return sorted(problems, key=lambda p: (p.line, p.column))


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node
