"""Default Word templates shipped inside the package as toolkit.templates.

`form.docx` is the form sent to each unit; `summary.docx` is the district
一览表; the three `notice-*.docx` are the notices the desk writes to a unit
(退回修改意见, 催报通知, 报送材料不符合要求的通知); `report.docx` is the
督查通报 draft; `annual.docx` is the 全年一览表 written from the history.
Maintainers edit them in Word; `toolkit template check` checks the form,
the 一览表, the notices and the 通报.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NOTICES = ("notice-return", "notice-reminder", "notice-nonconforming")
NAMES = ("form", "summary", *NOTICES, "report", "annual")


def default_path(name: str) -> Path:
    """The shipped template `name`: 'form', 'summary', 'report', 'annual' or a notice
    ('notice-return')."""
    if name not in NAMES:
        raise KeyError(name)
    return Path(str(resources.files(__name__).joinpath(f"{name}.docx")))
