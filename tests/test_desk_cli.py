"""`toolkit serve` as people run it: a real process, its messages and exit codes."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from support.registers import write_register

from toolkit.desk.workspace import REGISTER_NAME

START_SECONDS = 60


def toolkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "desk.example"])
def test_non_loopback_without_token_refused(tmp_path: Path, host: str) -> None:
    done = toolkit("serve", str(tmp_path), "--host", host, "--no-browser")
    assert done.returncode == 2
    assert "必须设置访问口令" in done.stderr and "--token auto" in done.stderr
    assert "Traceback" not in done.stderr


def test_short_token_and_missing_folder_refused(tmp_path: Path) -> None:
    short = toolkit("serve", str(tmp_path), "--host", "0.0.0.0", "--token", "abc", "--no-browser")
    assert short.returncode == 2 and "访问口令太短" in short.stderr
    missing = toolkit("serve", str(tmp_path / "没有这个文件夹"), "--no-browser")
    assert missing.returncode == 2 and "工作文件夹不存在" in missing.stderr


def test_generated_token_refused_under_debug(tmp_path: Path) -> None:
    """--debug hides the token, so a generated one could never be typed in."""
    done = toolkit("--debug", "serve", str(tmp_path), "--token", "auto", "--no-browser")
    assert done.returncode == 2 and "不能用 --token auto" in done.stderr


def test_help_has_an_example() -> None:
    done = toolkit("serve", "-h")
    assert done.returncode == 0 and "示例：" in done.stdout and "--token" in done.stdout
    assert "serve" in toolkit("-h").stdout


def _read_lines(stream, lines: queue.Queue) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_serve_starts_answers_and_stops(tmp_path: Path) -> None:
    write_register(tmp_path / REGISTER_NAME)
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", str(tmp_path), "--port", "0", "--no-browser"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(proc.stderr, lines), daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=START_SECONDS)
        assert first is not None, "serve exited before starting"
        match = re.search(r"报送工作台已启动：(http://127\.0\.0\.1:\d+/)", first)
        assert match, first
        url = match.group(1)
        # The line is printed before the server accepts; retry until it does.
        for _ in range(600):
            try:
                response = httpx.get(url, follow_redirects=True, timeout=10)
                break
            except httpx.ConnectError:
                if proc.poll() is not None:
                    raise AssertionError("serve exited") from None
                threading.Event().wait(0.1)
        assert response.status_code == 200
        assert "民生实事项目报送" in response.text
        other = httpx.get(url, headers={"host": "attacker.example"}, timeout=10)
        assert other.status_code == 403
    finally:
        proc.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        proc.wait(timeout=START_SECONDS)
    reader.join(START_SECONDS)
    rest = []
    while (line := lines.get_nowait()) is not None:
        rest.append(line)
    assert "工作台已停止。" in "".join(rest)
    assert proc.returncode == 0


def test_debug_output_never_shows_the_token(tmp_path: Path) -> None:
    """`--debug` output is what users send to maintainers: the token is in no line of it."""
    token = "secret-token-4711-xyz"
    write_register(tmp_path / REGISTER_NAME)
    args = ["--debug", "serve", str(tmp_path), "--port", "0", "--no-browser", "--token", token]
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stderr, lines), daemon=True).start()
    seen: list[str] = []
    try:
        first = lines.get(timeout=START_SECONDS)
        assert first is not None, "serve exited before starting"
        seen.append(first)
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", first).group(1)  # type: ignore[union-attr]
        for _ in range(600):
            try:
                httpx.get(f"{url}?token={token}", timeout=10)
                break
            except httpx.ConnectError:
                threading.Event().wait(0.1)
        with httpx.Client(base_url=url, timeout=10) as client:
            assert client.get(f"/p/2023Q3?token={token}").status_code == 303
            assert client.post(f"/p/2023Q3/generate?token={token}").status_code == 303
            assert client.post("/_token", data={"token": token, "next": "/"}).status_code == 303
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=START_SECONDS)
    while (line := lines.get(timeout=START_SECONDS)) is not None:
        seen.append(line)
    output = "".join(seen) + out
    assert "GET /p/2023Q3?token=*** HTTP/1.1" in output  # the access log is on, and masked
    assert "POST /_token" in output
    assert token not in output
