"""Responsible units (主办单位) and how a 主办单位 cell names them.

A cell may name several units (`区委组织部、民政局、各街道`); `各街道`
stands for every unit of type 街道 in the register's 单位 sheet (without
one, every street the register names: toolkit.register.names); a
sub-office label such as `民治街道（工务）` belongs to 民治街道's form and
keeps its full label in the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STREET = "街道"
ALL_STREETS = ("各街道", "各街道办事处", "全区各街道", "各街道办")

_SEPARATORS_RE = re.compile(r"[、，,；;\n\r/／]+")
_SUB_OFFICE_RE = re.compile(r"^(.+?)\s*[（(](.+?)[）)]$")
# 协办单位 cells often hold a placeholder instead of a unit.
PLACEHOLDERS = {"", "/", "-", "—", "无", "／"}


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lead:
    """One unit leading one row; `label` is how the row names it."""

    unit: str
    label: str


@dataclass
class UnitDirectory:
    """The units known from the 单位 sheet, in sheet order."""

    units: list[Unit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_name: dict[str, Unit] = {}
        for u in self.units:
            self._by_name[u.name] = u
            for alias in u.aliases:
                self._by_name.setdefault(alias, u)

    def get(self, name: str) -> Unit | None:
        return self._by_name.get(name)

    def canonical(self, name: str) -> str:
        unit = self._by_name.get(name)
        return unit.name if unit else name

    @property
    def streets(self) -> list[Unit]:
        return [u for u in self.units if u.kind == STREET]

    def is_known(self, name: str) -> bool:
        return name in self._by_name


class UnitSyntaxError(ValueError):
    """A 主办单位 cell that cannot be expanded (message in Chinese)."""


def split_labels(cell: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS_RE.split(cell) if p.strip() not in PLACEHOLDERS]


def parse_leads(cell: str, directory: UnitDirectory) -> list[Lead]:
    """The units a 主办单位 cell names, each once, in the order written."""
    leads: list[Lead] = []
    seen: set[str] = set()

    def add(unit: str, label: str) -> None:
        if unit not in seen:
            seen.add(unit)
            leads.append(Lead(unit, label))

    for label in split_labels(cell):
        if label in ALL_STREETS:
            streets = directory.streets
            if not streets:
                raise UnitSyntaxError(
                    f"「{label}」无法展开：登记表「单位」工作表中没有类型为“街道”的单位"
                    "（没有「单位」工作表时，主办单位中也没有写出任何街道）。"
                )
            for s in streets:
                add(s.name, s.name)
            continue
        add(unit_of_label(label, directory), label)
    return leads


def unit_of_label(label: str, directory: UnitDirectory) -> str:
    """`民治街道（工务）` -> `民治街道`; a known name or alias -> its unit."""
    if directory.is_known(label):
        return directory.canonical(label)
    m = _SUB_OFFICE_RE.match(label)
    if m:
        return directory.canonical(m.group(1).strip())
    return label
