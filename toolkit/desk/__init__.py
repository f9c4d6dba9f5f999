"""`toolkit serve`: a local web desk over a workspace folder (docs/desk.md).

The desk adds no logic of its own: every page and action calls the same core
as the command line (register, forms, intake, merging, summary, reports).
"""

from __future__ import annotations
