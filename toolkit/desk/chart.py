"""The board's chart of the period's evaluations: geometry for a plain inline SVG.

The counts and shares are the 一览表's statistics (toolkit.summary.model),
overall in the legend and per 民生事项 as stacked bars; each evaluation
has its colour and its hatch (as in the 通报's chart), so the board reads
the same on a grey printout. The page draws it with SVG elements only: no
script, no chart library, nothing the page's security policy would block.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.core import rules
from toolkit.returns.merging import MergeResult
from toolkit.summary.model import (
    STATISTICS_LABELS,
    STATISTICS_ORDER,
    bucket_looks,
    build_rows,
    group_rows,
    matter_label,
    share,
    statistics,
)

WIDTH = 960
LABEL_WIDTH = 250  # the 民生事项 names, right-aligned before the bars
BAR_RIGHT = 880  # room after the longest bar for its total
ROW = 28
BAR = 18
LEGEND_ROW = 26
LEGEND_ITEM = 190
_LABEL_CHARS = 16


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    x: float
    width: float
    color: str
    hatch: str


@dataclass(frozen=True)
class Bar:
    label: str  # as shown, cut to fit
    title: str  # the whole name, shown on hover
    total: int
    y: int
    segments: list[Segment]

    @property
    def end(self) -> float:
        return self.segments[-1].x + self.segments[-1].width if self.segments else LABEL_WIDTH


@dataclass(frozen=True)
class LegendItem:
    label: str
    count: int
    share: str
    color: str
    hatch: str
    x: int
    y: int


@dataclass(frozen=True)
class EvaluationChart:
    total: int
    legend: list[LegendItem]
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH


def evaluation_chart(result: MergeResult) -> EvaluationChart:
    rows = build_rows(result)
    stats = statistics(rows)
    looks = bucket_looks(result.register.settings)
    buckets = [k for k in STATISTICS_ORDER if k in rules.EVALUATIONS or stats[k]]
    per_row = max(1, (WIDTH - 10) // LEGEND_ITEM)
    legend = [
        LegendItem(
            STATISTICS_LABELS[k],
            stats[k],
            share(stats[k], stats["total"]),
            *looks[k],
            x=10 + (n % per_row) * LEGEND_ITEM,
            y=8 + (n // per_row) * LEGEND_ROW,
        )
        for n, k in enumerate(buckets)
    ]
    top = 8 + -(-len(buckets) // per_row) * LEGEND_ROW + 10
    groups = group_rows(rows)
    counts = [statistics(g.rows) for g in groups]
    scale = (BAR_RIGHT - LABEL_WIDTH - 10) / max((c["total"] for c in counts), default=1)
    bars = []
    for n, (group, c) in enumerate(zip(groups, counts, strict=True)):
        x = float(LABEL_WIDTH + 10)
        segments = []
        for k in buckets:
            if c[k]:
                segments.append(Segment(STATISTICS_LABELS[k], c[k], x, c[k] * scale, *looks[k]))
                x += c[k] * scale
        name = matter_label(group)
        shown = name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"
        bars.append(Bar(shown, name, c["total"], top + n * ROW, segments))
    return EvaluationChart(stats["total"], legend, bars, top + len(bars) * ROW + 8)
