"""LibreOffice round trips: filling a form over UNO, and toolkit.office.libreoffice.convert."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from lxml import etree
from support import bad_files as bf
from support.lo import (
    fill_with_libreoffice,
    pdf_page_sizes,
    pdf_text,
    require_libreoffice,
    to_pdf,
)
from support.processes import processes_naming
from support.seed import FORM_HEADERS

from toolkit.errors import ToolkitError
from toolkit.office import libreoffice
from toolkit.office.libreoffice import LibreOfficeNotFound, convert, find_soffice
from toolkit.office.ooxml import (
    CUSTOM_PART,
    W_NS,
    Package,
    custom_properties_xml,
    read_custom_properties,
    with_custom_part,
)

pytestmark = pytest.mark.libreoffice

W = f"{{{W_NS}}}"


def make_form(path: Path, *, unit: str = "民治街道", props: dict[str, str] | None = None) -> Path:
    """A small landscape A4 form like the generated ones (python-docx, tests only)."""
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    doc.add_paragraph(f"填报单位：{unit}")
    table = doc.add_table(rows=3, cols=len(FORM_HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, FORM_HEADERS, strict=True):
        cell.text = text
    for row, (pid, name) in zip(
        table.rows[1:], [("10-3", "老旧小区改造"), ("40", "社区食堂建设")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = pid, name
        row.cells[7].text = unit
    doc.save(str(path))
    if props:
        add_custom_properties(path, props)
    return path


def add_custom_properties(path: Path, props: dict[str, str]) -> None:
    """Add docProps/custom.xml (+ rel and content-type override) to a .docx."""
    with zipfile.ZipFile(path) as zin:
        entries = {i.filename: zin.read(i) for i in zin.infolist()}
    entries["[Content_Types].xml"], entries["_rels/.rels"] = with_custom_part(
        entries["[Content_Types].xml"], entries["_rels/.rels"]
    )
    entries[CUSTOM_PART] = custom_properties_xml(props)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries.items():
            zout.writestr(name, data)


def table_cells(path: Path) -> list[list[str]]:
    """Text of every cell of the first table; the cell's paragraphs joined with \\n."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    tbl = next(root.iter(f"{W}tbl"))
    return [
        [
            "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))
            for tc in tr.iter(f"{W}tc")
        ]
        for tr in tbl.iter(f"{W}tr")
    ]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PROGRESS = "已完成选址和方案设计。\n完成投资 120 万元，占年度计划的 60%。\n\n下阶段开工建设"
PLAN = "存在问题：征地协调进度偏慢。\n下一步：10 月底前完成招标。"


def test_fill_with_libreoffice_types_paragraphs(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "民治街道.docx")
    before = digest(form)
    out = tmp_path / "filled" / "民治街道.docx"
    fill_with_libreoffice(
        [
            {
                "input": str(form),
                "output": str(out),
                "rows": {
                    "10-3": {
                        "进展情况": PROGRESS,
                        "存在问题及下一步工作计划": PLAN,
                        "进度评价": "正常推进",
                    },
                    " 40 ": {"进展情况": "已开业", "进度评价": "已完成"},
                },
            }
        ]
    )
    assert digest(form) == before
    rows = table_cells(out)
    assert rows[0] == FORM_HEADERS
    assert rows[1][:2] == ["10-3", "老旧小区改造"]
    assert rows[1][4:7] == [PROGRESS, PLAN, "正常推进"]
    assert rows[2][4:7] == ["已开业", "", "已完成"]
    assert rows[2][7] == "民治街道"
    # Enter makes paragraphs, not line breaks.
    with zipfile.ZipFile(out) as z:
        assert b"<w:br/>" not in z.read("word/document.xml")


def test_fill_reports_missing_row(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "form.docx")
    spec = {"input": str(form), "output": str(tmp_path / "o.docx"), "rows": {"99": {"进展": "x"}}}
    with pytest.raises(AssertionError, match="row '99' not found"):
        fill_with_libreoffice([spec])


def test_custom_properties_survive_uno_save(tmp_path: Path) -> None:
    """The toolkit identifies returns by custom properties: LibreOffice must keep them."""
    require_libreoffice()
    props = {"minsheng.unit": "民治街道", "minsheng.period": "2024Q3", "minsheng.form": "v1"}
    form = make_form(tmp_path / "form.docx", props=props)
    with Package(form) as pkg:
        assert read_custom_properties(pkg) == props
    out = tmp_path / "filled.docx"
    fill_with_libreoffice(
        [{"input": str(form), "output": str(out), "rows": {"40": {"进度评价": "正常推进"}}}]
    )
    with Package(out) as pkg:
        assert read_custom_properties(pkg) == props


def test_convert_to_pdf_keeps_landscape_and_text(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "form.docx")
    pdf = to_pdf(form, tmp_path / "pdf")
    assert pdf == tmp_path / "pdf" / "form.pdf"
    sizes = pdf_page_sizes(pdf)
    assert len(sizes) == 1
    width, height = sizes[0]
    assert width > height  # landscape A4: 841.9 x 595.3 pt
    assert abs(width - 841.9) < 2
    text = pdf_text(pdf)
    assert "填报单位：民治街道" in text
    assert "10-3" in text


def test_convert_odt_back_to_docx(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "form.docx")
    odt = convert([form], "odt", tmp_path / "odt")[form]
    assert odt.suffix == ".odt"
    before = digest(odt)
    back = convert([odt], "docx", tmp_path / "docx")
    assert back == {odt: tmp_path / "docx" / "form.docx"}
    assert digest(odt) == before
    assert table_cells(back[odt])[0] == FORM_HEADERS
    assert not list(odt.parent.glob(".~lock*"))


def test_convert_same_stem_in_one_batch(tmp_path: Path) -> None:
    require_libreoffice()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = make_form(tmp_path / "a" / "回执.docx", unit="民治街道")
    b = make_form(tmp_path / "b" / "回执.docx", unit="福城街道")
    result = convert([a, b], "pdf", tmp_path / "out")
    assert set(result) == {a, b}
    assert {p.name for p in result.values()} == {"回执.pdf", "回执-2.pdf"}
    assert "民治街道" in pdf_text(result[a])
    assert "福城街道" in pdf_text(result[b])


def test_convert_never_overwrites_an_input(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "form.docx")
    before = digest(form)
    result = convert([form], "docx", tmp_path)
    assert result[form] == tmp_path / "form-2.docx"
    assert digest(form) == before


def test_convert_skips_unreadable_and_missing(tmp_path: Path) -> None:
    require_libreoffice()
    form = make_form(tmp_path / "form.docx")
    assert convert([tmp_path / "nope.docx"], "pdf", tmp_path / "out") == {}
    result = convert([form, tmp_path / "nope.docx"], "pdf", tmp_path / "out")
    assert list(result) == [form]


def test_missing_soffice_raises_chinese_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert find_soffice() is None
    form = make_form(tmp_path / "form.docx")
    with pytest.raises(LibreOfficeNotFound) as info:
        convert([form], "pdf", tmp_path / "out")
    assert isinstance(info.value, ToolkitError)
    assert "未找到 LibreOffice（soffice）" in str(info.value)
    assert "另存为 .docx" in str(info.value)


def test_soffice_override_must_be_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(fake))
    assert find_soffice() is None  # exists but is not executable
    fake.chmod(0o755)
    assert find_soffice() == str(fake)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as fake soffice")
def test_timeout_kills_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30 &\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(fake))
    form = make_form(tmp_path / "form.docx")
    with pytest.raises(libreoffice.LibreOfficeTimeout, match="超过 1 秒"):
        convert([form], "pdf", tmp_path / "out", timeout=1)


# ---------------------------------------------------------------- failures and interruptions


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as fake soffice")
def test_a_crash_is_one_chinese_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(
        "#!/bin/sh\necho 'terminate called after throwing an instance of "
        "com::sun::star::uno::RuntimeException /usr/lib/libreoffice/program/libmergedlo.so' >&2\n"
        "exit 134\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(fake))
    form = make_form(tmp_path / "form.docx")
    with pytest.raises(libreoffice.LibreOfficeError) as info:
        convert([form], "pdf", tmp_path / "out")
    message = str(info.value)
    assert message.count("：") == 1 and "\n" not in message and message.endswith("。")
    assert "LibreOffice" in message and "另存为 .docx" in message
    for raw in ("134", "terminate", "RuntimeException", "/usr/lib", ".so"):
        assert raw not in message
    assert "libmergedlo.so" in str(info.value.__cause__)  # for a --debug traceback


def _scratch_left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("toolkit-"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_mid_conversion_leaves_no_copy_and_no_soffice(tmp_path: Path, sig: int) -> None:
    """A real `toolkit merge` signalled while LibreOffice converts: its folders and soffice go."""
    require_libreoffice()
    register = bf.small_register(tmp_path / "register.xlsx")
    forms = tmp_path / "forms"
    bf.generate(register, forms)
    returns = tmp_path / "returns"
    returns.mkdir()
    source = bf.form_of(forms, "民治街道")
    odt = convert([source], "odt", tmp_path / "odt")[source]
    for n in range(30):  # enough work to be caught in the middle of it
        shutil.copyfile(odt, returns / f"民治街道-{n:02d}.odt")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "merge", str(returns), "-r", str(register), "-q", "3",
         "--out", str(tmp_path / "out" / "一览表.docx")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (
        [
            p
            for p in scratch.glob("toolkit-lo-*/profile/user/*")
            if p.name != "registrymodifications.xcu"
        ]
        and processes_naming(scratch)
    ):  # LibreOffice has started on its profile
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "LibreOffice did not start"
        time.sleep(0.05)
    assert {p.name.split("-")[1] for p in scratch.glob("toolkit-*")} >= {"lo", "convert"}
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中止" in err and "Traceback" not in err
    assert _scratch_left(scratch) == []
    deadline = time.monotonic() + 10
    while processes_naming(scratch) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_naming(scratch) == []


def test_the_network_namespace_has_no_network(tmp_path: Path) -> None:
    prefix = libreoffice.network_sandbox()
    if not prefix:
        pytest.skip("no network namespace on this system: the profile and link removal remain")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5)"
        inside = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True)
        outside = subprocess.run([sys.executable, "-c", probe], capture_output=True)
    assert outside.returncode == 0
    assert inside.returncode != 0 and b"Error" in inside.stderr
