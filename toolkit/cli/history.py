"""The history on the command line: the --history / --no-history options of
generate, check and merge, and the commands `history` and `annual`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.base import CONTEXT, YEAR, Command, emit_json, help_option, output_path, say

if TYPE_CHECKING:
    from toolkit.core.period import Period
    from toolkit.core.previous import PreviousQuarter
    from toolkit.history.records import EntryRecord, Version
    from toolkit.register.model import Register
    from toolkit.returns.merging import MergeResult

DEFAULT_FOLDER = Path("输出")


def _default_history() -> Path:
    from toolkit.forms.identity import HISTORY_FILE

    return DEFAULT_FOLDER / HISTORY_FILE


_HISTORY_HELP = "报送历史文件；默认 输出/报送历史.sqlite（汇总时自动写入，见 toolkit docs 历史）。"


def history_options(f: Any) -> Any:
    """--history and --no-history, for the commands that read or write the history."""
    f = click.option(
        "--no-history",
        is_flag=True,
        help="不用报送历史：不与上季度对照（merge 也不记录本次结果）。",
    )(f)
    return click.option("--history", "history", metavar="报送历史.sqlite", help=_HISTORY_HELP)(f)


def history_file(history: str | None, no_history: bool) -> Path | None:
    """The history a command uses; None with --no-history."""
    from toolkit.errors import UsageError

    if no_history and history:
        raise UsageError("--history 和 --no-history 不能同时使用。")
    return None if no_history else Path(history) if history else _default_history()


def previous_of(history: Path | None, register: Register, period: Period) -> PreviousQuarter:
    """The quarter before's texts from the history."""
    from toolkit.core.previous import NO_HISTORY, NOT_USED, no_previous

    if history is None:
        return no_previous(period, NOT_USED)
    if not history.is_file():  # no history yet: the store (sqlite3) is not even imported
        from toolkit.office.folder import shown

        return no_previous(period, NO_HISTORY, shown(str(history)))
    from toolkit.history.store import previous_quarter

    return previous_quarter(history, period, register.region)


def tell_previous(previous: PreviousQuarter, *, forms: bool) -> None:
    """Say where the quarter before's texts came from, or why there are none (after the work)."""
    from toolkit.core.previous import notice

    message = notice(previous, forms=forms)
    if message:
        say(f"提示：{message}")


def previous_json(previous: PreviousQuarter) -> dict[str, Any]:
    before = previous.before
    return {
        "period": before.key if before else None,
        "status": previous.status,
        "history": previous.source or None,
    }


def record(history: Path | None, result: MergeResult) -> dict[str, Any] | None:
    """Record a merge in the history; what was recorded, for --json."""
    from toolkit.history.store import HistoryError, record_merge

    if history is None:
        return None
    try:
        recorded = record_merge(history, result, f"toolkit {click.get_current_context().info_name}")
    except HistoryError as exc:  # checked before the returns were read: rare (disk full, locked)
        raise HistoryError(f"一览表和问题清单已写出，但{exc.message}", hint=exc.hint) from None
    say(recorded.note())
    return recorded.as_dict()


# ---------------------------------------------------------------- toolkit history


def _version_json(v: Version) -> dict[str, Any]:
    from toolkit.history.changes import describe

    return {
        "period": v.period.key,
        "version": v.version,
        "recorded_at": v.recorded_at,
        "command": v.command,
        "user": v.user,
        "host": v.host,
        "register": v.register_file,
        "changes": v.changes,
        "changes_text": describe(v.changes),
    }


def _version_line(v: Version) -> str:
    when = v.recorded_at[:16].replace("T", " ")
    return f"{v.period.label} 第 {v.version} 版  {when}  {v.user}@{v.host}（{v.command}）"


def _entry_json(e: EntryRecord) -> dict[str, Any]:
    return {
        "unit": e.unit,
        "progress": e.progress,
        "plan": e.plan,
        "evaluation": e.evaluation,
        "evaluation_typed": e.evaluation_typed,
    }


@click.command("history", cls=Command, context_settings=CONTEXT)
@click.argument("project_id", required=False, metavar="[序号]")
@click.option("--year", "-y", type=YEAR, help="年度；默认为报送历史中最近的年度。")
@click.option("--period", "period_key", metavar="2023Q3", help="列出这个季度记录过的每一版。")
@click.option("--history", "history", metavar="报送历史.sqlite", help=_HISTORY_HELP)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（到标准输出）。")
@help_option
def history(
    project_id: str | None,
    year: int | None,
    period_key: str | None,
    history: str | None,
    as_json: bool,
) -> None:
    """查看报送历史：一个项目各季度的评价和进展，或某季度汇总过的各个版本。

    每次 toolkit merge（或工作台生成一览表）都把汇总结果记入报送历史；同一季度重新汇总时
    新增一版，之前的版本保留。不写序号时列出记录过的季度。

    \b
    示例：
      toolkit history                  # 记录过哪些季度
      toolkit history 10-3             # 序号 10-3 各季度的评价、进展和计划
      toolkit history 10-3 --year 2023 --json
      toolkit history --period 2023Q3  # 第三季度的各版：何时、谁、改了什么
    """
    from toolkit.core import rules
    from toolkit.core.period import Period
    from toolkit.errors import UsageError
    from toolkit.history.changes import describe
    from toolkit.history.store import HistoryStore

    with HistoryStore(Path(history) if history else _default_history()) as store:
        if period_key:
            period = Period.parse_key(period_key)
            if period is None:
                raise UsageError(f"季度应写成 2023Q3 的样子，收到“{period_key}”。")
            versions = store.versions(period)
            if not versions:
                raise UsageError(f"报送历史 {store.shown} 中没有{period.label}的汇总记录。")
            if as_json:
                emit_json({"period": period.key, "versions": [_version_json(v) for v in versions]})
                return
            for v in versions:
                click.echo(_version_line(v))
                for line in describe(v.changes):
                    click.echo(f"    {line}")
            return
        recorded = store.periods()
        if not recorded:
            raise UsageError(f"报送历史 {store.shown} 中还没有任何汇总记录。")
        year = year or recorded[-1].period.year
        if project_id is None:
            current = [v for v in recorded if v.period.year == year]
            if as_json:
                emit_json({"periods": [_version_json(v) for v in current]})
                return
            for v in current:
                click.echo(_version_line(v))
            return
        pid = rules.normalize_id(project_id)
        quarters = store.project_quarters(pid, year)
        if not quarters:
            raise UsageError(
                f"报送历史中没有{year}年序号 {pid} 的记录。",
                hint="用 toolkit history 查看记录过的季度；序号按登记表写，如 10-3。",
            )
        if as_json:
            emit_json(
                {
                    "id": pid,
                    "year": year,
                    "name": quarters[-1][1].name,
                    "quarters": [
                        {
                            "period": v.period.key,
                            "version": v.version,
                            "evaluation": row.evaluation,
                            "status": row.status,
                            "progress": row.progress,
                            "plan": row.plan,
                            "entries": [_entry_json(e) for e in entries],
                        }
                        for v, row, entries in quarters
                    ],
                }
            )
            return
        first = quarters[-1][1]
        click.echo(f"{year}年 序号 {pid} {first.name}（{first.lead}）")
        click.echo(f"年度目标：{first.annual_target}")
        for v, row, _ in quarters:
            click.echo("")
            click.echo(f"【{v.period.label}】{row.evaluation}（第 {v.version} 版）")
            click.echo(f"  目标：{row.quarter_target}")
            click.echo(f"  进展：{_indented(row.progress)}")
            click.echo(f"  计划：{_indented(row.plan) or '—'}")
        merged = {v.period.quarter for v, _, _ in quarters}
        missing = [f"第{rules.QUARTER_CN[q]}季度" for q in (1, 2, 3, 4) if q not in merged]
        if missing:
            click.echo("")
            click.echo(f"未汇总（或该季度没有此项目）：{'、'.join(missing)}")


def _indented(text: str) -> str:
    return text.replace("\n", "\n        ")


# ---------------------------------------------------------------- toolkit annual


@click.command("annual", cls=Command, context_settings=CONTEXT)
@click.option("--year", "-y", type=YEAR, help="年度；默认为报送历史中最近的年度。")
@click.option("--history", "history", metavar="报送历史.sqlite", help=_HISTORY_HELP)
@click.option(
    "--out",
    "-o",
    metavar="全年一览表.docx",
    help="Word 文件（可省略 .docx）；默认写入 输出/ 下该年度的文件夹，如 输出/2023全年/。",
)
@click.option("--xlsx", metavar="全年一览表.xlsx", help="Excel 文件；默认与 --out 同名 .xlsx。")
@click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出各项目四个季度的结果（到标准输出）。"
)
@help_option
def annual(
    year: int | None, history: str | None, out: str | None, xlsx: str | None, as_json: bool
) -> None:
    """从报送历史生成全年一览表（Word 和 Excel）：每个项目四个季度的进度评价和进展并列，附各季度统计。

    只用报送历史中各季度的当前版本，不读回收表；没有汇总的季度标为“未汇总”。
    两个文件一起写出；被手工改过的旧文件先保留到“历史”文件夹。

    \b
    示例：
      toolkit annual                   # 最近一年，写入 输出/2023全年/
      toolkit annual --year 2023 --out 全年一览表.docx
      toolkit annual -y 2023 --json
    """
    from toolkit.errors import UsageError
    from toolkit.history.annual import year_view
    from toolkit.history.annual_files import annual_names, write_annual
    from toolkit.history.store import HistoryStore

    with HistoryStore(Path(history) if history else _default_history()) as store:
        recorded = store.periods()
        if not recorded:
            raise UsageError(f"报送历史 {store.shown} 中还没有任何汇总记录。")
        view = year_view(store, year or recorded[-1].period.year)
    docx_name, _ = annual_names(view.region, view.year)
    out_docx = output_path(out, DEFAULT_FOLDER / f"{view.year}全年" / docx_name, ".docx", "--out")
    out_xlsx = output_path(xlsx, out_docx.with_suffix(".xlsx"), ".xlsx", "--xlsx")
    files = write_annual(view, out_docx, out_xlsx)
    for k in files.kept:
        say(f"提示：{k.note()}")
    if as_json:
        emit_json(
            {
                "year": view.year,
                "merged": [f"{view.year}Q{q}" for q in view.merged],
                "projects": [
                    {
                        "id": r.project.id,
                        "name": r.project.name,
                        "quarters": [
                            {
                                "quarter": q.quarter,
                                "evaluation": q.evaluation,
                                "progress": q.progress,
                            }
                            for q in r.quarters
                        ],
                    }
                    for r in view.rows
                ],
                "outputs": {"docx": str(out_docx), "xlsx": str(out_xlsx)},
            }
        )
    else:
        click.echo(str(out_docx))
        click.echo(str(out_xlsx))
    say(f"已生成{view.year}年全年一览表（{view.coverage}），共 {len(view.rows)} 个项目。")
