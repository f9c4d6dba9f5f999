"""The desk over the office's folder: what it counts, what it writes, what it serves.

Real workspaces, the real app in process (Starlette's TestClient), and the
real command line over the same folder.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
from support.browser import fill_form
from support.cli import invoke
from support.desk import TestClient, desk_client, q, workspace
from support.seed import MINZHI_Q3

from toolkit.desk.names import display_name
from toolkit.desk.workspace import REGISTER_NAME, STAGING_DIR, Workspace
from toolkit.office.folder import shown

SUMMARY = "龙华区2023年第三季度民生实事项目进展情况一览表"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return workspace(tmp_path)


@pytest.fixture
def client(root: Path) -> TestClient:
    desk = desk_client(root)
    assert desk.post("/p/2023Q3/generate").status_code == 200
    return desk


def form(root: Path, unit: str = "民治街道") -> Path:
    return Workspace(root).form_files(Workspace(root).period(2023, 3))[unit]


def filled(root: Path, tmp_path: Path, values: dict = MINZHI_Q3) -> bytes:
    return fill_form(form(root), tmp_path / "filled.docx", values).read_bytes()


def upload(client: TestClient, name: str, data: bytes) -> dict:
    response = client.post(
        "/p/2023Q3/upload",
        files=[("files", (name, data, "application/octet-stream"))],
        headers={"Accept": "application/json"},
    )
    [result] = response.json()["results"]
    return result


def board_status(client: TestClient, unit: str) -> str:
    board = client.get("/p/2023Q3/board").text
    return board.split(f'data-unit="{unit}" data-status="', 1)[1].split('"', 1)[0]


def summarise(client: TestClient) -> str:
    return client.post("/p/2023Q3/summary").text


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


# ---------------------------------------------------------------- what counts


def test_a_blank_form_or_an_output_uploaded_is_kept_but_never_counted(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    blank = upload(client, "民治街道.docx", form(root).read_bytes())
    assert blank["level"] == "warn"
    assert "已存入 民治街道，但未填写的空白填报表" in blank["message"]
    assert "汇总时不计入" in blank["message"]
    assert board_status(client, "民治街道") == "blank"
    assert "未填写 1" in client.get("/p/2023Q3/board").text
    assert upload(client, "民治街道（已填）.docx", filled(root, tmp_path))["level"] == "ok"
    assert board_status(client, "民治街道") == "returned"  # the filled one wins
    assert "已生成" in summarise(client)
    summary = root / "2023Q3" / "汇总" / f"{SUMMARY}.docx"
    again = upload(client, summary.name, summary.read_bytes())
    assert again["level"] == "warn" and "已存入 _未识别 文件夹" in again["message"]
    assert "toolkit 自己生成的文件（一览表）" in again["message"]
    assert board_status(client, "民治街道") == "returned"


def test_check_one_folder_too_high_agrees_with_the_desk(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    upload(client, "民治街道.docx", filled(root, tmp_path))
    summarise(client)
    assert client.post(f"/p/2023Q3/u/{q('观湖街道')}/notice").status_code == 200
    assert client.post(f"/p/2023Q3/u/{q('民治街道')}/notice").status_code == 200
    desk = {u.unit: u.status for u in Workspace(root).merge(Workspace(root).period(2023, 3)).units}
    result = invoke("check", root / "2023Q3", "-r", root / REGISTER_NAME, "-q", "3", "--json")
    data = json.loads(result.stdout)
    assert {u["unit"]: u["status"] for u in data["units"]} == desk
    assert desk["民治街道"] == "returned" and desk["观湖街道"] == "missing"
    kinds = {Path(s["file"]).name: s["kind"] for s in data["skipped"]}
    assert (
        kinds["退回修改意见（民治街道）.docx"] == kinds["催报通知（观湖街道）.docx"] == "own_output"
    )
    assert kinds[f"{SUMMARY}.docx"] == kinds["分发清单.xlsx"] == "own_output"
    assert list(kinds.values()).count("blank_form") == 8


def test_summarising_without_any_return_says_so(client: TestClient, root: Path) -> None:
    page = summarise(client)
    assert "中没有回收表" in page
    assert not (root / "2023Q3" / "汇总").exists()


# ---------------------------------------------------------------- what it writes


def test_a_hand_edited_summary_is_kept_in_history(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    upload(client, "民治街道.docx", filled(root, tmp_path))
    summarise(client)
    workbook = root / "2023Q3" / "汇总" / f"{SUMMARY}.xlsx"
    edited = workbook.read_bytes() + b"\0"
    workbook.write_bytes(edited)
    page = summarise(client)
    [copy] = (root / "2023Q3" / "汇总" / "历史").iterdir()
    assert copy.read_bytes() == edited
    assert f"替换前已把它保留为 2023Q3/汇总/历史/{copy.name}" in page
    assert summarise(client).count("替换前已把它保留为") == 0  # untouched since: replaced quietly


def test_outputs_older_than_the_newest_return_are_marked_stale(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    upload(client, "民治街道.docx", filled(root, tmp_path))
    assert "待更新" not in summarise(client)
    hour_ago = time.time() - 3600
    for path in (root / "2023Q3" / "汇总").iterdir():
        if path.is_file():
            os.utime(path, (hour_ago, hour_ago))
    upload(
        client,
        "组织部.docx",
        fill_form(form(root, "区委组织部"), tmp_path / "o.docx", {}).read_bytes(),
    )
    page = client.get("/p/2023Q3").text
    assert page.count('class="badge late" title="此后又收到了回收表') == 3
    assert "待更新" not in summarise(client)


def test_get_requests_change_nothing(client: TestClient, root: Path, tmp_path: Path) -> None:
    upload(client, "民治街道.docx", filled(root, tmp_path))
    before = tree(root)
    stored = next((root / "2023Q3" / "回收表" / "民治街道").iterdir())
    for path in (
        "/",
        "/p/2023Q3",
        "/p/2023Q3/board",
        f"/p/2023Q3/u/{q('民治街道')}",
        f"/p/2023Q3/u/{q('观湖街道')}",
        "/p/2023Q3/forms.zip",
        f"/p/2023Q3/forms/{q('民治街道')}",
        f"/p/2023Q3/u/{q('民治街道')}/files/{q(stored.name)}",
        f"/p/2023Q3/u/{q('民治街道')}/notice",
        f"/p/2023Q3/u/{q('观湖街道')}/notice",
    ):
        assert client.get(path).status_code in (200, 405), path
    assert tree(root) == before
    assert client.get(f"/p/2023Q3/u/{q('民治街道')}/notice").status_code == 405
    page = client.get(f"/p/2023Q3/u/{q('民治街道')}").text
    assert f'<form method="post" action="/p/2023Q3/u/{q("民治街道")}/notice"' in page


# ---------------------------------------------------------------- what it serves


def test_downloads_never_follow_links(client: TestClient, root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "机密.docx"
    secret.write_bytes(b"PK secret")
    upload(client, "民治街道.docx", filled(root, tmp_path))
    summarise(client)
    (root / "2023Q3" / "汇总" / "链接.docx").symlink_to(secret)
    (root / "2023Q3" / "回收表" / "民治街道" / "链接.docx").symlink_to(secret)
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    shutil.copy(secret, elsewhere / "x.docx")
    (root / "2023Q3" / "回收表" / "观湖街道").symlink_to(elsewhere, target_is_directory=True)
    forms = root / "2023Q3" / "填报表"
    real_form = forms / form(root, "观湖街道").name
    real_form.rename(tmp_path / "form.docx")
    real_form.symlink_to(secret)
    for path in (
        f"/p/2023Q3/out/{q('链接.docx')}",
        f"/p/2023Q3/u/{q('民治街道')}/files/{q('链接.docx')}",
        f"/p/2023Q3/u/{q('观湖街道')}/files/x.docx",
        f"/p/2023Q3/forms/{q('观湖街道')}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"secret" not in response.content
    with zipfile.ZipFile(io.BytesIO(client.get("/p/2023Q3/forms.zip").content)) as zf:
        assert all(zf.read(n) != b"PK secret" for n in zf.namelist())
    assert "/out/" + q("链接.docx") not in client.get("/p/2023Q3").text  # not offered
    assert "/files/" + q("链接.docx") not in client.get(f"/p/2023Q3/u/{q('民治街道')}").text


def test_a_name_that_is_not_utf8_never_breaks_a_page(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    folder = root / "2023Q3" / "回收表" / "民治街道"
    folder.mkdir(parents=True)
    data = filled(root, tmp_path)
    odd = folder / os.fsdecode(b"20231010-101010-\xb9\xdb\xb7\xa2.docx")  # GBK bytes from a zip
    odd.write_bytes(data)
    printable = shown(odd.name)
    assert printable.endswith("�.docx")
    for path in ("/p/2023Q3", "/p/2023Q3/board", f"/p/2023Q3/u/{q('民治街道')}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert display_name(printable) in page.text
    download = client.get(f"/p/2023Q3/u/{q('民治街道')}/files/{q(printable)}")
    assert download.status_code == 200 and download.content == data
    assert "已生成" in summarise(client)


def test_a_pipe_among_the_returns_never_hangs_the_board(client: TestClient, root: Path) -> None:
    folder = root / "2023Q3" / "回收表" / "民治街道"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "民治街道.docx")
    pages: list = []
    reader = threading.Thread(target=lambda: pages.append(client.get("/p/2023Q3/board")))
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "the board waited on a named pipe"
    assert pages[0].status_code == 200
    assert board_status(client, "民治街道") == "unreadable"
    assert "不是普通文件" in client.get(f"/p/2023Q3/u/{q('民治街道')}").text


def test_staging_left_by_a_killed_desk_is_swept_at_start(client: TestClient, root: Path) -> None:
    staging = root / "2023Q3" / "回收表" / STAGING_DIR
    old, fresh = staging / "old", staging / "fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "民治街道.docx").write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    leftover_forms = root / "2023Q3" / ".填报表-dead"
    leftover_forms.mkdir()
    os.utime(leftover_forms, (two_hours_ago, two_hours_ago))
    Workspace(root)
    assert not old.exists() and not leftover_forms.exists()
    assert fresh.exists()  # may be another desk's upload in progress
