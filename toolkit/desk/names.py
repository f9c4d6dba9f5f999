"""File and folder names in a workspace: safe on every desktop, Chinese kept.

Uploads arrive with whatever name a unit's computer gave them; the desk
stores them as `<时间>-<文件名>` under the unit's folder, with the name
cleaned so it can neither leave that folder nor trip Windows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

MAX_NAME_CHARS = 120
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)
}
_WINDOWS_FORBIDDEN_RE = re.compile(r'[<>:"/\\|?*]')


def sanitize_filename(name: str) -> str:
    """A name safe to create on Windows, macOS and Linux; Chinese kept.

    Directories a browser or client put in the name are dropped (no path
    traversal), control and format characters removed (no hidden
    right-to-left tricks), characters Windows forbids replaced, `..` folded,
    reserved device names (CON, NUL, COM1 …) prefixed, length capped with
    the extension kept.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = re.sub(r"[ \t\n\r\f\v]+", " ", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = _WINDOWS_FORBIDDEN_RE.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text)
    # Windows drops trailing dots and spaces; a leading dot hides the file.
    text = text.strip(" .")
    if not text:
        text = "未命名"
    if text.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        text = "_" + text
    if len(text) > MAX_NAME_CHARS:
        stem, dot, ext = text.rpartition(".")
        if dot and stem and len(ext) <= 10:
            text = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            text = text[:MAX_NAME_CHARS].rstrip(" .")
    return text


def unit_folder_name(unit: str) -> str:
    return sanitize_filename(unit)


_STORED_PREFIX_RE = re.compile(r"^\d{8}-\d{6}-")


def display_name(stored: str) -> str:
    """The name a unit gave its file: a stored return without the `<时间>-` prefix."""
    return _STORED_PREFIX_RE.sub("", stored)


def stamp(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name-2`, `name-3` … if taken: never overwrite."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target
