from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.registers import write_register


@pytest.fixture
def seed_register(tmp_path: Path) -> Path:
    """The seed's nine projects as a real .xlsx register."""
    return write_register(tmp_path / "register.xlsx")
