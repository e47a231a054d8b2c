"""Charts as inline SVG, drawn when the page is written (no script, no library): histograms and bar charts."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.view.html import esc

WIDTH, HEIGHT = 480, 210
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and optionally an interval around it and a colour class."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    tone: str = ""


def histogram(values: Sequence[float], *, x_label: str, fmt: Callable[[float], str], bins: int = 20) -> str:
    """Counts of `values` in equal-width bins between their minimum and maximum."""
    if not values:
        return '<p class="empty">No values.</p>'
    low, high = min(values), max(values)
    if high == low:
        return bars([Bar(fmt(low), len(values))], x_label=x_label, y_label="admissions")
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        counts[min(int((value - low) / width), bins - 1)] += 1
    edges = [low + i * width for i in range(bins + 1)]
    ticks = _scale(max(counts))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / bins
    parts = [_y_axis(ticks, "admissions")]
    for i, count in enumerate(counts):
        h = plot_h * count / top
        x, y = LEFT + i * step, TOP + plot_h - h
        title = f"{fmt(edges[i])} to {fmt(edges[i + 1])}: {count}"
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{h:.1f}">'
            f"<title>{esc(title)}</title></rect>"
        )
    for i in (0, bins // 2, bins):
        anchor = "start" if i == 0 else "end" if i == bins else "middle"
        parts.append(_text(LEFT + i * step, HEIGHT - BOTTOM + 14, fmt(edges[i]), anchor))
    parts.append(_text(LEFT + plot_w / 2, HEIGHT - 6, x_label, "middle", "label"))
    return _svg(parts, x_label)


def bars(items: Sequence[Bar], *, x_label: str, y_label: str, top: float | None = None) -> str:
    """Vertical bars, one per item, with the item's interval as a whisker when it has one; `top`: the axis's top."""
    if not items:
        return '<p class="empty">No values.</p>'
    ticks = _scale(top or max(max(b.high if b.high is not None else b.value for b in items), 1e-9))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(items)
    bar_w = min(step * 0.7, 60)
    parts = [_y_axis(ticks, y_label)]
    for i, item in enumerate(items):
        h = plot_h * item.value / top
        cx = LEFT + step * (i + 0.5)
        parts.append(
            f'<rect class="bar {esc(item.tone)}" x="{cx - bar_w / 2:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}"><title>{esc(item.label)}: {item.value:g}</title></rect>'
        )
        if item.low is not None and item.high is not None:
            y1, y2 = TOP + plot_h * (1 - item.low / top), TOP + plot_h * (1 - item.high / top)
            parts.append(
                f'<path class="whisker" d="M{cx:.1f} {y1:.1f}V{y2:.1f}'
                f'M{cx - 5:.1f} {y1:.1f}h10M{cx - 5:.1f} {y2:.1f}h10">'
                f"<title>{esc(item.label)}: {item.low:g} to {item.high:g}</title></path>"
            )
        parts.append(_text(cx, HEIGHT - BOTTOM + 14, _short(item.label, step), "middle"))
    parts.append(_text(LEFT + plot_w / 2, HEIGHT - 6, x_label, "middle", "label"))
    return _svg(parts, x_label)


def _y_axis(ticks: list[float], label: str) -> str:
    plot_h, top = HEIGHT - TOP - BOTTOM, ticks[-1]
    lines = []
    for tick in ticks:
        y = TOP + plot_h * (1 - tick / top)
        lines.append(f'<path class="grid" d="M{LEFT} {y:.1f}H{WIDTH - RIGHT}"/>')
        lines.append(_text(LEFT - 6, y + 4, f"{tick:g}", "end"))
    lines.append(f'<path class="axis" d="M{LEFT} {TOP}V{TOP + plot_h}H{WIDTH - RIGHT}"/>')
    lines.append(
        f'<text class="label" transform="translate(11 {TOP + plot_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{esc(label)}</text>'
    )
    return "".join(lines)


def _scale(top: float) -> list[float]:
    """About five round tick values from 0 to at least `top`; the last one is the top of the axis."""
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def _short(label: str, room: float) -> str:
    chars = max(3, int(room / 6.5))
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _text(x: float, y: float, text: str, anchor: str, cls: str = "tick") -> str:
    return f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{esc(text)}</text>'


def _svg(parts: list[str], title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(title)}">'
        + "".join(parts)
        + "</svg>"
    )
