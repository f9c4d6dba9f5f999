"""Which unit a 主办单位 name means, and when a name is probably a typo.

A unit that does not exist must not get a form while the real unit's form
silently loses the project. So a name is checked against the 单位 sheet,
or, without one, against the other names in the register:

* a variant of a known name — `民治街道办事处`, `民治 街道`, `龙华区民治街道`
  for `民治街道` — is that unit (an alias, with a notice);
* a name one character away from a more often written one (`明治街道`) is
  an error that asks `是否指：民治街道？`;
* with a 单位 sheet, any other unknown name is an error too;

unless --allow-new-units says new names are intended.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from toolkit.errors import RegisterError
from toolkit.register.units import (
    ALL_STREETS,
    STREET,
    Unit,
    UnitDirectory,
    split_labels,
    unit_of_label,
)

_SPACE_RE = re.compile(r"\s+")
_MIN_TYPO_CHARS = 4  # 3-character names (民政局, 民宗局) differ by one character by design


@dataclass(frozen=True)
class Mention:
    """A unit name as written in one 主办单位 cell."""

    name: str
    cell: str  # `I5`


@dataclass
class NameCheck:
    """The outcome: the directory to expand 主办单位 cells with, and notices."""

    directory: UnitDirectory
    notices: list[str] = field(default_factory=list)


def name_key(name: str, region: str) -> str:
    """What stays of a name when the ways of writing it differ: spaces, the
    district in front (`龙华区`, or just `区`), `办事处`/`办` after 街道."""
    key = _SPACE_RE.sub("", unicodedata.normalize("NFKC", name))
    region = _SPACE_RE.sub("", unicodedata.normalize("NFKC", region))
    if region and region in key and not key.startswith(region):
        key = key[key.index(region) :]  # 深圳市龙华区… -> 龙华区…
    if region and key.startswith(region) and len(key) > len(region) + 1:
        key = key[len(region) :]
    elif key.startswith("区") and len(key) > 3:
        key = key[1:]
    for suffix in ("街道办事处", "街道办"):
        if key.endswith(suffix):
            key = key[: -len(suffix)] + "街道"
    return key


def mentions(cell: str, where: str, directory: UnitDirectory) -> list[Mention]:
    """The unit names a 主办单位 cell writes out (各街道 names none)."""
    return [
        Mention(unit_of_label(label, directory), where)
        for label in split_labels(cell)
        if label not in ALL_STREETS
    ]


def check_names(
    written: list[Mention],
    directory: UnitDirectory,
    *,
    region: str,
    sheet: str,
    allow_new: bool,
    uses_all_streets: bool,
) -> NameCheck:
    """Resolve every written name to a unit, or raise on the first probable mistake."""
    if directory.units:
        return _against_sheet(written, directory, region, sheet, allow_new)
    return _against_each_other(written, region, sheet, allow_new, uses_all_streets)


def _against_sheet(
    written: list[Mention], directory: UnitDirectory, region: str, sheet: str, allow_new: bool
) -> NameCheck:
    known = {name_key(u.name, region): u for u in directory.units}
    for u in directory.units:
        for alias in u.aliases:
            known.setdefault(name_key(alias, region), u)
    aliases: dict[str, Unit] = {}
    new: dict[str, str] = {}
    for m in written:
        if directory.is_known(m.name) or m.name in aliases or m.name in new:
            continue
        unit = known.get(name_key(m.name, region))
        if unit is not None:
            aliases[m.name] = unit
        elif allow_new:
            new[m.name] = m.cell
        else:
            close = difflib.get_close_matches(
                name_key(m.name, region), list(known), n=3, cutoff=0.5
            )
            ask = f"是否指：{'、'.join(known[k].name for k in close)}？" if close else ""
            raise RegisterError(
                f"主办单位“{m.name}”不在「单位」工作表中。{ask}",
                sheet=sheet,
                cell=m.cell,
                hint="写错了就改正；确是另一个单位时，把它加进「单位」工作表，"
                "或在对应单位的“别名”列登记这种写法，或加上 --allow-new-units。",
            )
    notices = [_alias_notice(name, unit.name, written) for name, unit in aliases.items()]
    notices += [
        f"{cell}：主办单位“{name}”不在「单位」工作表中，按新单位生成填报表（--allow-new-units）。"
        for name, cell in new.items()
    ]
    units = [
        Unit(u.name, u.kind, u.contact, u.phone, u.email, (*u.aliases, *_aliases_of(u, aliases)))
        for u in directory.units
    ]
    return NameCheck(UnitDirectory(units), notices)


def _aliases_of(unit: Unit, aliases: dict[str, Unit]) -> tuple[str, ...]:
    return tuple(name for name, u in aliases.items() if u.name == unit.name)


def _against_each_other(
    written: list[Mention], region: str, sheet: str, allow_new: bool, uses_all_streets: bool
) -> NameCheck:
    counts = Counter(m.name for m in written)
    first_cell: dict[str, str] = {}
    for m in written:
        first_cell.setdefault(m.name, m.cell)
    # Variants: one unit per key, named as most often written (the key itself when written).
    by_key: dict[str, list[str]] = {}
    for name in counts:
        by_key.setdefault(name_key(name, region), []).append(name)
    canonical: dict[str, str] = {}
    for key, names in by_key.items():
        chosen = key if key in names else max(names, key=lambda n: counts[n])
        for name in names:
            canonical[name] = chosen
    totals = Counter({name: 0 for name in dict.fromkeys(canonical.values())})
    for name, n in counts.items():
        totals[canonical[name]] += n
    keys = {name: name_key(name, region) for name in totals}
    if not allow_new:
        _raise_on_typos(totals, keys, first_cell, canonical, sheet)
    units = [
        Unit(
            name, STREET if keys[name].endswith(STREET) else "", aliases=_variants(name, canonical)
        )
        for name in totals
    ]
    notices = [
        _alias_notice(name, unit, written) for name, unit in canonical.items() if name != unit
    ]
    streets = [u.name for u in units if u.kind == STREET]
    if uses_all_streets and streets:
        notices.append(
            f"登记表没有「单位」工作表，“各街道”按主办单位中写出的 {len(streets)} 个街道展开："
            f"{'、'.join(streets)}。有遗漏时，请加「单位」工作表列出全部单位。"
        )
    return NameCheck(UnitDirectory(units), notices)


def _variants(name: str, canonical: dict[str, str]) -> tuple[str, ...]:
    return tuple(n for n, c in canonical.items() if c == name and n != name)


def _raise_on_typos(
    totals: Counter[str],
    keys: dict[str, str],
    first_cell: dict[str, str],
    canonical: dict[str, str],
    sheet: str,
) -> None:
    """A name one character from a name written more often is probably that name."""
    for name in totals:  # in order of first mention
        key = keys[name]
        if len(key) < _MIN_TYPO_CHARS:
            continue
        likely = [
            other
            for other in totals
            if totals[other] > totals[name]
            and len(keys[other]) >= _MIN_TYPO_CHARS
            and _one_edit_apart(key, keys[other])
        ]
        if likely:
            cell = next(c for n, c in first_cell.items() if canonical[n] == name)
            raise RegisterError(
                f"主办单位“{name}”与“{likely[0]}”只差一个字。是否指：{'、'.join(likely)}？",
                sheet=sheet,
                cell=cell,
                hint="写错了就改正；两个都是真实的单位时，加上 --allow-new-units，"
                "或在登记表中加「单位」工作表列出全部单位（单位名称、类型）。",
            )


def _one_edit_apart(a: str, b: str) -> bool:
    """One character replaced, added or removed (Levenshtein distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y), len(short))
    return short[i:] == long_[i + 1 :]


def _alias_notice(name: str, unit: str, written: list[Mention]) -> str:
    cells = [m.cell for m in written if m.name == name]
    where = cells[0] + (f" 等 {len(cells)} 处" if len(cells) > 1 else "")
    return f"{where}：主办单位写作“{name}”，按“{unit}”处理（同一单位的另一种写法）。"
