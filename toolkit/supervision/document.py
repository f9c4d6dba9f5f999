"""The 督查通报 draft as a Word document: the report template rendered with a Report.

The template (templates/report.docx, or the office's own, checked by
`template check` as kind `report`) holds the wording; every number, name
and date comes from toolkit.supervision.model. The chart of evaluations
per 民生事项 is drawn as a picture (toolkit.office.barchart) and placed
where the template writes `{{ chart }}`. The draft is written, with its
PDF when asked, as one output set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.core import rules
from toolkit.core.period import Period, chinese_date
from toolkit.forms.context import period_context
from toolkit.forms.identity import OUTPUT_REPORT, PROP_OUTPUT
from toolkit.forms.rendering import PreparedTemplate
from toolkit.office import barchart
from toolkit.office.docx_picture import Picture, png_size
from toolkit.office.filenames import safe_name
from toolkit.office.fileset import FileSet, Kept
from toolkit.register.settings import ISSUER
from toolkit.summary.model import (
    STATISTICS_LABELS,
    STATISTICS_ORDER,
    bucket_looks,
    share,
    statistics_text,
)
from toolkit.summary.outputs import pdf_of
from toolkit.supervision.model import (
    Report,
    lagging_text,
    overall_text,
    rates_text,
    repeats_text,
    returns_text,
)
from toolkit.templates import default_path

# The text block of an A4 page laid out after GB/T 9704 is 156 mm wide, 225 mm high:
# a chart of many 民生事项 is made narrower to stay on one page with its caption.
CHART_WIDTH_CM, CHART_HEIGHT_CM = 15.6, 21.0
NO_FONT = "本机没有中文字体，通报中没有画各民生事项的图表（其余内容完整）。"


def report_title(region: str, period: Period) -> str:
    return f"关于{region}{period.label}民生实事项目进展情况的通报"


def report_file_name(region: str, period: Period, suffix: str) -> str:
    """`龙华区2023年第三季度民生实事项目督查通报（草稿）.docx`, safe as a name."""
    return safe_name(f"{region}{period.label}民生实事项目督查通报（草稿）{suffix}")


def evaluation_chart(report: Report) -> Picture | None:
    """Bars of evaluations per 民生事项, or None when this machine has no Chinese font."""
    stats = report.stats
    buckets = [k for k in STATISTICS_ORDER if k in rules.EVALUATIONS or stats[k]]
    looks = bucket_looks(report.result.register.settings)
    series = [
        barchart.Series(STATISTICS_LABELS[k], [m.stats[k] for m in report.matters], *looks[k])
        for k in buckets
    ]
    try:
        png = barchart.stacked_bars([m.label for m in report.matters], series)
    except barchart.NoFont:
        return None
    said = "；".join(
        f"{m.label}："
        + "、".join(f"{STATISTICS_LABELS[k]}{m.stats[k]}项" for k in buckets if m.stats[k])
        for m in report.matters
    )
    width, height = png_size(png)
    width_cm = min(CHART_WIDTH_CM, CHART_HEIGHT_CM * width / height)
    return Picture(png, "chart1.png", f"各民生事项进度评价情况。{said}", width_cm)


def report_context(report: Report, chart: Picture | None, issuer: str = "") -> dict[str, Any]:
    result = report.result
    register, period = result.register, result.period
    stats = report.stats
    summary_stats = {k: v for k, v in stats.items() if k != "其他"}
    return {
        **period_context(register.region, period),
        "title": report_title(register.region, period),
        "issuer": register.settings.get(ISSUER, "").strip() or issuer.strip(),
        "date": chinese_date(report.today),
        "deadline": chinese_date(report.deadline) if report.deadline else "",
        "stats": stats,
        "stats_text": statistics_text(summary_stats),
        "shares": {k: share(v, stats["total"]) for k, v in stats.items() if k != "total"},
        "overall_text": overall_text(report),
        "matters": [{"name": m.label, "item": m.item, "stats": m.stats} for m in report.matters],
        "chart": chart if chart is not None else "",
        "unit_counts": report.counts,
        "returns_text": returns_text(report),
        "lagging": [
            {"no": n, **vars(line)} | {"problem": line.problem or "（未填写）"}
            for n, line in enumerate(report.lagging, start=1)
        ],
        "lagging_text": lagging_text(report),
        "previous_label": report.previous.label if report.previous else "",
        "repeats": [{"no": n, **vars(line)} for n, line in enumerate(report.repeats, start=1)],
        "repeats_text": repeats_text(report),
        "rates": [
            {"no": n, **r.as_dict(), "rate": r.rate or "—"}
            for n, r in enumerate(report.rates, start=1)
        ]
        if any(r.due for r in report.rates)
        else [],
        "rates_text": rates_text(report),
        "standings": [
            {
                "no": n,
                "unit": s.unit,
                "situation": s.situation,
                "date": chinese_date(s.day) if s.day else "",
                "note": s.note,
            }
            for n, s in enumerate(report.standings, start=1)
        ],
    }


@dataclass
class ReportFiles:
    docx: Path
    pdf: Path | None
    kept: list[Kept] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def report_docx(
    report: Report, template: Path | None = None, issuer: str = ""
) -> tuple[bytes, list[str]]:
    """The 通报 .docx, marked as the toolkit's own; and what to tell the person."""
    chart = evaluation_chart(report)
    context = report_context(report, chart, issuer)
    data = PreparedTemplate(template or default_path("report")).render_bytes(
        context,
        properties={PROP_OUTPUT: OUTPUT_REPORT},
        pictures=[chart] if chart is not None else None,
    )
    return data, [] if chart is not None else [NO_FONT]


def write_report(
    report: Report,
    docx: Path,
    template: Path | None = None,
    *,
    pdf: Path | None = None,
    issuer: str = "",
) -> ReportFiles:
    """Write the 通报 (and its PDF) as one set; an edited old draft is kept in 历史/."""
    data, warnings = report_docx(report, template, issuer)
    outputs = {docx: data}
    if pdf is not None:
        outputs[pdf] = pdf_of(data, docx.name)
    with FileSet(list(outputs)) as files:
        for target, content in outputs.items():
            files.write(target, content)
    return ReportFiles(docx, pdf, files.kept, warnings)
