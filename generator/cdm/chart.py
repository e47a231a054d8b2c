"""A self-contained SVG of scores: one panel per metric, one bar per pathology (and overall) with its
bootstrap interval as a whisker. Each panel has its own scale (imaging runs to 2 or 3, diagnosis to 1);
a panel whose values go below zero (differences) draws its zero line."""

import math
from html import escape

from generator.cdm.rubrics.case_score import METRICS
from generator.cdm.scoring import ComparisonReport, ScoreReport

Bar = tuple[str, float | None, float | None, float | None]  # group, value, interval low, interval high

COLUMNS = 3
PANEL_WIDTH = 300
PANEL_HEIGHT = 190
MARGIN_TOP = 44
PLOT_TOP = 34
PLOT_BOTTOM = 40
PLOT_LEFT = 40
PLOT_RIGHT = 10
COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#7f7f7f")


def score_chart(report: ScoreReport) -> str:
    panels = {
        metric: [
            (name, s.mean, s.ci_low, s.ci_high)
            for name, group in report.groups().items()
            for s in [group.metrics[metric]]
        ]
        for metric in METRICS
    }
    return render_svg(f"CDM scores, rubric {report.rubric} ({report.confidence:.0%} bootstrap intervals)", panels)


def comparison_chart(report: ComparisonReport) -> str:
    panels = {
        metric: [
            (name, d.difference, d.ci_low, d.ci_high)
            for name, metrics in report.groups.items()
            for d in [metrics[metric]]
        ]
        for metric in METRICS
    }
    return render_svg(f"CDM scores B - A, rubric {report.rubric} ({report.confidence:.0%} bootstrap intervals)", panels)


def render_svg(title: str, panels: dict[str, list[Bar]]) -> str:
    """`panels` maps a metric to its bars, in the order to draw."""
    names = [metric for metric in METRICS if metric in panels]
    rows = (len(names) + COLUMNS - 1) // COLUMNS
    width, height = COLUMNS * PANEL_WIDTH, MARGIN_TOP + rows * PANEL_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for index, metric in enumerate(names):
        x0 = (index % COLUMNS) * PANEL_WIDTH
        y0 = MARGIN_TOP + (index // COLUMNS) * PANEL_HEIGHT
        parts.append(_panel(metric, panels[metric], x0, y0))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(metric: str, bars: list[Bar], x0: float, y0: float) -> str:
    numbers = [v for _, *values in bars for v in values if v is not None]
    low = min(0.0, math.floor(min(numbers, default=0.0)))
    high = max(1.0, math.ceil(max(numbers, default=1.0)))
    top, bottom = y0 + PLOT_TOP, y0 + PANEL_HEIGHT - PLOT_BOTTOM
    left, right = x0 + PLOT_LEFT, x0 + PANEL_WIDTH - PLOT_RIGHT

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = [
        f'<text x="{(left + right) / 2}" y="{y0 + 20}" text-anchor="middle" font-size="12">{escape(metric)}</text>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{y(0.0):.1f}" x2="{right}" y2="{y(0.0):.1f}" stroke="black"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.2g}</text>')
    slot = (right - left) / max(1, len(bars))
    for i, (group, value, ci_low, ci_high) in enumerate(bars):
        center = left + slot * (i + 0.5)
        label = escape(_short(group))
        parts.append(f'<text x="{center:.1f}" y="{bottom + 14}" text-anchor="middle" font-size="9">{label}</text>')
        if value is None:
            parts.append(f'<text x="{center:.1f}" y="{bottom - 4}" text-anchor="middle">-</text>')
            continue
        bar_top, bar_bottom = sorted((y(value), y(0.0)))
        parts.append(
            f'<rect x="{center - slot * 0.3:.1f}" y="{bar_top:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{max(bar_bottom - bar_top, 0.5):.1f}" fill="{COLORS[i % len(COLORS)]}"/>'
        )
        if ci_low is not None and ci_high is not None:
            parts.append(
                f'<line x1="{center:.1f}" y1="{y(ci_low):.1f}" x2="{center:.1f}" y2="{y(ci_high):.1f}" stroke="black"/>'
            )
            for end in (ci_low, ci_high):
                parts.append(
                    f'<line x1="{center - 5:.1f}" y1="{y(end):.1f}" x2="{center + 5:.1f}" y2="{y(end):.1f}" '
                    'stroke="black"/>'
                )
        parts.append(f'<text x="{center:.1f}" y="{bottom + 26}" text-anchor="middle" font-size="9">{value:.2f}</text>')
    return "<g>\n" + "\n".join(parts) + "\n</g>"


def _short(group: str) -> str:
    return group if len(group) <= 8 else group[:6] + "."
