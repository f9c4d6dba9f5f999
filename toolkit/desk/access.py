"""Who may talk to the desk: loopback Host check, access token, request limits.

On loopback (the default) the Host header must name this machine: a web
page elsewhere cannot reach the desk through DNS rebinding. Bound to any
other address, every request must carry the access token — in the
`X-Toolkit-Token` header, an `Authorization: Bearer` header, or a cookie
set once from the address (`?token=`) or the 401 page's form. The token
never stays in an address: any request carrying `?token=` is answered with
a redirect to the same address without it (and the cookie) before anything
else happens; the form posts it; no answer about the token is cached; and
`hide_token` keeps it out of the server's log. Cross-site form posts are
refused in both cases, and request bodies are capped.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Iterable
from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-toolkit-token"
TOKEN_COOKIE = "toolkit_desk_token"
TOKEN_QUERY = "token"
TOKEN_FORM_PATH = "/_token"  # where the 401 page's form posts the token
MAX_TOKEN_FORM_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store"}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: with it browsers send `Origin: null` on form posts.
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """`127.0.0.1:8321` -> `127.0.0.1`; `[::1]:8321` -> `::1`."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _page(status: int, title: str, text: str, *, ask_for_token: str | None = None) -> HTMLResponse:
    """A refusal; `ask_for_token`: the address to go back to once the posted token is right."""
    ask = (
        f'<form method="post" action="{TOKEN_FORM_PATH}">'
        f'<input type="hidden" name="next" value="{escape(ask_for_token)}">'
        '<label>访问口令 <input name="token" type="password" autocomplete="current-password" '
        'autofocus></label> <button type="submit">进入</button></form>'
        if ask_for_token is not None
        else ""
    )
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>{ask}</body></html>"
    )
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **NO_STORE})


def _local_path(target: str) -> str:
    """`target` when it is a path on this server, else `/`: a redirect never leaves the desk."""
    parts = urlsplit(target)
    ok = target.startswith("/") and not target.startswith("//") and not parts.scheme
    return target if ok and "\\" not in target else "/"


def _back_to(request: Request) -> str:
    """Where to go once the token is given: this page, or the start page after a refused post."""
    if request.method not in ("GET", "HEAD"):
        return "/"
    query = request.url.query
    return _local_path(request.url.path + (f"?{query}" if query else ""))


def _to(location: str, token: str | None) -> RedirectResponse:
    """303 to `location`; with `token`, the cookie that carries it from now on."""
    response = RedirectResponse(location, 303, headers=NO_STORE)
    if token is not None:
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return response


_TOKEN_IN_TEXT_RE = re.compile(rf"([?&]{TOKEN_QUERY}=)[^&#\s\"]*")


def hide_token(text: str) -> str:
    """`text` (a logged address) with the value of any `?token=` masked."""
    return _TOKEN_IN_TEXT_RE.sub(r"\1***", text)


class HideToken(logging.Filter):
    """For the web server's loggers: no record shows a token from an address."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide_token(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = hide_token(record.msg)
        return True


class AccessGuard:
    """ASGI middleware in front of every route (static files included)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: Iterable[str] | None,
        max_body: int,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = (
            {h.strip("[]").lower() for h in allowed_hosts} if allowed_hosts else None
        )
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._check_host(request)
        if refusal is None and TOKEN_QUERY in request.query_params:
            # Out of the address before anything else happens (a POST is not run).
            query = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_QUERY]
            target = URL(scope=scope).replace(query=urlencode(query))
            supplied = request.query_params.get(TOKEN_QUERY, "")
            refusal = _to(
                f"{target.path}{'?' + target.query if target.query else ''}",
                self.token if self.token and self._matches(supplied) else None,
            )
        elif refusal is None and request.url.path == TOKEN_FORM_PATH and request.method == "POST":
            refusal = self._cross_site(request) or await self._token_form(request, receive)
        if refusal is None:
            refusal = self._check(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _check_host(self, request: Request) -> Response | None:
        if self.allowed_hosts is not None:
            host = _host_name(request.headers.get("host", "")).lower()
            if host not in self.allowed_hosts:
                return _page(
                    403,
                    "拒绝访问",
                    "工作台只接受本机访问，请在本机浏览器中打开 toolkit serve 显示的地址。",
                )
        return None

    def _check(self, request: Request) -> Response | None:
        headers = request.headers
        if self.token and not self._token_ok(request):
            return _page(
                401,
                "需要访问口令",
                "此工作台设置了访问口令。请输入启动工作台时显示的口令，或使用带口令的完整地址。",
                ask_for_token=_back_to(request),
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            refusal = self._cross_site(request)
            if refusal is not None:
                return refusal
            length = headers.get("content-length")
            if length is None and headers.get("transfer-encoding"):
                return _page(411, "请求无效", "上传请求缺少长度信息，请用浏览器上传。")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                mb = self.max_body // 2**20
                return _page(413, "文件太大", f"一次上传的内容超过 {mb} MB，请分几次上传。")
        return None

    @staticmethod
    def _cross_site(request: Request) -> Response | None:
        headers = request.headers
        origin = headers.get("origin")
        if headers.get("sec-fetch-site") == "cross-site" or (
            origin and urlsplit(origin).netloc.lower() != headers.get("host", "").lower()
        ):
            return _page(403, "拒绝访问", "拒绝了来自其他网站的提交。")
        return None

    async def _token_form(self, request: Request, receive: Receive) -> Response:
        """The 401 page's form: the right token sets the cookie and goes back to the page."""
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_TOKEN_FORM_BYTES:
                return _page(413, "请求无效", "提交的内容过长。")
            if not message.get("more_body"):
                break
        fields = parse_qs(body.decode("utf-8", "replace"))
        back = _local_path((fields.get("next") or ["/"])[0])
        if self.token and self._matches((fields.get(TOKEN_QUERY) or [""])[0]):
            return _to(back, self.token)
        return _page(401, "需要访问口令", "口令不对，请重新输入。", ask_for_token=back)

    def _token_ok(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        candidates = [
            request.headers.get(TOKEN_HEADER),
            auth[7:] if auth.lower().startswith("bearer ") else None,
            request.cookies.get(TOKEN_COOKIE),
        ]
        return any(c is not None and self._matches(c) for c in candidates)

    def _matches(self, supplied: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(supplied.encode("utf-8"), self.token.encode("utf-8"))
