"""A register made from an existing 一览表 (.docx): for an office whose master
copy is last quarter's Word table, not a workbook.

The 一览表's project table is found by its header row (序号 and 项目名称),
in the layout the office uses or the toolkit's own. From each row it takes
what a register holds: 民生事项 (a vertically merged run gives every row
its text), 序号, 项目名称, 年度目标, the quarter's target, 主办单位 as
written (joint leads, sub-office labels such as `民治街道（工务）`),
协办单位 and any column the register keeps as an extra. Rows it cannot
place (no 序号, no 主办单位, a 序号 twice) are listed, not guessed at.

Units: every name a 主办单位 cell writes, variants folded into one unit
(toolkit.register.names), and the streets a joint row's sections name
(`观湖街道：未报送` in the toolkit's own 一览表), so that `各街道`
expands as it did when the 一览表 was made. The toolkit's own 一览表
shows a joint project as one row per unit, and a text too long for a page
on rows of its own: consecutive rows with one 序号 are one project.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core import rules
from toolkit.errors import RegisterError, ToolkitError, UsageError
from toolkit.office import xlsx_out
from toolkit.office.ooxml import Package, sniff
from toolkit.office.wordml import TBL, WordDocument
from toolkit.register.names import Mention, check_names, mentions
from toolkit.register.settings import region_and_year
from toolkit.register.units import ALL_STREETS, STREET, UnitDirectory, split_labels

_SECTION_RE = re.compile(r"^(\S{2,30}?)[：:](?:未报送|无)?$")
_CONVERTED = (".doc", ".wps", ".odt", ".rtf")
# The register's own columns, in the order `toolkit generate` documents them.
_KEYS = (rules.MATTER, rules.ID, rules.NAME, rules.ANNUAL_TARGET)
_AFTER_QUARTERS = (rules.LEAD, rules.CO)
# What a unit reports: not part of a register.
_REPORTED = (rules.PROGRESS, rules.PLAN, rules.EVALUATION)


@dataclass
class SummaryRegister:
    """The register read from a 一览表, ready to be written as a workbook."""

    region: str | None
    year: int | None
    quarter: int
    extra_columns: list[str]
    rows: list[dict[str, str]]  # column key or extra column name -> text
    units: list[tuple[str, str, tuple[str, ...]]]  # (name, type, aliases)
    skipped: list[str] = field(default_factory=list)  # rows not placed, and why
    notices: list[str] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        quarters = [f"第{rules.QUARTER_CN[q]}季度目标" for q in range(1, 5)]
        return [
            *(rules.COLUMN_LABELS[k] for k in _KEYS),
            *quarters,
            *(rules.COLUMN_LABELS[k] for k in _AFTER_QUARTERS),
            *self.extra_columns,
        ]

    def values(self, row: dict[str, str]) -> list[str]:
        quarters = [row[rules.QUARTER_TARGET] if q == self.quarter else "" for q in range(1, 5)]
        return [
            *(row.get(k, "") for k in _KEYS),
            *quarters,
            *(row.get(k, "") for k in _AFTER_QUARTERS),
            *(row.get(name, "") for name in self.extra_columns),
        ]


def read_summary(path: Path, *, quarter: int | None = None) -> SummaryRegister:
    """The register a 一览表 describes. `quarter` is needed only when the 一览表 does not say."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到一览表文件：{path}")
    notices: list[str] = []
    if path.suffix.lower() in _CONVERTED:
        with tempfile.TemporaryDirectory(prefix="toolkit-summary-") as tmp:
            converted = _convert(path, Path(tmp))
            notices.append(f"{path.name} 不是 .docx，已用 LibreOffice 转换后读取，原文件未改动。")
            doc = _open(converted, path.name)
    else:
        doc = _open(path, path.name)
    found = _Reader(doc, path.name, quarter).read()
    found.notices[:0] = notices
    return found


def write_register(found: SummaryRegister, target: Path) -> None:
    """Write the register workbook: 项目, 单位 and 设置, as `toolkit generate` reads it."""
    book = xlsx_out.Workbook()
    projects = book.add_sheet("项目")
    title = f"{found.region or ''}{found.year or ''}{'年' if found.year else ''}民生实事项目登记表"
    projects.set(1, 1, title, xlsx_out.Style(font="黑体", size=14, bold=True))
    projects.footer_title = title
    widths = [16, 7, 18, 22, 15, 15, 15, 15, 14, 9] + [12] * len(found.extra_columns)
    projects.table(found.header, (found.values(r) for r in found.rows), widths=widths, start_row=2)
    units = book.add_sheet("单位")
    units.table(
        ["单位名称", "类型", "联系人", "联系电话", "邮箱", "别名"],
        ([name, kind, "", "", "", "、".join(aliases)] for name, kind, aliases in found.units),
        widths=[24, 12, 12, 16, 24, 30],
    )
    settings = book.add_sheet("设置")
    settings.table(
        ["设置项", "值"],
        [["地区", found.region or ""], ["年度", str(found.year or "")]],
        widths=[14, 20],
    )
    book.save(target)


# ---------------------------------------------------------------- opening


def _convert(path: Path, out_dir: Path) -> Path:
    from toolkit.office.libreoffice import LibreOfficeError, convert

    try:
        done = convert([path], "docx", out_dir)
    except LibreOfficeError as exc:
        raise RegisterError(
            f"{path.name} 需要转换为 .docx 才能读取，但转换失败：{exc.message}"
        ) from None
    if path not in done:
        raise RegisterError(
            f"{path.name} 无法转换为 .docx（文件可能已损坏或设置了密码）。",
            hint="在 Word/WPS 中另存为 .docx 后重试。",
        )
    return done[path]


def _open(path: Path, name: str) -> WordDocument:
    if sniff(path) != "zip":
        raise RegisterError(
            f"{name} 不是 Word 文件（.docx），或设置了打开密码。",
            hint="在 Word/WPS 中去掉密码并另存为 .docx 后重试。",
        )
    try:
        with Package(path, budgets=False) as pkg:  # the office's own 一览表
            document = pkg.xml("word/document.xml")
            if document is None:
                raise RegisterError(f"{name} 不是 Word 文件（.docx）：缺少正文。")
            return WordDocument(document, pkg.xml("word/numbering.xml"), pkg.xml("word/styles.xml"))
    except RegisterError:
        raise
    except ToolkitError as exc:
        raise RegisterError(f"{name} 无法读取：{exc.message}") from None


# ---------------------------------------------------------------- reading


@dataclass
class _Column:
    key: str | None  # rules column key; None for a column the register keeps as an extra
    name: str  # the header text, cleaned


class _Reader:
    def __init__(self, doc: WordDocument, name: str, quarter: int | None) -> None:
        self.doc = doc
        self.name = name
        self.quarter = quarter
        self.title = ""
        self.rows: list[dict[str, str]] = []
        self.sections: list[str] = []  # labels of joint rows' unit sections, in order
        self.skipped: list[str] = []
        self.extra: list[str] = []
        self.seen: dict[str, int] = {}
        self.last: tuple[str, int] | None = None  # (序号, table row) of the row read last
        self.joint = False  # a row names 各街道

    def read(self) -> SummaryRegister:
        tables = 0
        for block in self.doc.blocks():
            if block.tag != TBL:
                text = self.doc.paragraph_text(block).strip()
                if not self.title and ("一览表" in text or "季度" in text):
                    self.title = text
            elif self._table(block):
                tables += 1
        if not tables:
            raise RegisterError(
                f"{self.name} 中找不到项目表（表头行应含“序号”和“项目名称”）。",
                hint="确认这是一览表；表头行写：民生事项、序号、项目名称、年度目标……主办单位、协办单位。",
            )
        if not self.rows:
            raise RegisterError(
                f"{self.name} 的项目表中没有可用的项目行（每行须有序号、项目名称和主办单位）。"
            )
        region, year = region_and_year(self.title)
        quarter = self.quarter or rules.quarter_named(self.title)
        if quarter is None:
            raise UsageError(
                f"{self.name} 的标题和表头都没有写明季度。",
                hint="用 --quarter 指定，如 --quarter 3。",
            )
        units, notices = self._units(region or "")
        return SummaryRegister(
            region=region,
            year=int(year) if year else None,
            quarter=quarter,
            extra_columns=self.extra,
            rows=self.rows,
            units=units,
            skipped=self.skipped,
            notices=notices,
        )

    def _table(self, tbl: object) -> bool:
        rows = self.doc.table_rows(tbl)  # type: ignore[arg-type]
        width = self.doc.grid_width(tbl)  # type: ignore[arg-type]
        header_at = next((i for i, r in enumerate(rows) if _is_header(r.texts(width))), None)
        if header_at is None:
            return False
        columns = self._columns(rows[header_at].texts(width))
        above: dict[int, str] = {}  # grid column -> text of the vertically merged run
        for n, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
            texts = row.texts(width)
            for cell in row.cells:
                if cell.continuation:
                    texts[cell.grid_col] = above.get(cell.grid_col, "")
                else:
                    above[cell.grid_col] = cell.text
            if _is_header(texts):
                continue  # the header repeated on a new page
            self._row(n, columns, texts)
        return True

    def _columns(self, header: list[str]) -> dict[int, _Column]:
        columns: dict[int, _Column] = {}
        taken: set[str] = set()
        for c, text in enumerate(header):
            name = rules.clean_header(text)
            if not name:
                continue
            quarter = rules.quarter_target_of(name)
            key = rules.header_key(name)
            if quarter is not None and self.quarter is None:
                self.quarter = quarter
            if key in _REPORTED or (key is not None and key in taken):
                continue
            if key is None and name not in self.extra:
                self.extra.append(name)
            if key is not None:
                taken.add(key)
            columns[c] = _Column(key, name)
        return columns

    def _row(self, n: int, columns: dict[int, _Column], texts: list[str]) -> None:
        cells = {
            (col.key or col.name): texts[c] if c < len(texts) else "" for c, col in columns.items()
        }
        pid = rules.normalize_id(cells.get(rules.ID, ""))
        where = f"表格第 {n} 行"
        if not pid:
            if any(t.strip() for t in texts):
                snippet = next(t for t in texts if t.strip()).split("\n", 1)[0][:20]
                self.skipped.append(f"{where}（“{snippet}”）：没有序号，未写入登记表。")
            return
        for key, what in ((rules.NAME, "项目名称"), (rules.LEAD, "主办单位")):
            if not cells.get(key):
                self.skipped.append(f"{where}（序号 {pid}）：没有{what}，未写入登记表。")
                return
        if pid in self.seen:
            if self.last == (pid, n - 1):  # the next row of a joint project, or text continued
                self.last = (pid, n)
                self._sections(cells, columns, texts)
                return
            self.skipped.append(
                f"{where}（序号 {pid}）：与表格第 {self.seen[pid]} 行序号相同，未写入登记表。"
            )
            return
        self.seen[pid] = n
        self.last = (pid, n)
        cells[rules.ID] = pid
        cells.setdefault(rules.QUARTER_TARGET, "")
        self.rows.append(cells)
        self._sections(cells, columns, texts)

    def _sections(
        self, cells: dict[str, str], columns: dict[int, _Column], texts: list[str]
    ) -> None:
        """The streets a 各街道 row's sections name: what units reported, headed `观湖街道：`."""
        if any(label in ALL_STREETS for label in split_labels(cells[rules.LEAD])):
            self.joint = True
            reported = (t for c, t in enumerate(texts) if c not in columns)
            for line in (line for text in reported for line in text.split("\n")):
                m = _SECTION_RE.match(line.strip())
                if m and m.group(1).endswith(STREET):
                    self.sections.append(m.group(1))

    def _units(self, region: str) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]:
        empty = UnitDirectory([])
        written = [
            m
            for row in self.rows
            for m in mentions(row[rules.LEAD], f"序号 {row[rules.ID]}", empty)
        ]
        written += [Mention(s, "联合项目的分段") for s in self.sections]
        notices: list[str] = []
        try:
            checked = check_names(
                written,
                empty,
                region=region,
                sheet="一览表",
                allow_new=False,
                uses_all_streets=False,
            )
        except RegisterError as exc:
            notices.append(f"请核对：{exc.message}")
            checked = check_names(
                written,
                empty,
                region=region,
                sheet="一览表",
                allow_new=True,
                uses_all_streets=False,
            )
        notices += checked.notices
        # Streets first, in the order the joint rows' sections list them: the order
        # `各街道` expands in, and so the order of those sections in the next 一览表.
        units = checked.directory.units
        streets = [u for u in units if u.kind == STREET]
        order = {
            checked.directory.canonical(s): i for i, s in enumerate(dict.fromkeys(self.sections))
        }
        streets.sort(key=lambda u: order.get(u.name, len(order)))
        others = [u for u in units if u.kind != STREET]
        if self.joint and not streets:
            notices.append(
                "一览表中有主办单位写作“各街道”的项目，但没有写出任何街道："
                "请在新登记表的「单位」工作表中补上全部街道（类型写“街道”）。"
            )
        return [(u.name, u.kind or "", u.aliases) for u in (*streets, *others)], notices


def _is_header(texts: list[str]) -> bool:
    keys = {rules.header_key(t) for t in texts if t}
    return rules.ID in keys and rules.NAME in keys
