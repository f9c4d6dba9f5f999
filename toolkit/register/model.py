"""The register as the toolkit uses it: projects, units, settings.

`Project` and `Register` are what every later stage reads; how they are
read from a workbook is toolkit.register.reader.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import rules
from toolkit.core.period import Period
from toolkit.errors import UsageError
from toolkit.register.units import Lead, Unit, UnitDirectory


@dataclass(frozen=True)
class RegisterOptions:
    """What the command line adds to a register: --region, --year, --allow-new-units."""

    region: str | None = None
    year: int | None = None
    allow_new_units: bool = False


# The sheet `merge --update-register` writes each period's results into.
_RESULTS_SHEET_RE = re.compile(r"^\d{4}Q[1-4]进展$")


def results_sheet_name(period: Period) -> str:
    return f"{period.key}进展"


def is_results_sheet(name: str) -> bool:
    return bool(_RESULTS_SHEET_RE.match(name))


@dataclass(frozen=True)
class Project:
    row: int  # Excel row number, for messages
    matter: str
    id: str
    name: str
    annual_target: str
    quarter_targets: dict[int, str]
    lead: str  # the 主办单位 cell as written
    co: str
    leads: tuple[Lead, ...]
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def item(self) -> str:
        return rules.item_group(self.id)

    def quarter_target(self, quarter: int) -> str:
        return self.quarter_targets.get(quarter, "")

    def prefilled(self, quarter: int) -> dict[str, str]:
        """The cells the office fills in on the form, by column key.

        With the 民生事项 and unit columns: the 一览表 takes all of these from the
        register, whatever a return says.
        """
        return {
            rules.MATTER: self.matter,
            rules.NAME: self.name,
            rules.ANNUAL_TARGET: self.annual_target,
            rules.QUARTER_TARGET: self.quarter_target(quarter),
            rules.LEAD: self.lead,
            rules.CO: self.co,
        }

    def led_by(self, unit: str) -> bool:
        return any(lead.unit == unit for lead in self.leads)


@dataclass
class Register:
    path: Path
    settings: dict[str, str]
    projects: list[Project]
    directory: UnitDirectory
    extra_columns: list[str]
    quarter_columns: set[int] = field(default_factory=set)  # quarters with a 第N季度目标 column
    warnings: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.settings.get("地区", "")

    @property
    def year(self) -> int | None:
        value = self.settings.get("年度", "")
        return int(value) if value.isdigit() else None

    def has_quarter_target(self, quarter: int) -> bool:
        return quarter in self.quarter_columns

    def unit_names(self) -> list[str]:
        """Every unit that leads a row: 单位 sheet order first, then first mention."""
        return list(self._unit_names)

    def projects_of(self, unit: str) -> list[Project]:
        return list(self._by_unit.get(unit, ()))

    def project(self, project_id: str) -> Project | None:
        return self._by_id.get(project_id)

    def unit(self, name: str) -> Unit | None:
        return self.directory.get(name)

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.projects}
        # Indexed once: a city register asks these for every one of hundreds of units.
        self._by_unit: dict[str, list[Project]] = {}
        for p in self.projects:
            for unit in dict.fromkeys(lead.unit for lead in p.leads):
                self._by_unit.setdefault(unit, []).append(p)
        listed = [u.name for u in self.directory.units if u.name in self._by_unit]
        in_sheet = set(listed)
        self._unit_names = listed + [u for u in self._by_unit if u not in in_sheet]


def rows_fingerprint(projects: list[Project], quarter: int) -> str:
    """A short hash of the rows sent to a unit, to tell later if the register changed."""
    h = hashlib.sha256()
    for p in projects:
        for part in (p.id, p.name, p.annual_target, p.quarter_target(quarter)):
            h.update(part.encode("utf-8") + b"\x1f")
    return h.hexdigest()[:16]


def resolve_period(register: Register, quarter: int, year: int | None) -> Period:
    """The period a command works on: its quarter, in `year` or the register's 年度."""
    year = year or register.year
    if year is None:
        raise UsageError(
            "登记表中没有年度：「设置」中没有填写「年度」，标题行和文件名中也没有“2023年”这样的写法。",
            hint="用 --year 指定，如 --year 2023；或在「设置」中填写年度。",
        )
    return Period(year, quarter)
