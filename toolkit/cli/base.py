"""What every toolkit command shares: Chinese help screens, parameter types,
output helpers, and the one function that turns errors into messages and
exit codes (docs/exit-codes.md).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli import console
from toolkit.errors import EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, ToolkitError, UsageError

if TYPE_CHECKING:
    from toolkit.core.period import Period
    from toolkit.register.model import Register

# ---------------------------------------------------------------- Chinese help


class _ChineseHelp:
    """Help screens with Chinese headings (click's own are English)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = []
        for p in self.get_params(ctx):  # type: ignore[attr-defined]
            rv = p.get_help_record(ctx) if isinstance(p, click.Option) else None
            if rv is not None:
                records.append((rv[0], rv[1].replace("[required]", "［必填］")))
        _section(formatter, "选项", records)
        if isinstance(self, click.Group):
            commands = []
            for name in self.list_commands(ctx):
                cmd = self.get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    commands.append((name, cmd.get_short_help_str(limit=60)))
            _section(formatter, "命令", commands)


def _section(formatter: click.HelpFormatter, title: str, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    formatter.write_paragraph()
    formatter.write(f"{title}：\n")
    formatter.indent()
    formatter.write_dl(rows)
    formatter.dedent()


class Command(_ChineseHelp, click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(_ChineseHelp, click.Group):
    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
        self.group_class = Group

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        # The same error handling for the console script and for CliRunner.
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        console.make_safe()
        argv = list(sys.argv[1:] if args is None else args)
        sys.exit(run(self, argv, prog_name or "toolkit", **extra))


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def help_option(f: Any) -> Any:
    return click.help_option("-h", "--help", help="显示本帮助并退出。")(f)


class QuarterType(click.ParamType):
    name = "季度"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removeprefix("Q").removeprefix("第").removesuffix("季度")
        mapping = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
        if text not in mapping:
            self.fail(f"季度应为 1、2、3 或 4，收到“{value}”。", param, ctx)
        return mapping[text]


QUARTER = QuarterType()


class YearType(click.ParamType):
    name = "年份"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        text = str(value).strip().removesuffix("年")
        if not (text.isdigit() and len(text) == 4):
            self.fail(f"年度应为四位数字，如 2023，收到“{value}”。", param, ctx)
        return int(text)


YEAR = YearType()


def _positive_jobs(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not (text.isdigit() and int(text) >= 1):
        raise click.BadParameter(f"进程数应为正整数，收到“{value}”。", ctx, param)
    return int(text)


JOBS_OPTION = click.option(
    "--jobs",
    "-j",
    metavar="N",
    callback=_positive_jobs,
    help="并行进程数；默认为本机 CPU 核数。文件少于 40 份时不启用并行，结果与逐个处理完全相同。",
)


DEADLINE_OPTION = click.option(
    "--deadline",
    metavar="日期",
    help="本季度报送截止日期，如 2023-10-10；默认取登记表「设置」中的“第三季度报送截止日期”"
    "（按季度）。用于判断各单位是否按时报送。",
)


def register_options(f: Any) -> Any:
    """--year, --region and --allow-new-units, for every command that reads a register."""
    f = click.option(
        "--allow-new-units",
        is_flag=True,
        help="主办单位不在「单位」工作表中（或与另一单位只差一个字）时不报错，按新单位生成填报表。",
    )(f)
    f = click.option(
        "--region",
        metavar="地区",
        help="地区，如 龙华区；默认取登记表「设置」、标题行或文件名中的地区。",
    )(f)
    return click.option(
        "--year", "-y", type=YEAR, help="年度；默认取登记表「设置」、标题行或文件名中的年度。"
    )(f)


def read_register(
    path: str,
    year: int | None,
    region: str | None,
    allow_new_units: bool,
    *,
    notify: bool = True,
) -> Register:
    """The register a command works on; its notices go to the screen unless `notify` is off."""
    from toolkit.register.model import RegisterOptions
    from toolkit.register.reader import read_register as read

    register = read(Path(path), RegisterOptions(region, year, allow_new_units))
    if notify:
        for notice in register.warnings:
            say(f"提示：{notice}")
    # The register and the modules loaded so far live as long as the command:
    # moved out of the garbage collector's sight, they are not re-scanned on
    # every full collection (a tenth of a city-wide merge), and forked workers
    # keep sharing their memory pages.
    gc.freeze()
    return register


def resolve_deadline(register: Register, period: Period, text: str | None) -> dt.date | None:
    """The period's deadline: `--deadline` as typed, else the register's 设置."""
    from toolkit.returns.timeliness import given_deadline, period_deadline

    given = given_deadline(text, period) if text else None
    return period_deadline(register.settings, period, given)


def resolve_jobs(jobs: int | None) -> int:
    from toolkit.core.parallel import default_jobs

    return jobs or default_jobs()


# ---------------------------------------------------------------- output helpers


def say(message: str) -> None:
    """A message for the person at the terminal (stderr)."""
    click.echo(message, err=True)


def emit_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if not console.can_encode(sys.stdout, text):
        # \uXXXX escapes: the same JSON, in characters every encoding has.
        text = json.dumps(data, ensure_ascii=True, indent=2)
    click.echo(text)


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Any]:
    """A progress bar on a terminal; nothing when stderr is piped."""
    if total <= 1 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar


# Suffixes of other formats: `--out 一览表.xlsx` is a mistake, not a name to add .docx to.
_OFFICE_SUFFIXES = {".docx", ".docm", ".doc", ".wps", ".odt", ".rtf", ".pdf", ".txt", ".csv"}
_OFFICE_SUFFIXES |= {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".zip"}


def output_path(value: str | None, default: Path, suffix: str, option: str) -> Path:
    """An output file named on the command line: the suffix added when missing, a wrong one refused."""
    if value is None:
        return default
    path = Path(value)
    if path.is_dir():
        raise UsageError(
            f"{option} 应是一个文件名，“{value}”是一个文件夹。",
            hint=f"例如 {option} {path / default.name}",
        )
    if path.suffix.lower() == suffix:
        return path
    if path.suffix.lower() in _OFFICE_SUFFIXES:
        raise UsageError(
            f"{option} 应是 {suffix} 文件，收到“{value}”。",
            hint=f"改为 {path.with_suffix(suffix).name}，或用对应的选项指定该文件。",
        )
    return path.with_name(path.name + suffix)


# ---------------------------------------------------------------- errors -> exit codes


def _click_error_message(exc: click.ClickException) -> str:
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if isinstance(param, click.Argument):
            return f"缺少参数 {param.human_readable_name}。"
        return f"缺少选项 {' / '.join(param.opts) if param else ''}。"
    if isinstance(exc, click.NoSuchOption):
        hint = f"是否指：{'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}。{hint}"
    if isinstance(exc, click.BadParameter):
        label = " / ".join(exc.param.opts) if exc.param is not None else ""
        return f"参数 {label} 的值无效：{exc.message}"
    if isinstance(exc, click.UsageError) and "No such command" in exc.message:
        return f"没有这个命令：{exc.message.split('No such command', 1)[1].strip(' .')}"
    if isinstance(exc, click.BadOptionUsage):
        return f"选项用法有误：{exc.message}"
    return exc.message


def run(group: click.Group, args: list[str], prog_name: str, **extra: Any) -> int:
    """Run a command line; turn every error into a Chinese message and an exit code."""
    debug = "--debug" in args
    try:
        rc = click.Group.main(group, args, prog_name, standalone_mode=False, **extra)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        say("已中止。")
        return 130
    except click.ClickException as exc:
        if exc.ctx is not None:
            say(exc.ctx.get_usage())
        say(f"错误：{_click_error_message(exc)}")
        say("使用 -h 查看帮助。")
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except ToolkitError as exc:
        if debug:
            traceback.print_exc()
        say(f"错误：{exc}")
        return exc.exit_code
    except PermissionError as exc:
        # Windows refuses to open what Excel, WPS or Word has open.
        if debug:
            traceback.print_exc()
        name = Path(exc.filename).name if exc.filename else "该文件"
        say(f"错误：无法打开 {exc.filename or name}：文件正被其他程序打开，或没有访问权限。")
        say(f"  处理办法：请先在 Excel/WPS 中关闭 {name} 后重试。")
        return EXIT_PROBLEMS
    except Exception:
        if debug:
            traceback.print_exc()
        else:
            say("内部错误：toolkit 遇到了意外情况。请加 --debug 重新运行，并把输出发给维护人员。")
        return EXIT_INTERNAL
    # Without standalone mode click returns a command's exit code instead of exiting.
    return rc if isinstance(rc, int) else 0
