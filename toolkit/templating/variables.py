"""Which variables a template uses, checked against toolkit.forms.schema.

Walks the Jinja syntax tree of docxtpl's source. Loop variables are followed
to schema paths: in `{%tr for group in groups %}{%tr for row in group.rows %}`
`row.progress` is `groups[].rows[].progress`. A name or attribute the schema
does not have is reported with the closest one it does have.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from jinja2 import nodes

from toolkit.forms import schema
from toolkit.forms.rendering import make_environment
from toolkit.templating.document import Part
from toolkit.templating.fixes import AUTOCORRECT_CAPS
from toolkit.templating.report import ERROR, Problem

LOOP = "<loop>"  # the `loop` variable inside a for loop: any attribute
_GLOBALS = frozenset(make_environment().globals)
_RICH = "富文本"
_PICTURE = "图片"
_IN_TEXT_RE = re.compile(r"<w:t(?:\s[^>]*)?>[^<]*$")


@dataclass
class Loop:
    target: str  # loop variable
    path: str | None  # schema path of the sequence, e.g. "groups[].rows"
    lineno: int


@dataclass
class Analysis:
    """What one part of a template uses."""

    names: set[str] = field(default_factory=set)  # top-level schema names used
    paths: set[str] = field(default_factory=set)  # every schema path read, e.g. "rows[].id"
    loops: list[Loop] = field(default_factory=list)
    extra_keys: set[str] = field(default_factory=set)  # row.extra['…'] keys
    required_keys: set[str] = field(default_factory=set)  # ...read without .get(…, default)
    problems: list[Problem] = field(default_factory=list)


def names_used(tree: nodes.Template) -> set[str]:
    """Top-level names a template reads (for telling a form from a summary)."""
    stored = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    return {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"} - stored


def analyze(kind: str, part: Part, tree: nodes.Template) -> Analysis:
    walker = _Walker(kind, part)
    for node in tree.body:
        walker.visit(node, {})
    return walker.result


def _display(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_display(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_display(node.node)}[{node.arg.value!r}]"
    return "…"


class _Walker:
    def __init__(self, kind: str, part: Part) -> None:
        self.kind = kind
        self.part = part
        self.result = Analysis()
        self.in_text = False  # is the source between <w:t> and </w:t> at this point?
        self.top = schema.top_level_names(kind)

    # -------------------------------------------------------- reporting

    def report(self, node: nodes.Node, message: str, fix: str = "") -> None:
        self.problem(node, "unknown_variable", message, fix)

    def _suggest(self, word: str, candidates: set[str]) -> str | None:
        close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
        return close[0] if close else None

    def unknown_name(self, node: nodes.Name, scope: dict[str, str | None]) -> None:
        name = node.name
        message = f"变量“{name}”不存在。"
        other = next(
            (k for k in schema.KINDS if k != self.kind and name in schema.top_level_names(k)), None
        )
        if other is not None:
            message += (
                f"它是{schema.KIND_LABELS[other]}的变量，不能用在{schema.KIND_LABELS[self.kind]}中"
                f"（若这是{schema.KIND_LABELS[other]}，请加 --kind {other}）。"
            )
        elif name == "loop":
            message += "loop（以及 {% vm %}、{% hm %}）只能用在 {% for %} 或 {%tr for %} 循环内。"
        elif _capitalised(name, self.top | set(scope)):
            self.report(node, message + _CAPITALISED.format(name.lower()), AUTOCORRECT_CAPS)
            return
        elif (close := self._suggest(name, self.top | set(scope) - {"loop"})) is not None:
            message += f"是否指“{close}”？"
        elif items := [f for f in schema.FIELDS[self.kind] if f.name.endswith(f"[].{name}")]:
            message += f"是否指“{schema.usage(items[0].name)}”（须写在对应的循环内）？"
        self.report(node, message + "可用变量见 toolkit template fields。")

    # -------------------------------------------------------- resolving

    def resolve(self, node: nodes.Node, scope: dict[str, str | None], report: bool) -> str | None:
        """The schema path an expression stands for, or None when it cannot be known."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.top:
                if report:
                    self.result.names.add(node.name)
                    self.result.paths.add(node.name)
                return node.name
            if report and node.name not in _GLOBALS:
                self.unknown_name(node, scope)
            return None
        if isinstance(node, nodes.Getattr):
            return self.member(node, node.attr, self.resolve(node.node, scope, report), report)
        if isinstance(node, nodes.Getitem):
            base = self.resolve(node.node, scope, report)
            if report:
                self.visit(node.arg, scope)
            key = node.arg.value if isinstance(node.arg, nodes.Const) else None
            f = schema.field(self.kind, base) if base else None
            if f is not None and f.type == "列表":
                return base + "[]"  # type: ignore[operator]
            if isinstance(key, str):
                return self.member(node, key, base, report)
            return None
        return None

    def member(self, node: nodes.Node, attr: str, base: str | None, report: bool) -> str | None:
        if base is None or base == LOOP:
            return None
        if base.endswith(".extra") or base == "extra":
            if report and not hasattr(dict, attr):
                self.result.extra_keys.add(attr)
                self.result.required_keys.add(attr)
            return None
        kids = schema.children(self.kind, base)
        if attr in kids:
            if report:
                self.result.paths.add(f"{base}.{attr}")
            return f"{base}.{attr}"
        if not report:
            return None
        owner = _display(node.node)  # type: ignore[attr-defined]
        f = schema.field(self.kind, base)
        if kids and _capitalised(attr, kids):
            self.report(
                node,
                f"变量“{_display(node)}”不存在。" + _CAPITALISED.format(attr.lower()),
                AUTOCORRECT_CAPS,
            )
        elif kids:
            close = self._suggest(attr, kids)
            hint = f"是否指“{owner}.{close}”？" if close else ""
            self.report(
                node,
                f"变量“{_display(node)}”不存在：{owner} 没有“{attr}”这一项。{hint}"
                "可用变量见 toolkit template fields。",
            )
        elif f is not None and f.type == "列表" and attr in schema.attribute_names(self.kind, base):
            var = schema.LOOP_NAMES.get(base.rsplit(".", 1)[-1], "item")
            self.report(
                node,
                f"“{_display(node)}”：{owner} 是一个列表，要在循环中逐项取值，"
                f"如在 {{%tr for {var} in {owner} %}} 内写 {var}.{attr}。",
            )
        return None

    # -------------------------------------------------------- walking

    def bind(self, target: nodes.Node, path: str | None, scope: dict[str, str | None]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = path
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, None, scope)

    def visit(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.TemplateData):
            if "<" in node.data:
                self.in_text = bool(_IN_TEXT_RE.search(node.data))
        elif isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            path = self.resolve(node.iter, scope, report=False)
            f = schema.field(self.kind, path) if path else None
            inner = {**scope, "loop": LOOP}
            self.bind(
                node.target, path + "[]" if f is not None and f.type == "列表" else None, inner
            )
            target = node.target.name if isinstance(node.target, nodes.Name) else ""
            self.result.loops.append(Loop(target, path, node.lineno))
            for child in [*([node.test] if node.test else []), *node.body]:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
        elif isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self.bind(node.target, self.resolve(node.node, scope, report=False), scope)
        elif isinstance(node, (nodes.AssignBlock, nodes.With, nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for n in node.find_all(nodes.Name):
                if n.ctx in ("store", "param"):
                    inner[n.name] = None
            inner["caller"] = None
            for child in node.iter_child_nodes():
                if not (isinstance(child, nodes.Name) and child.ctx in ("store", "param")):
                    self.visit(child, inner)
            if isinstance(node, nodes.AssignBlock):
                self.bind(node.target, None, scope)
        elif isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self.resolve(node, scope, report=True)
        elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            self.visit(node.node, scope)
            base = self.resolve(node.node.node, scope, report=False)
            key = node.args[0] if node.args else None
            is_extra = node.node.attr == "get" and bool(base) and base.endswith("extra")  # type: ignore[union-attr]
            if is_extra and isinstance(key, nodes.Const) and isinstance(key.value, str):
                self.result.extra_keys.add(key.value)
            for child in [*node.args, *node.kwargs]:
                self.visit(child, scope)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                self.visit(child, scope)
                if not isinstance(child, nodes.TemplateData):
                    self.check_output(child, scope)
        else:
            for child in node.iter_child_nodes():
                self.visit(child, scope)

    def check_output(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        """{{r x }} only for rich text, and rich text only with {{r x }}."""
        path = self.resolve(node, scope, report=False)
        f = schema.field(self.kind, path) if path else None
        if f is None:
            return
        in_text = self.in_text
        shown = _display(node)
        if f.type == _RICH and in_text:
            self.problem(
                node,
                "richtext_needs_r",
                f"“{shown}”是带颜色的标记，要写成 {{{{r {shown} }}}}（r 紧跟在 {{{{ 之后，"
                "并单独占一段文字格式），否则生成的文档会损坏。",
            )
        elif f.type == _PICTURE and not in_text:
            self.problem(
                node,
                "r_on_plain",
                f"“{shown}”是图片，要写成 {{{{ {shown} }}}}（不加 r），单独占一段。",
            )
        elif f.type != _RICH and not in_text:
            self.problem(
                node,
                "r_on_plain",
                f"“{shown}”是普通文字，要写成 {{{{ {shown} }}}}；{{{{r … }}}} 只用于带颜色的标记"
                "（如 row.evaluation_mark、item.mark）。",
            )

    def problem(self, node: nodes.Node, code: str, message: str, fix: str = "") -> None:
        line = node.lineno
        place, snippet = self.part.place_at(line), self.part.snippet_at(line)
        self.result.problems.append(Problem(code, ERROR, message, place, snippet, fix))


_CAPITALISED = (
    "应为小写的“{}”：首字母多半是被自动更正改成了大写（“句首字母大写”或“表格单元格的首字母大写”）。"
)


def _capitalised(word: str, names: set[str]) -> bool:
    """A name whose first letter autocorrect made upper case: `Row` for `row`."""
    return word[:1].isupper() and word.lower() in names
