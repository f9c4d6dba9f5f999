"""The files a merge writes: the 一览表 (.docx and .xlsx) and the 问题清单, as one set.

All three are built in memory first, so an error in a custom template
leaves no new file behind; then they are written together
(toolkit.office.fileset): either all three replace the previous set or
none does, one run at a time per folder, and an old file someone edited is
kept in 历史/. With `jobs` > 1 and a register large enough to pay for a
process, the 一览表 workbook is built in a second process while this one
renders the .docx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.core import parallel
from toolkit.office.fileset import FileSet, Kept
from toolkit.returns.merging import MergeResult
from toolkit.summary.document import summary_docx
from toolkit.summary.workbooks import findings_workbook, summary_workbook

# Below this many projects the 一览表 workbook takes a few tens of milliseconds,
# about what starting a process costs: not worth one.
MIN_PARALLEL_PROJECTS = 500


def write_merge_outputs(
    result: MergeResult,
    docx: Path,
    xlsx: Path,
    report: Path,
    template: Path | None = None,
    *,
    jobs: int = 1,
) -> list[Kept]:
    """Write the set; returns the old files kept in 历史/ because they had been changed."""
    if jobs < 2 or len(result.register.projects) < MIN_PARALLEL_PROJECTS:
        docx_data = summary_docx(result, template)
        xlsx_data = summary_workbook(result).data()
    else:
        with parallel.process_pool(1, _init_worker, (result,)) as pool:
            workbook = pool.submit(_summary_xlsx_bytes)
            docx_data = summary_docx(result, template)
            xlsx_data = workbook.result()
    report_data = findings_workbook(result).data()
    with FileSet([docx, xlsx, report]) as files:
        files.write(docx, docx_data)
        files.write(xlsx, xlsx_data)
        files.write(report, report_data)
    return files.kept


# The merge result of the worker process, set once by _init_worker (inherited, not copied, on Linux).
_worker: dict[str, Any] = {}


def _init_worker(result: MergeResult) -> None:
    _worker["result"] = result


def _summary_xlsx_bytes() -> bytes:
    return summary_workbook(_worker["result"]).data()
