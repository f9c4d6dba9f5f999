"""Rendering Word templates: docxtpl's preprocessing, once per run.

docxtpl re-opens the template, re-runs its regex preprocessing and
re-compiles Jinja on every render. A `PreparedTemplate` does those once and
then renders any number of contexts, writing each result by copying the
template's other zip entries untouched.

Rendering happens in a sandboxed Jinja environment with autoescape on (off,
`A&B` silently becomes `A`) and StrictUndefined (a misspelt variable is an
error naming it, not an empty cell). Values are finalised here, in one
place: characters XML forbids dropped, `\\n` turned into a line break,
`\\t` into a tab.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from toolkit import ooxml
from toolkit.errors import TemplateError
from toolkit.rules import strip_xml_forbidden

DOCUMENT_PART = "word/document.xml"
_RENDERED_PART_RE = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
_TAB = Markup('</w:t><w:tab/><w:t xml:space="preserve">')
_TAG_STRIP_RE = re.compile(r"<[^>]+>")


def finalize(value: Any) -> Any:
    """Turn a context value into safe WordprocessingML run text."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):  # docxtpl RichText, or already-safe markup
        return value
    text = strip_xml_forbidden(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    escaped = escape(text)
    return escaped.replace("\n", _BREAK).replace("\t", _TAB)


def make_environment() -> SandboxedEnvironment:
    """The one Jinja environment every template is rendered in."""
    return SandboxedEnvironment(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=finalize
    )


def _line_numbered(xml: str) -> str:
    # One paragraph per line, as docxtpl does, so Jinja's line numbers point
    # at a paragraph a maintainer can find.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def paragraph_snippet(xml: str, lineno: int) -> str:
    lines = xml.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    return _TAG_STRIP_RE.sub("", lines[lineno - 1])[:60]


class PreparedTemplate:
    """A .docx template preprocessed and compiled once, rendered many times."""

    def __init__(self, path: Path, *, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or self.path.name
        try:
            with zipfile.ZipFile(self.path) as zf:
                self.entries = [(info, zf.read(info)) for info in zf.infolist()]
        except (OSError, zipfile.BadZipFile) as exc:
            raise TemplateError(f"模板 {self.name} 无法打开：{exc}") from None
        names = {info.filename for info, _ in self.entries}
        if DOCUMENT_PART not in names:
            raise TemplateError(f"模板 {self.name} 不是 Word（.docx）文件。")
        self.environment = make_environment()
        patcher = DocxTemplate(self.path)  # only its text preprocessing is used
        self.sources: dict[str, str] = {}
        self.templates: dict[str, jinja2.Template] = {}
        for info, data in self.entries:
            if not _RENDERED_PART_RE.match(info.filename):
                continue
            source = _line_numbered(patcher.patch_xml(data.decode("utf-8")))
            self.sources[info.filename] = source
            try:
                self.templates[info.filename] = self.environment.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"模板 {self.name} 的标签有语法错误（{exc.message}），"
                    f"位置：{_part_label(info.filename)}第 {exc.lineno} 段附近："
                    f"“{paragraph_snippet(source, exc.lineno or 0)}”",
                    hint="运行 toolkit template check 查看详情。",
                ) from None
        self._needs_table_fix = any("{%tc" in s or "{% tc" in s for s in self.sources.values())
        self._patcher = patcher

    def render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        parts: dict[str, bytes] = {}
        for part, template in self.templates.items():
            try:
                xml = template.render(context)
            except jinja2.UndefinedError as exc:
                raise TemplateError(
                    f"模板 {self.name} 使用了不存在的变量（{exc.message}）。",
                    hint="运行 toolkit template fields 查看可用变量，或 toolkit template check 检查模板。",
                ) from None
            except jinja2.exceptions.SecurityError as exc:
                raise TemplateError(f"模板 {self.name} 试图执行不允许的操作：{exc}") from None
            except jinja2.TemplateError as exc:
                raise TemplateError(f"模板 {self.name} 渲染失败：{exc}") from None
            xml = xml.replace("\n<w:p", "<w:p")
            if self._needs_table_fix:
                from lxml import etree

                xml = etree.tostring(self._patcher.fix_tables(xml), encoding="unicode")
            parts[part] = xml.encode("utf-8")
        return parts

    def render_bytes_to(
        self,
        target: Path,
        context: dict[str, Any],
        *,
        properties: dict[str, str] | None = None,
    ) -> None:
        """Render and write atomically; `properties` become custom document properties."""
        parts = self.render_parts(context)
        if properties is not None:
            parts[ooxml.CUSTOM_PART] = ooxml.custom_properties_xml(properties)
            originals = dict((i.filename, d) for i, d in self.entries)
            parts["[Content_Types].xml"], parts["_rels/.rels"] = ooxml.with_custom_part(
                originals["[Content_Types].xml"], originals["_rels/.rels"]
            )
        with (
            ooxml.atomic_path(target) as tmp,
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as out,
        ):
            written = set()
            for info, data in self.entries:
                out.writestr(
                    info, parts.get(info.filename, data), compress_type=zipfile.ZIP_DEFLATED
                )
                written.add(info.filename)
            for name, data in parts.items():
                if name not in written:
                    out.writestr(name, data)


def _part_label(part: str) -> str:
    if part == DOCUMENT_PART:
        return "正文"
    return "页眉" if "header" in part else "页脚"
