"""The offline installer: built from the repository, installed with no package index.

The build needs the package index (as the maintainer's machine has); the
install is what an office PC without internet does: a fresh venv, pip with
no configuration, no index, only the wheelhouse folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".tools" / "wheelhouse.py"


def offline_env() -> dict[str, str]:
    """The environment of a machine with no pip configuration and no index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "离线安装包"
    subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(out), "--zip", "--current-only"],
        check=True,
        timeout=900,
    )
    return out


def test_the_wheelhouse_holds_the_toolkit_every_dependency_and_the_install_note(wheelhouse):
    names = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    assert {"minsheng_toolkit", "python_calamine", "lxml", "openpyxl", "docxtpl", "click"} <= names
    note = (wheelhouse / "安装说明.txt").read_text(encoding="utf-8")
    assert "--no-index --find-links 离线安装包 minsheng-toolkit" in note
    with zipfile.ZipFile(wheelhouse.with_suffix(".zip")) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".whl")]) == len(
            list(wheelhouse.glob("*.whl"))
        )


def test_a_fresh_venv_installs_from_it_without_an_index(wheelhouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = offline_env()
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse),
         "minsheng-toolkit"],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    toolkit = str(python.with_name("toolkit"))

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [toolkit, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
        )

    assert run("--version").returncode == 0
    # The documents help texts name are there for an installed user.
    shown = run("docs", "模板")
    assert shown.returncode == 0
    assert shown.stdout.strip() == (ROOT / "docs" / "templates.md").read_text("utf-8").strip()
    path = Path(run("docs", "登记表", "--path").stdout.strip())
    assert path.is_file() and str(path).startswith(str(target))
    # And it does the job: the shipped sample register, read by the installed package.
    shutil.copy(ROOT / "data" / "register.xlsx", tmp_path / "登记表.xlsx")
    generated = run("generate", "登记表.xlsx", "-q", "3", "-o", "填报表")
    assert generated.returncode == 0, generated.stderr
    assert len(list((tmp_path / "填报表").glob("*.docx"))) == 8
