"""The checks `toolkit template check` makes on what was typed in the editor.

Each rule looks for one way a template edited in Word, WPS or LibreOffice
goes wrong: full-width braces, a tag whose parts are formatted differently
in a way that shows in the output, a `{%tr %}` tag that shares its row or
closes its loop in another table. What the renderer puts right by itself
(curly quotes, no-break spaces, entities, CJK font attributes Word and
LibreOffice add to Chinese text) is not a problem. Messages are for office
staff: they say what is wrong and where; toolkit.templating.fixes says how
to fix it in each editor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lxml import etree

from toolkit.forms.rendering import describe_char
from toolkit.templating import fixes
from toolkit.templating.document import RPR, Para, Part, Run, paragraph_snippet
from toolkit.templating.report import ERROR, WARNING, Problem

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
        if para.invisible:
            names = "、".join(dict.fromkeys(describe_char(c) for c in para.invisible))
            out.append(
                Problem(
                    "invisible_in_tag",
                    WARNING,
                    f"这一段的标签中有{names}，生成时已忽略，不影响结果。"
                    "它们通常是从网页或聊天软件复制标签时带进来的。",
                    para.location,
                    paragraph_snippet(para),
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
        wide = sorted(set(_FULLWIDTH_CODE.findall(_STRING_RE.sub("", tag.text))))
        if wide:
            corrections = "、".join(f"“{c}”应为“{unicodedata.normalize('NFKC', c)}”" for c in wide)
            out.append(
                Problem(
                    "fullwidth_in_tag",
                    ERROR,
                    f"标签“{tag.text}”中有全角标点：{corrections}。标签内（引号里的列名除外）只能用半角字符。",
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
    """A tag over several runs, where joining them (as docxtpl does) changes the output.

    docxtpl moves the whole tag into its first run: the value, and any text
    after the tag in its last run, take the first run's formatting. That
    matters only where a later run looks different; runs inside a hyperlink,
    revision, content control or field cannot be joined at all.
    """
    runs = [r for r in tag.para.runs if r.start < tag.end and r.end > tag.start]
    if len({id(r.parent) for r in runs}) > 1:
        return [
            Problem(
                "split_tag",
                ERROR,
                f"标签“{tag.text}”的一部分在超链接、修订标记、内容控件或域中，渲染后文档会损坏。",
                tag.para.location,
                tag.snippet(),
                fixes.ACCEPT_CHANGES,
            )
        ]
    first = _looks(runs[0]) if runs else {}
    for run in runs[1:]:
        piece = tag.para.text[max(run.start, tag.start) : run.end]
        differs = _differences(first, _looks(run), cjk=bool(_CJK_RE.search(piece)))
        if differs:
            head = tag.para.text[max(runs[0].start, tag.start) : runs[0].end]
            return [
                Problem(
                    "split_tag",
                    ERROR,
                    f"标签“{tag.text}”中“{piece.strip()}”与开头“{head.strip()}”的{differs}不同。"
                    "生成时整个标签按开头部分的格式填入，与模板中看到的不一样。",
                    tag.para.location,
                    tag.snippet(),
                    fixes.CLEAR_FORMAT,
                )
            ]
    return []


_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# What a run property looks like to the reader, by name; the rest do not show.
_SHOWN = {
    "rStyle": "字符样式",
    "rFonts": "字体",
    "b": "加粗",
    "i": "倾斜",
    "caps": "大小写",
    "smallCaps": "大小写",
    "strike": "删除线",
    "dstrike": "删除线",
    "outline": "空心",
    "shadow": "阴影",
    "emboss": "阳文",
    "imprint": "阴文",
    "vanish": "隐藏",
    "color": "颜色",
    "spacing": "字符间距",
    "w": "字符缩放",
    "position": "位置",
    "sz": "字号",
    "highlight": "突出显示",
    "u": "下划线",
    "effect": "文字效果",
    "bdr": "边框",
    "shd": "底纹",
    "vertAlign": "上标/下标",
    "em": "着重号",
}
# Font attributes Word, WPS and LibreOffice give Chinese text by themselves.
_CJK_ONLY = {"rFonts", "sz"}
_OFF = {"0", "false", "off", "none", "auto", "baseline"}


def _looks(run: Run) -> dict[str, str]:
    """A run's visible properties: property -> value."""
    rpr = run.element.find(RPR)
    out: dict[str, str] = {}
    for child in rpr if rpr is not None else ():
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name not in _SHOWN:
            continue
        attrs = {etree.QName(k).localname: v for k, v in child.attrib.items()}
        attrs.pop("hint", None)
        if name == "rFonts":
            # Only Chinese text shows the East Asian font, and Chinese text is not compared
            # by font; complex-script fonts show in no text a template has.
            for key in ("eastAsia", "eastAsiaTheme", "cs", "cstheme"):
                attrs.pop(key, None)
        if not attrs and name == "rFonts":
            continue
        if attrs.get("val", "").lower() in _OFF and len(attrs) == 1:
            continue  # <w:b w:val="0"/> is no bold, as if absent
        out[name] = repr(sorted(attrs.items()))
    return out


def _differences(first: dict[str, str], other: dict[str, str], *, cjk: bool) -> str:
    """The Chinese names of the visible properties two runs differ in ("" when alike).

    For a run of Chinese text, font and size do not count: editors set them by themselves.
    """
    names = sorted(
        k
        for k in first.keys() | other.keys()
        if first.get(k) != other.get(k) and not (cjk and k in _CJK_ONLY)
    )
    return "、".join(dict.fromkeys(_SHOWN[n] for n in names))


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
