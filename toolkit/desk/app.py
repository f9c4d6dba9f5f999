"""The desk's web routes: thin wrappers that call the workspace and render pages.

Pages are rendered on the server with Jinja2 (autoescape on); the only
script is static/desk.js, for drag-and-drop upload. Blocking work (reading
returns, LibreOffice, writing documents) runs in the thread pool.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from toolkit.core.period import Period
from toolkit.core.rules import QUARTER_CN
from toolkit.desk import history
from toolkit.desk.access import LOOPBACK_NAMES, AccessGuard
from toolkit.desk.notice import ISSUER_SETTING, NoticeInfo, notice_kind, notice_title, write_notice
from toolkit.desk.status import build_board
from toolkit.desk.workspace import (
    MAX_UPLOAD_BYTES,
    UNIDENTIFIED_DIR,
    UPLOAD_SUFFIXES,
    Filed,
    Workspace,
    display_name,
    unit_folder_name,
)
from toolkit.errors import ToolkitError
from toolkit.office.folder import shown
from toolkit.summary.model import evaluation_colors

HERE = Path(__file__).parent
MAX_FILES_PER_REQUEST = 50
# One request may carry several files when the page is used without script.
MAX_REQUEST_BYTES = 100 * 1024 * 1024
_MAX_NOTES = 200


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, round(n / 1024))} KB"


def _shown(name: object) -> str:
    """A stored file name as the person knows it, printable whatever its bytes."""
    return display_name(shown(str(name)))


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A name that is not valid UTF-8 is linked by its printable form, and found again by it.
    env.filters["urlq"] = lambda s: quote(shown(str(s)), safe="")
    env.filters["when"] = _when
    env.filters["size"] = _size
    env.filters["shown"] = _shown
    env.filters["printable"] = lambda s: shown(str(s))
    return env


class Desk:
    """Routes bound to one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.env = make_environment()
        self.notes: dict[str, list[tuple[str, str]]] = {}

    # -- helpers

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        notes = self.notes.pop(request.query_params.get("n", ""), [])
        root = self.ws.root.resolve()
        html = self.env.get_template(name).render(
            root=shown(str(root)), root_name=shown(root.name), notes=notes, **context
        )
        return HTMLResponse(html, status_code=status)

    def back(self, url: str, notes: list[tuple[str, str]]) -> RedirectResponse:
        """Redirect after a POST, with messages shown once on the next page."""
        if len(self.notes) > _MAX_NOTES:
            self.notes.clear()
        key = secrets.token_urlsafe(8)
        self.notes[key] = notes
        return RedirectResponse(f"{url}?n={key}", status_code=303)

    def period_of(self, request: Request) -> Period:
        try:
            period = Period.parse_key(request.path_params["key"])
        except ToolkitError:
            period = None
        if period is None:
            raise HTTPException(404)
        return period

    def unit_of(self, request: Request, period: Period) -> str:
        unit = request.path_params["unit"]
        if unit not in self.ws.register().unit_names():
            raise HTTPException(404)
        return unit

    # -- pages

    async def home(self, request: Request) -> Response:
        if await run_in_threadpool(self.ws.find_register) is None:
            return self.page(request, "setup.html", region="", max_mb=MAX_UPLOAD_BYTES // 2**20)
        register = await run_in_threadpool(self.ws.register)
        existing = self.ws.periods()
        if existing:
            period = existing[-1]
        else:
            today = dt.date.today()
            year = register.year or today.year
            quarter = max(1, (today.month - 1) // 3) if year == today.year else 1
            period = Period(year, quarter)
        note = request.query_params.get("n", "")  # a message from a POST, for the next page
        query = f"?n={note}" if note in self.notes else ""
        return RedirectResponse(f"/p/{period.key}{query}", status_code=303)

    async def install_register(self, request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("register")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return self.back("/", [("error", "请选择登记表文件（.xlsx）。")])
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            await run_in_threadpool(self.ws.install_register, upload.filename, data)
        except ToolkitError as exc:
            return self.back("/", [("error", str(exc))])
        return self.back("/", [("ok", "登记表已保存为 登记表.xlsx。")])

    async def go(self, request: Request) -> Response:
        try:
            year = int(request.query_params.get("year", ""))
            period = Period(year, int(request.query_params.get("quarter", "")))
        except (ValueError, ToolkitError):
            return self.back("/", [("error", "请选择年度和季度。")])
        return RedirectResponse(f"/p/{period.key}", status_code=303)

    def _period_context(self, period: Period) -> dict[str, Any]:
        register = self.ws.register()
        board = build_board(self.ws, period)
        forms = self.ws.form_files(period)
        years = sorted(
            {period.year, *(p.year for p in self.ws.periods())} | {register.year or period.year}
        )
        newest_form = max((p.stat().st_mtime for p in forms.values()), default=None)
        return {
            "region": register.region,
            "period": period,
            "base": f"/p/{period.key}",
            "years": years,
            "quarters": sorted(QUARTER_CN.items()),
            "board": board,
            "counts": board.counts,
            "forms_count": len(forms),
            "forms_time": _when(dt.datetime.fromtimestamp(newest_form)) if newest_form else "",
            "units_count": len(register.unit_names()),
            "outputs": self.ws.output_files(period),
            "summary_dir": self.ws.summary_dir(period),
            "warnings": register.warnings,
            "history_error": self.ws.history_error,
            "max_bytes": MAX_UPLOAD_BYTES,
            "max_mb": MAX_UPLOAD_BYTES // 2**20,
            "suffixes": " ".join(UPLOAD_SUFFIXES),
            "notice_title": notice_title,
            "issuer": register.settings.get(ISSUER_SETTING, "").strip() or self.ws.issuer(),
            "issuer_from_register": bool(register.settings.get(ISSUER_SETTING, "").strip()),
        }

    async def period_page(self, request: Request) -> Response:
        period = self.period_of(request)
        context = await run_in_threadpool(self._period_context, period)
        return self.page(request, "period.html", **context)

    async def board(self, request: Request) -> Response:
        """The status board alone, for the page to refresh after uploads."""
        period = self.period_of(request)
        context = await run_in_threadpool(self._period_context, period)
        return self.page(request, "_board.html", **context)

    async def unit_page(self, request: Request) -> Response:
        period = self.period_of(request)
        unit = self.unit_of(request, period)
        context = await run_in_threadpool(self._period_context, period)
        row = context["board"].row(unit)
        versions = await run_in_threadpool(self.ws.sent_versions, period, unit)
        return self.page(request, "unit.html", row=row, versions=versions, **context)

    def year_of(self, request: Request) -> int:
        text = request.path_params["year"]
        if not (text.isdigit() and len(text) == 4):
            raise HTTPException(404)
        return int(text)

    async def year_page(self, request: Request) -> Response:
        year = self.year_of(request)

        def context() -> dict[str, Any]:
            register = self.ws.register()
            return {
                "region": register.region,
                "year": year,
                "view": history.year_of(self.ws, year),
                "colors": evaluation_colors(register.settings),
                "files": history.annual_files(self.ws, year),
                "periods": [p for p in self.ws.periods() if p.year == year],
            }

        return self.page(request, "year.html", **await run_in_threadpool(context))

    async def write_year(self, request: Request) -> Response:
        year = self.year_of(request)
        try:
            files = await run_in_threadpool(history.write_year, self.ws, year)
        except ToolkitError as exc:
            return self.back(f"/y/{year}", [("error", str(exc))])
        notes = [("ok", f"已生成：{shown(files.docx.name)}、{shown(files.xlsx.name)}。")]
        notes += [("warn", f"{k.note(self.ws.root)}。") for k in files.kept]
        return self.back(f"/y/{year}", notes)

    async def year_file(self, request: Request) -> Response:
        year = self.year_of(request)
        for path in await run_in_threadpool(history.annual_files, self.ws, year):
            if shown(path.name) == request.path_params["name"]:
                return _download(path)
        raise HTTPException(404)

    # -- actions

    async def generate(self, request: Request) -> Response:
        period = self.period_of(request)
        try:
            result = await run_in_threadpool(self.ws.generate, period)
        except ToolkitError as exc:
            return self.back(f"/p/{period.key}", [("error", str(exc))])
        notes = [("ok", f"已为 {len(result.forms)} 个单位生成{period.label}填报表。")]
        notes += [("warn", w) for w in result.warnings]
        return self.back(f"/p/{period.key}", notes)

    async def upload(self, request: Request) -> Response:
        period = self.period_of(request)
        wants_json = "application/json" in request.headers.get("accept", "")
        form = await request.form(max_files=MAX_FILES_PER_REQUEST, max_fields=10)
        results = []
        for upload in form.getlist("files"):
            if not isinstance(upload, UploadFile) or not upload.filename:
                continue
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            try:
                filed = await run_in_threadpool(self.ws.file_return, period, upload.filename, data)
            except ToolkitError as exc:
                results.append(
                    {"name": shown(upload.filename), "level": "error", "message": f"未保存：{exc}"}
                )
                continue
            results.append(_filed_view(filed, period))
        if wants_json:
            return JSONResponse({"results": results})
        notes = [(r["level"], f"{r['name']}：{r['message']}") for r in results]
        return self.back(f"/p/{period.key}", notes or [("error", "没有选择文件。")])

    async def set_deadline(self, request: Request) -> Response:
        period = self.period_of(request)
        form = await request.form(max_files=0, max_fields=5)
        text = str(form.get("deadline") or "").strip()
        try:
            day = dt.date.fromisoformat(text) if text else None
        except ValueError:
            return self.back(f"/p/{period.key}", [("error", f"日期“{text}”无效。")])
        await run_in_threadpool(self.ws.set_deadline, period, day)
        note = f"报送截止日期已设为 {day.isoformat()}。" if day else "已取消报送截止日期。"
        return self.back(f"/p/{period.key}", [("ok", note)])

    async def set_issuer(self, request: Request) -> Response:
        period = self.period_of(request)
        form = await request.form(max_files=0, max_fields=5)
        name = str(form.get("issuer") or "")
        await run_in_threadpool(self.ws.set_issuer, name)
        note = f"通知落款已设为“{self.ws.issuer()}”。" if name.strip() else "已清除通知落款。"
        return self.back(f"/p/{period.key}", [("ok", note)])

    async def summarise(self, request: Request) -> Response:
        period = self.period_of(request)
        form = await request.form(max_files=0, max_fields=5)
        pdf, public = form.get("pdf") == "1", form.get("public") == "1"
        try:
            files = await run_in_threadpool(
                partial(self.ws.summarise, period, pdf=pdf, public=public)
            )
        except ToolkitError as exc:
            return self.back(f"/p/{period.key}", [("error", str(exc))])
        names = "、".join(shown(p.name) for p in files.written)
        recorded = files.recorded.note(self.ws.root) if files.recorded else ""
        notes = [("ok", f"已生成：{names}。{recorded}")]
        if files.public is not None:
            withheld = "、".join(files.public.withheld.names) or "（无）"
            notes.append(
                ("ok", f"公开版不含这些列：{withheld}；也不含作者、单位、批注、修订等文档信息。")
            )
        notes += [("warn", n) for n in files.notices]
        notes += [("warn", f"{k.note(self.ws.root)}。") for k in files.kept]
        if files.history_error:
            notes.append(("error", f"一览表已生成，但未能记入报送历史：{files.history_error}"))
        return self.back(f"/p/{period.key}", notes)

    async def report(self, request: Request) -> Response:
        """Write the period's 督查通报 draft into 汇总/ (a POST: it writes a file)."""
        period = self.period_of(request)
        try:
            files = await run_in_threadpool(self.ws.report, period)
        except ToolkitError as exc:
            return self.back(f"/p/{period.key}", [("error", str(exc))])
        notes = [("ok", f"已生成督查通报草稿：{shown(files.docx.name)}，可下载后在 Word 中修改。")]
        notes += [("warn", w) for w in files.warnings]
        notes += [("warn", f"{k.note(self.ws.root)}。") for k in files.kept]
        return self.back(f"/p/{period.key}", notes)

    # -- downloads

    async def forms_zip(self, request: Request) -> Response:
        period = self.period_of(request)
        data = await run_in_threadpool(self.ws.forms_zip, period)
        name = f"{period.label}填报表.zip"
        return Response(data, media_type="application/zip", headers=_attachment(name))

    async def form_file(self, request: Request) -> Response:
        period = self.period_of(request)
        unit = self.unit_of(request, period)
        path = (await run_in_threadpool(self.ws.form_files, period)).get(unit)
        if path is None:
            raise HTTPException(404)
        return _download(path)

    async def output_file(self, request: Request) -> Response:
        period = self.period_of(request)
        wanted = request.path_params["name"]
        folder = self.ws.summary_dir(period)
        for f in await run_in_threadpool(self.ws.output_files, period):
            if shown(f.path.relative_to(folder).as_posix()) == wanted:
                return _download(f.path)
        raise HTTPException(404)

    async def received_file(self, request: Request) -> Response:
        period = self.period_of(request)
        unit = request.path_params["unit"]
        folder = UNIDENTIFIED_DIR if unit == UNIDENTIFIED_DIR else unit_folder_name(unit)
        files = (await run_in_threadpool(self.ws.received_files, period)).get(folder, [])
        for f in files:
            if shown(f.path.name) == request.path_params["name"]:
                return _download(f.path)
        raise HTTPException(404)

    async def notice(self, request: Request) -> Response:
        """Write a unit's notice into 汇总/ and send it (a POST: it writes a file)."""
        period = self.period_of(request)
        unit = self.unit_of(request, period)

        def write() -> Path | None:
            result = self.ws.merge(period)
            kind = notice_kind(result, unit)
            if kind is None:
                return None
            target = self.ws.notice_path(period, unit, notice_title(kind))
            info = NoticeInfo(self.ws.deadline(period), self.ws.issuer())
            return write_notice(
                result, unit, target, kind=kind, template=self.ws.template(kind), info=info
            )

        path = await run_in_threadpool(write)
        if path is None:
            note = f"{unit}的回收表没有需要修改的问题，不需要发通知。"
            return self.back(f"/p/{period.key}/u/{quote(unit, safe='')}", [("ok", note)])
        return _download(path)

    # -- errors

    async def error_page(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404:
            title, text, status = "找不到页面", "地址有误，或所指的文件、单位不存在。", 404
        elif isinstance(exc, HTTPException):
            title, text, status = "请求无效", str(exc.detail), exc.status_code
        elif isinstance(exc, ToolkitError):
            title, text, status = "无法完成", str(exc), 400
        else:
            title = "内部错误"
            text = "工作台遇到了意外情况。请加 --debug 重新启动工作台（toolkit --debug serve …）并重复刚才的操作，把命令行窗口中的信息发给维护人员。"
            status = 500
        return self.page(request, "error.html", status, title=title, text=text, region="")


def _download(path: Path) -> FileResponse:
    return FileResponse(path, filename=shown(path.name))


def _filed_view(filed: Filed, period: Period) -> dict[str, str]:
    how = f"（依据{filed.identified_by}）" if filed.identified_by else ""
    if filed.not_a_return:
        where = filed.unit or f"{UNIDENTIFIED_DIR} 文件夹"
        return {
            "name": filed.original_name,
            "level": "warn",
            "message": f"已存入 {where}，但{filed.not_a_return}，汇总时不计入",
        }
    if filed.unit is None:
        reason = f"；{filed.error}" if filed.error else ""
        return {
            "name": filed.original_name,
            "level": "warn",
            "message": f"无法识别填报单位，已存入 {UNIDENTIFIED_DIR} 文件夹{reason}",
        }
    if filed.error:
        message, level = f"已归入 {filed.unit}{how}，但文件无法读取：{filed.error}", "error"
    elif filed.wrong_period(period):
        assert filed.period is not None
        message = f"已归入 {filed.unit}，但这是{filed.period.label}的表，不是{period.label}的"
        level = "error"
    else:
        message, level = f"已归入 {filed.unit}{how}", "ok"
    if filed.removed_links:
        message += f"；文件引用的 {len(filed.removed_links)} 处外部内容已删除，未访问其地址"
        level = "warn" if level == "ok" else level
    return {"name": filed.original_name, "level": level, "message": message, "unit": filed.unit}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}"}


def create_app(
    root: Path,
    *,
    token: str | None = None,
    allowed_hosts: Iterable[str] | None = LOOPBACK_NAMES,
) -> AccessGuard:
    """The desk for the workspace folder `root`.

    `allowed_hosts`: Host header names accepted (None: any, for use behind
    the token on a network address). `token`: required on every request.
    """
    desk = Desk(Workspace(Path(root)))
    p = "/p/{key}"
    routes = [
        Route("/", desk.home),
        Route("/register", desk.install_register, methods=["POST"]),
        Route("/go", desk.go),
        Route(p, desk.period_page),
        Route(p + "/board", desk.board),
        Route(p + "/generate", desk.generate, methods=["POST"]),
        Route(p + "/upload", desk.upload, methods=["POST"]),
        Route(p + "/deadline", desk.set_deadline, methods=["POST"]),
        Route(p + "/issuer", desk.set_issuer, methods=["POST"]),
        Route(p + "/summary", desk.summarise, methods=["POST"]),
        Route(p + "/report", desk.report, methods=["POST"]),
        Route(p + "/forms.zip", desk.forms_zip),
        Route(p + "/forms/{unit}", desk.form_file),
        Route(p + "/out/{name:path}", desk.output_file),
        Route(p + "/u/{unit}", desk.unit_page),
        Route(p + "/u/{unit}/notice", desk.notice, methods=["POST"]),
        Route(p + "/u/{unit}/files/{name}", desk.received_file),
        Route("/y/{year}", desk.year_page),
        Route("/y/{year}/annual", desk.write_year, methods=["POST"]),
        Route("/y/{year}/out/{name}", desk.year_file),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: desk.error_page,
            ToolkitError: desk.error_page,
            Exception: desk.error_page,
        },
    )
    app.state.desk = desk
    return AccessGuard(app, token=token, allowed_hosts=allowed_hosts, max_body=MAX_REQUEST_BYTES)


__all__ = ["create_app"]
