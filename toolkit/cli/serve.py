"""`toolkit serve`: start the desk (a local web page) over a workspace folder.

Registered on the main command group by toolkit/cli/main.py. The server libraries
are imported only when the command runs, so the other commands start fast.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.base import CONTEXT, Command, help_option, say
from toolkit.errors import UsageError

if TYPE_CHECKING:
    import socket

# socket, secrets, webbrowser, logging and threading are imported where used:
# every other command starts without them.

DEFAULT_PORT = 8321
MIN_TOKEN_CHARS = 12
BROWSER_WAIT_SECONDS = 30


def _bind(host: str, port: int) -> socket.socket:
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share a port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _listen(host: str, port: int | None) -> socket.socket:
    """The listening socket: the port asked for, else the default, else any free one."""
    import socket

    try:
        return _bind(host, DEFAULT_PORT if port is None else port)
    except socket.gaierror:
        raise UsageError(
            f"无法识别监听地址“{host}”。", hint="使用 IP 地址，如 127.0.0.1。"
        ) from None
    except OSError as exc:
        if port is not None:
            raise UsageError(
                f"无法在 {host} 的端口 {port} 上启动：{exc.strerror or exc}。",
                hint="端口可能已被其他程序占用：换一个 --port，或不指定端口。",
            ) from None
    try:
        return _bind(host, 0)
    except OSError as exc:
        raise UsageError(f"无法在 {host} 上启动：{exc.strerror or exc}。") from None


def _open_browser_when_ready(server: object, url: str) -> None:
    import webbrowser

    deadline = time.monotonic() + BROWSER_WAIT_SECONDS
    while not getattr(server, "started", False):
        if time.monotonic() > deadline or getattr(server, "should_exit", False):
            return
        time.sleep(0.1)
    webbrowser.open(url)


@click.command(cls=Command, context_settings=CONTEXT)
@click.argument("workspace", default=".", required=False, metavar="[工作文件夹]")
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    metavar="端口",
    help=f"端口；默认 {DEFAULT_PORT}，被占用时自动换一个空闲端口；0 表示任选空闲端口。",
)
@click.option(
    "--host",
    default="127.0.0.1",
    metavar="地址",
    help="监听地址；默认 127.0.0.1，只有本机能访问。用其他地址时必须同时设置 --token。",
)
@click.option(
    "--token",
    metavar="口令",
    help=f"访问口令（至少 {MIN_TOKEN_CHARS} 个字符），每个请求都须携带；写 auto 则自动生成并显示。",
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@help_option
@click.pass_context
def serve(
    ctx: click.Context,
    workspace: str,
    port: int | None,
    host: str,
    token: str | None,
    no_browser: bool,
) -> None:
    """打开报送工作台：在浏览器中选季度、生成和下载填报表、上传回收表、查看报送情况、下载一览表。

    工作文件夹中放登记表（登记表.xlsx），各季度的填报表、回收表和汇总结果按
    “2023Q3/填报表、回收表、汇总”存放，命令行可直接使用同一文件夹。
    按 Ctrl+C 停止。详见 toolkit docs 工作台。

    \b
    示例：
      toolkit serve 报送工作
      toolkit serve . --port 8080 --no-browser
      toolkit serve 报送工作 --host 0.0.0.0 --token auto
    """
    import logging
    import secrets
    import socket
    import threading
    from urllib.parse import quote

    import uvicorn

    from toolkit.desk.access import LOOPBACK_NAMES, HideToken, is_loopback
    from toolkit.desk.app import create_app

    root = Path(workspace)
    if not root.is_dir():
        raise UsageError(
            f"工作文件夹不存在：{workspace}", hint="先新建这个文件夹，或指定已有的文件夹。"
        )
    loopback = is_loopback(host)
    if not loopback and not token:
        raise UsageError(
            f"在地址 {host} 上开放工作台，局域网内的其他电脑都能访问，必须设置访问口令。",
            hint=f"加上 --token 口令（至少 {MIN_TOKEN_CHARS} 个字符），或 --token auto 自动生成。",
        )
    debug = bool((ctx.find_root().obj or {}).get("debug"))
    if token == "auto" and debug:
        # --debug hides the token (its output goes to maintainers): a generated one would be lost.
        raise UsageError(
            "使用 --debug 时不能用 --token auto：调试输出中不显示口令，自动生成的口令将无从得知。",
            hint=f"用 --token 指定一个自己知道的口令（至少 {MIN_TOKEN_CHARS} 个字符）。",
        )
    if token == "auto":
        token = secrets.token_urlsafe(18)
    elif token is not None and len(token) < MIN_TOKEN_CHARS:
        raise UsageError(
            f"访问口令太短，至少需要 {MIN_TOKEN_CHARS} 个字符。", hint="或用 --token auto。"
        )

    sock = _listen(host, port)
    actual_port = sock.getsockname()[1]
    if loopback:
        shown = f"[{host}]" if ":" in host else host
    elif host in ("0.0.0.0", "::"):
        shown = socket.gethostname()
    else:
        shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{actual_port}/"
    local_url = (
        url if loopback or host not in ("0.0.0.0", "::") else f"http://127.0.0.1:{actual_port}/"
    )
    suffix = f"?token={quote(token, safe='')}" if token else ""

    app = create_app(
        root, token=token, allowed_hosts=None if not loopback else (*LOOPBACK_NAMES, host)
    )
    config = uvicorn.Config(
        app,
        log_level="info" if debug else "critical",
        access_log=debug,
        lifespan="off",
        server_header=False,
    )
    for name in ("uvicorn.access", "uvicorn.error"):  # configured by Config just now
        logging.getLogger(name).addFilter(HideToken())
    server = uvicorn.Server(config)

    # --debug output is meant for maintainers: the token stays out of it.
    say(f"报送工作台已启动：{url}{'' if debug else suffix}")
    say(f"工作文件夹：{root.resolve()}")
    if token and debug:
        say("访问口令：已隐藏（--debug 的输出常要发给维护人员），请输入用 --token 指定的口令。")
    elif token:
        say(f"访问口令：{token}（其他电脑用上面的完整地址打开，或在页面上输入口令）")
    say("按 Ctrl+C 停止。")
    if not no_browser:
        threading.Thread(
            target=_open_browser_when_ready, args=(server, local_url + suffix), daemon=True
        ).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl+C after a clean shutdown: stopping is the normal end
    finally:
        sock.close()
    say("工作台已停止。")
