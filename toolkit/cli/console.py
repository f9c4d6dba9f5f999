"""Console output that works on any encoding.

A Chinese Windows console, or output redirected to a file there, encodes
text as GBK (code page 936); other machines may use a code page without
Chinese at all. A character the encoding lacks (`✔`, `▋`, a rare character
in a unit's name) must not stop a command half-way: it is written as a
plain mark the encoding has (`√`, `■`, then ASCII), or as `?`.
"""

from __future__ import annotations

import codecs
import io
import sys
from typing import IO

ERRORS = "toolkit-plain"

# Plainer forms of marks the toolkit prints, most faithful first.
_PLAIN = {
    "✔": ("√", "v"),
    "✓": ("√", "v"),
    "✘": ("×", "x"),
    "✗": ("×", "x"),
    "√": ("v",),
    "×": ("x",),
    "▋": ("■", "#"),
    "█": ("■", "#"),
    "■": ("#",),
    "□": ("o",),
    "…": ("...",),
    "—": ("-",),
    "–": ("-",),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "\u3000": (" ",),
}


def _plain(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        for candidate in (*_PLAIN.get(ch, ()), "?"):
            try:
                candidate.encode(exc.encoding)
            except UnicodeEncodeError:
                continue
            out.append(candidate)
            break
    return "".join(out), exc.end


codecs.register_error(ERRORS, _plain)


def make_safe() -> None:
    """Let stdout and stderr write any text, whatever their encoding."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=ERRORS)


def can_encode(stream: IO[str], text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
