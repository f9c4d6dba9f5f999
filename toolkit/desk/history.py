"""The desk's view of the history: the year (全年一览) and its 全年一览表.

The year comes from the workspace's history file (every 生成一览表 records
its period there); the 全年一览表 files go to `<年度>全年/`.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.desk.workspace import Workspace
from toolkit.errors import UsageError
from toolkit.history.annual import YearView, year_view
from toolkit.history.annual_files import AnnualFiles, annual_names, write_annual
from toolkit.history.store import HistoryStore
from toolkit.summary.model import evaluation_colors


def annual_dir(ws: Workspace, year: int) -> Path:
    return ws.root / f"{year}全年"


def year_of(ws: Workspace, year: int) -> YearView | None:
    """The year as the history holds it; None when nothing of it has been merged yet."""
    if not ws.history_path.is_file():
        return None
    with HistoryStore(ws.history_path) as store:
        if not store.periods(year):
            return None
        return year_view(store, year)


def write_year(ws: Workspace, year: int) -> AnnualFiles:
    """The 全年一览表 (.docx, .xlsx) into `<年度>全年/`, as `toolkit annual` writes it."""
    view = year_of(ws, year)
    if view is None:
        raise UsageError(f"{year}年还没有汇总过任何季度。", hint="先在各季度页面点击“生成一览表”。")
    docx, xlsx = annual_names(view.region, year)
    folder = annual_dir(ws, year)
    colors = evaluation_colors(ws.register().settings)
    return write_annual(
        view, folder / docx, folder / xlsx, colors=colors, template=ws.template("annual")
    )


def annual_files(ws: Workspace, year: int) -> list[Path]:
    folder = annual_dir(ws, year)
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if not p.name.startswith((".", "~$")) and ws.offered(p)
    )
