"""Run the real command line in-process, the way the console script runs it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from toolkit.cli.main import cli


def invoke(*args: str | Path) -> Result:
    """`toolkit ARGS` through the real click group; stdout and stderr kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args])
