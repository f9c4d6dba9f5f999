"""Hidden and struck-through text that a run takes from styles, not from its own w:rPr.

A run is hidden (w:vanish) or struck (w:strike, w:dstrike) by its direct
formatting, else by its character style (w:rStyle), else by its paragraph's
style, each followed along w:basedOn, else by w:docDefaults. The nearest level
that sets a property decides, as LibreOffice renders it; Word's rule that a
property set in two style levels toggles back off is not followed, so a
paragraph style and a character style that both hide a run hide it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from toolkit.office.ooxml import W_NS

El = etree._Element
_W = f"{{{W_NS}}}"
VANISH, STRIKE, DSTRIKE = _W + "vanish", _W + "strike", _W + "dstrike"
_PROPS = (VANISH, STRIKE, DSTRIKE)
_VAL = _W + "val"
_MAX_CHAIN = 20  # w:basedOn steps followed; guards against cycles


def toggle(el: El | None) -> bool | None:
    """A toggle property as written: None when absent, else on or off (`w:val="0"`)."""
    if el is None:
        return None
    return el.get(_VAL, "true").lower() not in ("0", "false", "off")


def may_matter(styles_xml: bytes) -> bool:
    """Whether a styles part can hide or strike anything: a byte test, before parsing it."""
    return b"vanish" in styles_xml or b"strike" in styles_xml


@dataclass(frozen=True)
class Look:
    hidden: bool = False
    struck: bool = False


PLAIN = Look()


class RunStyles:
    """The hidden/struck state each paragraph and character style gives its runs."""

    def __init__(self, styles: El | None) -> None:
        by_id: dict[str | None, El] = {}
        default_paragraph = None
        for style in () if styles is None else styles.iterfind(_W + "style"):
            sid = style.get(_W + "styleId")
            by_id[sid] = style
            is_default = style.get(_W + "default") in ("1", "true", "on")
            if is_default and style.get(_W + "type") == "paragraph":
                default_paragraph = default_paragraph or sid
        self._by_id = by_id
        self.default_paragraph = default_paragraph
        rpr = None if styles is None else styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self._defaults = {p: toggle(rpr.find(p)) if rpr is not None else None for p in _PROPS}
        self._chains: dict[str | None, dict[str, bool | None]] = {}
        # Styles that hide or strike: runs using them are read one by one.
        self.special = {sid for sid in by_id if sid is not None and any(self._chain(sid).values())}
        self.everywhere = any(self._defaults.values()) or default_paragraph in self.special

    def _chain(self, style_id: str | None) -> dict[str, bool | None]:
        """Each property as the nearest style of the w:basedOn chain sets it (None: none does)."""
        if style_id in self._chains:
            return self._chains[style_id]
        found: dict[str, bool | None] = dict.fromkeys(_PROPS)
        current, seen = style_id, 0
        while current in self._by_id and seen < _MAX_CHAIN:
            style = self._by_id[current]
            rpr = style.find(_W + "rPr")
            for prop in _PROPS:
                if found[prop] is None and rpr is not None:
                    found[prop] = toggle(rpr.find(prop))
            based = style.find(_W + "basedOn")
            current = None if based is None else based.get(_VAL)
            seen += 1
        self._chains[style_id] = found
        return found

    def look(self, rpr: El | None, paragraph_style: str | None) -> Look:
        """How a run with these direct properties shows in a paragraph of this style."""
        char_style = None
        direct: dict[str, bool | None] = dict.fromkeys(_PROPS)
        if rpr is not None:
            for child in rpr:
                if child.tag in direct and direct[child.tag] is None:
                    direct[child.tag] = toggle(child)
                elif child.tag == _W + "rStyle":
                    char_style = child.get(_VAL)
        levels = (
            direct,
            self._chain(char_style) if char_style else None,
            self._chain(paragraph_style or self.default_paragraph),
            self._defaults,
        )

        def resolved(prop: str) -> bool:
            for level in levels:
                if level is not None and level[prop] is not None:
                    return bool(level[prop])
            return False

        return Look(resolved(VANISH), resolved(STRIKE) or resolved(DSTRIKE))
