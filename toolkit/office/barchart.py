"""A stacked horizontal bar chart as a PNG image, readable printed in black and white.

Each series has a colour and a hatch (lines, a grid, dots, solid or none),
drawn in black over the colour, so that a grey print still tells the series
apart; every segment wide enough carries its count and every bar its total.
Categories are written to the left of their bars, wrapped to two lines.

Drawn with Pillow (imported only here, when a chart is drawn: about 10 ms)
in a font with Chinese glyphs found on this machine (`find_cjk_font`):
Windows and macOS have one, Linux distributions ship Noto CJK or WenQuanYi.
Without one no chart is drawn (`NoFont`): the caller says so and goes on.
"""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOLID, DIAGONAL, CROSS, DOTS, HORIZONTAL, EMPTY = (
    "solid",
    "diagonal",
    "cross",
    "dots",
    "horizontal",
    "none",
)
HATCHES = (SOLID, DIAGONAL, CROSS, DOTS, HORIZONTAL, EMPTY)

# Pixels of the image; placed 15–16 cm wide in a document, that is about 260 dpi.
WIDTH = 1600
_FONT_PX = 34
_ROW_PX = 80
_BAR_PX = 44
_PAD = 24
_SWATCH = (44, 28)
_HATCH_STEP = 12
_INK = (0, 0, 0)
_PAPER = (255, 255, 255)
_GRID = (191, 191, 191)

# Fonts with Chinese glyphs, most likely first: file name, and the face to prefer in a collection.
_FONT_FILES = (
    "simhei.ttf",
    "msyh.ttc",
    "msyh.ttf",
    "Deng.ttf",
    "simsun.ttc",
    "PingFang.ttc",
    "STHeiti Medium.ttc",
    "Hiragino Sans GB.ttc",
    "Songti.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
)
_FONT_FOLDERS = {
    "win32": [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"],
    "darwin": [
        Path("/System/Library/Fonts"),
        Path("/System/Library/Fonts/Supplemental"),
        Path("/Library/Fonts"),
    ],
}
_UNIX_FONT_FOLDERS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]


class NoFont(Exception):
    """No font with Chinese glyphs on this machine: no chart can be drawn."""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]  # one per category
    color: str  # RGB hex, `00B050`
    hatch: str  # one of HATCHES


@functools.cache
def find_cjk_font() -> tuple[Path, int] | None:
    """A font file with Chinese glyphs, and the index of its Simplified Chinese face."""
    folders = _FONT_FOLDERS.get(sys.platform, [])
    folders = [*folders, Path.home() / ".fonts", Path.home() / ".local/share/fonts"]
    if sys.platform not in _FONT_FOLDERS:
        folders += _UNIX_FONT_FOLDERS
    for name in _FONT_FILES:
        for folder in folders:
            found = _find(folder, name)
            if found is not None:
                return found, _simplified_face(found)
    return None


def _find(folder: Path, name: str) -> Path | None:
    direct = folder / name
    if direct.is_file():
        return direct
    if not folder.is_dir() or folder.parent == Path("/System/Library"):
        return None
    try:  # Linux keeps fonts in subfolders (opentype/noto/…)
        return next((p for p in folder.rglob(name) if p.is_file()), None)
    except OSError:
        return None


def _simplified_face(path: Path) -> int:
    """In a collection (.ttc), the face for Simplified Chinese (Noto's `SC`), else the first."""
    if path.suffix.lower() != ".ttc":
        return 0
    from PIL import ImageFont

    for index in range(8):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:  # past the last face
            break
        if family.endswith((" SC", " GB")) or "简" in family:
            return index
    return 0


def stacked_bars(categories: Sequence[str], series: Sequence[Series]) -> bytes:
    """The chart as PNG bytes; raises NoFont when no Chinese font is found."""
    font_file = find_cjk_font()
    if font_file is None:
        raise NoFont
    from PIL import Image, ImageDraw, ImageFont

    path, index = font_file
    font = ImageFont.truetype(str(path), _FONT_PX, index=index)
    small = ImageFont.truetype(str(path), _FONT_PX - 4, index=index)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    legend_rows = _legend_rows(measure, font, series)
    legend_h = len(legend_rows) * (_FONT_PX + 22) + _PAD
    label_w = int(WIDTH * 0.3)
    labels = [_wrap(measure, font, c, label_w - _PAD) for c in categories]
    heights = [max(_ROW_PX, len(lines) * (_FONT_PX + 6) + 20) for lines in labels]
    height = _PAD + legend_h + sum(heights) + _PAD
    image = Image.new("RGB", (WIDTH, height), _PAPER)
    draw = ImageDraw.Draw(image)

    y = _PAD
    for row in legend_rows:
        x = _PAD
        for s, text_w in row:
            box = (x, y + 6, x + _SWATCH[0], y + 6 + _SWATCH[1])
            _fill(image, draw, box, s)
            draw.text((box[2] + 10, y), s.name, fill=_INK, font=font)
            x = box[2] + 10 + text_w + 36
        y += _FONT_PX + 22
    y += _PAD - 10

    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    total_w = max((int(draw.textlength(f"共{t}项", font=small)) for t in totals), default=0)
    bar_x = label_w
    scale = (WIDTH - _PAD - bar_x - total_w - 16) / max(max(totals, default=0), 1)
    top = y
    for lines, row_h, total, i in zip(labels, heights, totals, range(len(categories)), strict=True):
        text_y = y + (row_h - len(lines) * (_FONT_PX + 6)) // 2
        for line in lines:
            w = draw.textlength(line, font=font)
            draw.text((bar_x - 16 - w, text_y), line, fill=_INK, font=font)
            text_y += _FONT_PX + 6
        bar_y = y + (row_h - _BAR_PX) // 2
        x = float(bar_x)
        for s in series:
            n = s.values[i]
            if n <= 0:
                continue
            right = x + n * scale
            box = (round(x), bar_y, max(round(x) + 1, round(right)), bar_y + _BAR_PX)
            _fill(image, draw, box, s)
            _count(draw, small, box, str(n))
            x = right
        draw.text(
            (round(x) + 12, bar_y + (_BAR_PX - _FONT_PX + 4) // 2),
            f"共{total}项",
            fill=_INK,
            font=small,
        )
        y += row_h
    draw.line((bar_x, top - 6, bar_x, y + 6), fill=_INK, width=2)
    buffer = io.BytesIO()
    # A few dozen colours hold it: a palette image is a third of the size, quickly made.
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(buffer, "PNG", dpi=(260, 260))
    return buffer.getvalue()


def _legend_rows(
    measure: Any, font: Any, series: Sequence[Series]
) -> list[list[tuple[Series, int]]]:
    rows: list[list[tuple[Series, int]]] = [[]]
    x = _PAD
    for s in series:
        text_w = int(measure.textlength(s.name, font=font))
        item_w = _SWATCH[0] + 10 + text_w + 36
        if rows[-1] and x + item_w > WIDTH - _PAD:
            rows.append([])
            x = _PAD
        rows[-1].append((s, text_w))
        x += item_w
    return rows


def _wrap(measure: Any, font: Any, text: str, width: int) -> list[str]:
    """`text` in at most two lines of `width` pixels; what does not fit ends in `…`."""
    lines, line = [], ""
    for c in text:
        if measure.textlength(line + c, font=font) > width:
            lines.append(line)
            line = c
        else:
            line += c
    lines.append(line)
    if len(lines) > 2:
        second = lines[1]
        while second and measure.textlength(second + "…", font=font) > width:
            second = second[:-1]
        lines = [lines[0], second + "…"]
    return lines


def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color.lstrip("#")[:6].rjust(6, "0"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def _fill(image: Any, draw: Any, box: tuple[int, int, int, int], s: Series) -> None:
    """A box in the series' colour, hatched in black, outlined."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=_PAPER if s.hatch == EMPTY else _rgb(s.color))
    if s.hatch in (DIAGONAL, CROSS):
        height = y1 - y0
        for start in range(x0 - height, x1, _HATCH_STEP):
            _clipped_line(draw, box, (start, y1, start + height, y0))
            if s.hatch == CROSS:
                _clipped_line(draw, box, (start, y0, start + height, y1))
    elif s.hatch == HORIZONTAL:
        for y in range(y0 + _HATCH_STEP // 2, y1, _HATCH_STEP // 2 + 2):
            draw.line((x0, y, x1, y), fill=_INK, width=2)
    elif s.hatch == DOTS:
        for y in range(y0 + 5, y1 - 2, 9):
            offset = 5 if (y - y0) // 9 % 2 else 0
            for x in range(x0 + 4 + offset, x1 - 2, 10):
                draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=_INK)
    draw.rectangle(box, outline=_INK, width=2)


def _clipped_line(
    draw: Any, box: tuple[int, int, int, int], line: tuple[int, int, int, int]
) -> None:
    """A 45° line cut to the box."""
    x0, y0, x1, y1 = box
    ax, ay, bx, by = line
    dx, dy = bx - ax, by - ay
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            if q < 0:
                return
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
    if t0 < t1:
        draw.line((ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy), fill=_INK, width=2)


def _count(draw: Any, font: Any, box: tuple[int, int, int, int], text: str) -> None:
    """The count in a white label at the middle of a segment, when the segment holds it."""
    x0, y0, x1, y1 = box
    w = draw.textlength(text, font=font)
    if x1 - x0 < w + 14:
        return
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    label = (cx - w / 2 - 5, cy - _FONT_PX / 2 + 1, cx + w / 2 + 5, cy + _FONT_PX / 2 + 1)
    draw.rectangle(label, fill=_PAPER)
    draw.text((cx - w / 2, cy - _FONT_PX / 2 - 2), text, fill=_INK, font=font)
