"""Rendering Word templates: each part prepared once, rendered many times.

Preparing a part (`prepare_part`) is what stock docxtpl does to a template
before Jinja sees it, made to hold for templates saved by any editor:

1. the part is parsed and written out again with lxml, as python-docx does
   for stock docxtpl, so the `&apos;` and `&quot;` LibreOffice writes for
   quotes typed in text come out as plain quotes;
2. inside tags, curly quotes become straight ones, no-break and
   ideographic spaces plain spaces, and zero-width characters go (Word's
   autocorrect, Chinese input methods and text copied from web pages put
   them there);
3. a Jinja comment on a line of its own marks the start of every paragraph,
   table row and cell (`{#-tk:p:12#}`): Jinja's line numbers then lead back
   to a place a maintainer can find in Word (toolkit.forms.places), and the
   marks render to nothing;
4. docxtpl's own preprocessing (`patch_xml`) joins tags split over runs,
   replaces `{%tr %}` rows by their tag and so on; then entities left
   inside tags (`&amp;`) are decoded.

`toolkit template check` reads this same prepared source: what it checks is
exactly what the renderer compiles. A `PreparedTemplate` prepares each part
once (or loads it from toolkit.forms.template_cache) and renders any number
of contexts in a sandboxed Jinja environment with autoescape on (off, `A&B`
silently becomes `A`) and StrictUndefined (a misspelt variable is an error
naming it, not an empty cell). Every rendered part is parsed before it is
handed on: a template that renders to broken XML never produces a file.
Values are finalised here, in one place: characters XML forbids dropped,
`\\n` turned into a line break, `\\t` into a tab.
"""

from __future__ import annotations

import functools
import html
import pyexpat
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from toolkit.errors import ReturnError, TemplateError
from toolkit.forms import packing, places, template_cache
from toolkit.forms.places import DOCUMENT_PART, TC, TR, P, T, nearest
from toolkit.office import ooxml
from toolkit.office.docx_picture import Picture, add_pictures
from toolkit.office.ooxml import strip_xml_forbidden

RENDERED_PART_RE = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
CHECK_HINT = "运行 toolkit template check 检查模板，它会逐条指出位置和修改方法。"
_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
_TAB = Markup('</w:t><w:tab/><w:t xml:space="preserve">')
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@functools.cache
def _docxtpl() -> Any:
    """docxtpl, for its text preprocessing only (it reads no file): imported when a
    template is prepared (a template cache miss) or has a {%tc %} loop, never otherwise."""
    from docxtpl import DocxTemplate

    return DocxTemplate("")


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


def run_markup(text: str, color: str | None = None) -> Markup:
    """A run of `text`, coloured when `color` (RRGGBB) is given, for a `{{r … }}` tag: what
    docxtpl's RichText(text, color=color) writes, without importing docxtpl to render."""
    if not text:
        return Markup("")
    props = f'<w:rPr><w:color w:val="{color.removeprefix("#")}"/></w:rPr>' if color else ""
    return Markup(f'<w:r>{props}<w:t xml:space="preserve">{html.escape(text)}</w:t></w:r>')


def make_environment() -> SandboxedEnvironment:
    """The one Jinja environment every template is rendered in."""
    return SandboxedEnvironment(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=finalize
    )


# ---------------------------------------------------------------- preparing a part

# Invisible characters: a tag keeps none of them.
INVISIBLE = {
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u2060": "零宽不换行空格",
    "\ufeff": "零宽不换行空格",
    "\u00ad": "软连字符",
}
_IN_TAG = {
    **dict.fromkeys(INVISIBLE, ""),
    **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u202f\u3000", " "),
    **dict.fromkeys("‘’‚‛", "'"),
    **dict.fromkeys("“”„‟", '"'),
}
_ODD_RE = re.compile("[" + "".join(_IN_TAG) + "]")
_Z = "[" + "".join(INVISIBLE) + "]*"
# A tag, its delimiters perhaps split by invisible characters.
TAG_SPAN_RE = re.compile(rf"\{{{_Z}\{{.*?\}}{_Z}\}}|\{{{_Z}%.*?%{_Z}\}}|\{{{_Z}#.*?#{_Z}\}}", re.S)
_OPEN_RE = re.compile(r"<w:(p|tr|tc)(?=[\s>/])")
MARK_RE = re.compile(r"^\{#-tk:([prc]):(\d+)#\}")
_PREPARED_TAG_RE = re.compile(r"\{[{%].*?[}%]\}")
_MARK_ANYWHERE_RE = re.compile(r"\{#-tk:([prc]):(\d+)#\}")
_COMMENT_MARK_RE = re.compile(r"^<!--tk:([prc]):(\d+)-->")
_RENDERED_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
# Word refuses a cell without a paragraph and a row without a cell.
_EMPTY_CONTAINER_MARKS = (
    b"</w:tcPr></w:tc>",
    b"<w:tc></w:tc>",
    b"<w:tc/>",
    b"</w:trPr></w:tr>",
    b"<w:tr></w:tr>",
    b"<w:tr/>",
)
_FIRST_EMPTY_CONTAINER = etree.XPath(
    "(//w:tc[not(.//w:p)] | //w:tr[not(.//w:tc)])[1]", namespaces={"w": ooxml.W_NS}
)


@dataclass
class PreparedPart:
    name: str
    root: etree._Element  # the part after step 2: what the source is made from
    source: str  # the Jinja source
    invisible: dict[int, str] = field(default_factory=dict)  # paragraph -> characters dropped


def prepare_part(name: str, data: bytes, template: str) -> PreparedPart:
    """The Jinja source of one part of template `template` (see the module docstring)."""
    try:
        root = ooxml.parse_xml(data, part=name)
    except ReturnError:
        raise TemplateError(
            f"模板 {template} 的{places.part_label(name)}（{name}）已损坏，无法读取。",
            hint="在 Word、WPS 或 LibreOffice 中打开模板，另存为新的 .docx 后再试。",
        ) from None
    invisible = _normalise_tags(root)
    xml = _DECLARATION + etree.tostring(root, encoding="unicode")
    source = _docxtpl().patch_xml(_marked(xml, root))
    source = _PREPARED_TAG_RE.sub(lambda m: html.unescape(m.group(0)), source)
    return PreparedPart(name, root, source, invisible)


def _normalise_tags(root: etree._Element) -> dict[int, str]:
    """Quotes, spaces and invisible characters inside tags, as Jinja needs them."""
    dropped: dict[int, str] = {}
    for i, p in enumerate(root.iter(P)):
        texts = [t for t in p.iter(T) if nearest(t, P) is p]
        text = "".join(t.text or "" for t in texts)
        if "{" not in text or not _ODD_RE.search(text):
            continue
        chars: list[str] = list(text)
        for m in TAG_SPAN_RE.finditer(text):
            for k in range(m.start(), m.end()):
                if chars[k] in _IN_TAG:
                    if chars[k] in INVISIBLE:
                        dropped[i] = dropped.get(i, "") + chars[k]
                    chars[k] = _IN_TAG[chars[k]]
        at = 0
        for t in texts:
            old = t.text or ""
            new = "".join(chars[at : at + len(old)])
            at += len(old)
            if new != old:
                t.text = new
                t.set(_XML_SPACE, "preserve")
    return dropped


def _marked(xml: str, root: etree._Element) -> str:
    """`xml` with a marker line before every paragraph, row and cell (see places.Marker)."""
    found = {"p": 0, "tr": 0, "tc": 0}

    def mark(m: re.Match[str]) -> str:
        kind = m.group(1)
        n = found[kind]
        found[kind] += 1
        return f"\n{{#-tk:{kind[-1]}:{n}#}}{m.group(0)}"

    marked = _OPEN_RE.sub(mark, xml)
    counts = {k: sum(1 for _ in root.iter(tag)) for k, tag in (("p", P), ("tr", TR), ("tc", TC))}
    # Not the usual `w:` prefix (or markup inside a comment): no places, the same template.
    return marked if found == counts else xml


def marker_at(source: str | list[str], lineno: int | None) -> places.Marker | None:
    """The marker of the paragraph, row or cell a line of `source` (or its lines) belongs to."""
    lines = source.split("\n") if isinstance(source, str) else source
    for line in reversed(lines[: min(lineno or 0, len(lines))]):
        m = MARK_RE.match(line)
        if m:
            return m.group(1), int(m.group(2))
    return None


# ---------------------------------------------------------------- messages

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
    (r"^unexpected char '(.)'", "标签中有无法识别的字符{char}"),
    (r"^unexpected '([}%])'", "标签的括号不配对，如 {{{{ … }} 少了一个 }}"),
    (r"^expected token '([^']+)', got '([^']*)'", "标签写法有误：在“{1}”处出错"),
)


_ODD_CHAR_CAUSE = "（常见原因：中文标点、全角符号，或从网页、聊天软件复制来的字符）"


def describe_char(c: str) -> str:
    """A character as a maintainer can recognise it, e.g. "“＆”（U+FF06）"."""
    name = INVISIBLE.get(c)
    shown = f"看不见的{name}" if name else f"“{c}”"
    return f"{shown}（U+{ord(c):04X}）"


def syntax_message(exc: jinja2.TemplateSyntaxError) -> str:
    """Jinja's syntax error in Chinese, without its offsets into the source."""
    raw = re.sub(r" at \d+$", "", exc.message or "")
    for pattern, chinese in _SYNTAX_MESSAGES:
        m = re.match(pattern, raw, re.I)
        if m:
            if pattern.startswith("^unexpected char"):
                return chinese.format(char=describe_char(m.group(1))) + _ODD_CHAR_CAUSE
            return chinese.format(*m.groups())
    return f"标签语法错误（{raw}）"


def render_message(exc: BaseException) -> str:
    """A render error in Chinese: what was missing or not allowed."""
    if isinstance(exc, jinja2.UndefinedError):
        m = re.match(r"'(\w+) object' has no attribute '([^']+)'", exc.message or "")
        if m and m.group(1) == "dict":
            key = m.group(2)
            return (
                f"取不到“{key}”：数据中没有这一项。若它是登记表「项目」中的列（row.extra['{key}']），"
                f"请在登记表中加上这一列；若只有部分行有值，写成 row.extra.get('{key}', '')"
            )
        if m:
            return f"“{m.group(2)}”不存在"
        m = re.match(r"'([^']+)' is undefined", exc.message or "")
        return f"变量“{m.group(1)}”不存在" if m else f"变量不存在（{exc.message}）"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return (
            f"模板试图执行不允许的操作（{exc}），已被阻止：模板只能读取变量，不能访问文件或调用程序"
        )
    return f"{type(exc).__name__}: {exc}"


def template_lineno(exc: BaseException) -> int | None:
    """The line of the Jinja source a render error was raised at."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# ---------------------------------------------------------------- checking output


def well_formed(data: bytes, *, removes_paragraphs: bool = True) -> bool:
    """Whether a rendered part is XML Word opens: well-formed (expat: the fastest full
    parse) and, where the template can remove paragraphs or cells (`{%p`, `{%tc`), with no
    cell left without a paragraph nor row without a cell (as rendering leaves them)."""
    if removes_paragraphs and any(mark in data for mark in _EMPTY_CONTAINER_MARKS):
        return False
    try:
        pyexpat.ParserCreate().Parse(data, True)
    except pyexpat.ExpatError:
        return False
    return True


def broken_marker(
    env: jinja2.Environment, source: str, context: dict[str, Any]
) -> places.Marker | None:
    """Where a part renders to broken XML: rendered once more with each marker turned into
    an XML comment that survives rendering, on a line of its own."""
    visible = _MARK_ANYWHERE_RE.sub(r"<!--tk:\1:\2-->", source)
    try:
        xml = env.from_string(visible).render(context)
        root = etree.fromstring(xml.encode("utf-8"), _RENDERED_PARSER)
    except etree.XMLSyntaxError as exc:
        for line in reversed(xml.split("\n")[: exc.lineno or 0]):
            m = _COMMENT_MARK_RE.match(line)
            if m:
                return m.group(1), int(m.group(2))
        return None
    except Exception:  # only a place for the message is sought here
        return None
    empty = _FIRST_EMPTY_CONTAINER(root)
    mark = empty[0].xpath("preceding::comment()[starts-with(., 'tk:')][1]") if empty else []
    if not mark:
        return None
    kind, n = str(mark[0].text).split(":")[1:]
    return kind, int(n)


# ---------------------------------------------------------------- the template


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
        self.sources: dict[str, str] = {}
        self.templates: dict[str, jinja2.Template] = {}
        for info, data in self.entries:
            if RENDERED_PART_RE.match(info.filename):
                source, template = self._prepare(info.filename, data)
                self.sources[info.filename] = source
                self.templates[info.filename] = template
        # docxtpl has turned these tags into plain ones by now: look in the parts as typed.
        rendered = [data for info, data in self.entries if info.filename in self.templates]
        self._needs_table_fix = any(b"{%tc" in data for data in rendered)
        self._removes_paragraphs = self._needs_table_fix or any(b"{%p" in d for d in rendered)
        # Output zip entries, compressed once (see render_bytes).
        self._packed: dict[str, packing.Packed] | None = None
        self._registration: dict[str, bytes] | None = None
        self._last: dict[str, packing.Packed] = {}
        self._last_data: dict[str, bytes] = {}

    def _prepare(self, part: str, data: bytes) -> tuple[str, jinja2.Template]:
        """The part's Jinja source and compiled code, or both from the cache."""
        env = self.environment
        cached = template_cache.load(data)
        if cached is not None:
            source, code = cached
        else:
            source = prepare_part(part, data, self.name).source
            try:
                code = env.compile(source)
            except jinja2.TemplateSyntaxError as exc:
                where = self._where(part, marker_at(source, exc.lineno))
                raise TemplateError(
                    f"模板 {self.name} 的标签有语法错误：{syntax_message(exc)}{where}。",
                    hint=CHECK_HINT,
                ) from None
            template_cache.store(data, source, code)
        return source, env.template_class.from_code(env, code, env.make_globals(None))

    def render_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        """Every rendered part, each checked to be well-formed WordprocessingML."""
        parts: dict[str, bytes] = {}
        for part, template in self.templates.items():
            try:
                xml = template.render(context)
            except Exception as exc:  # any failure of a template is the template's
                where = self._where(part, marker_at(self.sources[part], template_lineno(exc)))
                raise TemplateError(
                    f"模板 {self.name} 渲染失败：{render_message(exc)}{where}。", hint=CHECK_HINT
                ) from None
            data = xml.encode("utf-8")
            self._check_rendered(part, data, context)
            if self._needs_table_fix:  # as docxtpl does: a {%tc %} loop changes the grid
                fixed = _docxtpl().fix_tables(data)
                data = etree.tostring(
                    fixed, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            parts[part] = data
        return parts

    def _check_rendered(self, part: str, data: bytes, context: dict[str, Any]) -> None:
        """Raise unless the rendered part is XML Word opens: never write a broken document."""
        if well_formed(data, removes_paragraphs=self._removes_paragraphs):
            return
        where = self._where(part, broken_marker(self.environment, self.sources[part], context))
        raise TemplateError(
            f"模板 {self.name} 按本次数据生成的{places.part_label(part)}不是有效的 Word 内容"
            f"{where}，没有写出文件。通常是 {{%tr %}}、{{%tc %}}、{{%p %}} 标签的位置不对，"
            "或 {% for %}/{% if %} 与其结束标签不在同一层（如一个在表格内、一个在表格外）。",
            hint=CHECK_HINT,
        )

    def _where(self, part: str, marker: places.Marker | None) -> str:
        """ "，位置：第1个表格第4行第2列，附近文字“…”" (just the part when the place is unknown)."""
        if marker is None:
            return f"，位置：{places.part_label(part)}"
        data = next(d for info, d in self.entries if info.filename == part)
        root = ooxml.parse_xml(data, part=part)
        place = places.locations(part, root).get(marker, places.part_label(part))
        element = places.element_at(root, marker)
        snippet = places.text_of(element).strip()[:40] if element is not None else ""
        return f"，位置：{place}" + (f"，附近文字“{snippet}”" if snippet else "")

    def render_bytes_to(
        self,
        target: Path,
        context: dict[str, Any],
        *,
        properties: dict[str, str] | None = None,
        pictures: list[Picture] | None = None,
    ) -> None:
        """Render and write atomically; `properties` become custom document properties."""
        data = self.render_bytes(context, properties=properties, pictures=pictures)
        ooxml.write_bytes_atomic(target, data)

    def render_bytes(
        self,
        context: dict[str, Any],
        *,
        properties: dict[str, str] | None = None,
        adjust: Callable[[dict[str, bytes]], None] | None = None,
        pictures: list[Picture] | None = None,
    ) -> bytes:
        """The rendered .docx as bytes: what `render_bytes_to` writes.

        `adjust` may change the rendered parts (name -> XML) before they are
        packed; `pictures` are the images the context shows (toolkit.office.docx_picture).
        The entries no render changes are compressed once per template, not
        once per form; the zip is what zipfile would write entry for entry.
        """
        parts = self.render_parts(context)
        if adjust is not None:
            adjust(parts)
        if properties is not None:
            parts[ooxml.CUSTOM_PART] = ooxml.custom_properties_xml(properties)
            parts.update(self._custom_registration())
        if pictures:
            add_pictures(parts, {i.filename: d for i, d in self.entries}, pictures)
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
