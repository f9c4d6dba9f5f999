"""File and folder names in a workspace.

Uploads arrive with whatever name a unit's computer gave them (sometimes
with the client's folders in front); the desk stores them as
`<时间>-<文件名>` under the unit's folder. Every name is made by
toolkit.office.filenames.safe_name, so it can neither leave that folder
nor trip Windows.
"""

from __future__ import annotations

import datetime as dt
import ntpath
from pathlib import Path

from toolkit.office.filenames import STAMP_FORMAT, safe_name, stamped_name, unstamped


def upload_name(original: str) -> str:
    """The name to keep for an uploaded file: its last path part, made safe."""
    return safe_name(ntpath.basename(original or ""))  # ntpath splits at `\` and `/`


def unit_folder_name(unit: str) -> str:
    return safe_name(unit)


def stored_name(name: str, moment: dt.datetime | None = None) -> str:
    """`<时间>-<name>`, cut (by bytes, not characters) to fit every file system."""
    return stamped_name(name, moment or dt.datetime.now())


def display_name(stored: str) -> str:
    """The name a unit gave its file: a stored return without the `<时间>-` prefix."""
    return unstamped(stored)


def stamp(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now()).strftime(STAMP_FORMAT)


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `name-2`, `name-3` … if taken: never overwrite."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target
