"""Reading budgets: no return within the upload limit costs more than ~200 MB to read.

Each hostile shape is built as large as the budgets let it be (the costliest
return that is still read), or just past one budget (refused, with that
budget named). Memory is the peak RSS of a real `python -m toolkit check`
child process, from wait4; times are printed (pytest -s), never asserted.
The desk reads eight of the costliest at once through its two readers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from support import bad_files as bf
from support.bad_files import CONTENT_TYPES, PACKAGE_RELS, W_NS
from support.processes import report, run_toolkit, split_peak, toolkit_command

from toolkit.desk.workspace import MAX_UPLOAD_BYTES, REGISTER_NAME
from toolkit.errors import ReturnError
from toolkit.office import ooxml
from toolkit.returns.reader import read_return

MAX_READ_RSS = 200 * 2**20
MAX_DESK_RSS = 500 * 2**20
UPLOADS_AT_ONCE = 8


def word_file(path: Path, body: bytes) -> Path:
    """A .docx whose document body is `body`."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="' + W_NS.encode()
    xml = head + b'"><w:body>' + body + b"</w:body></w:document>"
    bf._write_entries(
        path,
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "word/document.xml": xml,
        },
    )
    assert path.stat().st_size < MAX_UPLOAD_BYTES
    return path


def as_many(unit: bytes, room: int = ooxml.MAX_XML_MARKUP - 1_000) -> int:
    """How many `unit`s fit in the markup budget."""
    return room // (unit.count(b"<") + unit.count(b"="))


HIDDEN_RUN = b"<w:r><w:rPr><w:vanish/></w:rPr><w:t>x</w:t></w:r>"  # read run by run
NEST = (ooxml.MAX_DEPTH - 8) // 3  # tables in tables, as deep as the budget lets them
ATTRIBUTES = b"<w:p " + b" ".join(b'w:a%d="1"' % i for i in range(30)) + b"/>"
CELLS_PER_ROW = ooxml.MAX_ROW_CELLS


def _table(rows: int, cells: int, cell: bytes = b"<w:tc><w:p/></w:tc>") -> bytes:
    return b"<w:tbl>" + (b"<w:tr>" + cell * cells + b"</w:tr>") * rows + b"</w:tbl>"


# The costliest returns the budgets let through.
ADMITTED = {
    "dense paragraphs": lambda: b"<w:p/>" * ooxml.MAX_PARAGRAPHS,
    "many runs": lambda: b"<w:p>" + HIDDEN_RUN * ooxml.MAX_RUNS + b"</w:p>",
    "deep nesting": lambda: (
        b"<w:tbl><w:tr><w:tc>" * NEST
        + b"<w:p>" + HIDDEN_RUN * ooxml.MAX_RUNS + b"</w:p>"
        + b"</w:tc></w:tr></w:tbl>" * NEST
    ),
    "many cells": lambda: _table(ooxml.MAX_CELLS // CELLS_PER_ROW, CELLS_PER_ROW),
    "many attributes": lambda: ATTRIBUTES * as_many(ATTRIBUTES),
    "long text": lambda: (
        b"<w:p><w:r><w:t>" + "字".encode() * (ooxml.MAX_TEXT_CHARS // 4) + b"</w:t></w:r></w:p>"
    ) * 4,
}  # fmt: skip

# One past each budget: refused, naming it.
REFUSED = {
    "markup": (lambda: b"<w:p/>" * (ooxml.MAX_XML_MARKUP + 1), "XML 标记"),
    "depth": (lambda: b"<w:sdt><w:sdtContent>" * 20 + b"</w:sdtContent></w:sdt>" * 20, "嵌套"),
    "libxml2 depth": (lambda: b"<w:customXml>" * 300 + b"</w:customXml>" * 300, "嵌套"),
    "paragraphs": (lambda: b"<w:p/>" * (ooxml.MAX_PARAGRAPHS + 1), "段落多于"),
    "runs": (lambda: b"<w:p>" + b"<w:r/>" * (ooxml.MAX_RUNS + 1) + b"</w:p>", "文字片段"),
    "cells": (lambda: _table(ooxml.MAX_CELLS // 50 + 1, 50), "单元格多于"),
    "paragraphs in a cell": (
        lambda: _table(1, 1, b"<w:tc>" + b"<w:p/>" * (ooxml.MAX_CELL_PARAGRAPHS + 1) + b"</w:tc>"),
        "一个单元格中的段落",
    ),
    "paragraphs in a cell, wrapped": (
        lambda: _table(
            1, 1, b"<w:tc>" + b"<w:sdt><w:sdtContent><w:p/></w:sdtContent></w:sdt>"
            * (ooxml.MAX_CELL_PARAGRAPHS + 1) + b"</w:tc>",
        ),
        "一个单元格中的段落",
    ),
    "cells in a row": (lambda: _table(1, ooxml.MAX_ROW_CELLS + 1), "一个表格行中的单元格"),
    "nested fields": (
        lambda: b"<w:p>"
        + b'<w:r><w:fldChar w:fldCharType="begin"/></w:r>' * (ooxml.MAX_FIELD_NESTING + 1)
        + b"</w:p>",
        "域中套域",
    ),
    "text": (
        lambda: (b"<w:p><w:r><w:t>" + b"x" * (ooxml.MAX_TEXT_CHARS // 4 + 1) + b"</w:t></w:r></w:p>")
        * 4,
        "文字多于",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def budget_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("budgets")
    files = {
        name: word_file(folder / f"{i}.docx", make())
        for i, (name, make) in enumerate(ADMITTED.items())
    }
    files["register"] = bf.small_register(folder / "register.xlsx")
    return files


@pytest.mark.parametrize("shape", list(ADMITTED))
def test_the_costliest_admitted_returns_stay_under_200_mb(
    budget_files: dict[str, Path], shape: str, tmp_path: Path
) -> None:
    code, stdout, stderr, rss, seconds = run_toolkit(
        "check", budget_files[shape], "-r", budget_files["register"], "-q", "3", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    report(f"{shape} (the whole `toolkit check`)", rss, seconds)
    assert code in (0, 1) and "Traceback" not in stderr, stderr
    findings = json.loads(stdout)["findings"]
    assert not [f for f in findings if f["code"] == "unreadable"], findings  # read, not refused
    assert rss < MAX_READ_RSS


@pytest.mark.parametrize("budget", list(REFUSED))
def test_one_past_a_budget_is_refused_naming_it(budget: str, tmp_path: Path) -> None:
    make, reason = REFUSED[budget]
    path = word_file(tmp_path / "over.docx", make())
    with pytest.raises(ReturnError) as info:
        read_return(path)
    assert "超出读取上限" in info.value.message and reason in info.value.message
    assert "分成几份报送" in info.value.message


def test_the_20_kb_file_of_two_million_paragraphs_is_refused_before_parsing(tmp_path: Path) -> None:
    path = bf.dense_bomb(tmp_path / "密集.docx", elements=2_000_000)
    assert path.stat().st_size < 25 * 1024
    start = time.process_time()
    with pytest.raises(ReturnError, match="XML 标记约有 200 万个"):
        read_return(path)
    print(f"\nrefused in {time.process_time() - start:.2f} s of CPU")


def test_the_budgets_are_shared_by_the_parts_of_one_package(tmp_path: Path) -> None:
    """Three parts each under the markup budget, together over it: refused."""
    unit = ATTRIBUTES.replace(b"<w:p ", b"<w:sz ")  # no paragraph, run or cell
    third = unit * as_many(unit, ooxml.MAX_XML_MARKUP // 3 + 1_000)
    path = word_file(tmp_path / "parts.docx", third)
    entries = bf._entries(path)
    numbering = b'<w:numbering xmlns:w="' + W_NS.encode() + b'"><w:num w:numId="1"/>'
    entries["word/numbering.xml"] = numbering + third + b"</w:numbering>"
    entries["word/styles.xml"] = (
        b'<w:styles xmlns:w="' + W_NS.encode() + b'">' + third + b"</w:styles>"
    )
    bf._write_entries(path, entries)
    with pytest.raises(ReturnError, match="XML 标记"):
        read_return(path)


# ---------------------------------------------------------------- the desk


def _wait_for(url: str, proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    for _ in range(600):
        try:
            httpx.get(url, timeout=10)
            return
        except httpx.ConnectError:
            assert proc.poll() is None, "serve exited"
            time.sleep(0.1)
    raise AssertionError("serve did not answer")


def test_eight_costly_uploads_at_once_keep_the_desk_under_500_mb(
    budget_files: dict[str, Path], tmp_path: Path
) -> None:
    """Two readers at a time: eight uploads of the most memory-hungry return, then the board."""
    root = tmp_path / "desk"
    root.mkdir()
    shutil.copyfile(budget_files["register"], root / REGISTER_NAME)
    data = budget_files["many attributes"].read_bytes()
    log = tmp_path / "serve.log"
    with open(log, "wb") as fe:
        proc = subprocess.Popen(
            toolkit_command("serve", root, "--port", "0", "--no-browser"),
            stdout=subprocess.DEVNULL, stderr=fe,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not (m := re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text("utf-8"))):
                assert time.monotonic() < deadline and proc.poll() is None, log.read_text("utf-8")
                time.sleep(0.1)
            url = m.group(1)
            _wait_for(url, proc)
            answers: list[int] = []

            def upload(n: int) -> None:
                files = {"files": (f"回执{n}.docx", data, "application/octet-stream")}
                answers.append(
                    httpx.post(f"{url}p/2023Q3/upload", files=files, timeout=300).status_code
                )

            start = time.monotonic()
            threads = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADS_AT_ONCE)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert answers == [303] * UPLOADS_AT_ONCE
            board = httpx.get(f"{url}p/2023Q3", timeout=300)
            assert board.status_code == 200
            seconds = time.monotonic() - start
        finally:
            proc.send_signal(signal.SIGINT)
            _, _, usage = os.wait4(proc.pid, 0)
    _, rss = split_peak(log.read_text("utf-8"), usage.ru_maxrss * 1024)
    report(f"{UPLOADS_AT_ONCE} uploads at once and a board view, the desk", rss, seconds)
    assert rss < MAX_DESK_RSS


def test_the_offices_own_files_are_read_without_the_budgets(tmp_path: Path) -> None:
    """A city's 一览表 or register may be larger than any one return: no budgets for them."""
    path = word_file(tmp_path / "一览表.docx", b"<w:p/>" * (ooxml.MAX_XML_MARKUP + 1))
    with pytest.raises(ReturnError, match="XML 标记"):
        read_return(path)
    with ooxml.Package(path, budgets=False) as pkg:
        body = pkg.xml("word/document.xml")[0]  # type: ignore[index]
        assert len(body) == ooxml.MAX_XML_MARKUP + 1
