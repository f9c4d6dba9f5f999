"""The files a merge writes: the 一览表 (.docx, .xlsx, and .pdf when asked) and the
问题清单, as one set.

All three are built in memory first, so an error in a custom template
leaves no new file behind; then they are written together
(toolkit.office.fileset): either all three replace the previous set or
none does, one run at a time per folder, and an old file someone edited is
kept in 历史/. With `jobs` > 1 and a register large enough to pay for a
process, the 一览表 workbook is built in a second process while this one
renders the .docx.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.core import parallel
from toolkit.errors import OutputError
from toolkit.office import libreoffice
from toolkit.office.fileset import FileSet, Kept
from toolkit.office.folder import shown
from toolkit.office.metadata import scrub_docx
from toolkit.returns.merging import MergeResult
from toolkit.summary.document import summary_docx
from toolkit.summary.model import Withheld
from toolkit.summary.workbooks import findings_workbook, summary_workbook

# Below this many projects the 一览表 workbook takes a few tens of milliseconds,
# about what starting a process costs: not worth one.
MIN_PARALLEL_PROJECTS = 500


@dataclass(frozen=True)
class PublicEdition:
    """Where the 公开版 goes (.docx and .pdf), and the columns it leaves out."""

    docx: Path
    pdf: Path
    withheld: Withheld

    @staticmethod
    def paths(summary: Path) -> tuple[Path, Path]:
        """Named after the 一览表 `summary`: `…一览表（公开版）.docx` and `.pdf`, beside it."""
        docx = summary.with_name(f"{summary.stem}（公开版）.docx")
        return docx, docx.with_suffix(".pdf")


def write_merge_outputs(
    result: MergeResult,
    docx: Path,
    xlsx: Path,
    report: Path,
    template: Path | None = None,
    *,
    jobs: int = 1,
    pdf: Path | None = None,
    public: PublicEdition | None = None,
) -> list[Kept]:
    """Write the set; returns the old files kept in 历史/ because they had been changed.

    With `pdf`, the 一览表 is also printed to PDF by LibreOffice (one run)
    and written with the others: LibreOffice missing or failing writes nothing.
    With `public`, its public edition too (.docx and .pdf): the withheld columns
    left out, the document's metadata scrubbed (toolkit.office.metadata).
    It carries no property saying whose it is: a merge knows it as the
    toolkit's own by the folder's record (toolkit.office.fileset.written_here).
    """
    if jobs < 2 or len(result.register.projects) < MIN_PARALLEL_PROJECTS:
        docx_data = summary_docx(result, template)
        xlsx_data = summary_workbook(result).data()
        report_data = findings_workbook(result).data()
    else:  # both workbooks on a second process while this one renders the 一览表
        with parallel.process_pool(1, _init_worker, (result,)) as pool:
            workbook = pool.submit(_summary_xlsx_bytes)
            findings = pool.submit(_findings_xlsx_bytes)
            docx_data = summary_docx(result, template)
            xlsx_data, report_data = workbook.result(), findings.result()
    outputs = {docx: docx_data, xlsx: xlsx_data, report: report_data}
    if pdf is not None:
        outputs[pdf] = pdf_of(docx_data, docx.name)
    if public is not None:
        public_data = scrub_docx(summary_docx(result, template, withheld=public.withheld))
        outputs[public.docx] = public_data
        outputs[public.pdf] = pdf_of(public_data, public.docx.name)
    with FileSet(list(outputs)) as files:
        for target, data in outputs.items():
            files.write(target, data)
    return files.kept


def pdf_of(docx_data: bytes, name: str) -> bytes:
    """A document the toolkit wrote (the 一览表, a 通报), printed to PDF by LibreOffice."""
    with tempfile.TemporaryDirectory(prefix="toolkit-pdf-") as tmp:
        source = Path(tmp) / "文档.docx"
        source.write_bytes(docx_data)
        produced = libreoffice.convert([source], "pdf", Path(tmp) / "pdf")
        if source not in produced:
            raise OutputError(
                f"LibreOffice 未能把 {shown(name)} 转换为 PDF，未写入任何文件。",
                hint=f"不加 --pdf 重新运行；或在 Word/WPS 中打开 {shown(name)} 另存为 PDF。",
            )
        return produced[source].read_bytes()


# The merge result of the worker process, set once by _init_worker (inherited, not copied, on Linux).
_worker: dict[str, Any] = {}


def _init_worker(result: MergeResult) -> None:
    _worker["result"] = result


def _summary_xlsx_bytes() -> bytes:
    return summary_workbook(_worker["result"]).data()


def _findings_xlsx_bytes() -> bytes:
    return findings_workbook(_worker["result"]).data()
