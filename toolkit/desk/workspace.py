"""A desk workspace: one folder holding the register, the forms and the returns.

Layout (docs/desk.md):

    登记表.xlsx                 the register (.xls/.ods too; else the first workbook with a project table)
    模板/form.docx, summary.docx, notice-*.docx  optional template overrides
    发文单位.txt                the 落款 of notices, as typed on the desk
    2023Q3/填报表/              forms sent (the output of `toolkit generate`)
    2023Q3/回收表/<单位>/<时间>-<原文件名>   returns received, filed by unit
    2023Q3/回收表/_未识别/      files no unit could be found for
    2023Q3/汇总/                一览表 .docx/.xlsx (.pdf, 公开版), 问题清单, 督查通报, 退回修改意见
    2023全年/                   全年一览表 .docx/.xlsx (from the history)
    报送历史.sqlite             every merge's result, by period and version (toolkit.history)

The files are the source of truth: `toolkit merge 2023Q3/回收表 ...` reads
the same folder. Everything here calls the core; no HTTP. Nothing a unit
sent is ever overwritten or deleted; an output someone edited is kept in
历史/ before it is replaced, as on the command line. Links inside the
workspace are never followed when a file is offered for download.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.period import Period
from toolkit.core.previous import NOT_USED, PreviousQuarter, no_previous
from toolkit.desk.names import (
    display_name,
    stamp,
    stored_name,
    unique_path,
    unit_folder_name,
    upload_name,
)
from toolkit.errors import ToolkitError, UsageError
from toolkit.forms.generate import Generation, generate_forms
from toolkit.forms.identity import HISTORY_FILE, form_file_name, unit_file_names
from toolkit.forms.schema import FORM, REPORT, SUMMARY
from toolkit.history.store import (
    HistoryError,
    Recorded,
    previous_quarter,
    record_merge,
)
from toolkit.office import folder as files_on_disk
from toolkit.office import ooxml
from toolkit.office.filenames import safe_name
from toolkit.office.fileset import Kept
from toolkit.register.model import Register, resolve_period
from toolkit.register.reader import looks_like_register, read_register
from toolkit.register.source import READ_SUFFIXES
from toolkit.returns.intake import ReadCache, take_in
from toolkit.returns.merging import MergeResult, merge_returns, require_returns
from toolkit.returns.sendback import TITLES
from toolkit.returns.survey import OWN_OUTPUT
from toolkit.returns.timeliness import period_deadline, timeliness
from toolkit.returns.versions import SentVersion, sent_versions
from toolkit.summary.model import public_withheld, summary_file_name
from toolkit.summary.outputs import PublicEdition, write_merge_outputs
from toolkit.supervision.document import ReportFiles, report_file_name, write_report
from toolkit.supervision.model import SentNotice, build_report
from toolkit.supervision.year import PeriodRecord, period_record
from toolkit.templates import default_path
from toolkit.templating.check import check_template
from toolkit.templating.gate import require_columns, require_passing

REGISTER_NAME = "登记表.xlsx"
TEMPLATES_DIR = "模板"
FORMS_DIR = "填报表"
RETURNS_DIR = "回收表"
SUMMARY_DIR = "汇总"
NOTICES_DIR = "退回修改意见"
UNIDENTIFIED_DIR = "_未识别"
# Hidden: the core's survey skips dot-folders, so half-filed uploads never
# reach a merge. Left behind only by a desk that was killed: swept at start.
STAGING_DIR = ".上传中"
STALE_STAGING_SECONDS = 3600
DEADLINE_FILE = "报送截止日期.txt"
ISSUER_FILE = "发文单位.txt"  # the 落款 of notices, for every period

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # one file (docs/desk.md)
UPLOAD_SUFFIXES = (".docx", ".docm", ".doc", ".wps", ".odt")

_FILING_LOCK = threading.Lock()
# Reading returns (an upload, a board's merge) costs memory and CPU, so it
# runs on a pool of this many threads, however many requests come in
# (docs/reliability.md). A pool and not a lock: the C allocator keeps memory
# a thread freed for that thread, so memory follows the threads that read.
READERS = 2
_readers = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="toolkit-reader")


class DeskError(ToolkitError):
    """A request the desk refuses (wrong file type, too large, …)."""


__all__ = ["DeskError", "Workspace", "display_name", "unit_folder_name"]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Filed:
    """One uploaded file, as filed."""

    original_name: str
    path: Path
    unit: str | None
    identified_by: str
    period: Period | None
    error: str | None  # why it cannot be read; it is filed all the same
    not_a_return: str | None = None  # a blank form or the toolkit's own file; filed all the same
    removed_links: list[str] = field(default_factory=list)  # removed before conversion

    def wrong_period(self, period: Period) -> bool:
        return self.period is not None and self.period != period


@dataclass(frozen=True)
class ReceivedFile:
    path: Path
    received: dt.datetime
    size: int


@dataclass(frozen=True)
class SummaryFiles:
    docx: Path
    xlsx: Path
    report: Path
    kept: list[Kept] = field(default_factory=list)  # edited files kept in 历史/ before replacing
    pdf: Path | None = None  # the 一览表 printed to PDF, when asked for
    public: PublicEdition | None = None  # its 公开版 (.docx, .pdf), when asked for
    notices: list[str] = field(default_factory=list)  # about the columns the 公开版 leaves out
    recorded: Recorded | None = None  # the version written to the history
    history_error: str | None = None  # why it could not be recorded (the files are written)

    @property
    def written(self) -> list[Path]:
        public = [self.public.docx, self.public.pdf] if self.public else []
        return [self.docx, self.xlsx, self.report, *([self.pdf] if self.pdf else []), *public]


@dataclass(frozen=True)
class OutputFile:
    path: Path
    modified: dt.datetime
    stale: bool  # older than the newest return received: 待更新


# ---------------------------------------------------------------- the workspace


class Workspace:
    """The folder conventions and every action the desk offers."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._cache_lock = threading.Lock()
        self._register_cache: tuple[tuple, Register] | None = None
        self._merge_cache: dict[Period, tuple[tuple, MergeResult]] = {}
        self._reads = ReadCache()  # returns read once, for every later merge
        self.history_error: str | None = None  # why the history could not be read, last time
        self.sweep()

    def sweep(self) -> None:
        """Remove staging folders a killed desk left behind (never a unit's filed return)."""
        cutoff = time.time() - STALE_STAGING_SECONDS
        for period in self.periods():
            leftovers = [
                *(self.returns_dir(period) / STAGING_DIR).glob("*"),
                *self.period_dir(period).glob(f".{FORMS_DIR}-*"),
            ]
            for path in leftovers:
                with contextlib.suppress(OSError):
                    if path.is_dir() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                        shutil.rmtree(path)

    def offered(self, path: Path) -> bool:
        """Whether `path` may be downloaded: a plain file inside the workspace, reached without links."""
        return self._unlinked(path) and path.is_file()

    def _unlinked(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.root)
            real = path.resolve(strict=True)
        except (ValueError, OSError, RuntimeError):
            return False
        return real == self.root.resolve() / relative

    # -- register and templates

    def find_register(self) -> Path | None:
        named = self.root / REGISTER_NAME
        if named.is_file():
            return named
        # 登记表.xls, .ods …, then any workbook with a project table.
        stem = Path(REGISTER_NAME).stem
        found = self.root.iterdir() if self.root.is_dir() else ()
        spreadsheets = sorted(p for p in found if p.suffix.lower() in READ_SUFFIXES)
        for path in sorted(spreadsheets, key=lambda p: p.stem != stem):
            if path.name.startswith(("~$", ".")) or not path.is_file():
                continue
            if path.stem == stem or looks_like_register(path):
                return path
        return None

    def register(self) -> Register:
        path = self.find_register()
        if path is None:
            raise UsageError(
                f"工作文件夹中没有登记表（{REGISTER_NAME}）。",
                hint="在工作台首页上传登记表，或把登记表放进工作文件夹。",
            )
        key = (path, *_signature(path))
        with self._cache_lock:
            if self._register_cache and self._register_cache[0] == key:
                return self._register_cache[1]
        register = read_register(path)
        unit_file_names(register)  # two units must not share a folder
        with self._cache_lock:
            self._register_cache = (key, register)
        return register

    @property
    def _register_key(self) -> tuple:
        return self._register_cache[0] if self._register_cache else ()

    def install_register(self, original_name: str, data: bytes) -> Path:
        """Save an uploaded register as 登记表.xlsx (.xls, .ods), after checking it reads."""
        name = upload_name(original_name)
        suffix = Path(name).suffix.lower()
        if suffix not in READ_SUFFIXES:
            raise DeskError(f"登记表应为 Excel 文件（.xlsx、.xls）或 .ods，收到“{name}”。")
        _check_size(name, data)
        with _FILING_LOCK:
            if self.find_register() is not None:
                raise DeskError("工作文件夹中已有登记表，未做任何改动。")
            target = self.root / (Path(REGISTER_NAME).stem + suffix)
            staged = self.root / f".{uuid.uuid4().hex}-{target.name}"
            try:
                staged.write_bytes(data)
                read_register(staged)  # refuse a register the core cannot use
                staged.replace(target)
            finally:
                staged.unlink(missing_ok=True)  # our own staging copy
        return target

    def template(self, kind: str) -> Path | None:
        """`模板/<kind>.docx` when the office put one there, else None (shipped one)."""
        path = self.root / TEMPLATES_DIR / f"{kind}.docx"
        return path if path.is_file() else None

    def period(self, year: int | None, quarter: int) -> Period:
        return resolve_period(self.register(), quarter, year)

    def periods(self) -> list[Period]:
        """Periods that have a folder, oldest first."""
        found = []
        for p in self.root.iterdir() if self.root.is_dir() else []:
            if p.is_dir():
                try:
                    period = Period.parse_key(p.name)
                except UsageError:
                    period = None
                if period and p.name == period.key:
                    found.append(period)
        return sorted(found)

    # -- history

    @property
    def history_path(self) -> Path:
        return self.root / HISTORY_FILE

    def previous(self, period: Period) -> PreviousQuarter:
        """The quarter before's texts; a history that cannot be read is told, not fatal."""
        try:
            previous = previous_quarter(self.history_path, period, self.register().region)
        except HistoryError as exc:
            self.history_error = str(exc)
            return no_previous(period, NOT_USED)
        self.history_error = None
        return previous

    # -- folders

    def period_dir(self, period: Period) -> Path:
        return self.root / period.key

    def forms_dir(self, period: Period) -> Path:
        return self.period_dir(period) / FORMS_DIR

    def returns_dir(self, period: Period) -> Path:
        return self.period_dir(period) / RETURNS_DIR

    def summary_dir(self, period: Period) -> Path:
        return self.period_dir(period) / SUMMARY_DIR

    # -- forms

    def generate(self, period: Period) -> Generation:
        """Write every unit's form; forms generated before are kept in a dated folder."""
        register = self.register()
        require_columns(require_passing(self.template(FORM), FORM), register)
        forms = self.forms_dir(period)
        with _FILING_LOCK:
            fresh = self.period_dir(period) / f".{FORMS_DIR}-{uuid.uuid4().hex}"
            try:
                result = generate_forms(
                    register,
                    period,
                    fresh,
                    template=self.template("form"),
                    previous=self.previous(period),
                )
            except BaseException:
                shutil.rmtree(fresh, ignore_errors=True)  # our own half-written output
                raise
            if forms.exists():
                forms.rename(unique_path(forms.parent, f"{FORMS_DIR}-旧-{stamp()}"))
            fresh.rename(forms)
        return result

    def form_files(self, period: Period) -> dict[str, Path]:
        """unit -> its generated form, for the forms that exist."""
        register = self.register()
        out = {}
        for unit in register.unit_names():
            path = self.forms_dir(period) / form_file_name(register.region, period, unit)
            if self.offered(path):
                out[unit] = path
        return out

    def forms_zip(self, period: Period) -> bytes:
        """Every file of 填报表/ (forms and 分发清单) as one zip, built in memory."""
        folder = self.forms_dir(period)
        files = sorted(
            p for p in folder.glob("*") if not p.name.startswith(".") and self.offered(p)
        )
        if not files:
            raise DeskError(f"{period.label}还没有生成填报表。", hint="先点击“生成填报表”。")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                zf.write(path, f"{period.key}填报表/{path.name}")
        return buffer.getvalue()

    # -- returns

    def file_return(self, period: Period, original_name: str, data: bytes) -> Filed:
        """Identify an uploaded return with the core and file it under its unit.

        The bytes are stored exactly as received, as
        `回收表/<单位>/<时间>-<文件名>`; a file no unit is found for goes to
        `回收表/_未识别/`. A second return of a unit is stored beside the
        first: the merge uses the newest and reports both.
        """
        name = upload_name(original_name)
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise DeskError(
                f"“{name}”不是 Word 文件，未保存。",
                hint=f"只接收 {'、'.join(UPLOAD_SUFFIXES)} 文件。",
            )
        _check_size(name, data)
        register = self.register()
        returns = self.returns_dir(period)
        staging = returns / STAGING_DIR / uuid.uuid4().hex
        staging.mkdir(parents=True, exist_ok=True)
        # The original name, so identification by file name works as in the CLI.
        staged = staging / name
        try:
            with ooxml.atomic_path(staged) as tmp:
                tmp.write_bytes(data)
            (item,) = _readers.submit(lambda: list(take_in([staged], register, period))).result()
            skipped = item.skipped
            # The toolkit's own output belongs to no unit; a blank form to the unit it was made for.
            unit = None if skipped and skipped.kind == OWN_OUTPUT else item.unit
            folder = returns / (unit_folder_name(unit) if unit else UNIDENTIFIED_DIR)
            folder.mkdir(parents=True, exist_ok=True)
            with _FILING_LOCK:
                target = unique_path(folder, stored_name(name))
                staged.replace(target)
            # Read now under its new name: the board need not read it again.
            self._reads.put(item.moved(target), register, period)
        finally:
            staged.unlink(missing_ok=True)
            for d in (staging, staging.parent):
                with contextlib.suppress(OSError):
                    d.rmdir()  # only when empty: another upload may be in progress
        return Filed(
            name,
            target,
            unit,
            item.identified_by,
            item.period,
            item.error,
            skipped.reason if skipped else None,
            item.removed_links,
        )

    def received_files(self, period: Period) -> dict[str, list[ReceivedFile]]:
        """Folder name under 回收表/ -> its files, oldest first."""
        out: dict[str, list[ReceivedFile]] = {}
        returns = self.returns_dir(period)
        if not returns.is_dir():
            return out
        for folder in sorted(returns.iterdir()):
            if folder.name.startswith(".") or not (self._unlinked(folder) and folder.is_dir()):
                continue
            files = []
            with contextlib.suppress(OSError):  # a folder the desk may not open: the board says so
                for path in folder.iterdir():
                    if not path.name.startswith((".", "~$")) and self.offered(path):
                        st = path.stat()
                        received = dt.datetime.fromtimestamp(st.st_mtime)
                        files.append(ReceivedFile(path, received, st.st_size))
            out[folder.name] = sorted(files, key=lambda f: (f.received, f.path.name))
        return out

    def merge(self, period: Period) -> MergeResult:
        """The core's merge of everything in 回收表/, cached until a file changes."""
        register = self.register()
        returns = self.returns_dir(period)
        history = _signature(self.history_path) if self.history_path.is_file() else ()
        key = (self._register_key, _tree_signature(returns), history)
        with self._cache_lock:
            cached = self._merge_cache.get(period)
            if cached and cached[0] == key:
                return cached[1]
        paths = [returns] if returns.is_dir() else []
        # The extra columns the 一览表 template shows: other columns a unit adds are reported.
        template = self.template(SUMMARY) or default_path(SUMMARY)
        columns = check_template(template, SUMMARY).extra_keys
        result = _readers.submit(
            merge_returns,
            register,
            period,
            paths,
            cache=self._reads,
            summary_columns=columns,
            previous=self.previous(period),
        ).result()
        with self._cache_lock:
            self._merge_cache[period] = (key, result)
        return result

    def sent_versions(self, period: Period, unit: str) -> list[SentVersion]:
        """Every file the unit sent for the period, oldest first, each compared with the one
        before (read as a merge reads them, through the same pool and cache)."""
        files = self.received_files(period).get(unit_folder_name(unit), [])
        paths = [f.path for f in files]
        register = self.register()
        return _readers.submit(
            sent_versions, register, period, unit, paths, cache=self._reads
        ).result()

    # -- deadline (optional, one per period)

    def deadline(self, period: Period) -> dt.date | None:
        path = self.period_dir(period) / DEADLINE_FILE
        if not path.is_file():
            return None
        try:
            return dt.date.fromisoformat(path.read_text("utf-8").strip())
        except ValueError:
            return None

    def period_deadline(self, period: Period) -> dt.date | None:
        """The deadline set on the desk, else the register's 设置 (`第三季度报送截止日期`)."""
        return period_deadline(self.register().settings, period, self.deadline(period))

    def set_deadline(self, period: Period, day: dt.date | None) -> None:
        path = self.period_dir(period) / DEADLINE_FILE
        ooxml.write_bytes_atomic(path, (day.isoformat() + "\n" if day else "").encode("utf-8"))

    # -- the issuing office (落款 of notices), when the register's 设置 does not name it

    def issuer(self) -> str:
        path = self.root / ISSUER_FILE
        return path.read_text("utf-8").strip() if path.is_file() else ""

    def set_issuer(self, name: str) -> None:
        name = " ".join(name.split())[:60]
        ooxml.write_bytes_atomic(self.root / ISSUER_FILE, (name + "\n" if name else "").encode())

    # -- outputs

    def summary_files(self, result: MergeResult) -> SummaryFiles:
        """Where `summarise` writes, named as `toolkit merge` names them."""
        period = result.period
        folder = self.summary_dir(period)
        region = result.register.region
        return SummaryFiles(
            folder / summary_file_name(region, period, ".docx"),
            folder / summary_file_name(region, period, ".xlsx"),
            folder / f"问题清单（{period.label}）.xlsx",
        )

    def summarise(self, period: Period, *, pdf: bool = False, public: bool = False) -> SummaryFiles:
        """The 一览表 (.docx, .xlsx, .pdf when asked, and its 公开版 when asked) and 问题清单,
        written by the core into 汇总/ as one set."""
        result = self.merge(period)
        require_returns(result)
        require_columns(require_passing(self.template(SUMMARY), SUMMARY), result)
        files = self.summary_files(result)
        printed = files.docx.with_suffix(".pdf") if pdf else None
        edition, notices = None, []
        if public:
            withheld, notices = public_withheld(result)
            edition = PublicEdition(*PublicEdition.paths(files.docx), withheld)
        kept = write_merge_outputs(
            result,
            files.docx,
            files.xlsx,
            files.report,
            self.template("summary"),
            pdf=printed,
            public=edition,
        )
        try:
            recorded = record_merge(self.history_path, result, "工作台")
        except HistoryError as exc:
            recorded, error = None, str(exc)
        else:
            error = None
        return SummaryFiles(
            files.docx,
            files.xlsx,
            files.report,
            kept,
            printed,
            edition,
            notices,
            recorded=recorded,
            history_error=error,
        )

    def report(self, period: Period) -> ReportFiles:
        """The 督查通报 draft of the period, written into 汇总/ (its template checked first)."""
        result = self.merge(period)
        require_returns(result)
        require_passing(self.template(REPORT), REPORT)
        facts = build_report(
            result,
            deadline=self.period_deadline(period),
            sent=self.sent_notices(period),
            earlier=self.earlier_records(period),
        )
        target = self.summary_dir(period) / report_file_name(
            result.register.region, period, ".docx"
        )
        return write_report(facts, target, self.template(REPORT), issuer=self.issuer())

    def earlier_records(self, period: Period, today: dt.date | None = None) -> list[PeriodRecord]:
        """The year's periods before `period` on the desk, each as its merge stands now
        (cached like any merge)."""
        today = today or dt.date.today()
        out = []
        for p in self.periods():
            if p.year != period.year or p >= period:
                continue
            result = self.merge(p)
            timely = timeliness(result, self.period_deadline(p), today)
            out.append(period_record(result, timely))
        return out

    def sent_notices(self, period: Period) -> dict[str, SentNotice]:
        """unit -> the latest notice the desk wrote to it, and when (from the notices' files)."""
        sent: dict[str, SentNotice] = {}
        for unit in self.register().unit_names():
            for kind, title in TITLES.items():
                path = self.notice_path(period, unit, title)
                if not self.offered(path):
                    continue
                day = dt.date.fromtimestamp(path.stat().st_mtime)
                if unit not in sent or day >= sent[unit].day:
                    sent[unit] = SentNotice(kind, day)
        return sent

    def output_files(self, period: Period) -> list[OutputFile]:
        """Files in 汇总/ and 汇总/退回修改意见/, newest first; those older than the newest return 待更新."""
        folder = self.summary_dir(period)
        if not folder.is_dir():
            return []
        newest = max(
            (_arrival(f.path) for files in self.received_files(period).values() for f in files),
            default=None,
        )
        out = []
        for p in [*folder.iterdir(), *(folder / NOTICES_DIR).glob("*")]:
            if p.name.startswith((".", "~$")) or not self.offered(p):
                continue
            modified = dt.datetime.fromtimestamp(p.stat().st_mtime)
            out.append(OutputFile(p, modified, bool(newest and newest > modified)))
        return sorted(out, key=lambda f: f.modified, reverse=True)

    def notice_path(self, period: Period, unit: str, title: str) -> Path:
        name = safe_name(f"{title}（{unit}）.docx")
        return self.summary_dir(period) / NOTICES_DIR / name


def _check_size(name: str, data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise DeskError(
            f"“{name}”超过 {MAX_UPLOAD_BYTES // 2**20} MB，未保存。",
            hint="请让报送单位压缩图片或删除无关内容后重新发送。",
        )
    if not data:
        raise DeskError(f"“{name}”是空文件（0 字节），未保存。")


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _tree_signature(folder: Path) -> tuple:
    """Every entry a merge of `folder` would account for, with its size and time."""
    if not folder.is_dir():
        return ()
    out = []
    for entry in files_on_disk.walk(folder):
        with contextlib.suppress(OSError):
            stamp_and_size = _signature(entry.path) if entry.is_file else ()
            out.append((str(entry.path), entry.kind, *stamp_and_size))
    return tuple(out)


def _arrival(path: Path) -> dt.datetime:
    """When a file came into the workspace: a copy keeps its old modification time."""
    try:
        st = path.stat()
    except OSError:  # gone since it was listed
        return dt.datetime.min
    return dt.datetime.fromtimestamp(max(st.st_mtime, st.st_ctime))
