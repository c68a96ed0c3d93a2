"""What the front tracker writes: front_steps.csv rows and the summary.json content of a front view."""
from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from live.gait.output import _num, _stats, cadence_from_landings
from live.types import FRONT_CATEGORIES, FRONT_METRICS, STEP_METRICS, FrontStepEvent

if TYPE_CHECKING:
    from live.gait.front import FrontTracker

FRONT_STEPS_CSV = "front_steps.csv"
FRONT_CSV_COLUMNS = ("t_s", "frame", "leg", "quality") + FRONT_METRICS + FRONT_CATEGORIES
# What a frontal camera measures, for the HUD, summary.json and the report; and what it cannot.
FRONT_VIEW_METRICS = ("cadence_spm",) + FRONT_METRICS + FRONT_CATEGORIES
FRONT_NOT_MEASURED = tuple(m for m in STEP_METRICS if m != "bounce_bh")


def _fmt(v: float) -> str:
    return "" if not math.isfinite(v) else f"{v:.4f}"


def front_csv_row(s: FrontStepEvent) -> list:
    return ([f"{s.t_s:.4f}", s.frame, s.leg, s.quality] + [_fmt(getattr(s, m)) for m in FRONT_METRICS]
            + [getattr(s, c) for c in FRONT_CATEGORIES])


def front_csv_text(steps: list[FrontStepEvent]) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(FRONT_CSV_COLUMNS)
    for s in steps:
        w.writerow(front_csv_row(s))
    return buf.getvalue()


def write_front_csv(path: str | Path, steps: list[FrontStepEvent]) -> None:
    Path(path).write_text(front_csv_text(steps), encoding="utf-8")


def category_summary(values: list[str]) -> dict:
    """The most common category over the good steps that have one, with the share of those steps
    that agree (its confidence) and every count: a weak 2D measure is shown as this, not a number."""
    known = [v for v in values if v != "unknown"]
    if not known:
        return {"value": "unknown", "confidence": None, "counts": {}}
    counts = Counter(known)
    value, n = counts.most_common(1)[0]
    return {"value": value, "confidence": round(n / len(known), 3), "counts": dict(counts)}


def alternation(landings: list[tuple[float, int, str]]) -> float | None:
    """Share of consecutive landings that change foot (1.0 = every step alternates)."""
    legs = [x[2] for x in landings]
    if len(legs) < 2:
        return None
    return round(sum(a != b for a, b in zip(legs, legs[1:])) / (len(legs) - 1), 4)


def leg_asymmetry_pct(good: list[FrontStepEvent]) -> float | None:
    """Left against right step time (median of each), over their mean, in percent."""
    med = {}
    for leg in ("left", "right"):
        v = [s.step_ms for s in good if s.leg == leg and math.isfinite(s.step_ms)]
        med[leg] = float(np.median(v)) if v else math.nan
    a, b = med["left"], med["right"]
    return _num(200.0 * abs(a - b) / (a + b)) if math.isfinite(a + b) and a + b > 0 else None


def front_summary_dict(tracker: FrontTracker) -> dict:
    """summary.json for a front view: only what the front measures; side-only metrics are listed as
    not measured, never given a value."""
    good = [s for s in tracker.steps if s.good]
    return {
        "view": "front",
        "view_metrics": list(FRONT_VIEW_METRICS),
        "not_measured_in_view": list(FRONT_NOT_MEASURED),
        "cadence_spm": _num(cadence_from_landings([x[0] for x in tracker.landings])),
        "steps": len(tracker.landings),
        "facing": "camera",
        "landings": [{"frame": f, "t": round(t, 4), "leg": leg} for t, f, leg in tracker.landings],
        "toe_offs": [],
        "alternation": alternation(tracker.landings),
        "asymmetry_pct": leg_asymmetry_pct(good),
        "metrics": {name: _stats([getattr(s, name) for s in good]) for name in FRONT_METRICS},
        "categories": {c: category_summary([getattr(s, c) for s in good]) for c in FRONT_CATEGORIES},
        "metrics_by_leg": {leg: {name: _stats([getattr(s, name) for s in good if s.leg == leg])
                                 for name in FRONT_METRICS} for leg in ("left", "right")},
        "good_steps_by_leg": {leg: sum(1 for s in good if s.leg == leg) for leg in ("left", "right")},
        "steps_emitted": len(tracker.steps),
        "good_steps": len(good),
        "body_height_px": _num(tracker.body_height_px),
        "floor_y_px": None,
        "lag_ms": _num(tracker.lag_ms()),
    }
