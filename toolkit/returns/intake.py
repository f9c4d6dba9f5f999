"""Taking in returns: find the files, convert legacy formats, read, identify.

A return is identified by, in order: the custom document properties the
form was generated with (they survive Word, WPS and LibreOffice saves), the
`填报单位：` line, the file name, and finally the units leading the rows
found. Content-control tags are never used: LibreOffice drops them.
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
from toolkit.errors import ReturnError, UsageError
from toolkit.forms.identity import PROP_QUARTER, PROP_UNIT, PROP_YEAR
from toolkit.office import libreoffice
from toolkit.office.ooxml import sniff
from toolkit.office.scratch import scratch_folder
from toolkit.register.model import Register
from toolkit.returns.reader import ReturnedForm, has_encryption_info, read_return

WORD_SUFFIXES = {".docx", ".docm"}
LEGACY_SUFFIXES = {".doc", ".wps", ".odt", ".rtf", ".dot", ".wpt"}
RETURN_SUFFIXES = WORD_SUFFIXES | LEGACY_SUFFIXES


@dataclass
class Intake:
    """One file as taken in: read (form) or not (error), and who sent it."""

    path: Path
    form: ReturnedForm | None = None
    error: str | None = None
    unit: str | None = None
    period: Period | None = None
    identified_by: str = ""  # 文档属性 / 填报单位 / 文件名 / 项目行
    removed_links: list[str] = field(default_factory=list)  # removed before conversion

    def moved(self, path: Path) -> Intake:
        """The same file, as read, under the name it was moved to."""
        form = replace(self.form, path=path) if self.form is not None else None
        return replace(self, path=path, form=form)


def collect_files(paths: list[Path]) -> list[Path]:
    """Return files named on the command line, and those inside named folders."""
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UsageError(f"找不到回收表文件或文件夹：{p}")
        if p.is_dir() and p.suffix.lower() not in RETURN_SUFFIXES:
            files.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.suffix.lower() in RETURN_SUFFIXES
                and not f.name.startswith(("~$", ".~lock", "."))
                and not any(part.startswith(".") for part in f.relative_to(p).parts[:-1])
            )
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


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
    cache: ReadCache | None = None,
) -> Iterator[Intake]:
    """Read and identify each file, one at a time, in order.

    Legacy formats are converted first, all in one LibreOffice run. With
    `jobs` > 1 and enough files (toolkit.core.parallel), files are read on that
    many processes; the items come out the same and in the same order. Files
    in `cache`, unchanged since they were read, are not read again.
    """
    cached = {f: cache.get(f, register, period) for f in files} if cache is not None else {}
    fresh = _read_all([f for f in files if cached.get(f) is None], register, period, jobs)
    for f in files:
        item = cached.get(f) or next(fresh)
        if cache is not None and cached.get(f) is None:
            cache.put(item, register, period)
        yield item


def _read_all(files: list[Path], register: Register, period: Period, jobs: int) -> Iterator[Intake]:
    with converted(files) as conversion:
        work = [(f, conversion.docx_of.get(f, f), conversion.errors.get(f)) for f in files]
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
            for f, readable, conversion_error in work:
                item = take_one(f, readable, conversion_error, register, period)
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
    f: Path, readable: Path, conversion_error: str | None, register: Register, period: Period
) -> Intake:
    """One file: `readable` is `f` or its converted copy; `conversion_error` why there is none."""
    item = Intake(f)
    if conversion_error is not None:
        item.error = conversion_error
    else:
        try:
            item.form = read_return(readable, quarter=period.quarter)
            item.form.path = f  # findings name the file the unit sent
        except ReturnError as exc:
            item.error = exc.message
        except Exception as exc:
            # A reader bug on one odd file must not cost the other units
            # their merge: the file is reported, the run goes on.
            item.error = (
                f"读取此文件时程序出错（{type(exc).__name__}），未汇总：请把此文件发给"
                "维护人员；其他文件照常汇总。"
            )
    identify(item, register, period)
    return item


# The register and period of a reading worker process, set once by _init_reader.
_reader: dict[str, Any] = {}


def _init_reader(register: Register, period: Period) -> None:
    _reader.update(register=register, period=period)


def _take_in_worker(jobs: list[tuple[Path, Path, str | None]]) -> list[Intake]:
    return [take_one(*job, _reader["register"], _reader["period"]) for job in jobs]


# ---------------------------------------------------------------- identification

_PERIOD_IN_NAME_RE = re.compile(r"(\d{4})\s*年?\s*(?:第\s*)?([一二三四1-4])\s*季度")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}


def identify(item: Intake, register: Register, period: Period) -> None:
    units = register.unit_names()
    known = set(units)
    form = item.form
    if form is not None:
        props = form.properties
        unit = register.directory.canonical(props.get(PROP_UNIT, "").strip())
        if unit in known:
            item.unit, item.identified_by = unit, "文档属性"
        year, quarter = props.get(PROP_YEAR, ""), props.get(PROP_QUARTER, "")
        if year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4:
            item.period = Period(int(year), int(quarter))
        elif form.period is not None:
            item.period = Period(*form.period)
        if item.unit is None and form.unit_line:
            unit = _unit_in_text(form.unit_line, units, register)
            if unit:
                item.unit, item.identified_by = unit, "填报单位"
    if item.unit is None:
        unit = _unit_in_text(item.path.stem, units, register)
        if unit:
            item.unit, item.identified_by = unit, "文件名"
    if item.unit is None and form is not None and form.rows:
        item.unit = _unit_by_rows(form, register)
        if item.unit:
            item.identified_by = "项目行"
    if item.period is None:
        m = _PERIOD_IN_NAME_RE.search(item.path.stem)
        if m:
            q = m.group(2)
            item.period = Period(int(m.group(1)), int(q) if q.isdigit() else _CN[q])


def _unit_in_text(text: str, units: list[str], register: Register) -> str | None:
    text = "".join(text.split())
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


def _unit_by_rows(form: ReturnedForm, register: Register) -> str | None:
    """The unit that leads most of the rows found, if one clearly does."""
    votes: Counter[str] = Counter()
    for row in form.rows:
        project = register.project(row.id)
        if project and len(project.leads) == 1:
            votes[project.leads[0].unit] += 1
    if not votes:
        return None
    ranked = votes.most_common(2)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return ranked[0][0] if ranked[0][1] > runner_up else None
