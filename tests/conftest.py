from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import support.profiles  # noqa: F401 - registers the `long` hypothesis profile
from support.registers import write_register

# Prepared templates are cached between runs (toolkit.forms.template_cache): the
# tests, and the commands they start, keep theirs apart from the user's.
os.environ["TOOLKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="toolkit-test-cache-")
atexit.register(shutil.rmtree, os.environ["TOOLKIT_CACHE_DIR"], ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _module_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A folder of its own for each module's shared fixtures too (they run before any test's)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("module-cwd"))
        yield


@pytest.fixture(autouse=True)
def _working_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test runs in a folder of its own: what commands write by default (输出/, the
    history in 输出/报送历史.sqlite) never lands in the checkout or in another test."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def seed_register(tmp_path: Path) -> Path:
    """The seed's nine projects as a real .xlsx register."""
    return write_register(tmp_path / "register.xlsx")
