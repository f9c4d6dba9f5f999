"""The files a merge writes: the 一览表 (.docx and .xlsx) and the 问题清单.

Written in that order, each atomically; the first error stops the rest.
With `jobs` > 1 and a register large enough to pay for a process, the
一览表 workbook is built in a second process while this one renders the
.docx; it is still written after the .docx, so an error in a custom
template leaves no new file behind, as before.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from toolkit.core import parallel
from toolkit.office.ooxml import write_bytes_atomic
from toolkit.returns.merging import MergeResult
from toolkit.summary.document import write_summary_docx
from toolkit.summary.workbooks import summary_workbook, write_findings_xlsx, write_summary_xlsx

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
) -> None:
    if jobs < 2 or len(result.register.projects) < MIN_PARALLEL_PROJECTS:
        write_summary_docx(result, docx, template)
        write_summary_xlsx(result, xlsx)
        write_findings_xlsx(result, report)
        return
    with parallel.process_pool(1, _init_worker, (result,)) as pool:
        workbook = pool.submit(_summary_xlsx_bytes)
        write_summary_docx(result, docx, template)
        write_bytes_atomic(xlsx, workbook.result())
    write_findings_xlsx(result, report)


# The merge result of the worker process, set once by _init_worker (inherited, not copied, on Linux).
_worker: dict[str, Any] = {}


def _init_worker(result: MergeResult) -> None:
    _worker["result"] = result


def _summary_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    summary_workbook(_worker["result"]).write(buffer)
    return buffer.getvalue()
