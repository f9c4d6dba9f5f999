"""`toolkit template check`: find what will go wrong with a Word template.

The people who keep templates/form.docx and summary.docx edit them in Word,
WPS or LibreOffice. This reads a template exactly as the renderer prepares
it, and reports each problem with a Chinese message, a place they can find
("正文第3段", "第1个表格第4行第2列") with the text around it, and how to fix
it in their editor. Finally it renders the template once with the schema's
sample context through the same `PreparedTemplate` `generate` and `merge`
use, so a template that passes renders.

`generate` and `merge` run the same check first and refuse a template it
rejects (toolkit.templating.gate, `require_passing`), then make sure the register (or the returns)
fill every `row.extra['…']` column the template needs (`require_columns`).
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2 import nodes

from toolkit.errors import TemplateError, UsageError
from toolkit.forms import schema
from toolkit.forms.rendering import (
    PreparedTemplate,
    broken_marker,
    make_environment,
    render_message,
    syntax_message,
    template_lineno,
    well_formed,
)
from toolkit.templating.document import Part, TemplateDocument, paragraph_snippet
from toolkit.templating.fixes import fix_for
from toolkit.templating.kinds import kind_problems
from toolkit.templating.report import ERROR, LEVEL_LABELS, WARNING, Problem, TemplateReport
from toolkit.templating.samples import sample_context
from toolkit.templating.tags import pair_blocks, placement_rules, scan_tags, typing_rules
from toolkit.templating.variables import analyze, names_used

__all__ = [
    "ERROR",
    "LEVEL_LABELS",
    "WARNING",
    "Problem",
    "TemplateReport",
    "check_template",
    "missing_columns",
    "rejection",
]


def check_template(path: Path, kind: str | None = None) -> TemplateReport:
    """Check a template of `kind` ('form' or 'summary'; worked out from the content when None).

    Never raises for a bad template: an unreadable file is a problem in the report.
    """
    if kind is not None and kind not in schema.KINDS:
        raise UsageError(
            f"模板类型应为 form（填报表）、summary（一览表）、notice（通知）或 report（督查通报），收到“{kind}”。"
        )
    path = Path(path)
    try:
        doc = TemplateDocument(path)
    except TemplateError as exc:
        problem = Problem("unreadable", ERROR, exc.message, fix=fix_for("unreadable"))
        return TemplateReport(path, kind or schema.FORM, kind is None, [problem])
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
    problems += [
        Problem(
            "tag_not_rendered",
            ERROR,
            f"{u.label}中的标签“{u.tag}”不会被替换，生成的文档中会原样出现："
            "程序只替换正文、页眉、页脚、脚注和尾注中的标签。请把它移到这些位置，或删除。",
            u.label,
            u.tag,
        )
        for u in doc.unrendered
    ]
    detected = kind is None
    if kind is None:
        kind = _detect_kind(doc, trees, path)
    analyses = {
        name: analyze(kind, part, trees[name]) for part in doc.parts if (name := part.name) in trees
    }
    for a in analyses.values():
        problems += a.problems
    body = doc.parts[0]
    if body.name in analyses:
        problems += kind_problems(kind, body, analyses, pairs_of[body.name])
    extra = sorted(set().union(*(a.extra_keys for a in analyses.values())))
    required = sorted(set().union(*(a.required_keys for a in analyses.values())))
    report = TemplateReport(path, kind, detected, _unique(problems), extra, required)
    if report.ok:
        report.problems += _render_problems(doc, path, kind, extra)
    for p in report.problems:
        if p.is_error and not p.fix:
            p.fix = fix_for(p.code)
    return report


# Names only one kind of template has: they tell a form from a summary or a notice.
_ONLY = {
    k: schema.top_level_names(k).difference(
        *(schema.top_level_names(o) for o in schema.KINDS if o != k)
    )
    for k in schema.KINDS
}
# What the file names of each kind say, when the variables do not tell.
_NAMED = {
    schema.SUMMARY: ("summary", "一览表"),
    schema.REPORT: ("report", "通报", "督查"),
    schema.NOTICE: ("notice", "通知", "退回", "催报"),
}


def _detect_kind(doc: TemplateDocument, trees: dict[str, nodes.Template], path: Path) -> str:
    """The kind whose own variables the template uses more; the file name when it uses none."""
    if len(trees) == len(doc.parts):
        used = set().union(*(names_used(t) for t in trees.values()))
    else:  # a syntax error: judge by the text
        text = " ".join(p.text for part in doc.parts for p in part.paragraphs)
        used = set(re.findall(r"[A-Za-z_]\w*", text))
    score = {k: len(used & names) for k, names in _ONLY.items()}
    best = max(score.values())
    if sum(v == best for v in score.values()) == 1:
        return max(score, key=lambda k: score[k])
    named = path.stem.lower()
    return next((k for k, words in _NAMED.items() if any(w in named for w in words)), schema.FORM)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in problems:
        key = (p.code, p.location, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _syntax_problem(
    part: Part, exc: jinja2.TemplateSyntaxError, found: list[Problem]
) -> list[Problem]:
    place = part.place_at(exc.lineno)
    if any(
        p.is_error and (p.location == place or p.code in ("unclosed_block", "unmatched_end"))
        for p in found
    ):
        return []  # the same mistake, already explained better
    para = part.para_at(exc.lineno)
    snippet = paragraph_snippet(para) if para else part.snippet_at(exc.lineno)
    return [Problem("syntax", ERROR, syntax_message(exc) + "。", place, snippet)]


# ---------------------------------------------------------------- test render


def _render_problems(
    doc: TemplateDocument, path: Path, kind: str, extra: list[str]
) -> list[Problem]:
    """Render once with sample data, part by part, through the template `generate` and
    `merge` would use (cache and all); the first failure, located."""
    context = sample_context(kind, {k: f"（{k}）" for k in extra})
    try:
        prepared = PreparedTemplate(path)
    except TemplateError as exc:
        return [Problem("render_error", ERROR, f"按样例数据试渲染时出错：{exc.message}")]
    for part in doc.parts:
        try:
            xml = prepared.templates[part.name].render(context)
        except Exception as exc:  # any failure of an untrusted template is a finding
            line = template_lineno(exc)
            message = f"按样例数据试渲染时出错：{render_message(exc)}。可用变量见 toolkit template fields。"
            return [
                Problem("render_error", ERROR, message, part.place_at(line), part.snippet_at(line))
            ]
        if not well_formed(xml.encode("utf-8")):
            marker = broken_marker(prepared.environment, part.source, context)
            return [_broken(part.places.get(marker, part.label()) if marker else part.label())]
    return []


def _broken(place: str) -> Problem:
    return Problem(
        "render_broken",
        ERROR,
        "按样例数据试渲染后文档结构被破坏：通常是 {%tr %}、{%tc %}、{%p %} 标签位置不对，"
        "或 {% for %}/{% if %} 与其结束标签不在同一层（如一个在表格内、一个在表格外）。",
        place,
    )


# ---------------------------------------------------------------- generate and merge


def rejection(report: TemplateReport) -> TemplateError:
    """The error `generate` and `merge` stop with when the check finds errors."""
    lines = [
        f"{_kind_name(report.kind)} {report.path.name} 未通过检查（{len(report.errors)} 个错误），"
        "没有生成任何文件："
    ]
    for p in report.errors:
        lines.append(
            f"  [{LEVEL_LABELS[p.level]}] {p.location + '：' if p.location else ''}{p.message}"
        )
        if p.snippet:
            lines.append(f"      附近文字：“{p.snippet}”")
        lines.append(f"      修改方法：{p.fix}")
    return TemplateError(
        "\n".join(lines),
        hint=f"改好后运行 toolkit template check {report.path.name}，显示“检查通过”后再运行本命令。",
    )


def missing_columns(
    report: TemplateReport, missing: dict[str, int], rows: int, source: str
) -> TemplateError:
    """The error when rows lack a `row.extra['…']` column the template needs (`missing`:
    column -> rows without it)."""
    said = "；".join(
        f"“{k}”（{'全部' if n == rows else f'{n} 个'}项目没有）" for k, n in missing.items()
    )
    first = next(iter(missing))
    return TemplateError(
        f"{_kind_name(report.kind)} {report.path.name} 用到的列在{source}中取不到值：{said}。"
        "没有生成任何文件。",
        hint=f"在登记表「项目」的表头加上这一列并填写；或在模板中改写成 "
        f"{{{{ row.extra.get('{first}', '') }}}}，没有值时留空。",
    )


def _kind_name(kind: str) -> str:
    return schema.KIND_LABELS[kind].split("（")[0]  # "填报表模板", without the file name
