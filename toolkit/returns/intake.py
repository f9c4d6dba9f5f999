"""Taking in returns: convert legacy formats, read, recognise, identify.

Which files are taken in is decided by toolkit.returns.survey. A file read
here may still turn out not to be a return: one of the toolkit's own
outputs, or a form as `generate` wrote it with nothing filled in.

A return is identified by its own text first — the `填报单位：` line, then
the units leading the rows found — and then by the custom document
properties the form was generated with and the file name. When these
disagree, the choice is kept and the disagreement reported (`conflicts`).
Content-control tags are never used: LibreOffice drops them.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from toolkit.core import parallel
from toolkit.core.period import Period
from toolkit.errors import ReturnError
from toolkit.forms.identity import PROP_QUARTER, PROP_UNIT, PROP_YEAR
from toolkit.office import libreoffice
from toolkit.office.ooxml import sniff
from toolkit.office.scratch import scratch_folder
from toolkit.register.model import Register
from toolkit.returns.reader import ReturnedForm, has_encryption_info, read_return
from toolkit.returns.survey import (
    BLANK_FORM,
    LEGACY_SUFFIXES,
    OWN_OUTPUT,
    OWN_OUTPUT_REASON,
    Skipped,
    is_blank_form,
    output_kind,
    unmarked_toolkit_file,
)


@dataclass
class Intake:
    """One file as taken in: read (form) or not (error), who sent it, or why it is no return."""

    path: Path
    form: ReturnedForm | None = None
    error: str | None = None
    unit: str | None = None
    period: Period | None = None
    identified_by: str = ""  # 文档属性 / 填报单位 / 文件名 / 项目行
    skipped: Skipped | None = None  # the toolkit's own output, or a blank form
    conflicts: list[str] = field(default_factory=list)  # identity evidence that disagrees
    removed_links: list[str] = field(default_factory=list)  # removed before conversion

    def moved(self, path: Path) -> Intake:
        """The same file, as read, under the name it was moved to."""
        form = replace(self.form, path=path) if self.form is not None else None
        return replace(self, path=path, form=form)


def _needs_conversion(path: Path) -> bool:
    if not path.is_file():  # a folder named x.docx, a dangling link: read_return says why
        return False
    if path.suffix.lower() in LEGACY_SUFFIXES:
        return True
    # A legacy .doc renamed .docx: convertible, unless it is an encrypted OOXML.
    try:
        return sniff(path) == "ole" and not has_encryption_info(path)
    except OSError:
        return False  # unreadable: read_return reports it


@dataclass
class Conversion:
    """The legacy files of a batch: .docx copies, why some have none, links removed."""

    docx_of: dict[Path, Path] = field(default_factory=dict)
    errors: dict[Path, str] = field(default_factory=dict)
    removed_links: dict[Path, list[str]] = field(default_factory=dict)


@contextlib.contextmanager
def converted(files: list[Path]) -> Iterator[Conversion]:
    """Convert legacy files to .docx in one LibreOffice run (temporary copies)."""
    legacy = [f for f in files if _needs_conversion(f)]
    result = Conversion()
    if not legacy:
        yield result
        return
    if libreoffice.find_soffice() is None:
        for f in legacy:
            result.errors[f] = (
                f"{f.suffix or '该'}格式需要 LibreOffice 才能读取，本机未安装："
                "请让报送单位在 Word/WPS 中另存为 .docx 后重新报送，或安装 LibreOffice。"
            )
        yield result
        return
    with scratch_folder("toolkit-convert-") as tmp:
        try:
            done = libreoffice.convert(legacy, "docx", tmp)
        except libreoffice.LibreOfficeError as exc:
            done = libreoffice.Converted()
            for f in legacy:
                result.errors[f] = str(exc)
        result.docx_of, result.removed_links = dict(done), done.removed_links
        for f in legacy:
            if f not in done and f not in result.errors:
                result.errors[f] = done.refused.get(f) or (
                    "LibreOffice 无法转换此文件（可能已损坏或设置了密码），请另存为 .docx 后重新报送。"
                )
        yield result


def take_in(
    files: list[Path],
    register: Register,
    period: Period,
    *,
    jobs: int = 1,
    errors: dict[Path, str] | None = None,
    cache: ReadCache | None = None,
) -> Iterator[Intake]:
    """Read and identify each file, one at a time, in order.

    `errors`: files known not to open (a pipe named x.docx), with why; they
    are never opened. Legacy formats are converted first, all in one
    LibreOffice run. With `jobs` > 1 and enough files (toolkit.core.parallel),
    files are read on that many processes; the items come out the same and
    in the same order. Files in `cache`, unchanged since they were read, are
    not read again.
    """
    errors = errors or {}
    cached = {
        f: cache.get(f, register, period) for f in files if cache is not None and f not in errors
    }
    fresh = _read_all([f for f in files if cached.get(f) is None], register, period, jobs, errors)
    for f in files:
        item = cached.get(f) or next(fresh)
        if cache is not None and cached.get(f) is None and f not in errors:
            cache.put(item, register, period)
        yield item


def _read_all(
    files: list[Path], register: Register, period: Period, jobs: int, errors: dict[Path, str]
) -> Iterator[Intake]:
    with converted([f for f in files if f not in errors]) as conversion:
        errors = {**conversion.errors, **errors}
        work = [(f, conversion.docx_of.get(f, f), errors.get(f)) for f in files]
        if parallel.worth_it(len(work), jobs):
            # A few files per task: one file is too little work to ship between processes.
            size = max(1, min(8, len(work) // (jobs * 8)))
            batches = [work[i : i + size] for i in range(0, len(work), size)]
            with parallel.process_pool(jobs, _init_reader, (register, period)) as pool:
                items = (
                    item
                    for batch in parallel.ordered_map(
                        pool, _take_in_worker, batches, window=jobs * 4
                    )
                    for item in batch
                )
                for item in items:
                    item.removed_links = conversion.removed_links.get(item.path, [])
                    yield item
        else:
            for f, readable, error in work:
                item = take_one(f, readable, error, register, period)
                item.removed_links = conversion.removed_links.get(f, [])
                yield item


class ReadCache:
    """Files already taken in, kept while the file, the register and the period stay the same.

    The desk reads every return again on every change in the folder
    otherwise: a board view would re-read (and re-convert) them all.
    """

    MAX_ITEMS = 5_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[tuple[int, int, int], Register, Period, Intake]] = {}

    def get(self, path: Path, register: Register, period: Period) -> Intake | None:
        with self._lock:
            hit = self._items.get(_cache_key(path))
        if hit is None or hit[1] is not register or hit[2] != period:
            return None
        try:
            return hit[3] if hit[0] == _signature(path) else None
        except OSError:
            return None

    def put(self, item: Intake, register: Register, period: Period) -> None:
        try:
            signature = _signature(item.path)
        except OSError:
            return
        with self._lock:
            if len(self._items) >= self.MAX_ITEMS:
                self._items.clear()
            self._items[_cache_key(item.path)] = (signature, register, period, item)


def _cache_key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _signature(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size, st.st_ino


def take_one(
    f: Path, readable: Path, error: str | None, register: Register, period: Period
) -> Intake:
    """One file: `readable` is `f` or its converted copy; `error` why it cannot be read."""
    item = Intake(f)
    if error is not None:
        item.error = error
    elif kind := output_kind(readable):  # before reading: a city's 一览表 is large
        item.skipped = Skipped(f, OWN_OUTPUT, f"{OWN_OUTPUT_REASON}（{kind}）")
        return item
    else:
        try:
            item.form = read_return(readable, quarter=period.quarter)
            item.form.path = f  # findings name the file the unit sent
        except ReturnError as exc:
            item.error = exc.message
        except Exception as exc:
            # A reader bug on one odd file must not cost the other units
            # their merge: the file is reported, the run goes on.
            item.error = failure_message(exc, "读取")
    form = item.form
    leading = _leading_units(form, register) if form is not None else Counter()
    if form is not None and (toolkit_file := unmarked_toolkit_file(form, len(leading))):
        item.skipped = Skipped(f, *toolkit_file)
        return item
    identify(item, register, leading)
    if form is not None and is_blank_form(form):
        reason = "未填写的空白填报表（toolkit generate 生成，需填写的各栏都是空的）"
        item.skipped = Skipped(f, BLANK_FORM, reason, item.unit)
    return item


def failure_message(exc: Exception, doing: str) -> str:
    """What a finding says when the program, not the file, failed on one return."""
    return (
        f"{doing}此文件时程序出错（{type(exc).__name__}），未汇总：请把此文件发给"
        "维护人员；其他文件照常汇总。"
    )


# The register and period of a reading worker process, set once by _init_reader.
_reader: dict[str, Any] = {}


def _init_reader(register: Register, period: Period) -> None:
    _reader.update(register=register, period=period)


def _take_in_worker(jobs: list[tuple[Path, Path, str | None]]) -> list[Intake]:
    return [take_one(*job, _reader["register"], _reader["period"]) for job in jobs]


# ---------------------------------------------------------------- identification

_PERIOD_IN_NAME_RE = re.compile(r"(\d{4})\s*年?\s*(?:第\s*)?([一二三四1-4])\s*季度")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}
# Evidence of who sent a return, most trusted first: the document's own text, then metadata.
_LINE, _ROWS, _PROPS, _NAME = "填报单位", "项目行", "文档属性", "文件名"
_EVIDENCE_LABELS = {
    _LINE: "“填报单位”",
    _ROWS: "项目行的主办单位",
    _PROPS: "文档属性",
    _NAME: "文件名",
}
# How a unit found by each kind of evidence is described when all agree (the desk shows it).
_PLAIN_ORDER = (_PROPS, _LINE, _NAME, _ROWS)


def identify(item: Intake, register: Register, leading: Counter[str]) -> None:
    """Who sent the file and for which period; `leading`: rows per unit leading them alone."""
    units = register.unit_names()
    form = item.form
    evidence: dict[str, str | None] = {}
    if form is not None:
        evidence[_LINE] = unit_in_text(form.unit_line or "", units, register)
        evidence[_ROWS] = _clear_winner(leading)
        unit = register.directory.canonical(form.properties.get(PROP_UNIT, "").strip())
        evidence[_PROPS] = unit if unit in units else None
    evidence[_NAME] = unit_in_text(item.path.stem, units, register)
    found = {source: unit for source, unit in evidence.items() if unit}
    if found:
        source, item.unit = next(iter(found.items()))
        item.identified_by = next(s for s in _PLAIN_ORDER if found.get(s) == item.unit)
        if len(set(found.values())) > 1:
            said = "，".join(f"{_EVIDENCE_LABELS[s]}为{u}" for s, u in found.items())
            item.conflicts.append(
                f"填报单位的几处说法不一致：{said}；按{_basis(source)}认定为{item.unit}。"
                "如有误，请让报送单位改正后重新报送。"
            )
    item.period = _period(item, form)


def _basis(source: str) -> str:
    label = _EVIDENCE_LABELS[source]
    return f"文档正文（{label}）" if source in (_LINE, _ROWS) else label


def _period(item: Intake, form: ReturnedForm | None) -> Period | None:
    """The title's period over the properties', the file name's last; a disagreement noted."""
    titled = _valid(*form.period) if form is not None and form.period else None
    stated = None
    if form is not None:
        year, quarter = form.properties.get(PROP_YEAR, ""), form.properties.get(PROP_QUARTER, "")
        if year.isdigit() and quarter.isdigit():
            stated = _valid(int(year), int(quarter))
    if titled and stated and titled != stated:
        item.conflicts.append(
            f"报送期的两处说法不一致：文档属性为{stated.label}，标题为{titled.label}；"
            f"按文档正文（标题）认定为{titled.label}。"
        )
    if titled or stated:
        return titled or stated
    m = _PERIOD_IN_NAME_RE.search(item.path.stem)
    if not m:
        return None
    q = m.group(2)
    return _valid(int(m.group(1)), int(q) if q.isdigit() else _CN[q])


def _valid(year: int, quarter: int) -> Period | None:
    return Period(year, quarter) if 1 <= quarter <= 4 and 1900 < year < 3000 else None


def unit_in_text(text: str, units: list[str], register: Register) -> str | None:
    """The register's unit a text (a line, a file name) names, if any."""
    text = "".join(text.split())
    if not text:
        return None
    if register.directory.canonical(text) in units:
        return register.directory.canonical(text)
    # Longest name first: 民治街道 must not match inside 民治街道办事处's rival.
    names = sorted(
        [*units, *(a for u in register.directory.units for a in u.aliases)], key=len, reverse=True
    )
    for name in names:
        if name and name in text:
            canonical = register.directory.canonical(name)
            if canonical in units:
                return canonical
    return None


def _leading_units(form: ReturnedForm, register: Register) -> Counter[str]:
    """Rows per unit, over the rows a single unit leads."""
    votes: Counter[str] = Counter()
    for row in form.rows:
        project = register.project(row.id)
        if project and len(project.leads) == 1:
            votes[project.leads[0].unit] += 1
    return votes


def _clear_winner(leading: Counter[str]) -> str | None:
    """The unit that leads most of the rows found, if one clearly does."""
    ranked = leading.most_common(2)
    if not ranked:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return ranked[0][0] if ranked[0][1] > runner_up else None
