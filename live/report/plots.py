"""The report's plots over time, as embedded PNGs (base64), one per metric.

matplotlib is imported lazily and used through its object API with the Agg canvas: no pyplot, no
global backend switch, nothing drawn on a screen, so it is safe at the end of a live session.
"""
from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from live.report.data import SessionData
from live.report.targets import Target

PLOTTED = ("cadence_spm", "contact_ms", "fall_deg", "waist_bend_deg", "lift_speed_bhps", "overstride_bh",
           "bounce_bh")
GOOD_COLOUR, FAULT_COLOUR, STEP_COLOUR = "#2e9d5b", "#d9534f", "#1f5fa8"
CUE_COLOUR, PRAISE_COLOUR = "#7b3fa0", "#2e9d5b"
# inches; at 120 dpi a 624 px wide image: sharp on a monitor, and its text (10-11 pt) still readable
# when a phone shows it about 350 px wide
_FIG_IN = (5.2, 2.9)
_DPI = 120


@dataclass(frozen=True)
class Panel:
    metric: str
    title: str
    png_base64: str


@dataclass(frozen=True)
class _Series:
    t_s: tuple[float, ...]
    value: tuple[float, ...]
    ok: tuple[bool, ...]


def series(steps: tuple[dict, ...] | None, metric: str) -> _Series:
    """One value per step from steps.csv (or front_steps.csv) rows; cadence from the time to the next
    landing (either foot); lean_abs_deg is the front view's sideways lean either way."""
    rows = sorted(steps or (), key=lambda r: r["t_s"])
    t, v, ok = [], [], []
    for i, row in enumerate(rows):
        if metric == "cadence_spm":
            if i + 1 >= len(rows):
                break
            dt = rows[i + 1]["t_s"] - row["t_s"]
            value = 60.0 / dt if dt > 0 else math.nan
        elif metric == "waist_bend_deg":
            value = row.get("trunk_deg", math.nan) - row.get("fall_deg", math.nan)
        elif metric == "lean_abs_deg":
            value = abs(row.get("lean_deg", math.nan))
        else:
            value = row.get(metric, math.nan)
        if math.isfinite(value):
            t.append(row["t_s"])
            v.append(value)
            ok.append(row.get("quality") == "ok")
    return _Series(tuple(t), tuple(v), tuple(ok))


def _rolling_median(values: list[float], window: int) -> list[float]:
    out = []
    for i in range(len(values)):
        chunk = sorted(values[max(0, i - window + 1): i + 1])
        n = len(chunk)
        out.append(chunk[n // 2] if n % 2 else 0.5 * (chunk[n // 2 - 1] + chunk[n // 2]))
    return out


def _limits(s: _Series, target: Target) -> tuple[float, float]:
    """Y range: the data, and the thresholds when they lie near it (so the bands show)."""
    lo, hi = min(s.value), max(s.value)
    span = max(hi - lo, 1e-6)
    marks = [x for x in (*target.good_band(), *(target.fault_band() or ())) if math.isfinite(x)]
    for m in marks:
        if lo - span <= m <= hi + span:
            lo, hi = min(lo, m), max(hi, m)
    pad = 0.12 * max(hi - lo, 1e-6)
    return lo - pad, hi + pad


def _draw(ax, s: _Series, target: Target, cues: tuple[dict, ...], window: int) -> None:
    from matplotlib.ticker import MaxNLocator

    ylo, yhi = _limits(s, target)
    low, high = target.good_band()
    if math.isfinite(low) or math.isfinite(high):
        ax.axhspan(max(low, ylo), min(high, yhi), color=GOOD_COLOUR, alpha=0.14, lw=0)
    fault = target.fault_band()
    if fault is not None:
        ax.axhspan(max(fault[0], ylo), min(fault[1], yhi), color=FAULT_COLOUR, alpha=0.12, lw=0)
    good = [(t, v) for t, v, ok in zip(s.t_s, s.value, s.ok) if ok]
    other = [(t, v) for t, v, ok in zip(s.t_s, s.value, s.ok) if not ok]
    if good:
        gt, gv = zip(*good)
        ax.plot(gt, _rolling_median(list(gv), window), color=STEP_COLOUR, lw=1.6, alpha=0.8)
        ax.scatter(gt, gv, s=24, color=STEP_COLOUR, zorder=3)
    if other:
        ot, ov = zip(*other)
        ax.scatter(ot, ov, s=30, facecolors="none", edgecolors=STEP_COLOUR, linewidths=1.2, zorder=3)
    for n, cue in enumerate(cues, 1):
        colour = PRAISE_COLOUR if cue.get("cue") == "praise" else CUE_COLOUR
        ax.axvline(cue["t"], color=colour, lw=1.1, ls="--", zorder=2)
        ax.text(cue["t"], 1.0, str(n), color=colour, fontsize=11, fontweight="bold", ha="center", va="bottom",
                transform=ax.get_xaxis_transform())
    ax.set_ylim(ylo, yhi)
    ax.set_xlabel("time (s)", fontsize=11)
    ax.set_ylabel(target.unit, fontsize=11)
    ax.tick_params(labelsize=10)
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(alpha=0.25, lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_panels(data: SessionData, targets: tuple[Target, ...], window_steps: int) -> tuple[Panel, ...]:
    """One panel per target (in its order) that has at least two values: PLOTTED of steps.csv for a
    side view, the front targets of front_steps.csv for a front view; none without the file."""
    from matplotlib.figure import Figure  # lazy: a second of import, only when a report is written

    front = (data.summary or {}).get("view") == "front"
    steps = data.front_steps if front else data.steps
    by_metric = {t.metric: t for t in targets}
    t_end = max([r["t_s"] for r in steps or ()] + [c["t"] for c in data.cues] + [0.0])
    panels = []
    for metric in [t.metric for t in targets] if front else PLOTTED:
        target, s = by_metric[metric], series(steps, metric)
        if len(s.value) < 2:
            continue
        fig = Figure(figsize=_FIG_IN, layout="constrained")
        ax = fig.add_subplot()
        _draw(ax, s, target, data.cues, window_steps)
        ax.set_xlim(0, max(t_end, max(s.t_s)) * 1.02 + 0.1)
        panels.append(Panel(metric, target.label, _png(fig)))
    return tuple(panels)
