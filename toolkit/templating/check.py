"""`toolkit template check`: find what will go wrong with a Word template.

The people who keep templates/form.docx and summary.docx edit them in Word or
WPS. This reads a template the way docxtpl will, and reports each problem with
a Chinese message and a place they can find in Word: "正文第3段" or
"第1个表格第4行第2列", plus the text around it. Finally it renders the
template once with the schema's sample context in the same sandboxed, strict
environment `generate` and `merge` use, so a template that passes renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from lxml import etree

from toolkit.errors import TemplateError, UsageError
from toolkit.forms import schema
from toolkit.forms.rendering import PreparedTemplate, make_environment
from toolkit.templating.document import Part, TemplateDocument, paragraph_snippet
from toolkit.templating.kinds import kind_problems
from toolkit.templating.samples import sample_context
from toolkit.templating.tags import (
    ERROR,
    LEVEL_LABELS,
    WARNING,
    Problem,
    pair_blocks,
    placement_rules,
    scan_tags,
    typing_rules,
)
from toolkit.templating.variables import analyze, names_used

__all__ = ["ERROR", "LEVEL_LABELS", "WARNING", "Problem", "TemplateReport", "check_template"]

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class TemplateReport:
    path: Path
    kind: str
    kind_detected: bool  # True when the kind was worked out, not given
    problems: list[Problem] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)  # row.extra['…'] columns used

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


def check_template(path: Path, kind: str | None = None) -> TemplateReport:
    """Check a template of `kind` ('form' or 'summary'; worked out from the content when None).

    Never raises for a bad template: an unreadable file is a problem in the report.
    """
    if kind is not None and kind not in schema.KINDS:
        raise UsageError(f"模板类型应为 form（填报表）或 summary（一览表），收到“{kind}”。")
    path = Path(path)
    try:
        doc = TemplateDocument(path)
    except TemplateError as exc:
        return TemplateReport(
            path, kind or schema.FORM, kind is None, [Problem("unreadable", ERROR, exc.message)]
        )
    env = make_environment()
    problems: list[Problem] = []
    trees: dict[str, nodes.Template] = {}
    pairs_of: dict[str, list] = {}
    for part in doc.parts:
        tags = scan_tags(part)
        pairs, paired = pair_blocks(part, tags)
        found = typing_rules(part, tags) + placement_rules(part, tags) + paired
        problems += found
        pairs_of[part.name] = pairs
        try:
            trees[part.name] = env.parse(part.source)
        except jinja2.TemplateSyntaxError as exc:
            problems += _syntax_problem(part, exc, found)
    detected = kind is None
    if kind is None:
        kind = _detect_kind(doc, trees)
    analyses = {
        name: analyze(kind, part, trees[name]) for part in doc.parts if (name := part.name) in trees
    }
    for a in analyses.values():
        problems += a.problems
    body = doc.parts[0]
    if body.name in analyses:
        problems += kind_problems(kind, body, analyses, pairs_of[body.name])
    extra = sorted(set().union(*(a.extra_keys for a in analyses.values())) if analyses else set())
    report = TemplateReport(path, kind, detected, _unique(problems), extra)
    if report.ok:
        report.problems += _render_problems(doc, path, kind, extra)
    return report


def _detect_kind(doc: TemplateDocument, trees: dict[str, nodes.Template]) -> str:
    """'summary' when the template uses `groups` (and fits the summary better), else 'form'."""
    if len(trees) < len(doc.parts):  # a syntax error: judge by the text
        texts = " ".join(p.text for part in doc.parts for p in part.paragraphs)
        return schema.SUMMARY if re.search(r"\bgroups\b", texts) else schema.FORM
    used = set().union(*(names_used(t) for t in trees.values()))
    if "groups" not in used:
        return schema.FORM
    misses = {k: len(used - schema.top_level_names(k)) for k in schema.KINDS}
    return schema.FORM if misses[schema.FORM] < misses[schema.SUMMARY] else schema.SUMMARY


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in problems:
        key = (p.code, p.location, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ---------------------------------------------------------------- syntax errors

_SYNTAX_MESSAGES = (
    (
        r"^unexpected end of template",
        "模板结束时仍有未关闭的块，如 {% for %} 缺少 {% endfor %}、{% if %} 缺少 {% endif %}",
    ),
    (
        r"^Encountered unknown tag '(end\w+|else|elif)'",
        "多余的 {{% {0} %}}：前面没有与之配对的开始标签",
    ),
    (r"^Encountered unknown tag '(\w+)'", "无法识别的标签 {{% {0} %}}"),
    (r"^unexpected char '(.)'", "标签中有无法识别的字符“{0}”（常见原因：中文标点或全角符号）"),
    (r"^unexpected '([}%])'", "标签的括号不配对，如 {{{{ … }} 少了一个 }}"),
    (r"^expected token '([^']+)', got '([^']*)'", "标签写法有误：在“{1}”处出错"),
)


def _syntax_problem(
    part: Part, exc: jinja2.TemplateSyntaxError, found: list[Problem]
) -> list[Problem]:
    place = part.place_at(exc.lineno)
    if any(
        p.is_error and (p.location == place or p.code in ("unclosed_block", "unmatched_end"))
        for p in found
    ):
        return []  # the same mistake, already explained better
    raw = exc.message or ""
    text = f"标签语法错误（{raw}）"
    for pattern, chinese in _SYNTAX_MESSAGES:
        m = re.match(pattern, raw, re.I)
        if m:
            text = chinese.format(*m.groups()) + f"（{raw.split('.')[0]}）"
            break
    para = part.para_at(exc.lineno)
    return [Problem("syntax", ERROR, text + "。", place, paragraph_snippet(para) if para else "")]


# ---------------------------------------------------------------- test render


def _template_lineno(exc: BaseException) -> int | None:
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _render_message(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        m = re.match(r"'(\w+) object' has no attribute '([^']+)'", exc.message or "")
        what = f"“{m.group(2)}”不存在" if m else f"变量不存在（{exc.message}）"
        return f"按样例数据试渲染时出错：{what}。可用变量见 toolkit template fields。"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板试图执行不允许的操作（{exc}），已被阻止：模板只能读取变量，不能访问文件或调用程序。"
    return f"按样例数据试渲染时出错（{type(exc).__name__}: {exc}）。"


def _render_problems(
    doc: TemplateDocument, path: Path, kind: str, extra: list[str]
) -> list[Problem]:
    """Render once with sample data: located errors from the marked source, then the real thing."""
    context = sample_context(kind, {k: f"（{k}）" for k in extra})
    env = make_environment()
    for part in doc.parts:
        try:
            xml = env.from_string(part.source).render(context)
        except Exception as exc:  # any failure of an untrusted template is a finding
            line = _template_lineno(exc)
            para = part.para_at(line)
            snippet = paragraph_snippet(para) if para else ""
            return [
                Problem("render_error", ERROR, _render_message(exc), part.place_at(line), snippet)
            ]
        try:
            etree.fromstring(xml.encode("utf-8"), _XML_PARSER)
        except etree.XMLSyntaxError as exc:
            return [_broken(part.place_at(exc.lineno, xml))]
    try:  # exactly what `generate` and `merge` do
        rendered = PreparedTemplate(path).render_parts(context)
        for data in rendered.values():
            etree.fromstring(data, _XML_PARSER)
    except TemplateError as exc:
        return [Problem("render_error", ERROR, f"按样例数据试渲染时出错：{exc.message}")]
    except etree.XMLSyntaxError:
        return [_broken("")]
    return []


def _broken(place: str) -> Problem:
    return Problem(
        "render_broken",
        ERROR,
        "按样例数据试渲染后文档结构被破坏：通常是 {%tr %}、{%tc %} 标签位置不对，"
        "或 {% for %}/{% if %} 与其结束标签不在同一层（如一个在表格内、一个在表格外）。",
        place,
    )
