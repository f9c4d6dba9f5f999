"""The desk's routes, in process (Starlette's TestClient): pages, actions, access control."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from support.browser import fill_form
from support.desk import BASE, TestClient, desk_client, q, workspace
from support.registers import write_register
from support.seed import MINZHI_Q3

from toolkit.core.period import Period
from toolkit.desk.access import TOKEN_COOKIE
from toolkit.desk.app import MAX_REQUEST_BYTES, create_app
from toolkit.desk.workspace import REGISTER_NAME, Workspace

Q3 = Period(2023, 3)
TOKEN = "correct-horse-battery"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return workspace(tmp_path)


@pytest.fixture
def client(root: Path) -> TestClient:
    return desk_client(root)


def minzhi_return(root: Path, tmp_path: Path) -> bytes:
    form = Workspace(root).form_files(Q3)["民治街道"]
    return fill_form(form, tmp_path / "filled.docx", MINZHI_Q3).read_bytes()


def upload(client: TestClient, *files: tuple[str, bytes], as_json: bool = True):  # type: ignore[no-untyped-def]
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(
        "/p/2023Q3/upload",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers=headers,
        follow_redirects=not as_json,
    )


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return "".join(t.text or "" for t in root.iter(f"{{{W_NS}}}t"))


# ---------------------------------------------------------------- pages and actions


def test_empty_workspace_asks_for_the_register(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path), base_url=BASE)
    page = client.get("/")
    assert page.status_code == 200 and "先放入登记表" in page.text
    register = write_register(tmp_path.parent / "upload.xlsx")
    done = client.post(
        "/register",
        files={
            "register": ("龙华区登记表.xlsx", register.read_bytes(), "application/vnd.ms-excel")
        },
    )
    assert "登记表已保存为 登记表.xlsx" in done.text
    assert (tmp_path / REGISTER_NAME).read_bytes() == register.read_bytes()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_period_picker_and_home_redirect(client: TestClient, root: Path) -> None:
    (root / "2023Q2").mkdir()
    assert client.get("/", follow_redirects=False).headers["location"] == "/p/2023Q2"
    picked = client.get("/go?year=2023&quarter=3", follow_redirects=False)
    assert picked.headers["location"] == "/p/2023Q3"
    page = client.get("/p/2023Q3")
    assert "龙华区2023年第三季度民生实事项目报送" in page.text
    assert '<option value="3" selected>第三季度</option>' in page.text
    assert client.get("/p/2023Q9").status_code == 404
    assert "请选择年度和季度" in client.get("/go?year=x&quarter=3").text


def test_generate_then_download_forms(client: TestClient) -> None:
    page = client.post("/p/2023Q3/generate")
    assert "已为 8 个单位生成2023年第三季度填报表" in page.text
    assert "下载全部填报表（zip）" in page.text
    archive = client.get("/p/2023Q3/forms.zip")
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len(names) == 9 and "2023Q3填报表/分发清单.xlsx" in names
    form = client.get(f"/p/2023Q3/forms/{q('民治街道')}")
    assert form.status_code == 200
    assert "filename*=utf-8''" in form.headers["content-disposition"]
    assert "填报单位：民治街道" in docx_text(form.content)
    assert client.get(f"/p/2023Q3/forms/{q('不存在的单位')}").status_code == 404


def test_upload_board_unit_page_notice_and_summary(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    client.post("/p/2023Q3/generate")
    good = minzhi_return(root, tmp_path)
    answer = upload(
        client,
        ("民治街道（第三季度）.docx", good),
        ("观湖街道.docx", b"broken"),
        ("新建文档.docx", b"broken too"),
        ("说明.pdf", b"%PDF"),
    ).json()["results"]
    levels = [(r["level"], r["message"].split("，")[0].split("：")[0]) for r in answer]
    assert levels == [
        ("ok", "已归入 民治街道（依据文档属性）"),
        ("error", "已归入 观湖街道（依据文件名）"),
        ("warn", "无法识别填报单位"),
        ("error", "未保存"),
    ]
    board = client.get("/p/2023Q3/board").text
    assert 'data-unit="民治街道" data-status="returned"' in board
    assert 'data-unit="观湖街道" data-status="unreadable"' in board
    assert 'data-unit="龙华街道" data-status="missing"' in board
    assert "无法归属到单位的文件" in board and "新建文档.docx" in board

    unit = client.get(f"/p/2023Q3/u/{q('民治街道')}").text
    assert "10-3" in unit and "超过字数上限" in unit and "汇总使用" in unit
    assert (
        client.get(f"/p/2023Q3/u/{q('民治街道')}/notice").status_code == 405
    )  # GET writes nothing
    assert not (root / "2023Q3" / "汇总").exists()
    notice = client.post(f"/p/2023Q3/u/{q('民治街道')}/notice")
    assert notice.status_code == 200
    text = docx_text(notice.content)
    assert text.startswith("退回修改意见") and "10-3" in text
    assert (root / "2023Q3" / "汇总" / "退回修改意见" / "退回修改意见（民治街道）.docx").is_file()

    page = client.post("/p/2023Q3/summary").text
    assert "已生成：龙华区2023年第三季度民生实事项目进展情况一览表.docx" in page
    name = "龙华区2023年第三季度民生实事项目进展情况一览表.docx"
    summary = client.get(f"/p/2023Q3/out/{q(name)}")
    assert summary.status_code == 200 and "已完成总体工程建设" in docx_text(summary.content)
    stored = next((root / "2023Q3" / "回收表" / "民治街道").iterdir())
    received = client.get(f"/p/2023Q3/u/{q('民治街道')}/files/{q(stored.name)}")
    assert received.content == good


def test_upload_without_script_redirects_with_messages(client: TestClient, root: Path) -> None:
    page = upload(client, ("观湖街道.docx", b"broken"), as_json=False)
    assert page.status_code == 200 and "观湖街道.docx：已归入 观湖街道" in page.text
    assert "没有选择文件" in client.post("/p/2023Q3/upload", files={"x": ("", b"")}).text


def test_deadline_marks_late_units(client: TestClient) -> None:
    page = client.post("/p/2023Q3/deadline", data={"deadline": "2023-10-10"}).text
    assert "报送截止日期已设为 2023-10-10" in page
    assert "逾期未报 8" in page  # the test runs after 2023-10-10
    assert "日期“明天”无效" in client.post("/p/2023Q3/deadline", data={"deadline": "明天"}).text


def test_uploaded_names_cannot_escape_the_workspace(
    client: TestClient, root: Path, tmp_path: Path
) -> None:
    answer = upload(client, ("../../../观湖街道.docx", b"broken")).json()["results"]
    assert answer[0]["level"] == "error"
    files = [p for p in root.rglob("*") if p.is_file() and p.name.endswith("观湖街道.docx")]
    assert len(files) == 1 and files[0].parent == root / "2023Q3" / "回收表" / "观湖街道"
    assert not (tmp_path / "观湖街道.docx").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/p/2023Q3/out/..%2F..%2F" + q(REGISTER_NAME),
        "/p/2023Q3/out/../../" + q(REGISTER_NAME),
        "/p/2023Q3/u/" + q("观湖街道") + "/files/..%2F..%2F..%2F" + q(REGISTER_NAME),
        "/p/2023Q3/u/..%2F..%2F/files/" + q(REGISTER_NAME),
        "/static/..%2F..%2Fworkspace.py",
    ],
)
def test_downloads_serve_only_listed_files(client: TestClient, path: str) -> None:
    upload(client, ("观湖街道.docx", b"broken"))
    response = client.get(path)
    assert response.status_code == 404
    assert not response.content.startswith(b"PK")


def test_pages_are_chinese_and_escaped(tmp_path: Path) -> None:
    unit = "甲&乙<街道>"
    rows = [["", "1", "项目", "目标", "", "", "三季度目标", "", unit, "/"]]
    write_register(tmp_path / REGISTER_NAME, rows, units=[(unit, "街道")])
    client = TestClient(create_app(tmp_path), base_url=BASE)
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and "找不到页面" in missing.text
    page = client.get("/p/2023Q3").text
    assert "甲&amp;乙&lt;街道&gt;" in page and unit not in page
    assert client.get(f"/p/2023Q3/u/{q(unit)}").status_code == 200


def test_security_headers(client: TestClient) -> None:
    page = client.get("/p/2023Q3")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


# ---------------------------------------------------------------- access control


def test_loopback_desk_refuses_other_host_names(root: Path) -> None:
    client = TestClient(create_app(root), base_url="http://attacker.example:8321")
    response = client.get("/")
    assert response.status_code == 403 and "只接受本机访问" in response.text
    for host in ("127.0.0.1:8321", "localhost:8321", "[::1]:8321"):
        assert client.get("/", headers={"host": host}, follow_redirects=False).status_code == 303


def test_cross_site_posts_are_refused(client: TestClient, root: Path) -> None:
    for headers in ({"origin": "http://attacker.example"}, {"sec-fetch-site": "cross-site"}):
        response = client.post(
            "/p/2023Q3/upload",
            files={"files": ("观湖街道.docx", b"x", "application/octet-stream")},
            headers=headers,
        )
        assert response.status_code == 403 and "其他网站" in response.text
    assert not (root / "2023Q3").exists()
    same = client.post("/p/2023Q3/generate", headers={"origin": BASE}, follow_redirects=False)
    assert same.status_code == 303


def test_oversized_request_refused_before_reading(client: TestClient, root: Path) -> None:
    response = client.post(
        "/p/2023Q3/upload",
        content=b"x",
        headers={"content-length": str(MAX_REQUEST_BYTES + 1), "content-type": "text/plain"},
    )
    assert response.status_code == 413 and "超过 100 MB" in response.text


@pytest.fixture
def guarded(root: Path) -> TestClient:
    return TestClient(create_app(root, token=TOKEN, allowed_hosts=None), base_url=BASE)


def test_token_required_on_every_request(guarded: TestClient) -> None:
    for path in ("/", "/p/2023Q3", "/static/desk.css", "/p/2023Q3/forms.zip"):
        response = guarded.get(path)
        assert response.status_code == 401 and "需要访问口令" in response.text
    wrong = guarded.get("/", headers={"x-toolkit-token": TOKEN + "x"})
    assert wrong.status_code == 401
    refused = guarded.post("/p/2023Q3/generate", follow_redirects=False)
    assert refused.status_code == 401
    assert guarded.get("/static/desk.css", headers={"x-toolkit-token": TOKEN}).status_code == 200
    bearer = {"authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/", headers=bearer, follow_redirects=False).status_code == 303


def test_token_in_address_becomes_a_cookie(guarded: TestClient) -> None:
    first = guarded.get(f"/p/2023Q3?token={TOKEN}&x=1", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/p/2023Q3?x=1"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = guarded.get("/p/2023Q3")  # the client keeps the cookie
    assert page.status_code == 200 and "报送情况" in page.text
    guarded.cookies.clear()
    assert guarded.get("/p/2023Q3?token=wrong").status_code == 401
    assert guarded.get("/p/2023Q3").status_code == 401


def test_token_in_the_address_of_any_request_is_stripped_before_it_runs(
    guarded: TestClient, root: Path
) -> None:
    for token, cookie in ((TOKEN, True), ("wrong", False)):
        answer = guarded.post(f"/p/2023Q3/generate?token={token}", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/p/2023Q3/generate"
        assert answer.headers["cache-control"] == "no-store"
        assert ("set-cookie" in answer.headers) is cookie
        assert not Workspace(root).forms_dir(Q3).exists()  # the post was not run
        guarded.cookies.clear()
    # Even where no token is needed, the address loses it.
    open_desk = TestClient(create_app(root), base_url=BASE)
    answer = open_desk.get("/p/2023Q3?x=1&token=abc", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/p/2023Q3?x=1")
    assert "set-cookie" not in answer.headers


def test_the_token_form_posts_and_is_never_cached(guarded: TestClient) -> None:
    page = guarded.get("/p/2023Q3?x=1")
    assert page.status_code == 401 and page.headers["cache-control"] == "no-store"
    form = etree.HTML(page.text).find(".//form")
    assert form.get("method") == "post" and form.get("action") == "/_token"
    fields = {i.get("name"): i.get("value") for i in form.iter("input")}
    assert fields == {"next": "/p/2023Q3?x=1", "token": None}

    wrong = guarded.post("/_token", data={"token": "wrong", "next": "/p/2023Q3"})
    assert wrong.status_code == 401 and "口令不对" in wrong.text
    assert wrong.headers["cache-control"] == "no-store" and "set-cookie" not in wrong.headers
    right = guarded.post(
        "/_token", data={"token": TOKEN, "next": "/p/2023Q3?x=1"}, follow_redirects=False
    )
    assert (right.status_code, right.headers["location"]) == (303, "/p/2023Q3?x=1")
    assert right.headers["cache-control"] == "no-store"
    assert right.headers["set-cookie"].startswith(f"{TOKEN_COOKIE}=")
    assert TOKEN not in right.headers["location"]
    assert guarded.get("/p/2023Q3").status_code == 200  # the cookie carries it now


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_the_token_form_never_sends_anyone_elsewhere(guarded: TestClient, target: str) -> None:
    right = guarded.post("/_token", data={"token": TOKEN, "next": target}, follow_redirects=False)
    assert right.headers["location"] == "/"


def test_a_token_posted_from_another_site_is_refused(guarded: TestClient) -> None:
    answer = guarded.post(
        "/_token",
        data={"token": TOKEN, "next": "/"},
        headers={"origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_refusals_are_never_cached(root: Path) -> None:
    other_host = TestClient(create_app(root), base_url="http://attacker.example")
    answer = other_host.get("/")
    assert answer.status_code == 403 and answer.headers["cache-control"] == "no-store"
