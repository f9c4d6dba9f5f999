"""A form's identity: what it carries so that it is recognised when it comes back.

String custom document properties (form id, unit, period, rows sent,
fingerprint) survive a Word, WPS or LibreOffice save; content-control tags
do not. The form's title and file name are part of it too. The toolkit's
other outputs carry one such property naming their kind (`PROP_OUTPUT`).
"""

from __future__ import annotations

import hashlib
import re

from toolkit.core.period import Period

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

_UNSAFE_FILENAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def form_title(region: str, period: Period) -> str:
    return f"{region}{period.label}民生实事项目进展情况表"


def form_file_name(region: str, period: Period, unit: str) -> str:
    safe_unit = _UNSAFE_FILENAME_RE.sub("_", unit)
    return f"{form_title(region, period)}（{safe_unit}）.docx"


def form_id(period: Period, unit: str, fingerprint: str) -> str:
    digest = hashlib.sha256(f"{period.key}\x1f{unit}\x1f{fingerprint}".encode()).hexdigest()
    return f"{period.key}-{digest[:10]}"
