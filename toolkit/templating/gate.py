"""The gate before `generate` and `merge`: a template is used only when its check passes.

Checking a template (toolkit.templating.check) parses it, analyses every tag
and renders it once with sample data: about 20 ms, and the check's imports
(the returns reader, the summary model, docxtpl) cost several times that, on
every run. The check is a function of the template's bytes, its kind and the
code: a pass is therefore remembered, as a signed entry in the template cache
folder (toolkit.forms.template_cache), under a key made of the template's
bytes, the kind, every source file of the toolkit and docxtpl, and the Jinja,
lxml and Python versions. Any change to any of them is a new key, and the
check runs in full. A failing check is never remembered: it runs, and says
why, every time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from lxml import etree

import toolkit
from toolkit.forms import template_cache
from toolkit.register.model import Register
from toolkit.templates import default_path
from toolkit.templating.report import Problem, TemplateReport

if TYPE_CHECKING:  # only: importing it would defeat the gate's purpose
    from toolkit.returns.merging import MergeResult


@functools.cache
def _code_version() -> bytes:
    """Everything besides the template that shapes a check's report."""
    digest = hashlib.sha256(b"template check\0")
    root = Path(toolkit.__file__).parent
    for source in sorted(root.rglob("*.py")) + template_cache.package_sources("docxtpl"):
        digest.update(source.read_bytes())
    for version in (jinja2.__version__, etree.__version__, sys.version):
        digest.update(version.encode())
    return digest.digest()


def _key(data: bytes, kind: str) -> str:
    return hashlib.sha256(_code_version() + kind.encode() + b"\0" + data).hexdigest()


def require_passing(path: Path | None, kind: str) -> TemplateReport:
    """The check of the template `generate` (form) or `merge` (summary) is about to use.

    Raises TemplateError with the check's own messages when it finds errors:
    nothing is rendered from a template the check rejects.
    """
    path = Path(path) if path is not None else default_path(kind)
    try:
        data = path.read_bytes()
    except OSError:
        data = None  # the check itself says what is wrong with the file
    key = _key(data, kind) if data is not None else None
    remembered = _load(key, path) if key is not None else None
    if remembered is not None:
        return remembered
    from toolkit.templating.check import check_template, rejection

    report = check_template(path, kind)
    if not report.ok:
        raise rejection(report)
    if key is not None and _unchanged(path, data):
        template_cache.store_entry(key, _dump(report))
    return report


def _unchanged(path: Path, data: bytes) -> bool:
    """The file still holds the bytes the key was made from (it may change meanwhile)."""
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _dump(report: TemplateReport) -> bytes:
    return json.dumps(
        {
            "kind": report.kind,
            "kind_detected": report.kind_detected,
            "problems": [p.as_dict() for p in report.problems],
            "extra_keys": report.extra_keys,
            "required_keys": report.required_keys,
        },
        ensure_ascii=False,
    ).encode()


def _load(key: str, path: Path) -> TemplateReport | None:
    payload = template_cache.load_entry(key)
    if payload is None:
        return None
    try:
        d = json.loads(payload)
        report = TemplateReport(
            path,
            d["kind"],
            d["kind_detected"],
            [Problem(**p) for p in d["problems"]],
            d["extra_keys"],
            d["required_keys"],
        )
    except (ValueError, KeyError, TypeError):
        return None  # damaged: checked again
    return report if report.ok else None


def require_columns(report: TemplateReport, data: Register | MergeResult) -> None:
    """Every `row.extra['…']` the template reads without a default has a value in every row.

    `data` is the register a form is generated from, or the merge a summary shows.
    """
    if isinstance(data, Register):
        rows, source = [p.extra for p in data.projects], "登记表「项目」"
    else:
        from toolkit.summary.model import build_rows

        rows, source = [r.extra for r in build_rows(data)], "登记表「项目」和回收表"
    missing = {k: n for k in report.required_keys if (n := sum(k not in r for r in rows))}
    if not missing:
        return
    from toolkit.templating.check import missing_columns

    raise missing_columns(report, missing, len(rows), source)
