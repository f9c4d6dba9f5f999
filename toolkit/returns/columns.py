"""Which column of a returned form's project table is which, from its header row.

The header text decides, never the position: units reorder, insert, rename
and split columns. Each column key goes to the best-matching header for the
quarter being merged (rules.column_match); a text column split in two (two
进展情况 columns, `存在问题` + `下一步工作计划`, or a column split with its
header cell, leaving a blank header) is read as one, its parts joined in
order. Every other column is an extra column under its header text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from toolkit.core import rules
from toolkit.office.wordml import Cell, Row

# Columns whose parts can be joined: free text a unit may spread over two columns.
_JOINABLE = (rules.PROGRESS, rules.PLAN)
BLANK_HEADER = "（空白表头）"


@dataclass
class Column:
    start: int  # first grid column
    span: int
    text: str
    key: str | None  # rules column key, None for an extra column
    name: str = ""  # key in ReturnRow.extra for an extra column
    rank: int = 0  # how well the header names `key` (rules.column_match)

    @property
    def id(self) -> str:
        """How rows and findings name the column: its key, or its extra-column name."""
        return self.key or self.name


@dataclass
class Header:
    columns: list[Column]
    first_data: int  # index of the first row under the header
    at: int  # index of the header row
    # Column keys read from more than one column, with those columns' header texts.
    joined: dict[str, list[str]] = field(default_factory=dict)
    covered: frozenset[int] = frozenset()  # grid columns under a header cell

    def __post_init__(self) -> None:
        self.covered = frozenset(g for c in self.columns for g in range(c.start, c.start + c.span))

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.key == rules.ID)


def find_header(rows: list[Row], quarter: int | None) -> Header | None:
    """The first project header row of a table and the columns it defines."""
    for i, row in enumerate(rows):
        if rules.is_return_header_row(row.texts()):
            columns = [_column(c.grid_col, c.span, c.text, quarter) for c in row.cells]
            first_data = i + 1
            if first_data < len(rows) and _is_sub_header(rows[first_data], columns):
                columns = _merge_sub_header(columns, rows[first_data], quarter)
                first_data += 1
            joined = _choose(columns)
            _name_extras(columns)
            return Header(columns, first_data, i, joined)
    return None


def cells_in(row: Row, col: Column) -> list[Cell]:
    # A data cell belongs to the header column whose span covers its first grid column:
    # tolerant of sliver grid columns Word adds when cell edges do not line up.
    return [c for c in row.cells if col.start <= c.grid_col < col.start + col.span]


def _column(start: int, span: int, text: str, quarter: int | None) -> Column:
    key, rank = rules.column_match(text, quarter)
    return Column(start, span, text, key, rank=rank)


def _is_sub_header(row: Row, columns: list[Column]) -> bool:
    """Second header row under merged header cells (`目标` over `年度目标`/`本季度目标`)."""
    id_col = next(c for c in columns if c.key == rules.ID)
    id_cell = cells_in(row, id_col)
    if id_cell and rules.normalize_id(id_cell[0].text):
        return False
    return any(rules.header_key(c.text) for c in row.cells)


def _merge_sub_header(columns: list[Column], sub: Row, quarter: int | None) -> list[Column]:
    merged = []
    for col in columns:
        below = [c for c in cells_in(sub, col) if rules.header_key(c.text)]
        # Only a merged or blank cell above is a group title the row below refines.
        if col.key is None and below and (col.span > 1 or not col.text.strip()):
            merged.extend(_column(c.grid_col, c.span, c.text, quarter) for c in below)
        else:
            merged.append(col)
    return merged


def _choose(columns: list[Column]) -> dict[str, list[str]]:
    """Give each key to its best-ranked columns; return the keys read from several columns."""
    # A blank header right after a text column: that column, split with its header cell.
    for before, col in itertools.pairwise(columns):
        if not rules.clean_header(col.text) and before.key in _JOINABLE:
            col.key, col.rank = before.key, before.rank
    best: dict[str, int] = {}
    for col in columns:
        if col.key is not None:
            best[col.key] = max(best.get(col.key, 0), col.rank)
    chosen: dict[str, list[Column]] = {}
    for col in columns:
        if col.key is None:
            continue
        group = chosen.setdefault(col.key, [])
        # Lower-ranked headers, and any second column of a key that cannot be joined,
        # become extra columns: their text is reported, not merged.
        if col.rank < best[col.key] or (group and col.key not in _JOINABLE):
            col.key = None
        else:
            group.append(col)
    return {
        key: [c.text.strip() or BLANK_HEADER for c in group]
        for key, group in chosen.items()
        if len(group) > 1
    }


def _name_extras(columns: list[Column]) -> None:
    """Name each extra column by its header text (`第N列` when blank), unique in the table."""
    seen: set[str] = {c.key for c in columns if c.key is not None}
    for n, col in enumerate(columns, start=1):
        if col.key is not None:
            continue
        name = rules.clean_header(col.text) or f"第{n}列"
        while name in seen:
            name += "'"
        col.name = name
        seen.add(name)
