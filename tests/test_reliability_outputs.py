"""Outputs and inputs: text is never a formula, inputs are never touched, reruns agree,
and every error path ends in a Chinese message and a documented exit code.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import bad_files as bf

from toolkit.errors import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("world")
    register = bf.small_register(root / "register.xlsx")
    returns, typed = bf.good_returns(root, register)
    return {"root": root, "register": register, "returns": returns, "typed": typed}  # type: ignore[dict-item]


def inputs_copy(world: dict, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the register and the returns folder, both under tmp/inputs."""
    inputs = tmp_path / "inputs"
    shutil.copytree(world["returns"], inputs / "returns")
    shutil.copy2(world["register"], inputs / "register.xlsx")
    return inputs / "register.xlsx", inputs / "returns"


# ---------------------------------------------------------------- no formulas

_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def assert_text_not_formulas(path: Path, expected: set[str]) -> None:
    """Every cell is a value (no `<f>` in any sheet XML) and the `expected` strings are text."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _FORMULA_ELEMENT.search(zf.read(name)), f"{path.name}:{name}"
    wb = load_workbook(path)
    seen: dict[str, str] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    seen[cell.value] = cell.data_type
    missing = expected - set(seen)
    assert not missing, f"{path.name} lacks {missing}"
    assert {seen[v] for v in expected} == {"s"}


def test_values_starting_with_formula_characters_stay_text_in_every_xlsx(
    tmp_path: Path,
) -> None:
    register = bf.text_register(
        tmp_path / "register.xlsx",
        [
            ("1-1", "=1+1", "+86 755 8888", "-5%", "民治街道"),
            ("2-1", "@SUM(A1:A9)", '=HYPERLINK("http://example.com","点击")', "+完成", "观湖街道"),
        ],
        [
            (
                "民治街道",
                "街道",
                '=HYPERLINK("http://example.com")',
                "+86 755 1234",
                "@example.com",
            ),
            ("观湖街道", "街道", "-联系人", "-1", "=1"),
        ],
    )
    forms = tmp_path / "forms"
    bf.generate(register, forms)
    returns = tmp_path / "returns"
    returns.mkdir()
    typed = {
        "1-1": {"进展情况": "=cmd|' /C calc'!A0", "存在问题": "+1+1", "进度评价": "正常推进"},
        "2-1": {"进展情况": "-2+3", "存在问题": "@SUM(1,2)", "进度评价": "正常推进"},
    }
    bf.fill_form(bf.form_of(forms, "民治街道"), returns / "=民治街道.docx", {"1-1": typed["1-1"]})
    bf.fill_form(bf.form_of(forms, "观湖街道"), returns / "观湖街道.docx", {"2-1": typed["2-1"]})
    bf.empty_file(returns / "@坏文件.docx")
    out = tmp_path / "out"
    result = bf.invoke(
        "merge",
        returns,
        "-r",
        register,
        "-q",
        "3",
        "--out",
        out / "一览表.docx",
        "--update-register",
    )
    assert result.exit_code == 0, result.stderr
    bf.assert_merged(out / "一览表.docx", out / "一览表.xlsx", typed)

    typed_text = {v for row in typed.values() for k, v in row.items() if k != "进度评价"}
    register_text = {"=1+1", "+86 755 8888", "-5%", "@SUM(A1:A9)", "+完成"}
    assert_text_not_formulas(out / "一览表.xlsx", typed_text | register_text)
    assert_text_not_formulas(
        out / "问题清单（2023年第三季度）.xlsx", {"@坏文件.docx", "=民治街道.docx"}
    )
    assert_text_not_formulas(
        forms / "分发清单.xlsx",
        {
            '=HYPERLINK("http://example.com")',
            "+86 755 1234",
            "@example.com",
            "-联系人",
            "-1",
            "=1",
        },
    )
    # --update-register: the new period sheet, and the register's own text cells.
    assert_text_not_formulas(register, typed_text | {"=1+1", "@SUM(A1:A9)"})
    assert "2023Q3进展" in load_workbook(register).sheetnames


# ---------------------------------------------------------------- inputs are never modified


def test_inputs_are_never_modified(world: dict, tmp_path: Path) -> None:
    register, returns = inputs_copy(world, tmp_path)
    inputs = register.parent
    before = bf.snapshot(inputs)

    assert bf.invoke("generate", register, "-q", "3", "-o", tmp_path / "forms").exit_code == 0
    assert bf.snapshot(inputs) == before
    check = bf.invoke("check", returns, "-r", register, "-q", "3")
    assert check.exit_code == 0, check.stdout + check.stderr
    assert bf.snapshot(inputs) == before
    merge = ["merge", returns, "-r", register, "-q", "3", "--out", tmp_path / "out" / "一览表.docx"]
    assert bf.invoke(*merge).exit_code == 0
    assert bf.snapshot(inputs) == before

    # --update-register rewrites the register, after a byte-identical backup.
    result = bf.invoke(*merge, "--update-register", "--json")
    assert result.exit_code == 0, result.stderr
    backup = Path(bf.merge_json(result)["outputs"]["register_backup"])
    assert backup.parent == inputs and backup.read_bytes() == before[register][0]
    after = bf.snapshot(inputs)
    assert {p: v for p, v in after.items() if p not in (register, backup)} == {
        p: v for p, v in before.items() if p != register
    }
    assert after[register][0] != before[register][0]


def test_rerun_on_the_same_inputs_gives_the_same_content(world: dict, tmp_path: Path) -> None:
    register, returns = inputs_copy(world, tmp_path)
    runs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        result = bf.invoke(
            "merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx"
        )
        assert result.exit_code == 0, result.stderr
        runs.append(out)
    first, second = runs
    for name in ("一览表.docx",):
        with zipfile.ZipFile(first / name) as a, zipfile.ZipFile(second / name) as b:
            assert a.read("word/document.xml") == b.read("word/document.xml")
    for name in ("一览表.xlsx", "问题清单（2023年第三季度）.xlsx"):
        assert _cell_values(first / name) == _cell_values(second / name)
    bf.assert_merged(first / "一览表.docx", first / "一览表.xlsx", world["typed"])


def _cell_values(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


# ---------------------------------------------------------------- bad registers

SECRET = "机密-登记表-5be1"


def _good_register(path: Path) -> Path:
    return bf.small_register(path)


def _register_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    _good_register(path)
    return bf.replace_part(path, path, "xl/worksheets/sheet1.xml", sheet_xml)


def _register_with_doctype(path: Path, subset: str, entity: str) -> Path:
    _good_register(path)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(
        rb'(<c r="C2"[^>]*><is><t>)[^<]*(</t>)',
        lambda m: m.group(1) + f"&{entity};".encode() + m.group(2),
        sheet,
        count=1,
    )
    return _register_with_sheet(path, f"<!DOCTYPE worksheet [{subset}]>".encode() + sheet)


def _missing_sheet(path: Path, sheet: str) -> Path:
    _good_register(path)
    wb = load_workbook(path)
    del wb[sheet]
    wb.save(path)
    return path


def _locked(path: Path) -> Path:
    _good_register(path)
    (path.parent / f"~${path.name}").write_bytes(b"\x00" * 165)
    return path


def _encrypted(path: Path) -> Path:
    plain = _good_register(path.with_name("plain.xlsx"))
    return bf.encrypted_copy(plain, path)


BAD_REGISTERS = {
    "not_a_zip": (lambda p: bf.not_a_zip(p), "不是有效的 Excel"),
    "empty": (lambda p: bf.empty_file(p), "不是有效的 Excel"),
    "truncated": (lambda p: bf.truncated_zip(p, _good_register(p.with_name("g.xlsx"))), "已损坏"),
    "garbage_sheet": (lambda p: _register_with_sheet(p, b"<worksheet><sheetData><row>"), "已损坏"),
    "word_file_renamed": (lambda p: bf.dense_bomb(p, elements=1), "不是 Excel 工作簿"),
    "external_entity": (
        lambda p: _register_with_doctype(
            p, f'<!ENTITY xxe SYSTEM "{(p.parent / "secret.txt").as_uri()}">', "xxe"
        ),
        "已损坏",
    ),
    "billion_laughs": (lambda p: _register_with_doctype(p, bf.billion_laughs(), "lol9"), "已损坏"),
    "password": (_encrypted, "设置了打开密码"),
    "open_in_excel": (_locked, "正在 Excel/WPS 中打开"),
    "no_projects_sheet": (lambda p: _missing_sheet(p, "项目"), "找不到项目表"),
    # Without 设置, 地区 must come from --region, a title row or the file name.
    "no_settings_sheet": (lambda p: _missing_sheet(p, "设置"), "找不到地区"),
}


@pytest.mark.parametrize("command", ["generate", "check", "merge"])
@pytest.mark.parametrize("case", list(BAD_REGISTERS))
def test_bad_register_is_a_chinese_error_exit_1_and_nothing_written(
    tmp_path: Path, case: str, command: str
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "secret.txt").write_text(SECRET, encoding="utf-8")
    build, reason = BAD_REGISTERS[case]
    register = build(inputs / "登记表.xlsx")
    before = bf.snapshot(inputs)
    out = tmp_path / "out"
    returns = tmp_path / "returns"
    returns.mkdir()
    args = {
        "generate": ["generate", register, "-q", "3", "-o", out],
        "check": ["check", returns, "-r", register, "-q", "3"],
        "merge": ["merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx"],
    }[command]
    result = bf.invoke(*args)
    assert result.exit_code == EXIT_PROBLEMS, result.stdout + result.stderr
    assert result.stderr.startswith("错误："), result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert bf.files_in(out) == []
    assert result.stdout == ""
    assert bf.snapshot(inputs) == before


# ---------------------------------------------------------------- every error path


def _error_cases(world: dict, tmp_path: Path) -> list[tuple[list, int, str]]:
    register, returns = world["register"], world["returns"]
    a_file = tmp_path / "一个文件.txt"
    a_file.write_text("x", encoding="utf-8")
    not_a_template = bf.not_a_zip(tmp_path / "模板.docx")
    return [
        (["merge"], EXIT_USAGE, "缺少"),
        (["merge", returns, "-r", register], EXIT_USAGE, "缺少选项"),
        (["merge", returns, "-r", register, "-q", "5"], EXIT_USAGE, "季度应为"),
        (["merge", returns, "-r", register, "-q", "3", "--bogus"], EXIT_USAGE, "没有选项"),
        (["merge", tmp_path / "不存在", "-r", register, "-q", "3"], EXIT_USAGE, "找不到回收表"),
        (["check", returns, "-r", tmp_path / "不存在.xlsx", "-q", "3"], EXIT_USAGE, "找不到登记表"),
        (["generate", register, "-q", "3", "-u", "不存在街道"], EXIT_USAGE, "没有主办项目的单位"),
        (
            ["merge", returns, "-r", register, "-q", "3", "--out", a_file / "一览表.docx"],
            EXIT_PROBLEMS,
            "无法",
        ),
        (
            ["generate", register, "-q", "3", "-o", tmp_path / "f", "-t", not_a_template],
            EXIT_PROBLEMS,
            "模板",
        ),
        (["no-such-command"], EXIT_USAGE, "没有这个命令"),
    ]


def test_every_error_path_is_a_chinese_message_and_a_documented_exit_code(
    world: dict, tmp_path: Path
) -> None:
    for args, code, fragment in _error_cases(world, tmp_path):
        result = bf.invoke(*args)
        label = " ".join(map(str, args))
        assert result.exit_code == code, f"{label}: {result.stderr}"
        assert "错误：" in result.stderr and fragment in result.stderr, f"{label}: {result.stderr}"
        assert "Traceback" not in result.stderr, label
        message = result.stderr.split("错误：", 1)[1]
        assert re.search(r"[\u4e00-\u9fff]", message), label
        prose = re.sub(r"toolkit( [a-z]+)+", "", message)  # a command to run is not English
        assert not re.search(r"\b[A-Za-z]+ [a-z]+ [a-z]+\b", prose), message  # no English


def test_existing_forms_are_not_overwritten_without_force(world: dict, tmp_path: Path) -> None:
    out = tmp_path / "forms"
    bf.generate(world["register"], out)
    before = bf.snapshot(out)
    result = bf.invoke("generate", world["register"], "-q", "3", "-o", out)
    assert result.exit_code == EXIT_PROBLEMS
    assert "未做任何改动" in result.stderr and "Traceback" not in result.stderr
    assert bf.snapshot(out) == before


def test_check_with_error_findings_exits_1_and_says_why(world: dict, tmp_path: Path) -> None:
    register, returns = inputs_copy(world, tmp_path)
    (returns / "龙华街道.docx").unlink()
    result = bf.invoke("check", returns, "-r", register, "-q", "3")
    assert result.exit_code == EXIT_PROBLEMS
    assert "龙华街道" in result.stdout and "Traceback" not in result.stderr
    (returns / "龙华街道.docx").write_bytes((world["returns"] / "龙华街道.docx").read_bytes())
    assert bf.invoke("check", returns, "-r", register, "-q", "3").exit_code == 0


def test_internal_error_exit_70_traceback_only_with_debug(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unforeseen failure (simulated in the merge core) is exit 70 and a Chinese
    request to rerun with --debug; --debug then shows the traceback."""
    from toolkit.returns import merging

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("模拟的内部错误")

    monkeypatch.setattr(merging, "merge_returns", broken)
    args = ["merge", world["returns"], "-r", world["register"], "-q", "3", "--out"]
    plain = bf.invoke(*args, tmp_path / "a" / "一览表.docx")
    assert plain.exit_code == EXIT_INTERNAL
    assert "内部错误" in plain.stderr and "--debug" in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = bf.invoke("--debug", *args, tmp_path / "b" / "一览表.docx")
    assert debug.exit_code == EXIT_INTERNAL
    assert "Traceback" in debug.stderr and "RuntimeError" in debug.stderr
    assert bf.files_in(tmp_path / "a") == bf.files_in(tmp_path / "b") == []


def test_typed_excel_escape_sequences_are_written_literally(tmp_path: Path) -> None:
    """Excel reads `_x0041_` as "A": a typed one is stored escaped as `_x005F_x0041_`."""
    register = bf.text_register(
        tmp_path / "register.xlsx", [("1-1", "项目", "目标", "目标", "民治街道")], []
    )
    forms = tmp_path / "forms"
    bf.generate(register, forms)
    returns = tmp_path / "returns"
    returns.mkdir()
    typed = {"1-1": {"进展情况": "编号_x0041_保留", "进度评价": "正常推进"}}
    bf.fill_form(bf.form_of(forms, "民治街道"), returns / "民治街道.docx", typed)
    out = tmp_path / "out"
    result = bf.invoke("merge", returns, "-r", register, "-q", "3", "--out", out / "一览表.docx")
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out / "一览表.xlsx") as zf:
        text = zf.read("xl/sharedStrings.xml").decode()
    assert "编号_x005F_x0041_保留" in text and re.search(r"(?<!_x005F)_x0041_", text) is None
