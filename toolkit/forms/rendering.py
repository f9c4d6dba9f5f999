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
import time
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from toolkit.errors import TemplateError
from toolkit.forms import packing, template_cache
from toolkit.office import ooxml
from toolkit.office.ooxml import strip_xml_forbidden

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
    text = strip_xml_forbidden(str(value))
    # Called for every value of every form: skip the replacements plain text does not need.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = escape(text)
    if "\n" not in text and "\t" not in text:
        return escaped
    # On the plain string: Markup.replace would escape its arguments all over again.
    return Markup(str(escaped).replace("\n", _BREAK).replace("\t", _TAB))


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
        except zipfile.BadZipFile:
            raise TemplateError(
                f"模板 {self.name} 不是有效的 Word（.docx）文件，或已损坏。"
            ) from None
        except OSError as exc:
            raise TemplateError(f"模板 {self.name} 无法打开：{ooxml.os_reason(exc)}") from None
        names = {info.filename for info, _ in self.entries}
        if DOCUMENT_PART not in names:
            raise TemplateError(f"模板 {self.name} 不是 Word（.docx）文件。")
        self.environment = make_environment()
        patcher = DocxTemplate(self.path)  # only its text preprocessing is used
        self.sources: dict[str, str] = {}
        self.templates: dict[str, jinja2.Template] = {}
        for info, data in self.entries:
            if _RENDERED_PART_RE.match(info.filename):
                source, template = self._prepare(info.filename, data, patcher)
                self.sources[info.filename] = source
                self.templates[info.filename] = template
        self._needs_table_fix = any("{%tc" in s or "{% tc" in s for s in self.sources.values())
        self._patcher = patcher
        # Output zip entries, compressed once (see render_bytes).
        self._packed: dict[str, packing.Packed] | None = None
        self._registration: dict[str, bytes] | None = None
        self._last: dict[str, packing.Packed] = {}
        self._last_data: dict[str, bytes] = {}

    def _prepare(
        self, part: str, data: bytes, patcher: DocxTemplate
    ) -> tuple[str, jinja2.Template]:
        """docxtpl's preprocessing and Jinja's compilation, or both from the cache."""
        env = self.environment
        cached = template_cache.load(data)
        if cached is not None:
            source, code = cached
        else:
            source = _line_numbered(patcher.patch_xml(data.decode("utf-8")))
            try:
                code = env.compile(source)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"模板 {self.name} 的标签有语法错误（{exc.message}），"
                    f"位置：{_part_label(part)}第 {exc.lineno} 段附近："
                    f"“{paragraph_snippet(source, exc.lineno or 0)}”",
                    hint="运行 toolkit template check 查看详情。",
                ) from None
            template_cache.store(data, source, code)
        return source, env.template_class.from_code(env, code, env.make_globals(None))

    def render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        parts: dict[str, bytes] = {}
        for part, template in self.templates.items():
            try:
                xml = template.render(context)
            except jinja2.UndefinedError as exc:
                raise TemplateError(
                    f"模板 {self.name} 使用了不存在的变量（{exc.message}）{_where(part, exc, self.sources[part])}。",
                    hint="运行 toolkit template fields 查看可用变量，或 toolkit template check 检查模板。",
                ) from None
            except jinja2.exceptions.SecurityError as exc:
                raise TemplateError(
                    f"模板 {self.name} 试图执行不允许的操作：{exc}{_where(part, exc, self.sources[part])}"
                ) from None
            except jinja2.TemplateError as exc:
                raise TemplateError(
                    f"模板 {self.name} 渲染失败：{exc}{_where(part, exc, self.sources[part])}"
                ) from None
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
        ooxml.write_bytes_atomic(target, self.render_bytes(context, properties=properties))

    def render_bytes(
        self, context: dict[str, Any], *, properties: dict[str, str] | None = None
    ) -> bytes:
        """The rendered .docx as bytes: what `render_bytes_to` writes.

        The entries no render changes are compressed once per template, not
        once per form; the zip is what zipfile would write entry for entry.
        """
        parts = self.render_parts(context)
        if properties is not None:
            parts[ooxml.CUSTOM_PART] = ooxml.custom_properties_xml(properties)
            parts.update(self._custom_registration())
        if self._packed is None:
            self._packed = {
                info.filename: packing.pack(info, data)
                for info, data in self.entries
                if info.filename not in self.templates
            }
        packed, written = [], set()
        for info, _ in self.entries:
            data = parts.get(info.filename)
            packed.append(
                self._packed[info.filename] if data is None else self._pack_again(info, data)
            )
            written.add(info.filename)
        now = time.localtime(time.time())[:6]
        for name, data in parts.items():
            if name not in written:
                info = zipfile.ZipInfo(name, date_time=now)
                info.external_attr = 0o600 << 16
                packed.append(packing.pack(info, data))
        return packing.zip_entries(packed)

    def _pack_again(self, info: zipfile.ZipInfo, data: bytes) -> packing.Packed:
        """Compress a rendered part, unless it came out as last time (a footer, the rels)."""
        last = self._last.get(info.filename)
        if (
            last is None
            or last.info.file_size != len(data)
            or self._last_data[info.filename] != data
        ):
            last = self._last[info.filename] = packing.pack(info, data)
            self._last_data[info.filename] = data
        return last

    def _custom_registration(self) -> dict[str, bytes]:
        # The same for every form of a template: worked out once.
        if self._registration is None:
            originals = {i.filename: d for i, d in self.entries}
            types, rels = ooxml.with_custom_part(
                originals["[Content_Types].xml"], originals["_rels/.rels"]
            )
            self._registration = {"[Content_Types].xml": types, "_rels/.rels": rels}
        return self._registration


def _where(part: str, exc: BaseException, source: str) -> str:
    """Where a render error was raised, as "，位置：正文中“…”附近" (empty if unknown)."""
    tb, line = exc.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    snippet = paragraph_snippet(source, line)
    return f"，位置：{_part_label(part)}中“{snippet}”附近" if snippet else ""


def _part_label(part: str) -> str:
    if part == DOCUMENT_PART:
        return "正文"
    return "页眉" if "header" in part else "页脚"
