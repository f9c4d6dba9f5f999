"""The desk and the history: 生成一览表 records, forms carry last quarter's texts, a unit's
uploads are compared, and the year is shown per project and written as a 全年一览表."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from support import quarters
from support.desk import TestClient, desk_client, q
from support.fill import fill_form

from toolkit.core.period import Period
from toolkit.desk.workspace import REGISTER_NAME, Workspace
from toolkit.forms.identity import HISTORY_FILE
from toolkit.history.store import HistoryStore
from toolkit.office.ooxml import Package, read_custom_properties
from toolkit.returns.reader import read_return

UNIT = "民治街道"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "报送工作"
    folder.mkdir()
    quarters.year_register(folder / REGISTER_NAME)
    return folder


@pytest.fixture
def client(root: Path) -> TestClient:
    return desk_client(root)


def form(root: Path, period: Period, unit: str = UNIT) -> Path:
    return Workspace(root).form_files(period)[unit]


def upload(client: TestClient, period: Period, path: Path) -> dict:
    response = client.post(
        f"/p/{period.key}/upload",
        files=[("files", (path.name, path.read_bytes(), "application/octet-stream"))],
        headers={"Accept": "application/json"},
    )
    [result] = response.json()["results"]
    return result


def send_quarter(client: TestClient, root: Path, tmp_path: Path, quarter: int) -> None:
    period = Period(2023, quarter)
    assert client.post(f"/p/{period.key}/generate").status_code == 200
    for unit in quarters.REPORTING:
        filled = fill_form(
            form(root, period, unit),
            tmp_path / f"{period.key}-{unit}.docx",
            quarters.fills(quarter, unit),
        )
        assert upload(client, period, filled)["level"] == "ok"
    page = client.post(f"/p/{period.key}/summary").text
    assert f"已记入报送历史 {HISTORY_FILE}：{period.label}第 1 版" in page


def test_each_summary_is_recorded_and_the_next_forms_carry_its_texts(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    send_quarter(client, root, tmp_path, 1)
    with HistoryStore(root / HISTORY_FILE) as store:
        [v] = store.periods()
        assert (v.period, v.version, v.command) == (Period(2023, 1), 1, "工作台")
    assert client.post("/p/2023Q2/generate").status_code == 200
    q2 = read_return(form(root, Period(2023, 2)), quarter=2)
    row = next(r for r in q2.rows if r.id == "10-3")
    # The reference column holds what the unit typed last quarter; it is read as no column of its.
    assert row.cells["progress"] == ""
    assert quarters.progress(1, UNIT, "10-3").splitlines()[0] in row.cells["reference"]


def versions_of(page: str) -> str:
    """The unit page's section of uploads (in the page's body, once)."""
    assert page.count('id="versions"') == 1
    head, section = page.split('<section class="card" id="versions">', 1)
    assert "</title>" in head
    return section.split("</section>", 1)[0]


def test_the_unit_page_shows_every_upload_and_what_changed(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    period = Period(2023, 3)
    assert client.post(f"/p/{period.key}/generate").status_code == 200
    rows = quarters.fills(3, UNIT)
    first = fill_form(form(root, period), tmp_path / "第一次.docx", rows)
    upload(client, period, first)
    rows["19-2"]["进展情况"] = rows["19-2"]["进展情况"].replace(
        "累计完成投资304万元", "累计完成投资350万元"
    )
    rows["40"]["进度评价"] = "进度滞后"
    second = fill_form(form(root, period), tmp_path / "退回后修改.docx", rows)
    upload(client, period, second)
    page = versions_of(client.get(f"/p/{period.key}/u/{q(UNIT)}").text)
    assert "第 1 份" in page and "第 2 份" in page
    assert "与第 1 份相比，改动 2 处" in page
    assert '<del class="diff-del">04</del><ins class="diff-ins">50</ins>' in page
    assert '<del class="diff-del">正常推进</del><ins class="diff-ins">进度滞后</ins>' in page
    # A third upload identical to the second: nothing changed.
    upload(client, period, fill_form(form(root, period), tmp_path / "再次.docx", rows))
    page = versions_of(client.get(f"/p/{period.key}/u/{q(UNIT)}").text)
    assert "与第 2 份相比，填写的内容没有改动" in page


def test_the_year_page_and_the_annual_files(client: TestClient, root: Path, tmp_path: Path) -> None:
    assert "还没有汇总过任何季度" in client.get("/y/2023").text
    refused = client.post("/y/2023/annual").text
    assert "2023年还没有汇总过任何季度" in refused
    for quarter in (1, 2, 3):
        send_quarter(client, root, tmp_path, quarter)
    assert "/y/2023" in client.get("/p/2023Q3").text
    page = client.get("/y/2023").text
    assert "已汇总：第一、二、三季度；未汇总：第四季度" in page
    assert "截至第三季度（第四季度尚未汇总）" in page
    row = page.split('id="p-10-3"', 1)[1].split("</tr>", 1)[0]
    shown = re.findall(r'<span class="eval"[^>]*>([^<]+)</span>', row)
    assert shown == [quarters.evaluation(n, "10-3") for n in (1, 2, 3)]
    assert row.count("未汇总") == 1
    assert quarters.progress(2, UNIT, "10-3").splitlines()[0] in row

    done = client.post("/y/2023/annual").text
    assert "已生成：龙华区2023年民生实事项目全年进展情况一览表.docx" in done
    folder = root / "2023全年"
    docx = folder / "龙华区2023年民生实事项目全年进展情况一览表.docx"
    xlsx = docx.with_suffix(".xlsx")
    assert docx.is_file() and xlsx.is_file()
    with Package(docx) as pkg:
        assert read_custom_properties(pkg)["MinshengOutput"] == "全年一览表"
    download = client.get(f"/y/2023/out/{q(docx.name)}")
    assert download.status_code == 200 and download.content == docx.read_bytes()
    assert client.get("/y/2023/out/nothing.docx").status_code == 404
    assert client.get("/y/20x3").status_code == 404


def test_a_broken_history_is_told_and_the_summary_still_written(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    (root / HISTORY_FILE).write_bytes(b"\x00" * 4096)
    period = Period(2023, 3)
    assert client.post(f"/p/{period.key}/generate").status_code == 200
    filled = fill_form(form(root, period), tmp_path / "r.docx", quarters.fills(3, UNIT))
    upload(client, period, filled)
    page = client.get(f"/p/{period.key}")
    assert page.status_code == 200 and "报送历史" in page.text and "已损坏" in page.text
    done = client.post(f"/p/{period.key}/summary").text
    assert "一览表已生成，但未能记入报送历史" in done
    assert (root / "2023Q3" / "汇总").is_dir()
    with zipfile.ZipFile(form(root, period)) as z:  # the forms say why they show nothing
        assert "未使用报送历史" in z.read("word/document.xml").decode()
