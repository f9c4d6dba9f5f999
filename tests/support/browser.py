"""Helpers for the desk's tests: a live server, a real headless Chromium, filled returns.

Browser tests carry ``@pytest.mark.browser`` and call ``require_browser()``
first: without Chromium (Debian package `chromium`) or the `playwright`
package they skip locally and fail on CI (``CI=true``), where a silent skip
would hide a broken setup. Playwright drives the system Chromium; it never
downloads a browser of its own.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from support.ci import unavailable
from toolkit.core import rules

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # dates and dialogs as on a Chinese desktop
]
SERVER_START_SECONDS = 30


def _unavailable(reason: str) -> None:
    unavailable(reason, "browser")


def chromium_path() -> str | None:
    env = os.environ.get("TOOLKIT_CHROMIUM")
    for candidate in (env, *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_browser() -> str:
    """The Chromium path; skip (or fail on CI) when Chromium or Playwright is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        _unavailable("Chromium not found (apt-get install chromium)")
    return path  # type: ignore[return-value]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright Browser) on the system's binary."""
    from playwright.sync_api import sync_playwright

    path = require_browser()
    with sync_playwright() as p:
        env = {**os.environ, "LANGUAGE": "zh_CN"}
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, env=env)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in a thread; yield its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the desk server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_START_SECONDS)
        sock.close()


# ---------------------------------------------------------------- filled returns


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _set_cell(tc: etree._Element, text: str) -> None:
    """Replace a cell's paragraphs by one paragraph per line, as a person typing would."""
    paragraphs = tc.findall(f"{W}p")
    template = paragraphs[0]
    for p in paragraphs:
        tc.remove(p)
    for line in text.split("\n"):
        p = copy.deepcopy(template)
        for r in p.findall(f"{W}r"):
            p.remove(r)
        if line:
            r = etree.SubElement(p, f"{W}r")
            t = etree.SubElement(r, f"{W}t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        tc.append(p)


def fill_form(src: Path, dst: Path, values: dict[str, tuple[str, str, str]]) -> Path:
    """Copy a generated form, filling 进展情况 / 存在问题… / 进度评价 of the rows in `values`.

    `values`: 序号 -> (progress, plan, evaluation). Every other part of the
    package (custom properties included) is copied unchanged, as Word keeps it.
    """
    with zipfile.ZipFile(src) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    parts = dict((i.filename, d) for i, d in entries)
    doc = etree.fromstring(parts["word/document.xml"])
    filled = set()
    columns: list[int] = []  # of 进展情况, 存在问题…, 进度评价, found by their headers
    for tr in doc.iter(f"{W}tr"):
        cells = tr.findall(f"{W}tc")
        texts = [_text(c) for c in cells]
        if rules.is_project_header_row(texts):
            keys = [rules.header_key(t) for t in texts]
            columns = [keys.index(k) for k in (rules.PROGRESS, rules.PLAN, rules.EVALUATION)]
            continue
        row_id = texts[0].strip() if texts else ""
        if columns and row_id in values:
            progress, plan, evaluation = values[row_id]
            for at, text in zip(columns, (progress, plan, evaluation), strict=True):
                _set_cell(cells[at], text)
            filled.add(row_id)
    missing = set(values) - filled
    assert not missing, f"rows not found in {src.name}: {sorted(missing)}"
    xml = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            zout.writestr(info, xml if info.filename == "word/document.xml" else data)
    return dst
