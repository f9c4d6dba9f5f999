"""File names made from text people typed: safe on Windows, macOS and Linux, Chinese kept.

Every name the toolkit writes from register or upload text (a unit, a 地区,
an uploaded file's name) goes through `safe_name`, so that text can neither
leave the folder it is written to nor trip one of the systems the office
uses. Windows is the strictest: it forbids `<>:"/\\|?*` and control
characters, drops trailing dots and spaces, reserves device names (CON,
COM1, COM¹, CONIN$ ...) whatever their extension, and counts a whole path
in UTF-16 units against 260; Linux and macOS allow 255 UTF-8 bytes per name.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

# UTF-8 bytes (Linux, macOS: 255 per name) less room for a `-2` added to
# avoid an existing file; UTF-16 units (Windows), short enough that a name
# in a few folders stays under Windows' 260 for a whole path.
MAX_NAME_BYTES = 240
MAX_NAME_UNITS = 120
FALLBACK = "未命名"

_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"
}
_FORBIDDEN_RE = re.compile(r'[<>:"/\\|?*]')
_WHITESPACE = " \t\n\r\f\v"
_SPACES_RE = re.compile(f"[{_WHITESPACE}]+")
_DOTS_RE = re.compile(r"\.{2,}")
_MAX_SUFFIX = 10  # longer "extensions" are part of the name


def safe_name(text: str, fallback: str = FALLBACK) -> str:
    """`text` as one file or folder name, the same on every system.

    Path separators and the other characters Windows forbids become `_`;
    control and format characters (a hidden right-to-left mark) go; runs of
    dots fold to one, so `..` is never a name; leading and trailing dots and
    spaces go; a device name gets a leading `_`; a long name is cut at a
    character boundary, keeping its extension, to MAX_NAME_BYTES UTF-8 bytes
    and MAX_NAME_UNITS UTF-16 units.
    """
    name = unicodedata.normalize("NFC", text or "")
    name = "".join(c for c in name if c in _WHITESPACE or unicodedata.category(c)[0] != "C")
    name = _SPACES_RE.sub(" ", name)
    name = _FORBIDDEN_RE.sub("_", name)
    name = _DOTS_RE.sub(".", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > _MAX_SUFFIX:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    # Windows drops dots and spaces only at the very end of a name.
    stem = _cut(stem, tail).rstrip("." if tail else " .") or fallback
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = "_" + stem
    return stem + tail


def name_key(name: str) -> str:
    """What two names share when one file system takes them for the same file."""
    return unicodedata.normalize("NFC", name).casefold()


def _cut(stem: str, tail: str) -> str:
    """`stem` shortened until `stem + tail` fits both limits."""
    units, size = _utf16_units(tail), len(tail.encode("utf-8"))
    for i, c in enumerate(stem):
        units += _utf16_units(c)
        size += len(c.encode("utf-8"))
        if units > MAX_NAME_UNITS or size > MAX_NAME_BYTES:
            return stem[:i]
    return stem


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- names that say when a file came in

# A file kept as `<年月日-时分秒>-<name>` (the desk stores uploads so) carries the
# moment it came in: copying the folder or touching the file does not change it.
STAMP_FORMAT = "%Y%m%d-%H%M%S"
_STAMP_RE = re.compile(r"^(\d{8}-\d{6})-")
# Where `received_at` took the moment from.
FROM_NAME, FROM_FILE_TIME = "upload", "file_time"


def stamped_name(name: str, moment: dt.datetime) -> str:
    """`<年月日-时分秒>-<name>`, made safe (cut by bytes, not characters)."""
    return safe_name(f"{moment.strftime(STAMP_FORMAT)}-{name}")


def unstamped(name: str) -> str:
    """A stamped name without its `<年月日-时分秒>-`."""
    return _STAMP_RE.sub("", name)


def name_stamp(name: str) -> dt.datetime | None:
    """The moment a stamped name begins with; None for any other name."""
    m = _STAMP_RE.match(name)
    if m is None:
        return None
    try:
        return dt.datetime.strptime(m.group(1), STAMP_FORMAT)
    except ValueError:  # 20231332-…: digits, not a moment
        return None


def received_at(path: Path) -> tuple[dt.datetime, str]:
    """When a file came in, and from what: its name's stamp, else its modification time."""
    stamped = name_stamp(path.name)
    if stamped is not None:
        return stamped, FROM_NAME
    return dt.datetime.fromtimestamp(os.stat(path).st_mtime), FROM_FILE_TIME
