"""Build minimal, valid .docx files from WordprocessingML snippets for tests.

Each test states its case as the XML Word, WPS or LibreOffice would write,
so the reader is tested against real packages, not against mocks.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from toolkit.office.ooxml import custom_properties_xml, with_custom_part

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
_DOC_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

HEADERS = [
    "序号",
    "项目名称",
    "年度目标",
    "本季度目标",
    "进展情况",
    "存在问题及下一步工作计划",
    "进度评价",
]


def _content_types(parts: list[str]) -> bytes:
    overrides = {
        "word/document.xml": _DOC_CT,
        "word/numbering.xml": "application/vnd.openxmlformats-officedocument."
        "wordprocessingml.numbering+xml",
        "word/styles.xml": "application/vnd.openxmlformats-officedocument."
        "wordprocessingml.styles+xml",
    }
    body = "".join(
        f'<Override PartName="/{p}" ContentType="{ct}"/>'
        for p, ct in overrides.items()
        if p in parts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{body}</Types>"
    ).encode()


def _rels(rels: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(rels, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}</Relationships>"
    ).encode()


def make_docx(
    path: Path,
    body: str,
    *,
    numbering: str | None = None,
    styles: str | None = None,
    custom: dict[str, str] | None = None,
) -> Path:
    """Write a .docx whose w:body holds `body`.

    `numbering` and `styles` are the inner XML of w:numbering and w:styles.
    """
    parts: dict[str, bytes] = {
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:document {_NS}><w:body>{body}<w:sectPr/></w:body></w:document>".encode()
    }
    doc_rels = []
    if numbering is not None:
        parts["word/numbering.xml"] = f"<w:numbering {_NS}>{numbering}</w:numbering>".encode()
        doc_rels.append(("numbering", "numbering.xml"))
    if styles is not None:
        parts["word/styles.xml"] = f"<w:styles {_NS}>{styles}</w:styles>".encode()
        doc_rels.append(("styles", "styles.xml"))
    content_types = _content_types(list(parts))
    package_rels = _rels([("officeDocument", "word/document.xml")])
    if custom is not None:
        content_types, package_rels = with_custom_part(content_types, package_rels)
        parts["docProps/custom.xml"] = custom_properties_xml(custom)
    parts["word/_rels/document.xml.rels"] = _rels(doc_rels)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", package_rels)
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


# ---------------------------------------------------------------- snippets


def run(text: str, rpr: str = "") -> str:
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*content: str, ppr: str = "") -> str:
    """A paragraph; plain strings become runs, strings starting with `<` are raw XML."""
    inner = "".join(c if c.startswith("<") else run(c) for c in content)
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{inner}</w:p>"


def cell(*content: str, tcpr: str = "") -> str:
    """A cell; each plain string is one paragraph, raw XML (`<w:p>`, `<w:tbl>`) kept."""
    inner = "".join(c if c.startswith("<") else para(c) for c in content) or "<w:p/>"
    return f"<w:tc>{f'<w:tcPr>{tcpr}</w:tcPr>' if tcpr else ''}{inner}</w:tc>"


def row(*cells: str, trpr: str = "") -> str:
    """A row; plain strings become one-paragraph cells."""
    inner = "".join(c if c.startswith("<") else cell(c) for c in cells)
    return f"<w:tr>{f'<w:trPr>{trpr}</w:trPr>' if trpr else ''}{inner}</w:tr>"


def table(*rows: str | list[str], grid: int | None = None) -> str:
    """A table; a list is a row of plain cell texts. `grid` defaults to the first row's width."""
    xml_rows = [r if isinstance(r, str) else row(*r) for r in rows]
    width = grid if grid is not None else len(rows[0]) if isinstance(rows[0], list) else 0
    cols = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{cols}</w:tblGrid>{''.join(xml_rows)}</w:tbl>"


def project_table(*data: list[str], headers: list[str] = HEADERS) -> str:
    return table(list(headers), *data)
