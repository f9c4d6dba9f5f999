"""Hypothesis example counts: CI-sized on every run, thousands on request.

    pytest --hypothesis-profile=long tests/test_conservation_property.py

The profile is registered by tests/conftest.py (before pytest reads the
option); tests whose examples are slow ask `examples()` for their count.
"""

from __future__ import annotations

from hypothesis import settings

LONG_EXAMPLES = 3000
settings.register_profile("long", max_examples=LONG_EXAMPLES, deadline=None)


def examples(ci: int) -> int:
    """`ci`, or the long profile's count when that profile is loaded."""
    return LONG_EXAMPLES if settings.default.max_examples == LONG_EXAMPLES else ci
