"""The organisation: units as a tree under one root."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dxplan.domain.unit import Unit, UnitKind


class OrganisationError(ValueError):
    """Units that do not form one tree: duplicates, unknown parents, cycles, two roots."""


class Organisation:
    """Units as a tree: lookup by code, children, ancestors and descendants."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            if unit.code in self._units:
                raise OrganisationError(f"unit code {unit.code!r} appears twice")
            self._units[unit.code] = unit
        roots = [u.code for u in self._units.values() if u.parent is None]
        if len(roots) != 1:
            raise OrganisationError(f"the organisation needs exactly one root, found {roots}")
        self.root = self._units[roots[0]]
        self._children: dict[str, list[Unit]] = {code: [] for code in self._units}
        for unit in self._units.values():
            if unit.parent is None:
                continue
            if unit.parent not in self._units:
                raise OrganisationError(f"unit {unit.code!r} names unknown parent {unit.parent!r}")
            self._children[unit.parent].append(unit)
        reached = sum(1 for _ in self.descendants(self.root.code, include_self=True))
        if reached != len(self._units):
            raise OrganisationError("some units are in a cycle and never reach the root")

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __getitem__(self, code: str) -> Unit:
        return self._units[code]

    def __iter__(self) -> Iterator[Unit]:
        """Units in tree order: the root, then each child followed by its subtree."""
        return self.descendants(self.root.code, include_self=True)

    def __len__(self) -> int:
        return len(self._units)

    def children(self, code: str) -> list[Unit]:
        return list(self._children[code])

    def descendants(self, code: str, *, include_self: bool = False) -> Iterator[Unit]:
        """Every unit under `code`, depth first."""
        if include_self:
            yield self._units[code]
        for child in self._children[code]:
            yield from self.descendants(child.code, include_self=True)

    def ancestors(self, code: str) -> list[Unit]:
        """The chain of parents of `code`, nearest first, ending at the root."""
        chain: list[Unit] = []
        parent = self._units[code].parent
        while parent is not None:
            chain.append(self._units[parent])
            parent = self._units[parent].parent
        return chain

    def of_kind(self, *kinds: UnitKind) -> list[Unit]:
        return [unit for unit in self if unit.kind in kinds]
