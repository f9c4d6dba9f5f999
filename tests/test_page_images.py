"""The maintainers' page images (.tools/page_images.py): every kind of document, as pictures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.lo import _poppler, require_libreoffice

SCRIPT = Path(__file__).resolve().parents[1] / ".tools" / "page_images.py"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.libreoffice
def test_every_kind_of_document_gets_its_pages_as_pictures(tmp_path):
    require_libreoffice()
    _poppler("pdftoppm")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "图片")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    folders = {p.parent.name for p in map(Path, done.stdout.split())}
    expected = [
        "分发清单.xlsx",
        "一览表.docx",
        "一览表.xlsx",
        "一览表.pdf",
        "一览表（公开版）.pdf",
        "督查通报（草稿）.docx",
        "问题清单（2023年第三季度）.xlsx",
        "退回修改意见（民治街道）.docx",
        "催报通知",
        "报送材料不符合要求的通知",
    ]
    for part in expected:
        assert any(part in name for name in folders), (part, sorted(folders))
    assert any(name.endswith("（民治街道）.docx") and "进展情况表" in name for name in folders)
    for image in map(Path, done.stdout.split()):
        assert image.read_bytes()[:8] == PNG
