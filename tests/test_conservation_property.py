"""Rules 1–3 of docs/checks.md, on returns changed at random the way people change them.

A filled form whose every typed text is a short token (`ZA01`) goes through a
random sequence of edits a person makes in Word (support.edits): rows
inserted, deleted, duplicated, moved, left without 序号 or merged with the
one above, 合计 rows; columns inserted, split, renamed, swapped, with
headers drawn from other quarters', 备注 and the like; text struck through,
hidden directly or by a style, wrapped in content controls, hyperlinks and
smart tags. The oracle is not the project's reader: LibreOffice renders the
return to PDF and the tokens in its text are what a person sees. Then, after
`toolkit merge` and `toolkit check` through the CLI:

1. every token a person sees is in the 一览表 (.docx or .xlsx) or quoted in a finding;
2. no token a person cannot see is in the 一览表, nor one struck through;
3. neither command fails (exit 0 or 1, never 70).

Typed texts stay short, so a finding's short quote holds them whole. CI
runs a few dozen examples; `pytest --hypothesis-profile=long` thousands.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import load_workbook
from support import seed
from support.cli import invoke
from support.edits import NS, STRUCK_STYLE, Return, q, text_of
from support.fill import fill_form
from support.lo import Renderer
from support.profiles import examples

UNIT = "民治街道"
TOKEN_RE = re.compile(r"Z[A-Z][0-9]{2}")
ROW_IDS = ["", "", "（一）", "1-a", "99-9", "10-3", "40", "合计", "小计", "共9项"]
HEADERS = [
    "备注",
    "第二季度进展情况",
    "第四季度进展情况",
    "上季度进展情况",
    "进展情况",
    "第三季度进展情况",
    "存在问题",
    "下一步工作计划",
    "工作进展",
    "联系人",
    "",
]
FORMATS = [
    "strike",
    "dstrike",
    "style_strike",
    "vanish",
    "style_vanish",
    "paragraph_vanish",
    "sdt",
    "hyperlink",
    "smart_tag",
]
MAX_NEW_COLUMNS = 3  # the table keeps its width: each new column halves a neighbour

index = st.integers(0, 1000)
EDIT = st.one_of(
    st.tuples(st.just("insert_row"), index, st.sampled_from(ROW_IDS), st.lists(index, max_size=2)),
    st.tuples(st.just("delete_row"), index),
    st.tuples(st.just("duplicate_row"), index),
    st.tuples(st.just("move_row"), index, index),
    st.tuples(st.just("blank_id"), index),
    st.tuples(st.just("merge_id"), index),
    st.tuples(
        st.just("insert_column"), index, st.sampled_from(HEADERS), st.lists(index, max_size=3)
    ),
    st.tuples(
        st.just("split_column"),
        st.sampled_from(["存在问题", "进展情况", ""]),
        st.lists(index, max_size=3),
    ),
    st.tuples(st.just("rename"), index, st.sampled_from(HEADERS)),
    st.tuples(st.just("swap"), index, index),
    st.tuples(st.just("format"), index, st.sampled_from(FORMATS)),
)


def tokens() -> Iterator[str]:
    for n in range(26 * 100):
        yield f"Z{chr(65 + n // 100)}{n % 100:02d}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    from support.registers import write_register

    root = tmp_path_factory.mktemp("property")
    register = write_register(root / "register.xlsx")
    assert invoke("generate", register, "-q", "3", "-o", root / "forms").exit_code == 0
    form = next((root / "forms").glob(f"*（{UNIT}）.docx"))
    filled = fill_form(
        form, root / "filled.docx", {pid: {"进度评价": "正常推进"} for pid in seed.IDS}
    )
    with Renderer() as renderer:
        yield {"root": root, "register": register, "filled": filled, "renderer": renderer}


class Editor:
    """Applies drawn edits to a return; every text it types is a fresh token."""

    def __init__(self, ret: Return) -> None:
        self.ret = ret
        self.fresh = tokens()
        self.example = ret.rows()[0]  # the form's 示例 row: the template's, never edited
        self.new_columns = 0
        for tr in self.rows():
            runs = ret.set_text(
                tr, ret.column("进展情况"), next(self.fresh) + " ", next(self.fresh)
            )
            assert runs
            ret.set_text(tr, ret.column("存在问题"), next(self.fresh))

    def rows(self) -> list[etree._Element]:
        return [tr for tr in self.ret.rows() if tr is not self.example]

    def text_columns(self) -> list[int]:
        id_col = self.ret.column("序号")
        return [i for i in range(len(self.ret.headers())) if i != id_col]

    def apply(self, edit: tuple) -> None:
        ret, rows, kind = self.ret, self.rows(), edit[0]
        if not rows and kind not in ("insert_column", "split_column", "rename", "swap"):
            return
        pick = (lambda i: rows[i % len(rows)]) if rows else None
        if kind == "insert_row":
            _, at, label, cols = edit
            texts = {c: next(self.fresh) for c in self._columns(cols)}
            texts[ret.column("序号")] = label
            ret.insert_row(pick(at), texts)
        elif kind == "delete_row":
            ret.delete_row(pick(edit[1]))
        elif kind == "duplicate_row":
            copy = ret.duplicate_row(pick(edit[1]))
            for t in copy.iter(q("t")):  # the copy is typed anew, so each text has one place
                if TOKEN_RE.fullmatch((t.text or "").strip()):
                    t.text = next(self.fresh) + (" " if t.text.endswith(" ") else "")
        elif kind == "move_row":
            moving, before = pick(edit[1]), pick(edit[2])
            if moving is not before:
                ret.move_row(moving, before)
        elif kind == "blank_id":
            ret.set_text(pick(edit[1]), ret.column("序号"))
        elif kind == "merge_id":
            tr = pick(edit[1])
            if tr.getprevious() is not ret.header:
                ret.merge_with_above(tr, ret.column("序号"))
        elif kind == "insert_column" and self.new_columns < MAX_NEW_COLUMNS:
            _, at, header, picked = edit
            self._insert_column(at % (len(ret.headers()) + 1), header, picked)
        elif kind == "split_column" and self.new_columns < MAX_NEW_COLUMNS:
            _, which, picked = edit
            source = next(
                (i for i, h in enumerate(ret.headers()) if (which or "进展情况") in h), None
            )
            if source is None:
                return
            if which == "存在问题":
                ret.rename_header(source, "存在问题")
            header = {"存在问题": "下一步工作计划", "进展情况": "第三季度进展情况"}.get(which, "")
            self._insert_column(source + 1, header, picked)
        elif kind == "rename":
            columns = self.text_columns()
            ret.rename_header(columns[edit[1] % len(columns)], edit[2])
        elif kind == "swap":
            width = len(ret.headers())
            a, b = edit[1] % width, edit[2] % width
            if a != b:
                ret.swap_columns(a, b)
        elif kind == "format":
            runs = [r for tr in rows for r in tr.iter(q("r")) if TOKEN_RE.search(text_of(r))]
            if runs:
                ret.format_run(runs[edit[1] % len(runs)], edit[2])

    def _columns(self, picked: list[int]) -> set[int]:
        columns = self.text_columns()
        return {columns[i % len(columns)] for i in picked}

    def _insert_column(self, at: int, header: str, picked: list[int]) -> None:
        rows = self.ret.rows()
        data = [i for i, tr in enumerate(rows) if tr is not self.example]
        texts = {data[i % len(data)]: next(self.fresh) for i in picked} if data else {}
        self.ret.insert_column(at, header, texts)
        self.new_columns += 1


def typed_tokens(ret: Return) -> tuple[set[str], set[str]]:
    """Every token in the return's project table, and those struck through."""
    typed, struck = set(), set()
    for r in ret.table.iter(q("r")):
        found = set(TOKEN_RE.findall(text_of(r)))
        typed |= found
        rpr = r.find("w:rPr", NS)
        if rpr is not None and (
            rpr.find("w:strike", NS) is not None
            or rpr.find("w:dstrike", NS) is not None
            or any(s.get(q("val")) == STRUCK_STYLE for s in rpr.findall("w:rStyle", NS))
        ):
            struck |= found
    return typed, struck


def summary_text(docx: Path) -> str:
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    book = load_workbook(docx.with_suffix(".xlsx"))
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v]
    return "".join(t.text or "" for t in root.iter(q("t"))) + "\n" + "\n".join(cells)


@pytest.mark.libreoffice
@settings(
    max_examples=examples(ci=25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(EDIT, max_size=7))
# Cases earlier runs found: rows without 序号 joined to an unknown row, or a
# duplicate row holding register text under a renamed header or joined into a
# split column, whose quotes must still hold the typed text; columns split twice.
@example(edits=[("delete_row", 0), ("insert_row", 0, "（一）", [6]), ("blank_id", 83)])
@example(edits=[("split_column", "进展情况", [0]), ("split_column", "进展情况", [1])])
@example(edits=[("blank_id", 0)])
@example(edits=[("duplicate_row", 150), ("rename", 2, "第三季度进展情况")])
@example(
    edits=[
        ("delete_row", 0),
        ("rename", 1, "备注"),
        ("insert_column", 3, "备注", [7]),
        ("insert_row", 0, "40", []),
    ]
)
@example(
    edits=[
        ("delete_row", 0),
        ("insert_row", 0, "", [0]),
        ("insert_row", 0, "（一）", [0, 1]),
        ("blank_id", 83),
    ]
)
def test_what_a_person_sees_is_merged_or_quoted(world, tmp_path_factory, edits):
    case = tmp_path_factory.mktemp("case")
    ret = Return(world["filled"])
    editor = Editor(ret)
    for edit in edits:
        editor.apply(edit)
    folder = case / "returns"
    folder.mkdir()
    path = ret.save(folder / f"{UNIT}.docx")
    typed, struck = typed_tokens(ret)
    seen = set(TOKEN_RE.findall("".join(world["renderer"].visible_text(path).split())))
    assert seen <= typed  # the oracle found only what was typed
    shown, hidden = typed & seen, typed - seen

    out = case / "out" / "一览表.docx"
    args = [folder, "-r", world["register"], "-q", "3", "--json"]
    merged = invoke("merge", *args, "--out", out)
    assert merged.exit_code == 0, merged.output
    checked = invoke("check", *args)
    assert checked.exit_code in (0, 1), checked.output
    findings = "\n".join(f["message"] for f in json.loads(merged.stdout)["findings"])
    summary = summary_text(out)

    lost = sorted(t for t in shown if t not in summary and t not in findings)
    assert not lost, f"seen, but neither in the 一览表 nor quoted in a finding: {lost}\n{findings}"
    leaked = sorted(t for t in hidden | (struck & shown) if t in summary)
    assert not leaked, f"hidden or struck, yet in the 一览表: {leaked}"
    unquoted = sorted(t for t in struck & shown if t not in findings)
    assert not unquoted, f"struck through but not quoted: {unquoted}\n{findings}"
