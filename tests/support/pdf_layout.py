"""Where text lands on the pages of a PDF, from poppler's `pdftotext -bbox`.

Used to judge a rendered 一览表 the way a reader of the printout would:
which page each row starts on, whether its 序号 is there, how many of its
lines a page holds.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from support.lo import _poppler

_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD_RE = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)

    def find(self, text: str) -> Word | None:
        return next((w for w in self.words if w.text == text), None)


def _pdftotext(pdf: Path, mode: str) -> str:
    done = subprocess.run(
        [_poppler("pdftotext"), mode, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: Path) -> list[Page]:
    pages = []
    for n, m in enumerate(_PAGE_RE.finditer(_pdftotext(pdf, "-bbox")), start=1):
        page = Page(n, float(m.group(1)), float(m.group(2)))
        for w in _WORD_RE.finditer(m.group(3)):
            x0, y0, x1, y1 = (float(w.group(i)) for i in range(1, 5))
            page.words.append(Word(x0, y0, x1, y1, html.unescape(w.group(5))))
        pages.append(page)
    return pages


def text_lines(words: list[Word], tolerance: float = 2.0) -> list[tuple[float, str]]:
    """Words joined into lines of text, top to bottom: (y, text)."""
    lines: list[tuple[float, list[Word]]] = []
    for w in sorted(words, key=lambda w: (w.y0, w.x0)):
        if lines and abs(lines[-1][0] - w.y0) <= tolerance:
            lines[-1][1].append(w)
        else:
            lines.append((w.y0, [w]))
    return [(y, "".join(x.text for x in sorted(ws, key=lambda w: w.x0))) for y, ws in lines]


def pdf_raw_text(pdf: Path) -> str:
    """The PDF's text in the order it was drawn: each table cell's lines together."""
    return _pdftotext(pdf, "-raw")
