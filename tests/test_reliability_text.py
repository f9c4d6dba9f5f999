"""Text survives generate -> fill -> merge: markup, template syntax, emoji, long lines.

Only what XML cannot hold at all (control characters) is dropped, and
`generate` says so. Filling is done by editing the generated form's cells with
lxml; LibreOffice round trips are tested elsewhere.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import bad_files as bf
from support.summaries import summary_by_id

from toolkit.core import rules
from toolkit.office import ooxml
from toolkit.returns.reader import read_return

FORBIDDEN = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
FORBIDDEN += "\ufffe\uffff"


def expected_register_text(text: str) -> str:
    """A register cell as the toolkit uses it: characters XML forbids dropped
    (generate warns), surrounding whitespace trimmed (register.md)."""
    return ooxml.strip_xml_forbidden(text).strip()


def expected_return_text(text: str) -> str:
    """A typed cell as merged: blank lines above and below the text trimmed,
    everything else (inner blank lines, spaces at the ends of lines) kept."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def merged_cells(out: Path) -> tuple[dict[str, dict[str, str]], dict[str, tuple]]:
    """The 一览表 as read back: .docx cells by 序号, and .xlsx rows by 序号; a text too
    long for one row goes on in the next rows of its project, put back together here."""
    docx = summary_by_id(out / "一览表.docx")
    ws = __import__("openpyxl").load_workbook(out / "一览表.xlsx").active
    xlsx: dict[str, tuple] = {}
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row[1]:
            # The only escape in these shared strings protects a typed `_xHHHH_`
            # (`_x005F_xHHHH_`); openpyxl undoes it: values read as Excel shows them.
            values = tuple(v or "" for v in row[2:7])
            if row[1] in xlsx:  # the next row of the project: merged targets read as empty
                first = xlsx[row[1]]
                values = (
                    *first[:3],
                    *(f"{a}\n{b}" for a, b in zip(first[3:], values[3:], strict=True)),
                )
            xlsx[row[1]] = values
    return docx, xlsx


def cut_only(shown: str, text: str) -> bool:
    """Whether `shown` is `text` but for line breaks: a paragraph too long for one row of
    the 一览表 is cut, its rest starting the next row (a blank line at the cut is not kept)."""
    return shown.replace("\n", "") == text.replace("\n", "")


# ---------------------------------------------------------------- the hard cases, by name

HARD = (
    "A&B <标签> \"双引号\" '单引号' &amp; ]]> {{ name }} {% if x %}是{% endif %} {# 注释 #} "
    "😀👨‍👩‍👧 ﷽ \u3000全角空格 _x0041_ 保留"
)
LONG_LINE = "长" * 5000


def test_hard_text_survives_and_control_characters_are_reported(tmp_path: Path) -> None:
    name = f"项目\x01名称\x1f{HARD}"
    annual = f"{LONG_LINE}\n第二行\t制表符\n\n  缩进的第四行"
    quarter = "=1+1 \x0b垂直制表 \x7f删除符 \u200b零宽空格"
    register = bf.text_register(
        tmp_path / "register.xlsx", [("1-1", name, annual, quarter, "民治街道")], ["民治街道"]
    )
    result = bf.invoke("generate", register, "-q", "3", "-o", tmp_path / "forms")
    assert result.exit_code == 0, result.stderr
    # One clear line per cell, naming the row, the column, the characters and what was done.
    warnings = [line for line in result.stderr.splitlines() if "控制字符" in line]
    assert warnings == [
        "提示：登记表序号 1-1 的“项目名称”含有 Word 无法保存的不可见控制字符 U+0001、U+001F"
        "（多由复制粘贴带入），民治街道的填报表中已省略这些字符，其余文字不变；请在登记表中删除它们。",
        "提示：登记表序号 1-1 的“本季度目标”含有 Word 无法保存的不可见控制字符 U+000B"
        "（多由复制粘贴带入），民治街道的填报表中已省略这些字符，其余文字不变；请在登记表中删除它们。",
    ]
    form = bf.form_of(tmp_path / "forms", "民治街道")
    [row] = read_return(form, quarter=3).rows
    assert row.cells[rules.NAME] == expected_register_text(name)
    assert row.cells[rules.ANNUAL_TARGET] == annual
    assert row.cells[rules.QUARTER_TARGET] == expected_register_text(quarter)
    assert "_x0041_" in row.cells[rules.NAME]  # Excel's own escape, read back literally

    progress = f"1.{HARD}\n\n2.{LONG_LINE}\n3.\t制表 行尾空格   "
    plan = "{{ plan }}{% raw %}&lt;<w:t>不是标签</w:t>"
    returns = tmp_path / "returns"
    returns.mkdir()
    bf.fill_form(
        form,
        returns / "民治街道.docx",
        {"1-1": {"进展情况": f"\n  \n{progress}\n\n", "存在问题": plan, "进度评价": "正常推进"}},
    )
    out = tmp_path / "out"
    result = bf.invoke(
        "merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx", "--json"
    )
    assert result.exit_code == 0, result.stderr
    codes = {f["code"] for f in bf.merge_json(result)["findings"]}
    assert codes == {"too_long"}  # reported, and still merged in full
    docx, xlsx = merged_cells(out)
    cells = docx["1-1"]
    # 5,000 characters in one paragraph are cut over several rows, nothing lost or changed.
    assert cut_only(cells[rules.PROGRESS], progress)
    assert cells[rules.PROGRESS].startswith(f"1.{HARD}\n")
    assert cells[rules.PROGRESS].endswith("\n3.\t制表 行尾空格   ")
    assert cells[rules.PLAN] == plan
    assert cells[rules.NAME] == expected_register_text(name)
    assert cells[rules.ANNUAL_TARGET] == annual
    assert xlsx["1-1"][:3] == (
        expected_register_text(name),
        annual,
        expected_register_text(quarter),
    )
    assert cut_only(xlsx["1-1"][3], progress) and xlsx["1-1"][4].strip("\n") == plan


# ---------------------------------------------------------------- any text the schema allows

_TOKENS = st.sampled_from(
    ["{{", "}}", "{%", "%}", "&", "<", ">", '"', "'", "\n", "\t", " ", "\u3000", "😀", "_x0041_"]
)
_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters=FORBIDDEN + "\r")
TEXT = st.lists(st.one_of(_TOKENS, st.text(_CHARS, max_size=12)), max_size=8).map("".join)
CELL = TEXT.filter(lambda s: s.strip())  # a register cell that must not be empty
UNIT = (
    st.text(st.characters(categories=("Lo", "Lu", "Ll", "Nd")), min_size=1, max_size=6)
    .map(lambda s: s + "街道")
    .filter(lambda s: s not in ("各街道",))
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=UNIT,
    register_cells=st.lists(st.tuples(CELL, TEXT, TEXT), min_size=2, max_size=2),
    typed=st.lists(st.tuples(TEXT, TEXT), min_size=2, max_size=2),
)
def test_any_text_comes_back_identical(
    unit: str, register_cells: list[tuple[str, str, str]], typed: list[tuple[str, str]]
) -> None:
    """Register text (name, targets) and typed text (进展情况, 存在问题) come back
    identical in the form and in both 一览表 files, where identical means:

    - register cells lose their surrounding whitespace (the register reader
      trims every cell) and nothing else;
    - typed cells lose blank lines above and below the text and nothing else:
      inner blank lines, spaces and tabs at either end of a line all stay;
    - a line break is a line break: `\\n` is written as w:br and w:br reads as
      `\\n`. A bare `\\r` is not generated: Word cannot hold one in a cell
      (Enter starts a new paragraph), and Excel's `_x000D_` is decoded and
      normalised to `\\n` by design.

    Characters XML forbids and lone surrogates are not generated: no .docx or
    .xlsx can hold them (the hard-case test covers how they are dropped).
    """
    ids = ["1-1", "1-2"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows = [(pid, *cells, unit) for pid, cells in zip(ids, register_cells, strict=True)]
        register = bf.text_register(root / "register.xlsx", rows, [unit])
        forms = root / "forms"
        # Empty targets are text too: allowed, to see them come back as they are.
        result = bf.invoke("generate", register, "-q", "3", "-o", forms, "--allow-empty-targets")
        assert result.exit_code == 0, result.stderr
        assert "控制字符" not in result.stderr

        form = bf.form_of(forms, unit)
        sent = {r.id: r.cells for r in read_return(form, quarter=3).rows}
        for pid, (name, annual, quarter) in zip(ids, register_cells, strict=True):
            assert sent[pid][rules.NAME] == expected_register_text(name)
            assert sent[pid][rules.ANNUAL_TARGET] == expected_register_text(annual)
            assert sent[pid][rules.QUARTER_TARGET] == expected_register_text(quarter)

        returns = root / "returns"
        returns.mkdir()
        fill = {
            pid: {"进展情况": progress, "存在问题": plan, "进度评价": "正常推进"}
            for pid, (progress, plan) in zip(ids, typed, strict=True)
        }
        bf.fill_form(form, returns / "回收表.docx", fill)
        out = root / "out"
        result = bf.invoke(
            "merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx"
        )
        assert result.exit_code == 0, result.stderr

        docx, xlsx = merged_cells(out)
        for pid, (name, annual, quarter), (progress, plan) in zip(
            ids, register_cells, typed, strict=True
        ):
            expected = (
                expected_register_text(name),
                expected_register_text(annual),
                expected_register_text(quarter),
                expected_return_text(progress),
                expected_return_text(plan),
            )
            assert xlsx[pid] == expected
            got = docx[pid]
            keys = (rules.NAME, rules.ANNUAL_TARGET, rules.QUARTER_TARGET, rules.PROGRESS)
            assert tuple(got[k] for k in (*keys, rules.PLAN)) == expected
