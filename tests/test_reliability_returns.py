"""Bad returns: one bad file is reported, never stops the merge, never costs a unit its text.

Each case puts one bad file among three good returns, runs the real
`toolkit merge --json`, asserts the exact finding for the bad file, and reads
the 一览表 back (.docx and .xlsx) to prove the good returns were merged word
for word.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from support import bad_files as bf
from support.lo import require_libreoffice

from toolkit.office.libreoffice import convert


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A register, its generated forms and three good returns (shared, read-only)."""
    root = tmp_path_factory.mktemp("world")
    register = bf.small_register(root / "register.xlsx")
    returns, _ = bf.good_returns(root, register)
    return {"root": root, "register": register, "returns": returns, "forms": root / "forms"}


TYPED = {pid: row for u in bf.UNITS for pid, row in bf.typed_rows(u).items()}


def returns_copy(world: dict[str, Path], tmp_path: Path) -> Path:
    return shutil.copytree(world["returns"], tmp_path / "returns")


def merge(world: dict[str, Path], tmp_path: Path, *paths: Path) -> dict:
    out = tmp_path / "out"
    result = bf.invoke(
        "merge",
        *paths,
        "-r",
        world["register"],
        "-q",
        "3",
        "--out",
        out / "一览表.docx",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = bf.merge_json(result)
    data["out"] = out
    data["stderr"] = result.stderr
    return data


def findings_for(data: dict, file: str) -> list[dict]:
    return [f for f in data["findings"] if f["file"] == file]


def assert_plain_chinese(message: str) -> None:
    """A reason an office clerk can read and pass on: Chinese, no exception text."""
    assert re.search(r"[\u4e00-\u9fff]{3}", message), message
    for english in ("Error", "Exception", "Errno", "Traceback", "line ", 'File "'):
        assert english not in message, message


def assert_all_good_merged(data: dict) -> None:
    status = {u["unit"]: u["status"] for u in data["units"]}
    assert status == dict.fromkeys(bf.UNITS, "returned")
    out = data["out"]
    bf.assert_merged(out / "一览表.docx", out / "一览表.xlsx", TYPED)


# ---------------------------------------------------------------- unreadable files

BAD_FILES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "not_a_zip": (lambda p, good: bf.not_a_zip(p), "不是 Word 文件"),
    "empty": (lambda p, good: bf.empty_file(p), "文件为空"),
    "truncated_zip": (bf.truncated_zip, "已损坏或不完整"),
    "xlsx_renamed": (lambda p, good: bf.xlsx_renamed(p), "这是 Excel 文件"),
    "pdf_renamed": (lambda p, good: bf.pdf_renamed(p), "这是 PDF 文件"),
    "folder": (lambda p, good: (p.mkdir(), p)[1], "这是一个文件夹"),
    "garbled_entry": (lambda p, good: garbled(p, good), "已损坏（解压失败或校验不符）"),
}


def garbled(path: Path, good: Path) -> Path:
    """A good return whose document.xml's compressed bytes were damaged in transit."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 64, start + info.compress_size - 64, 7):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_in_the_returns_folder_is_unreadable_and_the_rest_merge(
    world: dict[str, Path], tmp_path: Path, case: str
) -> None:
    build, reason = BAD_FILES[case]
    returns = returns_copy(world, tmp_path)
    build(returns / f"坏文件-{case}.docx", world["returns"] / "民治街道.docx")
    data = merge(world, tmp_path, returns)
    [bad] = findings_for(data, f"坏文件-{case}.docx")
    assert (bad["code"], bad["level"], bad["unit"]) == ("unreadable", "error", None)
    assert reason in bad["message"]
    assert_plain_chinese(bad["message"])
    assert_all_good_merged(data)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_named_on_the_command_line_is_unreadable_and_the_rest_merge(
    world: dict[str, Path], tmp_path: Path, case: str
) -> None:
    build, reason = BAD_FILES[case]
    returns = returns_copy(world, tmp_path)
    bad_path = build(tmp_path / "x.docx", world["returns"] / "民治街道.docx")
    data = merge(world, tmp_path, returns, bad_path)
    [bad] = findings_for(data, "x.docx")
    assert bad["code"] == "unreadable"
    assert reason in bad["message"]
    assert_all_good_merged(data)


def test_dangling_link_is_unreadable(world: dict[str, Path], tmp_path: Path) -> None:
    returns = returns_copy(world, tmp_path)
    (returns / "快捷方式.docx").symlink_to(tmp_path / "不存在.docx")
    data = merge(world, tmp_path, returns)
    [bad] = findings_for(data, "快捷方式.docx")
    assert (bad["code"], bad["message"]) == ("unreadable", "文件不存在。")
    assert_all_good_merged(data)


def test_unreadable_return_of_a_unit_says_which_unit(
    world: dict[str, Path], tmp_path: Path
) -> None:
    """A unit whose only return is broken is `unreadable`, not `missing`: the office calls it."""
    returns = returns_copy(world, tmp_path)
    bf.truncated_zip(returns / "龙华街道.docx", world["returns"] / "龙华街道.docx")
    data = merge(world, tmp_path, returns)
    status = {u["unit"]: (u["status"], Path(u["file"] or "").name) for u in data["units"]}
    assert status["龙华街道"] == ("unreadable", "龙华街道.docx")
    [bad] = findings_for(data, "龙华街道.docx")
    assert (bad["code"], bad["unit"]) == ("unreadable", "龙华街道")
    assert not [f for f in data["findings"] if f["code"] == "missing_return"]


# ---------------------------------------------------------------- password, legacy, macros


def test_password_protected_return_says_remove_the_password(
    world: dict[str, Path], tmp_path: Path
) -> None:
    returns = returns_copy(world, tmp_path)
    bf.encrypted_copy(world["returns"] / "龙华街道.docx", returns / "龙华街道（加密）.docx")
    data = merge(world, tmp_path, returns)
    [bad] = findings_for(data, "龙华街道（加密）.docx")
    assert (bad["code"], bad["unit"]) == ("unreadable", "龙华街道")
    assert "密码" in bad["message"] and "去掉密码" in bad["message"]
    assert_plain_chinese(bad["message"])
    assert_all_good_merged(data)  # 龙华街道's unencrypted return still counts


def test_password_protected_only_return_marks_the_unit_unreadable(
    world: dict[str, Path], tmp_path: Path
) -> None:
    returns = returns_copy(world, tmp_path)
    (returns / "龙华街道.docx").unlink()
    bf.encrypted_copy(world["returns"] / "龙华街道.docx", returns / "龙华街道.docx")
    data = merge(world, tmp_path, returns)
    status = {u["unit"]: u["status"] for u in data["units"]}
    assert status == {"民治街道": "returned", "观湖街道": "returned", "龙华街道": "unreadable"}
    out = data["out"]
    typed = {pid: row for pid, row in TYPED.items() if pid != "3-1"}
    bf.assert_merged(out / "一览表.docx", out / "一览表.xlsx", typed)


@pytest.mark.libreoffice
def test_legacy_doc_renamed_docx_is_converted_and_read(
    world: dict[str, Path], tmp_path: Path
) -> None:
    require_libreoffice()
    returns = returns_copy(world, tmp_path)
    done = convert([world["returns"] / "观湖街道.docx"], "doc", tmp_path / "doc")
    doc = done[world["returns"] / "观湖街道.docx"]
    assert doc.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real Word 97 file
    (returns / "观湖街道.docx").unlink()
    shutil.copyfile(doc, returns / "观湖街道.docx")
    before = (returns / "观湖街道.docx").read_bytes()
    data = merge(world, tmp_path, returns)
    assert findings_for(data, "观湖街道.docx") == []
    assert_all_good_merged(data)
    assert (returns / "观湖街道.docx").read_bytes() == before


def test_docm_with_vba_project_is_read_as_data(world: dict[str, Path], tmp_path: Path) -> None:
    """A macro-enabled return merges like any other; its macro is never run."""
    returns = returns_copy(world, tmp_path)
    (returns / "民治街道.docx").unlink()
    bf.docm_with_macro(world["returns"] / "民治街道.docx", returns / "民治街道.docm")
    with zipfile.ZipFile(returns / "民治街道.docm") as zf:
        assert "word/vbaProject.bin" in zf.namelist()
    data = merge(world, tmp_path, returns)
    assert findings_for(data, "民治街道.docm") == []
    assert_all_good_merged(data)
    assert not list(Path.cwd().glob("pwned.txt")) and not list(tmp_path.rglob("pwned.txt"))


# ---------------------------------------------------------------- hostile XML

SECRET = "机密-不得外泄-7f3a9c"


def _document_with(good: Path, secret: Path, subset: str, entity: str) -> dict[str, bytes]:
    """document.xml where the first typed progress text is replaced by `&entity;`."""
    with zipfile.ZipFile(good) as zf:
        doc = zf.read("word/document.xml")
    typed = TYPED["3-1"]["进展情况"].split("\n")[0]
    xml = bf.with_entity_in_cell(doc, typed, entity)
    return {"word/document.xml": bf.with_doctype(xml, subset.format(uri=secret.as_uri()))}


def _custom_with(good: Path, secret: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(good) as zf:
        custom = zf.read("docProps/custom.xml")
    assert "龙华街道".encode() in custom
    custom = custom.replace("龙华街道".encode(), b"&xxe;", 1)
    subset = f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
    decl_end = custom.index(b"?>") + 2
    doctype = f"<!DOCTYPE Properties [{subset}]>".encode()
    return {"docProps/custom.xml": custom[:decl_end] + doctype + custom[decl_end:]}


def _utf16_document(good: Path, secret: Path) -> dict[str, bytes]:
    """The XXE document re-encoded as UTF-16: a byte search for `<!DOCTYPE` misses it."""
    parts = _document_with(good, secret, '<!ENTITY xxe SYSTEM "{uri}">', "xxe")
    text = (
        parts["word/document.xml"].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    )
    return {"word/document.xml": text.encode("utf-16")}


ATTACKS: dict[str, Callable[[Path, Path], dict[str, bytes]]] = {
    "internal_entity": lambda g, s: _document_with(g, s, '<!ENTITY e "内部实体文字">', "e"),
    "billion_laughs": lambda g, s: _document_with(g, s, bf.billion_laughs(), "lol9"),
    "external_entity": lambda g, s: _document_with(g, s, '<!ENTITY xxe SYSTEM "{uri}">', "xxe"),
    "parameter_entity": lambda g, s: _document_with(
        g, s, '<!ENTITY % p SYSTEM "{uri}"> %p; <!ENTITY xxe "x">', "xxe"
    ),
    "external_in_properties": _custom_with,
    "external_utf16": _utf16_document,
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_doctype_and_entities_are_refused_and_leak_nothing(
    world: dict[str, Path], tmp_path: Path, attack: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    returns = returns_copy(world, tmp_path)
    good = world["returns"] / "龙华街道.docx"
    hostile = returns / "龙华街道-补充.docx"
    shutil.copyfile(good, hostile)
    for part, data in ATTACKS[attack](good, secret).items():
        bf.replace_part(hostile, hostile, part, data)
    out = tmp_path / "out"
    result = bf.invoke(
        "merge", returns, "-r", world["register"], "-q", "3", "--out", out / "一览表.docx", "--json"
    )
    assert result.exit_code == 0, result.stderr
    data = bf.merge_json(result)
    data["out"] = out
    [bad] = findings_for(data, "龙华街道-补充.docx")
    assert bad["code"] == "unreadable"
    assert "DOCTYPE" in bad["message"] and "已拒绝读取" in bad["message"]
    assert_all_good_merged(data)
    # The secret is nowhere: not in any output file (inside the zips too), not on a stream.
    for stream in (result.stdout, result.stderr):
        assert SECRET not in stream and "内部实体文字" not in stream
    for path in bf.files_in(out):
        for content in _contents(path):
            assert SECRET.encode() not in content, path
            assert "内部实体文字".encode() not in content, path
            assert b"lollollol" not in content, path


def _contents(path: Path) -> list[bytes]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return [zf.read(i) for i in zf.infolist()]
    return [path.read_bytes()]


# ---------------------------------------------------------------- a reader bug


def test_unexpected_reader_failure_on_one_file_does_not_stop_the_merge(
    world: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the reader to trip over some file in a way no one foresaw, that file is
    reported and the others still merge (the failure is simulated for one file)."""
    from toolkit.returns import intake

    real = intake.read_return

    def flaky(path: Path, **kw: object):  # type: ignore[no-untyped-def]
        if path.name == "奇怪.docx":
            raise IndexError("list index out of range")
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "read_return", flaky)
    returns = returns_copy(world, tmp_path)
    shutil.copyfile(world["returns"] / "民治街道.docx", returns / "奇怪.docx")
    data = merge(world, tmp_path, returns)
    [bad] = findings_for(data, "奇怪.docx")
    assert bad["code"] == "unreadable"
    assert "IndexError" in bad["message"] and "维护人员" in bad["message"]
    assert_all_good_merged(data)
