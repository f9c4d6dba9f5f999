"""What a template check found: its problems, and the report `generate`, `merge` and
`toolkit template check` act on. Kept apart from the check itself so that the gate
(toolkit.templating.gate) can hand back a remembered report without importing the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERROR, WARNING = "error", "warning"
LEVEL_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass
class Problem:
    code: str
    level: str  # "error" or "warning"
    message: str
    location: str = ""  # e.g. "第1个表格第4行第2列", "正文第3段"
    snippet: str = ""  # text around the place, to find it in Word
    fix: str = ""  # how to fix it in Word, WPS and LibreOffice (toolkit.templating.fixes)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "location": self.location,
            "snippet": self.snippet,
            "fix": self.fix,
        }


@dataclass
class TemplateReport:
    path: Path
    kind: str
    kind_detected: bool  # True when the kind was worked out, not given
    problems: list[Problem] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)  # row.extra['…'] columns used
    required_keys: list[str] = field(default_factory=list)  # ...of them, without .get(…, '')

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "kind_detected": self.kind_detected,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "extra_columns": self.extra_keys,
            "problems": [p.as_dict() for p in self.problems],
        }
