"""One error hierarchy for the whole toolkit.

The core raises these; only the command line (``toolkit.cli.base.run``)
turns them into a message on stderr and an exit code. Every message is
written for office staff, in Chinese, and says what to do next.
"""

from __future__ import annotations

# Documented exit codes (docs/exit-codes.md).
EXIT_OK = 0
EXIT_PROBLEMS = 1  # bad input data, or error-level findings
EXIT_USAGE = 2  # wrong command line, missing file
EXIT_INTERNAL = 70  # a bug: run again with --debug and report it


class ToolkitError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  处理办法：{self.hint}"


class UsageError(ToolkitError):
    """The command line asks for something that cannot be done."""

    exit_code = EXIT_USAGE


class RegisterError(ToolkitError):
    """The Excel register cannot be used as it is."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        cell: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if sheet:
            where = f"登记表工作表「{sheet}」"
            if cell:
                where += f"单元格 {cell}"
            where += "："
        super().__init__(where + message, hint=hint)
        self.sheet = sheet
        self.cell = cell


class TemplateError(ToolkitError):
    """A Word template cannot be rendered."""


class ReturnError(ToolkitError):
    """A returned form cannot be read (becomes an `unreadable` finding)."""


class OutputError(ToolkitError):
    """An output file cannot be written (exists, locked, no permission)."""
