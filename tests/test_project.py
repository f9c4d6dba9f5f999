"""The project's promises about itself: help texts, README commands, CI."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from toolkit.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix: str = "toolkit") -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(click.Context(group)):
        cmd = group.get_command(click.Context(group), name)
        assert cmd is not None
        found.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            found.extend(all_commands(cmd, f"{prefix} {name}"))
    return found


COMMANDS = all_commands(cli)


def test_the_expected_commands_exist():
    names = {n for n, _ in COMMANDS}
    assert {"toolkit generate", "toolkit check", "toolkit merge"} <= names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_chinese_help_with_an_example(name, command):
    assert command.help, f"{name} has no help"
    assert re.search(r"[\u4e00-\u9fff]", command.help), f"{name}: help is not in Chinese"
    if not isinstance(command, click.Group):
        assert "示例" in command.help, f"{name}: help has no 示例 block"
        assert name in command.help, f"{name}: the example does not show the command"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help and re.search(r"[\u4e00-\u9fff]", param.help), (
                f"{name} {param.opts}: option without Chinese help"
            )


def _fenced_commands() -> list[str]:
    return re.findall(r"```bash\n(python3 -m venv[^\n]+)\n```", README)


def test_ci_runs_the_readme_test_command():
    main_command, test_command = _fenced_commands()
    assert "pytest" in test_command and "pytest" not in main_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_performance_section_names_the_benchmark():
    section = README.split("## 性能", 1)[1].split("\n## ", 1)[0]
    [command] = re.findall(r"```bash\n([^\n]+)\n```", section)
    script = shlex.split(command)[1]
    assert (ROOT / script).is_file() and "--size all" in command
    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert command.split(" ", 1)[1] in performance


def test_readme_main_command_runs_on_the_shipped_sample(tmp_path):
    """The README's first command, minus the install, run against a copy of data/."""
    main_command, _ = _fenced_commands()
    steps = [s.strip() for s in main_command.split("&&")]
    toolkit_steps = [s for s in steps if s.startswith(".venv/bin/toolkit ")]
    assert len(toolkit_steps) == 2
    shutil.copytree(ROOT / "data", tmp_path / "data")
    exe = str(Path(sys.executable).with_name("toolkit"))
    for step in toolkit_steps:
        argv = [exe, *shlex.split(step)[1:]]
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    out = tmp_path / "输出" / "2023Q3"
    assert len(list((out / "填报表").glob("*.docx"))) == 8
    assert (out / "龙华区2023年第三季度民生实事项目进展情况一览表.docx").is_file()
    assert (out / "龙华区2023年第三季度民生实事项目进展情况一览表.xlsx").is_file()
    assert (out / "问题清单（2023年第三季度）.xlsx").is_file()


def test_every_stage_is_in_the_layering_contract_and_the_architecture_doc():
    """A new folder under toolkit/ must take its place in the layers and be described."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    packages = {
        f"toolkit.{p.name}" for p in (ROOT / "toolkit").iterdir() if (p / "__init__.py").is_file()
    }
    assert packages <= set(layers), packages - set(layers)
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in packages:
        assert f"`toolkit/{package.split('.')[1]}/`" in architecture, package
    installed = set(config["tool"]["setuptools"]["packages"])
    assert packages <= installed, packages - installed
