"""A picture placed in a rendered Word document: the run that shows it, and its parts.

A template writes `{{ chart }}` where the picture goes; the value is a
`Picture`, whose markup closes the text run it stands in, adds a run
holding an inline drawing and opens a new text run (as docxtpl's
InlineImage does). The image itself becomes `word/media/<name>`, related
to the body under a relationship id of its own, with its content type
registered: `add_pictures` does that to the rendered package's parts.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from lxml import etree

from toolkit.office.ooxml import CT_NS, REL_NS

IMAGE_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
EMU_PER_CM = 360000
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Picture:
    """A PNG image shown `width_cm` wide (its height follows its proportions)."""

    data: bytes
    name: str  # file name inside the package, `chart1.png`
    description: str  # alternative text: what the picture shows, for screen readers and search
    width_cm: float
    number: int = 1  # distinct per picture of one document

    @property
    def rel_id(self) -> str:
        return f"rIdTkPicture{self.number}"

    @property
    def part(self) -> str:
        return f"word/media/{self.name}"

    def size_emu(self) -> tuple[int, int]:
        width, height = png_size(self.data)
        cx = round(self.width_cm * EMU_PER_CM)
        return cx, round(cx * height / max(width, 1))

    def __html__(self) -> str:
        """The markup that stands for `{{ picture }}` inside a text run."""
        cx, cy = self.size_emu()
        drawing = (
            f'<w:drawing xmlns:wp="{_WP}" xmlns:a="{_A}" xmlns:pic="{_PIC}" xmlns:r="{_R}">'
            '<wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{900 + self.number}" name="{escape(self.name)}" '
            f'descr="{escape(self.description)}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            f'<a:graphic><a:graphicData uri="{_PIC}"><pic:pic>'
            f'<pic:nvPicPr><pic:cNvPr id="{self.number}" name="{escape(self.name)}" '
            f'descr="{escape(self.description)}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{self.rel_id}"/><a:stretch><a:fillRect/></a:stretch>'
            "</pic:blipFill>"
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>"
        )
        return f'</w:t></w:r><w:r>{drawing}</w:r><w:r><w:t xml:space="preserve">'


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def blank_png(width: int, height: int) -> bytes:
    """A white PNG of `width` × `height` pixels: a placeholder where no picture can be drawn."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress((b"\x00" + b"\xff" * width) * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def add_pictures(
    parts: dict[str, bytes], originals: dict[str, bytes], pictures: Sequence[Picture]
) -> None:
    """Add the pictures' images to a rendered package's `parts` (name -> bytes), with their
    relationships and content type; `originals` holds the parts the render left as they were."""
    if not pictures:
        return
    rels = etree.fromstring(parts.get(DOCUMENT_RELS) or originals[DOCUMENT_RELS])
    taken = {r.get("Id") for r in rels}
    for picture in pictures:
        if picture.rel_id not in taken:
            etree.SubElement(
                rels,
                f"{{{REL_NS}}}Relationship",
                Id=picture.rel_id,
                Type=IMAGE_REL_TYPE,
                Target=picture.part.removeprefix("word/"),
            )
        parts[picture.part] = picture.data
    parts[DOCUMENT_RELS] = _dump(rels)
    types = etree.fromstring(parts.get(CONTENT_TYPES) or originals[CONTENT_TYPES])
    if not any(
        (d.get("Extension") or "").lower() == "png" for d in types.iter(f"{{{CT_NS}}}Default")
    ):
        etree.SubElement(types, f"{{{CT_NS}}}Default", Extension="png", ContentType="image/png")
    parts[CONTENT_TYPES] = _dump(types)


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
