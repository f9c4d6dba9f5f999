"""Names made from register and upload text: one function, safe on Windows, macOS and Linux.

The rules differ by system, so names are checked against Windows' (ntpath)
as well as this system's: a `\\` is an ordinary character here and a folder
separator there, `C:x` names a drive there, `CON.docx` is a device there.
"""

from __future__ import annotations

import ntpath
import posixpath
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import bad_files as bf
from support.cli import invoke
from support.registers import write_register

from toolkit.desk.workspace import REGISTER_NAME, Workspace
from toolkit.errors import RegisterError
from toolkit.office.filenames import MAX_NAME_BYTES, MAX_NAME_UNITS, name_key, safe_name

# Windows' device names, written out here independently of the code under test.
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
} | {f"{d}{n}" for d in ("COM", "LPT") for n in ("¹", "²", "³")}  # fmt: skip


def windows_device(name: str) -> bool:
    """Windows takes the part before the first dot, trailing spaces dropped, case ignored."""
    return name.split(".")[0].rstrip(" ").upper() in WINDOWS_DEVICES


def utf16_units(name: str) -> int:
    return len(name.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("民治街道", "民治街道"),
        ("../../etc", "_._etc"),  # separators become `_`; `..` is never a whole name
        ("..", "未命名"),
        ("..\\..\\boot.ini", "_._boot.ini"),
        ("A/B\\C", "A_B_C"),
        ("C:报表", "C_报表"),  # a drive on Windows
        ('报表<1>:"x"|?*', "报表_1___x____"),
        ("民治街道：第三季度", "民治街道：第三季度"),  # full-width colon is fine
        ("报表. . ", "报表"),
        ("a\x00b\x1fc\x7f", "abc"),
        ("\u202excod.docx", "xcod.docx"),  # right-to-left override
        ("CON", "_CON"),
        ("con.tar.gz", "_con.tar.gz"),
        ("NUL .docx", "_NUL .docx"),
        ("CONIN$", "_CONIN$"),
        ("conout$.txt", "_conout$.txt"),
        ("COM¹.docx", "_COM¹.docx"),
        ("LPT³", "_LPT³"),
        ("COM10", "COM10"),
        ("console.docx", "console.docx"),
        ("民治  街道\t报表", "民治 街道 报表"),
        ("", "未命名"),
    ],
)
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


@pytest.mark.parametrize(
    ("text", "unit"),
    [("民" * 200 + ".docx", 3), ("a" * 300 + ".docx", 1), ("😀" * 100 + ".docx", 4)],
)
def test_long_names_are_cut_by_bytes_and_units_keeping_the_extension(text: str, unit: int) -> None:
    name = safe_name(text)
    assert name.endswith(".docx") and len(name) > 10
    assert len(name.encode()) <= MAX_NAME_BYTES and utf16_units(name) <= MAX_NAME_UNITS
    assert safe_name(name) == name


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_every_name_is_one_plain_name_on_every_system(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    name = safe_name(text)
    assert name and name not in (".", "..") and safe_name(name) == name
    assert len(name.encode()) <= MAX_NAME_BYTES and utf16_units(name) <= MAX_NAME_UNITS
    for flavour in (ntpath, posixpath):
        assert flavour.basename(name) == name and not flavour.isabs(name)
    assert ntpath.splitdrive(name)[0] == ""
    assert ntpath.normpath(ntpath.join("C:\\out", name)).startswith("C:\\out\\")
    assert not any(c in '<>:"/\\|?*' or ord(c) < 32 for c in name)
    assert name == name.rstrip(" .") and not name.startswith(".")
    assert not windows_device(name)
    if sys.version_info >= (3, 13):
        assert not ntpath.isreserved(name)
    folder = tmp_path_factory.mktemp("names")
    (folder / name).write_bytes(b"x")  # creatable as named, and with `-99` added
    (folder / f"{name}-99").write_bytes(b"x")
    assert sorted(p.name for p in folder.iterdir()) == sorted([name, f"{name}-99"])


def test_name_key_matches_what_file_systems_confuse() -> None:
    assert name_key("ABC局.docx") == name_key("abc局.DOCX")
    decomposed = unicodedata.normalize("NFD", "Café")
    assert name_key(decomposed) == name_key("Café")


# ---------------------------------------------------------------- from the register


def _register(path: Path, units: list[str], region: str = "龙华区") -> Path:
    projects = {f"{n + 1}-1": (f"项目{n + 1}", unit) for n, unit in enumerate(units)}
    return write_register(
        path,
        bf.register_rows(projects),
        units=[(u, "街道") for u in units],
        title=None,
        settings={"地区": region, "年度": 2023},
    )


@pytest.mark.parametrize(("a", "b"), [("民治:街道", "民治_街道"), ("ABC局", "abc局")])
def test_units_that_would_share_a_file_are_a_register_error_before_anything_is_written(
    tmp_path: Path, a: str, b: str
) -> None:
    register = _register(tmp_path / "register.xlsx", ["观湖街道", a, b])
    out = tmp_path / "forms"
    result = invoke("generate", register, "-q", "3", "-o", out)
    assert result.exit_code == 1
    assert "登记表工作表「项目」" in result.stderr and "第 3 行和第 4 行" in result.stderr
    assert f"“{a}”和“{b}”" in result.stderr and "处理办法" in result.stderr
    assert not out.exists()
    root = tmp_path / "desk"
    root.mkdir()
    _register(root / REGISTER_NAME, ["观湖街道", a, b])
    with pytest.raises(RegisterError, match="会互相覆盖"):
        Workspace(root).register()


def test_a_region_with_dot_dot_never_leaves_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)  # merge writes to 输出/ here by default
    register = _register(work / "register.xlsx", ["民治街道"], region="../../../逃逸/龙华区")
    forms, returns = work / "forms", work / "returns"
    [form] = bf.generate(register, forms)
    assert (
        form.parent == forms and ".." not in form.name and form.name.endswith("（民治街道）.docx")
    )
    returns.mkdir()
    projects = {"1-1": ("项目1", "民治街道")}
    bf.fill_form(form, returns / "民治街道.docx", bf.typed_rows("民治街道", projects))
    result = invoke("merge", returns, "-r", register, "-q", "3", "--json")  # default output folder
    assert result.exit_code == 0, result.stderr
    everything = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert all(str(p).startswith(str(Path("a", "b", "work"))) for p in everything), everything
    assert not (tmp_path / "逃逸").exists() and not (tmp_path / "a" / "逃逸").exists()
    [summary] = (work / "输出" / "2023Q3").glob("*一览表.docx")
    assert "逃逸" in summary.name and ".." not in summary.name
