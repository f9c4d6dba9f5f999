"""Default Word templates shipped inside the package as toolkit.templates.

`form.docx` is the form sent to each unit; `summary.docx` is the district
一览表. Maintainers edit them in Word; `toolkit template check` checks them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

KIND_FILES = {"form": "form.docx", "summary": "summary.docx"}


def default_path(kind: str) -> Path:
    """The shipped template of a kind ('form' or 'summary')."""
    return Path(str(resources.files(__name__).joinpath(KIND_FILES[kind])))
