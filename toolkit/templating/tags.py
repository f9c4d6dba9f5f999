"""The checks `toolkit template check` makes on what was typed in Word.

Each rule looks for one way a template edited in Word or WPS goes wrong:
autocorrected quotes and full-width braces, a tag with two formattings, a
`{%tr %}` tag that shares its row or closes its loop in another table, and,
for the form, the table the merge step reads back. Messages are for office
staff: they say what is wrong, where, and what to do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lxml import etree

from toolkit.templating.document import Para, Part, paragraph_snippet

ERROR, WARNING = "error", "warning"
LEVEL_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass
class Problem:
    code: str
    level: str  # "error" or "warning"
    message: str
    location: str = ""  # e.g. "第1个表格第4行第2列", "正文第3段"
    snippet: str = ""  # text around the place, to find it in Word

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
        }


# ---------------------------------------------------------------- tags

_TAG_RE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
# docxtpl's own spelling: the level letters right after the brace, then one space.
_LEVEL_RE = re.compile(r"^(\{%|\{\{|\{#)(tr|tc|p|r)\s")
_SPACED_LEVEL_RE = re.compile(
    r"^(\{%-?\s+(tr|tc|p)\s+(for|endfor|if|elif|else|endif)\b)|^(\{\{-?\s+r\s+[A-Za-z_])"
)
_OPENERS = {"for", "if", "with", "macro", "call", "filter", "raw", "autoescape"}


@dataclass
class Tag:
    para: Para
    start: int
    end: int
    text: str
    level: str  # "tr", "tc", "p", "r" or ""
    keyword: str  # first word of a {% %} tag ("for", "endfor", ...), "" otherwise

    def snippet(self) -> str:
        return paragraph_snippet(self.para, self.start, self.end)


def scan_tags(part: Part) -> list[Tag]:
    """Every well-formed tag of the part, in document order."""
    tags = []
    for para in part.paragraphs:
        for m in _TAG_RE.finditer(para.text):
            text = m.group(0)
            lm = _LEVEL_RE.match(text)
            level = lm.group(2) if lm else ""
            inner = text[2:-2].strip("-+ \t")
            if level:
                inner = inner[len(level) :].strip()
            keyword = inner.split(maxsplit=1)[0] if text.startswith("{%") and inner else ""
            if keyword == "set" and "=" not in inner:
                keyword = "set-block"
            tags.append(Tag(para, m.start(), m.end(), text, level, keyword))
    return tags


# ---------------------------------------------------------------- typing in Word

_FULLWIDTH_DELIM_RE = re.compile(r"[{｛][{｛%％#＃]|[}｝%％#＃][}｝]")
_FULLWIDTH_CODE = re.compile(r"[\uff01-\uff5e、。【】「」『』《》〈〉]")
_SMART = {"“": '"', "”": '"', "‘": "'", "’": "'"}
_STRING_RE = re.compile(r"'[^']*'|\"[^\"]*\"")


def typing_rules(part: Part, tags: list[Tag]) -> list[Problem]:
    out: list[Problem] = []
    for para in part.paragraphs:
        found = [
            m
            for m in _FULLWIDTH_DELIM_RE.finditer(para.text)
            if any(unicodedata.east_asian_width(c) == "F" for c in m.group(0))
        ]
        if found:
            shown = "、".join(dict.fromkeys(f"“{m.group(0)}”" for m in found))
            out.append(
                Problem(
                    "fullwidth_tag",
                    ERROR,
                    f"标签的括号或百分号是全角字符：{shown}。标签必须用半角（英文）的 {{{{ }}}}、"
                    "{% %}，请切换到英文输入法重新输入。",
                    para.location,
                    paragraph_snippet(para, found[0].start(), found[-1].end()),
                )
            )
    out += _unterminated(part, tags)
    for tag in tags:
        spaced = _SPACED_LEVEL_RE.match(tag.text)
        if spaced:
            letters = spaced.group(2) or "r"
            brace = "{%" if spaced.group(1) else "{{"
            out.append(
                Problem(
                    "special_tag_space",
                    ERROR,
                    f"标签“{tag.text}”中，{brace} 与 {letters} 之间不能有空格，"
                    f"应写作“{brace}{letters} …”。",
                    tag.para.location,
                    tag.snippet(),
                )
            )
        code = tag.text
        for smart, plain in _SMART.items():
            code = code.replace(smart, plain)
        wide = sorted(set(_FULLWIDTH_CODE.findall(_STRING_RE.sub("", code))))
        if wide:
            fixes = "、".join(f"“{c}”应为“{unicodedata.normalize('NFKC', c)}”" for c in wide)
            out.append(
                Problem(
                    "fullwidth_in_tag",
                    ERROR,
                    f"标签“{tag.text}”中有全角标点：{fixes}。标签内（引号里的列名除外）只能用半角字符。",
                    tag.para.location,
                    tag.snippet(),
                )
            )
        if any(c in tag.text for c in _SMART):
            out.append(
                Problem(
                    "smart_quotes",
                    WARNING,
                    f"标签“{tag.text}”中有中文引号（“ ” ‘ ’）。本程序会按英文引号处理，"
                    "但建议关闭 Word 的“自动更正”后改为英文引号 ' 或 \"。",
                    tag.para.location,
                    tag.snippet(),
                )
            )
        out.extend(_split_tag(tag))
    return out


def _unterminated(part: Part, tags: list[Tag]) -> list[Problem]:
    """A `{{`/`{%` without its closing braces, or a closing `}}`/`%}` without its opening."""
    out = []
    for para in part.paragraphs:
        spans = [(t.start, t.end) for t in tags if t.para is para]
        for m in re.finditer(r"\{[{%#]|[}%#]\}", para.text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            opening = m.group(0).startswith("{")
            closer = {"{{": "}}", "{%": "%}", "{#": "#}"}.get(m.group(0), "")
            out.append(
                Problem(
                    "unterminated_tag",
                    ERROR,
                    f"这里的“{m.group(0)}”没有对应的“{closer}”：标签要在同一段内写完整。"
                    if opening
                    else f"这里的“{m.group(0)}”前面缺少标签的开头（如 {{{{ 或 {{%）。",
                    para.location,
                    paragraph_snippet(para, m.start(), m.end()),
                )
            )
            break  # one per paragraph: the rest usually follows from it
    return out


def _split_tag(tag: Tag) -> list[Problem]:
    runs = [r for r in tag.para.runs if r.start < tag.end and r.end > tag.start]
    if len({id(r.parent) for r in runs}) > 1:
        return [
            Problem(
                "split_tag",
                ERROR,
                f"标签“{tag.text}”的一部分在超链接、修订标记、内容控件或域中，渲染后文档会损坏。"
                "请删除整个标签（先接受或拒绝修订），再一次性重新输入。",
                tag.para.location,
                tag.snippet(),
            )
        ]
    if len({r.format for r in runs}) > 1:
        return [
            Problem(
                "split_tag",
                ERROR,
                f"标签“{tag.text}”前后部分的文字格式不同（如只有一部分加粗、换了字体或字号）。"
                "渲染时只保留开头部分的格式。请选中整个标签（从 { 到 }），统一设置格式，"
                "或删除后一次性重新输入。",
                tag.para.location,
                tag.snippet(),
            )
        ]
    return []


# ---------------------------------------------------------------- {%tr %}, {%tc %}, blocks


def container_text(part: Part, attr: str, element: etree._Element) -> str:
    return "".join(p.text for p in part.paragraphs if getattr(p, attr) is element)


def placement_rules(part: Part, tags: list[Tag]) -> list[Problem]:
    out: list[Problem] = []
    for tag in tags:
        para = tag.para
        if tag.level == "tr" and para.row is None:
            out.append(
                Problem(
                    "tr_outside_row",
                    ERROR,
                    f"“{tag.text}”只能放在表格的一行中（它代表整行）；这里不在表格里。"
                    "表格外请用不带 tr 的 {% for %}、{% if %}。",
                    para.location,
                    tag.snippet(),
                )
            )
        elif tag.level == "tc" and para.cell is None:
            out.append(
                Problem(
                    "tc_outside_cell",
                    ERROR,
                    f"“{tag.text}”只能放在表格的单元格中；这里不在表格里。",
                    para.location,
                    tag.snippet(),
                )
            )
        for level, attr, what in (
            ("tr", "row", "行"),
            ("tc", "cell", "单元格"),
            ("p", "element", "段"),
        ):
            element = getattr(para, attr) if level != "p" else para.element
            if tag.level != level or element is None:
                continue
            text = (container_text(part, attr, element) if level != "p" else para.text).replace(
                tag.text, "", 1
            )
            if text.strip():
                out.append(
                    Problem(
                        f"{level}_not_alone",
                        ERROR,
                        f"“{tag.text}”所在的{what}中还有其他内容“{text.strip()[:30]}”。"
                        f"渲染时整{what}会被这个标签替换，其他内容会丢失：请把它单独放在一{what}中。",
                        para.location,
                        tag.snippet(),
                    )
                )
    return out


def pair_blocks(part: Part, tags: list[Tag]) -> tuple[list[tuple[Tag, Tag]], list[Problem]]:
    """Match {% for %}/{% endfor %} etc. across the part; problems where they do not fit."""
    stack: list[Tag] = []
    pairs: list[tuple[Tag, Tag]] = []
    out: list[Problem] = []
    for tag in tags:
        kw = tag.keyword
        if kw in _OPENERS or kw == "set-block":
            stack.append(tag)
            continue
        if not kw.startswith("end"):
            continue
        name = kw[3:]
        if not stack or stack[-1].keyword.removesuffix("-block") != name:
            out.append(
                Problem(
                    "unmatched_end",
                    ERROR,
                    f"“{tag.text}”前面没有与之对应的“{_tag(tag.level, name)}”"
                    "（或中间的块没有正确结束）。",
                    tag.para.location,
                    tag.snippet(),
                )
            )
            continue
        opener = stack.pop()
        pairs.append((opener, tag))
        out.extend(_pair_problems(opener, tag))
    for opener in stack:
        out.append(
            Problem(
                "unclosed_block",
                ERROR,
                f"“{opener.text}”没有对应的结束标签"
                f"“{_tag(opener.level, 'end' + opener.keyword.removesuffix('-block'))}”。",
                opener.para.location,
                opener.snippet(),
            )
        )
    return pairs, out


def _tag(level: str, word: str) -> str:
    return "{%" + (f"{level} " if level else " ") + word + " %}"


def _pair_problems(opener: Tag, closer: Tag) -> list[Problem]:
    a, b = opener.para, closer.para
    where = f"“{opener.text}”（{a.location}）与“{closer.text}”（{b.location}）"
    if opener.level != closer.level and "tr" in (opener.level, closer.level):
        return [
            Problem(
                "block_level_mismatch",
                ERROR,
                f"{where}写法不配对：表格行循环的开始和结束都要写 tr，"
                "如 {%tr for row in rows %} … {%tr endfor %}。",
                b.location,
                closer.snippet(),
            )
        ]
    if opener.level == "tr" and a.table is not b.table:
        return [
            Problem(
                "tr_across_tables",
                ERROR,
                f"{where}不在同一个表格中：表格行循环必须在同一个表格内开始和结束。"
                "若表格被拆成了两个，请合并表格或把结束行移回原表格。",
                b.location,
                closer.snippet(),
            )
        ]
    if opener.level == "tc" and a.row is not b.row:
        return [
            Problem(
                "tc_across_rows",
                ERROR,
                f"{where}不在表格的同一行中：单元格循环必须在同一行内开始和结束。",
                b.location,
                closer.snippet(),
            )
        ]
    if opener.level in ("", "p") and a.table is not b.table:
        return [
            Problem(
                "block_across_tables",
                ERROR,
                f"{where}一个在表格内、一个在表格外（或在不同表格中），渲染后文档会损坏。"
                "跨表格行的循环请用 {%tr for %} … {%tr endfor %}。",
                b.location,
                closer.snippet(),
            )
        ]
    return []
