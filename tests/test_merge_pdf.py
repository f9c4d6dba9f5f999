"""`merge --pdf` and the desk's button: the 一览表 printed to PDF in the same output set."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support.cli import invoke
from support.desk import desk_client, workspace
from support.lo import pdf_page_sizes, pdf_text, require_libreoffice

ROOT = Path(__file__).resolve().parents[1] / "data"
TITLE = "龙华区2023年第三季度民生实事项目进展情况一览表"


def merge(out: Path, *extra: str | Path, returns: Path = ROOT / "returns" / "2023Q3"):  # type: ignore[no-untyped-def]
    args = [returns, "-r", ROOT / "register.xlsx", "-q", "3", "--out", out / "一览表.docx"]
    return invoke("merge", *args, "--json", *extra)


@pytest.mark.libreoffice
def test_merge_pdf_writes_the_printed_summary_with_the_others(tmp_path):
    require_libreoffice()
    done = merge(tmp_path / "out", "--pdf")
    assert done.exit_code == 0, done.stderr
    outputs = json.loads(done.stdout)["outputs"]
    pdf = Path(outputs["pdf"])
    assert pdf == tmp_path / "out" / "一览表.pdf" and pdf.is_file()
    assert all(w > h for w, h in pdf_page_sizes(pdf))  # A4 landscape, as the .docx
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert TITLE in text and "31-11" in text and "民治街道：" in text
    # Merged again over a folder that holds it: the toolkit's own PDF, not a scanned return.
    returns = tmp_path / "returns"
    shutil.copytree(ROOT / "returns" / "2023Q3", returns)
    shutil.copy(pdf, returns / "一览表.pdf")
    shutil.copy(tmp_path / "out" / ".toolkit-outputs.json", returns / ".toolkit-outputs.json")
    again = json.loads(merge(tmp_path / "again", returns=returns).stdout)
    assert [s["kind"] for s in again["skipped"]] == ["own_output"]
    assert not any(f["code"] == "skipped_file" for f in again["findings"])


def test_without_libreoffice_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_SOFFICE", str(tmp_path / "no-such-soffice"))
    monkeypatch.setenv("PATH", str(tmp_path))  # and none on the PATH
    done = merge(tmp_path / "out", "--pdf")
    assert done.exit_code == 1
    assert "LibreOffice" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "一览表.docx").exists()  # one set: all or nothing


@pytest.mark.libreoffice
def test_the_desk_writes_the_pdf_on_request(tmp_path):
    require_libreoffice()
    root = workspace(tmp_path)
    client = desk_client(root)
    client.post("/p/2023Q3/generate")
    data = (ROOT / "returns" / "2023Q3").glob("*.docx")
    files = [("files", (p.name, p.read_bytes())) for p in data]
    client.post("/p/2023Q3/upload", files=files, headers={"accept": "application/json"})
    page = client.get("/p/2023Q3").text
    assert 'id="summarise-pdf"' in page
    done = client.post("/p/2023Q3/summary", data={"pdf": "1"})
    assert f"{TITLE}.pdf" in done.text
    assert (root / "2023Q3" / "汇总" / f"{TITLE}.pdf").is_file()
    plain = client.post("/p/2023Q3/summary")
    assert f"{TITLE}.pdf" not in plain.text.split("已生成：")[1].split("</")[0]
