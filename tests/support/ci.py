"""Tests that need an outside program: skipped locally without it, failed on CI."""

from __future__ import annotations

import os

import pytest


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str, kind: str) -> None:
    """Skip, or under CI=true fail: there a silent skip would hide a broken setup."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: {kind} tests must run)", pytrace=False)
    pytest.skip(reason)
