"""How many lines wrapped text takes, and text cut into pieces that fit.

Measured in half-em units: a CJK character (three bytes in UTF-8) is two,
an ASCII character one. Table cells in the toolkit's documents hold
Chinese text in a fixed-pitch Chinese font, so this is close to what Word,
WPS, Excel and LibreOffice lay out; callers keep a little room for breaks
that fall before a word or a punctuation mark.
"""

from __future__ import annotations


def text_width(text: str) -> int:
    """Width in half-em units."""
    n = len(text)
    return n + (len(text.encode("utf-8")) - n) // 2


def line_count(text: str, per_line: int) -> int:
    """Lines `text` takes when each line holds `per_line` half-em units."""
    if "\n" not in text:  # most cells: one paragraph
        return max(1, -(-text_width(text) // per_line))
    return sum(max(1, -(-text_width(p) // per_line)) for p in text.split("\n"))


def split_to_fit(text: str, per_line: int, lines: int, whole: int = 0) -> list[str]:
    """`text` in pieces of at most `lines` lines each, broken between paragraphs
    where it can be, else inside a paragraph. A paragraph of up to `whole`
    lines (when more than `lines`) is kept whole, a piece of its own."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    longest = max(lines, whole)
    for para in text.split("\n"):
        need = line_count(para, per_line)
        while need > longest:  # a paragraph taller than a whole piece: cut it
            if current:
                pieces.append("\n".join(current))
                current, used = [], 0
            head = _cut(para, per_line, longest)
            pieces.append(head)
            para = para[len(head) :]
            need = line_count(para, per_line)
        if used + need > lines and current:
            pieces.append("\n".join(current))
            current, used = [], 0
        current.append(para)
        used += need
    if current:
        pieces.append("\n".join(current))
    return pieces


def _cut(para: str, per_line: int, lines: int) -> str:
    """The longest start of `para` that takes at most `lines` lines."""
    low, high = 1, len(para)
    while low < high:
        mid = (low + high + 1) // 2
        if line_count(para[:mid], per_line) <= lines:
            low = mid
        else:
            high = mid - 1
    return para[:low]
