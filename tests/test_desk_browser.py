"""End to end: a real headless Chromium drives the desk through a whole quarter.

Open the desk, pick the quarter, generate the forms, download them, upload
returns (one good, one broken, one nobody's, one dropped a second time),
watch the board change, read a unit's findings and its feedback notice,
merge, and check the downloaded 一览表 with the project's own reader.

With TOOLKIT_UPDATE_DOCS_SCREENSHOT=1 the test also saves the status board
as docs/images/status-board.png (off by default so CI leaves the tree clean).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.browser import chromium, fill_form, live_server, require_browser
from support.registers import write_register
from support.seed import MINZHI_Q3
from support.summaries import summary_by_id

from toolkit.desk.app import create_app
from toolkit.desk.workspace import REGISTER_NAME

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "images" / "status-board.png"
ORGANISATION_Q3 = {
    "40": (
        "1.截至9月底，全区审核通过社区民生微实事项目612个。\n2.召开评审会6场，参与群众代表300余人次。",
        "1.部分项目审核进度偏慢。\n2.下一步：10月底前完成剩余项目审核。",
        "正常推进",
    )
}


def _drop_file(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Drop a file on the upload area the way a file manager does (a DataTransfer)."""
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            const drop = document.getElementById("drop");
            for (const type of ["dragenter", "dragover", "drop"]) {
                drop.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""",
        [path.name, base64.b64encode(path.read_bytes()).decode("ascii")],
    )


def _download(page, selector: str, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def test_a_quarter_through_the_desk(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect

    root = tmp_path / "报送工作"
    root.mkdir()
    write_register(root / REGISTER_NAME)
    downloads = tmp_path / "下载"
    downloads.mkdir()

    with live_server(create_app(root)) as url, chromium() as browser:
        page = browser.new_page(
            accept_downloads=True, locale="zh-CN", viewport={"width": 1360, "height": 900}
        )
        # Generous waits: a busy two-core CI machine is slow, and these are waits, not limits.
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        page.goto(url + "/")
        page.select_option("select[name=year]", "2023")
        page.select_option("select[name=quarter]", "3")
        page.click("form.picker button")
        expect(page).to_have_url(url + "/p/2023Q3")
        expect(page.locator("h1")).to_have_text("龙华区2023年第三季度民生实事项目报送")

        # 1. generate and download
        page.click("#generate")
        expect(page.locator(".note-ok")).to_contain_text("已为 8 个单位生成")
        archive = _download(page, "#forms-zip", downloads)
        assert archive.name == "2023年第三季度填报表.zip"
        names = zipfile.ZipFile(archive).namelist()
        assert sum(n.endswith(".docx") for n in names) == 8
        minzhi_form = _download(page, 'tr[data-unit="民治街道"] a.dl-form', downloads)
        assert minzhi_form.name.endswith("（民治街道）.docx")
        organisation_form = _download(page, 'tr[data-unit="区委组织部"] a.dl-form', downloads)

        # an optional deadline, shown on the board (nobody is late yet)
        deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        page.fill("input[name=deadline]", deadline)
        page.click("form.deadline button")
        expect(page.locator(".note-ok")).to_contain_text(f"报送截止日期已设为 {deadline}")
        expect(page.locator(".counts")).to_contain_text("逾期未报 0")

        # 2. the units fill them in; one return is broken, one belongs to nobody
        returns = tmp_path / "收到的邮件附件"
        good = fill_form(minzhi_form, returns / "民治街道三季度报表.docx", MINZHI_Q3)
        clean = fill_form(organisation_form, returns / "组织部.docx", ORGANISATION_Q3)
        broken = returns / "观湖街道.docx"
        broken.write_bytes(b"PK\x03\x04 half a file")
        stray = returns / "新建 Microsoft Word 文档.docx"
        stray.write_bytes(b"nothing")
        # desk.js runs after the page is shown: wait until it handles uploads
        page.wait_for_selector('#drop[data-ready="1"]', state="attached")
        page.set_input_files("#file-input", [str(p) for p in (good, clean, broken, stray)])
        page.wait_for_selector('#drop[data-batches="1"]', state="attached")
        results = page.locator("#results")
        expect(results).to_contain_text("民治街道三季度报表.docx：已归入 民治街道（依据文档属性）")
        expect(results).to_contain_text("组织部.docx：已归入 区委组织部")
        expect(results).to_contain_text(
            "观湖街道.docx：已归入 观湖街道（依据文件名），但文件无法读取"
        )
        expect(results).to_contain_text("无法识别填报单位，已存入 _未识别 文件夹")

        # the board changed without reloading the page
        row = page.locator('tr[data-unit="民治街道"]')
        expect(row).to_have_attribute("data-status", "returned")
        expect(row.locator(".badge")).to_have_text("已报送")
        expect(row.locator(".count-bad")).to_have_text("1")
        expect(page.locator('tr[data-unit="区委组织部"]')).to_have_class("row-ok")
        expect(page.locator('tr[data-unit="观湖街道"] .badge')).to_have_text("无法读取")
        expect(page.locator('tr[data-unit="龙华街道"] .badge')).to_have_text("未报送")
        expect(page.locator("#orphans")).to_contain_text("新建 Microsoft Word 文档.docx")
        expect(page.locator(".counts")).to_contain_text("已报送 2")

        # a corrected return dropped later is kept beside the first
        _drop_file(page, good)
        page.wait_for_selector('#drop[data-batches="2"]', state="attached")
        expect(row.locator("td.file")).to_contain_text("共收到 2 份")
        assert len(list((root / "2023Q3" / "回收表" / "民治街道").iterdir())) == 2

        if os.environ.get("TOOLKIT_UPDATE_DOCS_SCREENSHOT") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": 1360, "height": height})
            page.screenshot(path=str(SCREENSHOT))

        # 3. a unit's findings and the notice to send back
        row.locator("td.unit a").click()
        findings = page.locator("#findings")
        expect(findings).to_contain_text("10-3")
        expect(findings).to_contain_text("超过字数上限")
        expect(page.locator(".files-table")).to_contain_text("汇总使用")
        notice = _download(page, "#notice", downloads)
        assert notice.name == "退回修改意见（民治街道）.docx"
        with zipfile.ZipFile(notice) as zf:
            xml = zf.read("word/document.xml").decode("utf-8")
        assert "民治街道" in xml and "10-3" in xml and "超过 300 字上限" in xml

        # 4. merge and download the 一览表
        page.click(".crumbs a")
        page.click("#summarise")
        expect(page.locator(".note-ok")).to_contain_text("已生成：")
        summary = _download(
            page, '#outputs a:has-text("民生实事项目进展情况一览表.docx")', downloads
        )
        table = summary_by_id(summary)
        assert "已完成总体工程建设" in table["13-3"]["progress"]
        assert table["13-3"]["evaluation"] == "已完成"
        assert "民治街道：" in table["40"]["progress"] and "未报送" in table["40"]["progress"]
        assert "审核通过社区民生微实事项目612个" in table["40"]["progress"]
        workbook = _download(page, '#outputs a:has-text("一览表.xlsx")', downloads)
        ws = openpyxl.load_workbook(workbook).active
        values = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
        assert any("已完成总体工程建设" in v for v in values)
        report = _download(page, '#outputs a:has-text("问题清单")', downloads)
        sheet = openpyxl.load_workbook(report)["问题清单"]
        rows = list(sheet.iter_rows(min_row=3, values_only=True))  # a title, then the header
        assert {"too_long", "unreadable", "duplicate_return"} <= {r[-1] for r in rows}
        assert any(str(r[5]).endswith("新建 Microsoft Word 文档.docx") for r in rows)
