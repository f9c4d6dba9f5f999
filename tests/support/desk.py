"""The desk in process for tests: a workspace folder with the seed register, and a client."""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import quote

from support.registers import write_register
from toolkit.desk.app import create_app
from toolkit.desk.workspace import REGISTER_NAME

with warnings.catch_warnings():
    # Newer Starlette prefers the httpx2 package but still works with httpx.
    warnings.filterwarnings("ignore", message="Using `httpx`")
    from starlette.testclient import TestClient

BASE = "http://127.0.0.1:8321"

__all__ = ["BASE", "TestClient", "desk_client", "q", "workspace"]


def q(text: str) -> str:
    """A path segment as the pages write it."""
    return quote(text, safe="")


def workspace(tmp_path: Path) -> Path:
    """A workspace folder holding the seed register as 登记表.xlsx."""
    folder = tmp_path / "报送工作"
    folder.mkdir()
    write_register(folder / REGISTER_NAME)
    return folder


def desk_client(root: Path) -> TestClient:
    return TestClient(create_app(root), base_url=BASE)
