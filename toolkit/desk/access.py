"""Who may talk to the desk: loopback Host check, access token, request limits.

On loopback (the default) the Host header must name this machine: a web
page elsewhere cannot reach the desk through DNS rebinding. Bound to any
other address, every request must carry the access token — in the
`X-Toolkit-Token` header, an `Authorization: Bearer` header, or `?token=`
once, after which a cookie carries it. Cross-site form posts are refused in
both cases, and request bodies are capped.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-toolkit-token"
TOKEN_COOKIE = "toolkit_desk_token"
TOKEN_QUERY = "token"
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


def _page(status: int, title: str, text: str, *, form: bool = False) -> HTMLResponse:
    ask = (
        '<form method="get" action=""><label>访问口令 '
        '<input name="token" type="password" autocomplete="current-password" autofocus></label> '
        '<button type="submit">进入</button></form>'
        if form
        else ""
    )
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>{ask}</body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)


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
        refusal = self._check(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        supplied = request.query_params.get(TOKEN_QUERY)
        if self.token and supplied and request.method in ("GET", "HEAD"):
            # Swap the token in the address bar for a cookie, then load the page.
            query = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_QUERY]
            target = URL(scope=scope).replace(query=urlencode(query))
            response = RedirectResponse(
                f"{target.path}{'?' + target.query if target.query else ''}", 303
            )
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="lax")
            await response(scope, receive, send)
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

    def _check(self, request: Request) -> Response | None:
        headers = request.headers
        if self.allowed_hosts is not None:
            host = _host_name(headers.get("host", "")).lower()
            if host not in self.allowed_hosts:
                return _page(
                    403,
                    "拒绝访问",
                    "工作台只接受本机访问，请在本机浏览器中打开 toolkit serve 显示的地址。",
                )
        if self.token and not self._token_ok(request):
            return _page(
                401,
                "需要访问口令",
                "此工作台设置了访问口令。请输入启动工作台时显示的口令，或使用带口令的完整地址。",
                form=True,
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if headers.get("sec-fetch-site") == "cross-site" or (
                origin and urlsplit(origin).netloc.lower() != headers.get("host", "").lower()
            ):
                return _page(403, "拒绝访问", "拒绝了来自其他网站的提交。")
            length = headers.get("content-length")
            if length is None and headers.get("transfer-encoding"):
                return _page(411, "请求无效", "上传请求缺少长度信息，请用浏览器上传。")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                mb = self.max_body // 2**20
                return _page(413, "文件太大", f"一次上传的内容超过 {mb} MB，请分几次上传。")
        return None

    def _token_ok(self, request: Request) -> bool:
        assert self.token is not None
        auth = request.headers.get("authorization", "")
        candidates = [
            request.headers.get(TOKEN_HEADER),
            auth[7:] if auth.lower().startswith("bearer ") else None,
            request.cookies.get(TOKEN_COOKIE),
            request.query_params.get(TOKEN_QUERY),
        ]
        expected = self.token.encode("utf-8")
        return any(
            c is not None and hmac.compare_digest(c.encode("utf-8"), expected) for c in candidates
        )
