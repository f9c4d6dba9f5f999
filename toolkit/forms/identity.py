"""A form's identity: what it carries so that it is recognised when it comes back.

String custom document properties (form id, unit, period, rows sent,
fingerprint) survive a Word, WPS or LibreOffice save; content-control tags
do not. The form's title and file name are part of it too. The toolkit's
other outputs carry one such property naming their kind (`PROP_OUTPUT`).
"""

from __future__ import annotations

import hashlib

from toolkit.core.period import Period
from toolkit.errors import RegisterError
from toolkit.office.filenames import name_key, safe_name
from toolkit.register.model import Register

# Custom document property names: the form's identity on return.
PROP_FORM_ID = "MinshengFormId"
PROP_UNIT = "MinshengUnit"
PROP_YEAR = "MinshengYear"
PROP_QUARTER = "MinshengQuarter"
PROP_ROWS = "MinshengRows"
PROP_FINGERPRINT = "MinshengFingerprint"

# Every other document and workbook the toolkit writes names its kind here, so
# that a merge run over a folder holding them never takes one for a return.
PROP_OUTPUT = "MinshengOutput"
OUTPUT_SUMMARY = "一览表"
OUTPUT_FINDINGS = "问题清单"
OUTPUT_DISTRIBUTION = "分发清单"
OUTPUT_REPORT = "督查通报"

# The history (toolkit.history) is a SQLite file: marked by its application id, not a property.
HISTORY_FILE = "报送历史.sqlite"
HISTORY_APPLICATION_ID = 0x4D534854  # "MSHT"
OUTPUT_HISTORY = "报送历史"


def form_title(region: str, period: Period) -> str:
    return f"{region}{period.label}民生实事项目进展情况表"


def form_file_name(region: str, period: Period, unit: str) -> str:
    return safe_name(f"{form_title(region, period)}（{unit}）.docx")


def form_file_names(register: Register, period: Period) -> dict[str, str]:
    """unit -> its form's file name, for every unit; checked as `unit_file_names` does."""
    unit_file_names(register)
    return _distinct(
        register, {u: form_file_name(register.region, period, u) for u in register.unit_names()}
    )


def unit_file_names(register: Register) -> dict[str, str]:
    """unit -> the file or folder name made from it, for every unit of the register.

    Two units whose names differ only where a file name cannot (`:` and `_`,
    case, characters dropped) would overwrite each other's form and share one
    folder at the desk: that is a register error, raised before anything is written.
    """
    return _distinct(register, {u: safe_name(u) for u in register.unit_names()})


def _distinct(register: Register, names: dict[str, str]) -> dict[str, str]:
    seen: dict[str, str] = {}  # name key -> unit
    for unit, name in names.items():
        other = seen.setdefault(name_key(name), unit)
        if other != unit:
            rows = [register.projects_of(u)[0].row for u in (other, unit)]
            raise RegisterError(
                f"第 {rows[0]} 行和第 {rows[1]} 行的主办单位“{other}”和“{unit}”只差在文件名"
                f"不能区分的字符上，两个单位的文件会互相覆盖（都成为“{name}”）。",
                sheet="项目",
                hint='把其中一个单位的名称改得可以区分（不用 : / \\ * ? " < > | 等符号）。',
            )
    return names


def form_id(period: Period, unit: str, fingerprint: str) -> str:
    digest = hashlib.sha256(f"{period.key}\x1f{unit}\x1f{fingerprint}".encode()).hexdigest()
    return f"{period.key}-{digest[:10]}"
