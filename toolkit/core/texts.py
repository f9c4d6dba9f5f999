"""Comparing what units type: how alike two texts are, and what changed between them.

Used by the copied-text check (a quarter's text against the one before)
and by the desk's view of a unit's successive uploads. Texts are compared
as a reader would: item markers (`1.` `1、` `（1）` `①`), spaces, line
breaks, punctuation and full-width forms do not count; characters, words
and numbers do.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# An item marker at the start of a line: `1.` `1、` `1)` `（1）` `①`.
_MARKER_RE = re.compile(r"(?m)^[ \t]*(?:\d{1,2}[.、,，)）:：](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])")
# Everything that is neither a letter (any script) nor a digit.
_NOT_WORD_RE = re.compile(r"[\W_]+")


def comparable(text: str) -> str:
    """The text as it is compared: NFKC, no item markers, no spaces or punctuation, lower case."""
    text = unicodedata.normalize("NFKC", text)
    return _NOT_WORD_RE.sub("", _MARKER_RE.sub("", text)).lower()


def similarity(a: str, b: str) -> float:
    """0.0 (nothing alike) to 1.0 (the same once normalised), on pairs of adjacent characters.

    2 x the pairs both texts have / the pairs of each, added (Dice's
    coefficient over the distinct character pairs of the comparable texts).
    Moving an item or a clause keeps its pairs; each character replaced
    loses up to two: in a 100-character text 7 replaced characters leave it
    about 0.86 alike, 8 about 0.84.
    """
    return comparable_similarity(comparable(a), comparable(b))


def comparable_similarity(ca: str, cb: str) -> float:
    """`similarity` of two texts already made `comparable`."""
    if ca == cb:
        return 1.0
    pa, pb = _pairs(ca), _pairs(cb)
    total = len(pa) + len(pb)
    return 2 * len(pa & pb) / total if total else 0.0


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def mentions(said: str, subject: str, share: float = 0.5) -> bool:
    """Whether a text speaks of `subject` (`竣工验收`): `share` of the subject's character
    pairs occur in it. `said` is the text made `comparable` (once for many subjects)."""
    pairs = _pairs(comparable(subject))
    return bool(pairs) and sum(p in said for p in pairs) >= share * len(pairs)


# `截至9月底`: the date a report is made up to changes every quarter by itself.
_AS_OF_RE = re.compile(r"截至\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日|底|末)?")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


def new_numbers(now: str, before: str) -> list[str]:
    """Numbers `now` has that `before` had not (`80%` -> `100%`: a new fact), in order.

    The `截至…` date a report is made up to does not count.
    """

    def numbers(text: str) -> list[str]:
        text = _AS_OF_RE.sub("", unicodedata.normalize("NFKC", text))
        return _NUMBER_RE.findall(text)

    had = Counter(numbers(before))
    out = []
    for n in numbers(now):
        if had[n]:
            had[n] -= 1
        else:
            out.append(n)
    return out


SAME, DELETED, INSERTED = "same", "deleted", "inserted"


@dataclass(frozen=True)
class Segment:
    kind: str  # same / deleted / inserted
    text: str


def diff(before: str, after: str) -> list[Segment]:
    """`before` turned into `after`, character by character, as kept, deleted and inserted runs.

    Runs of one kept character between two changes are folded into the
    change: `已完成80%` -> `已完成90%` reads as one replaced number, not a
    patchwork.
    """
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out: list[Segment] = []
    opcodes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            short = i2 - i1 == 1 and 0 < n < len(opcodes) - 1
            if not short:
                out.append(Segment(SAME, before[i1:i2]))
                continue
            _add(out, DELETED, before[i1:i2])
            _add(out, INSERTED, after[j1:j2])
            continue
        if tag in ("replace", "delete"):
            _add(out, DELETED, before[i1:i2])
        if tag in ("replace", "insert"):
            _add(out, INSERTED, after[j1:j2])
    return _grouped(out)


def _add(out: list[Segment], kind: str, text: str) -> None:
    if text:
        out.append(Segment(kind, text))


def _grouped(segments: list[Segment]) -> list[Segment]:
    """Between two kept runs, all deletions first, then all insertions, each as one run."""
    out: list[Segment] = []
    pending: dict[str, list[str]] = {DELETED: [], INSERTED: []}

    def flush() -> None:
        for kind in (DELETED, INSERTED):
            if pending[kind]:
                out.append(Segment(kind, "".join(pending[kind])))
                pending[kind] = []

    for s in segments:
        if s.kind == SAME:
            flush()
            out.append(s)
        else:
            pending[s.kind].append(s.text)
    flush()
    return out
