"""What the gait tracker writes: cadence from landing times, steps.csv rows, the summary dict."""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from live.types import STEP_METRICS, StepEvent

if TYPE_CHECKING:
    from live.gait.tracker import GaitTracker

# An interval between consecutive landings longer than this many typical steps is a break (runner
# lost, stopped), not a run of missed steps, and is left out of the cadence.
MAX_STEPS_PER_INTERVAL = 3

STEPS_CSV_COLUMNS = ("t_s", "frame", "leg", "side", "quality") + STEP_METRICS
# Lengths are measured in body heights (bh), so a zoom or a camera move changes nothing. With the
# runner's height known (a profile with height_cm) each also gets centimetres: bh x height.
_CM_NAMES = {name: name.removesuffix("_bh") + "_cm" if name.endswith("_bh") else name.removesuffix("_bhps") + "_cmps"
             for name in STEP_METRICS if name.endswith(("_bh", "_bhps"))}


def cm_metrics(metrics: dict[str, float], height_cm: float | None) -> dict[str, float]:
    """The body-height metrics of `metrics` in centimetres (overstride_cm, lift_speed_cmps, ...);
    empty without a height."""
    if height_cm is None:
        return {}
    return {cm: metrics[bh] * height_cm for bh, cm in _CM_NAMES.items() if bh in metrics}


def cadence_from_landings(times: list[float]) -> float:
    """Steps per minute from sub-frame landing times: steps over elapsed time, where an interval that
    spans k typical steps (a missed detection) counts as k steps instead of one long step. Using
    sub-frame times avoids the snapping of whole-frame intervals (at 30 fps, 10 or 11 frames give
    180 or 163.6, never 168.8). NaN with fewer than three landings."""
    t = np.sort(np.asarray([x for x in times if math.isfinite(x)], dtype=np.float64))
    if len(t) < 3:
        return math.nan
    d = np.diff(t)
    typical = float(np.median(d))
    if not typical > 0:
        return math.nan
    n = np.maximum(np.round(d / typical), 1.0)
    keep = n <= MAX_STEPS_PER_INTERVAL
    if not keep.any():
        return math.nan
    return float(60.0 * n[keep].sum() / d[keep].sum())


def recent_medians(steps: list, n_good: int, names) -> dict[str, float]:
    """Per metric, the median over the newest `n_good` good steps (newest first, stopping early, so a
    long session costs no more than a short one); NaN where none of them measured it."""
    good = []
    for s in reversed(steps):
        if len(good) == n_good:
            break
        if s.good:
            good.append(s)
    medians = {}
    for name in names:
        vals = [getattr(s, name) for s in good if math.isfinite(getattr(s, name))]
        medians[name] = float(np.median(vals)) if vals else math.nan
    return medians


def steps_csv_header(height_cm: float | None = None) -> list[str]:
    """steps.csv's columns: t_s, frame, leg, side, quality, STEP_METRICS, then with a runner height
    the same lengths in centimetres."""
    return list(STEPS_CSV_COLUMNS) + (list(_CM_NAMES.values()) if height_cm is not None else [])


def _fmt(v: float) -> str:
    return "" if not math.isfinite(v) else f"{v:.4f}"


def steps_csv_row(s: StepEvent, height_cm: float | None = None) -> list:
    """One step's steps.csv row (empty cells for NaN), matching `steps_csv_header(height_cm)`."""
    row = [f"{s.t_s:.4f}", s.frame, s.leg, s.side, s.quality]
    row += [_fmt(getattr(s, m)) for m in STEP_METRICS]
    if height_cm is not None:
        cm = cm_metrics(s.metrics(), height_cm)
        row += [_fmt(cm[name]) for name in _CM_NAMES.values()]
    return row


def write_steps_csv(path: str | Path, steps: list[StepEvent], height_cm: float | None = None) -> None:
    """The whole steps.csv at once (the session appends the same rows one by one as steps come)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(steps_csv_header(height_cm))
        for s in steps:
            w.writerow(steps_csv_row(s, height_cm))


def _stats(values: list[float]) -> dict[str, float | None]:
    v = [x for x in values if math.isfinite(x)]
    if not v:
        return {"median": None, "p25": None, "p75": None}
    p25, med, p75 = np.percentile(v, [25, 50, 75])
    return {"median": round(float(med), 4), "p25": round(float(p25), 4), "p75": round(float(p75), 4)}


def _cm_stats(good: list[StepEvent], height_cm: float | None) -> dict | None:
    """The body-height metrics' quartiles in centimetres; None without the runner's height."""
    if height_cm is None:
        return None
    rows = [cm_metrics(s.metrics(), height_cm) for s in good]
    return {cm: _stats([r[cm] for r in rows]) for cm in _CM_NAMES.values()}


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def summary_dict(tracker: GaitTracker) -> dict:
    """The summary.json content (JSON-safe: NaN becomes null). Metrics use good steps only. Event
    frames: a landing's first frame on the ground, a toe-off's last (see GaitTracker._frame_at)."""
    good = [s for s in tracker.steps if s.good]
    events = lambda xs: [{"frame": f, "t": round(t, 4), "leg": leg} for t, f, leg in xs]  # noqa: E731
    return {
        "cadence_spm": _num(cadence_from_landings([x[0] for x in tracker.landings])),
        "steps": len(tracker.landings),
        "facing": tracker.facing or "unknown",
        "landings": events(tracker.landings),
        "toe_offs": events(tracker.toe_offs),
        "metrics": {name: _stats([getattr(s, name) for s in good]) for name in STEP_METRICS},
        "metrics_cm": _cm_stats(good, tracker.profile.height_cm if tracker.profile is not None else None),
        # Near and far leg apart: a coach reads asymmetry here (one leg pushing, longer contact on one
        # side), which the medians over both legs hide.
        "metrics_by_leg": {leg: {name: _stats([getattr(s, name) for s in good if s.leg == leg])
                                 for name in STEP_METRICS} for leg in ("near", "far")},
        "good_steps_by_leg": {leg: sum(1 for s in good if s.leg == leg) for leg in ("near", "far")},
        "steps_emitted": len(tracker.steps),
        "good_steps": len(good),
        "body_height_px": _num(tracker.body_height_px),
        "floor_y_px": _num(tracker.floor_y_px),
        "lag_ms": _num(tracker.lag_ms()),
    }
