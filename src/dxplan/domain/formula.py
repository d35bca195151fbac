"""Formulas over measure codes: `dossiers_online`, `a + b`, `total - excluded`.

A formula is the numerator or the denominator of an indicator. It is parsed with
Python's own expression parser and only names, numbers, `+`, `-` and parentheses are
allowed, so a plan file can never run code.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from dxplan.domain.textual import text_schema


class FormulaError(ValueError):
    """A formula that cannot be parsed or uses something other than + and -."""


_OPERATORS: dict[type[ast.operator], int] = {ast.Add: 1, ast.Sub: -1}
# a plan's longest formula is a few dozen characters; the bound keeps Python's parser
# (and the walk below, one level per term) far from its recursion and memory limits
MAX_LENGTH = 1_000


def _terms(node: ast.expr, sign: int, out: list[tuple[int, str | float]]) -> None:
    match node:
        case ast.Name(id=name):
            out.append((sign, name))
        case ast.Constant(value=bool()):
            raise FormulaError("a formula cannot contain true or false")
        case ast.Constant(value=int() | float() as number):
            value = float(number) if abs(number) < 1e308 else math.inf  # int: no overflow
            if not math.isfinite(value):
                raise FormulaError(f"{ast.unparse(node)[:40]} is too large a number")
            out.append((sign, value))
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _OPERATORS:
            _terms(left, sign, out)
            _terms(right, sign * _OPERATORS[type(op)], out)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            _terms(operand, -sign, out)
        case _:
            raise FormulaError(
                f"only measure codes, numbers, + and - are allowed, not {ast.unparse(node)!r}"
            )


@dataclass(frozen=True)
class Formula:
    """A signed sum of measures (and constants), evaluated after aggregation."""

    expression: str
    terms: tuple[tuple[int, str | float], ...] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, expression: str) -> Formula:
        """Parse `expression`; raise FormulaError with the reason when it is not allowed."""
        text = " ".join(str(expression).split())
        if not text:
            raise FormulaError("a formula cannot be empty")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"a formula has at most {MAX_LENGTH} characters, not {len(text)}")
        if not text.isprintable():  # control, format and lone surrogate characters
            raise FormulaError(f"{text[:80]!a} holds characters that cannot be in a formula")
        terms: list[tuple[int, str | float]] = []
        try:
            tree = ast.parse(text, mode="eval")
            _terms(tree.body, 1, terms)
        except SyntaxError as error:
            raise FormulaError(f"{text!r} is not a formula: {error.msg}") from None
        except RecursionError:  # `- - - … a`: every sign is one more level
            raise FormulaError(f"{text[:40]!r}… is nested too deeply") from None
        return cls(text, tuple(terms))

    @property
    def measures(self) -> frozenset[str]:
        """The measure codes the formula reads."""
        return frozenset(term for _, term in self.terms if isinstance(term, str))

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The formula's value, or None when any measure it reads has no value."""
        total = 0.0
        for sign, term in self.terms:
            if isinstance(term, str):
                value = values.get(term)
                if value is None:
                    return None
                total += sign * value
            else:
                total += sign * term
        return total

    def __str__(self) -> str:
        return self.expression

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def _from_text(value: str) -> Formula:
            if not isinstance(value, str):
                raise ValueError("a formula is a text such as `dossiers_online`")
            return cls.parse(value)

        return text_schema(cls, _from_text)
