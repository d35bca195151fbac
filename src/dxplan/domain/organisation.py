"""The organisation: units as a tree under one root."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from dxplan.domain.unit import Ranking, Unit, UnitKinds


class OrganisationError(ValueError):
    """Units that do not form one tree: duplicates, unknown parents, cycles, two roots."""


class Organisation:
    """Units as a tree: lookup by code, children, ancestors and descendants.

    `kinds` declares the kinds of unit (default: the kinds the units carry, nothing
    ranked); `successors` maps each retired unit (merged, split off, renamed) to the
    unit that took it over, so that its figures roll into that unit; `retired` gives
    those units themselves (their names and kinds), kept for the record.
    """

    def __init__(
        self,
        units: Iterable[Unit],
        kinds: UnitKinds | None = None,
        successors: Mapping[str, str] | None = None,
        retired: Iterable[Unit] = (),
    ) -> None:
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
        used = list(dict.fromkeys(u.kind for u in self._units.values()))
        self.kinds = kinds if kinds is not None else UnitKinds.plain(used)
        undeclared = [k for k in used if k not in self.kinds.codes]
        if undeclared:
            raise OrganisationError(f"unit kind {undeclared[0]!r} is not declared")
        self.successors: dict[str, str] = dict(successors or {})
        for old in self.successors:
            if old in self._units:
                raise OrganisationError(f"unit {old!r} is both in force and retired")
            self.successor(old)  # raises for a cycle or an unknown successor
        self.retired: dict[str, Unit] = {u.code: u for u in retired if u.code in self.successors}

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

    def of_kind(self, *kinds: str) -> list[Unit]:
        return [unit for unit in self if unit.kind in kinds]

    def local(self) -> list[Unit]:
        """The territory's places (communes and wards, unions...): the `local` kinds."""
        return self.of_kind(*self.kinds.local)

    def ranking(self, code: str) -> list[Unit]:
        """The units ranked together in the ranking `code`."""
        found = next((r for r in self.kinds.rankings if r.code == code), None)
        return [] if found is None else self.of_kind(*found.kinds)

    @property
    def rankings(self) -> list[Ranking]:
        return list(self.kinds.rankings)

    def successor(self, code: str) -> str:
        """The unit in force that a retired unit's figures belong to (itself if in force)."""
        seen = [code]
        while code not in self._units:
            if code not in self.successors:
                raise OrganisationError(f"unit {seen[0]!r} merges into unknown unit {code!r}")
            code = self.successors[code]
            if code in seen:
                raise OrganisationError(f"units {' -> '.join([*seen, code])} merge in a cycle")
            seen.append(code)
        return code

    def rolls_into(self, code: str) -> list[str]:
        """The units a figure of `code` counts in beyond its own, nearest first: its
        ancestors; for a retired unit, its successor and the successor's ancestors."""
        if code in self._units:
            return [u.code for u in self.ancestors(code)]
        if code in self.successors:
            heir = self.successor(code)
            return [heir, *(u.code for u in self.ancestors(heir))]
        return []
