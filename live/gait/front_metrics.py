"""Per-step front-view metrics from the keypoint history (see FrontStepEvent for each definition).

Pure functions of arrays: image pixels in (x right, y down), body heights and degrees out. Each
returns NaN when its keypoints were not seen over the span it needs, never a guess.
"""
from __future__ import annotations

import math

import numpy as np

from live.gait.front_config import (ARM_CROSS_BH, CROSSOVER_BH, FRONT_PLAUSIBLE, HIP_DROP_MARKED_DEG,
                                    HIP_DROP_MILD_DEG, NARROW_BH)
from live.gait.front_events import History
from live.keypoints import Kp

_HIP = {"left": Kp.LEFT_HIP, "right": Kp.RIGHT_HIP}
_WRIST = {"left": Kp.LEFT_WRIST, "right": Kp.RIGHT_WRIST}
_ANKLE = {"left": Kp.LEFT_ANKLE, "right": Kp.RIGHT_ANKLE}
OTHER = {"left": "right", "right": "left"}


class Span:
    """The history's samples between two times, with the midpoints the metrics share."""

    def __init__(self, hist: History, t0: float, t1: float) -> None:
        ts = hist.times()
        self.mask = (ts >= t0 - 1e-9) & (ts <= t1 + 1e-9)
        self.t = ts[self.mask]
        self.hist = hist

    def pts(self, kp: Kp) -> np.ndarray:
        return self.hist.points(kp)[self.mask]

    def mid(self, a: Kp, b: Kp) -> np.ndarray:
        return 0.5 * (self.pts(a) + self.pts(b))  # NaN unless both seen: one alone would shift it

    def __len__(self) -> int:
        return int(self.mask.sum())


def own_side_sign(hist: History, leg: str) -> float:
    """+1 when this leg's hip is on image right of the other hip (a runner facing the camera: the
    left hip), -1 otherwise; NaN with no frame showing both hips."""
    d = hist.points(_HIP[leg])[:, 0] - hist.points(_HIP[OTHER[leg]])[:, 0]
    d = d[np.isfinite(d)]
    return float(np.sign(np.median(d))) if len(d) else math.nan


def _finite_frac(a: np.ndarray, need: float = 0.6) -> bool:
    return len(a) > 0 and np.isfinite(a).mean() >= need


def bounce_bh(span: Span, bh: float) -> float:
    """Vertical range of the hip midpoint over the step. Raw samples: a 3-sample average would cut a
    170 spm bounce by 11 % at 30 fps (a step is only 10.6 frames), more than 1 px of jitter adds."""
    y = span.mid(Kp.LEFT_HIP, Kp.RIGHT_HIP)[:, 1]
    if not _finite_frac(y, 0.8) or len(y) < 4:
        return math.nan
    return float((np.nanmax(y) - np.nanmin(y)) / bh)


def lean_deg(span: Span, left_sign: float) -> float:
    """Mean lateral angle of the trunk (hip midpoint to shoulder midpoint) vs image vertical over the
    step, + toward the runner's left (`left_sign`: +1 when the left hip is on image right)."""
    sh, hip = span.mid(Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), span.mid(Kp.LEFT_HIP, Kp.RIGHT_HIP)
    dx, up = sh[:, 0] - hip[:, 0], hip[:, 1] - sh[:, 1]
    ok = np.isfinite(dx) & np.isfinite(up) & (up > 0)
    if not _finite_frac(np.where(ok, 0.0, np.nan)) or not math.isfinite(left_sign):
        return math.nan
    return float(left_sign * np.degrees(np.mean(np.arctan2(dx[ok], up[ok]))))


def hip_drop_deg(stance: Span, leg: str) -> float:
    """Largest tilt of the hip line over early stance with the swing side's hip lower (y larger)
    than the stance side's, in degrees (negative: the swing side stayed higher throughout)."""
    a, b = stance.pts(_HIP[leg]), stance.pts(_HIP[OTHER[leg]])
    width = np.abs(a[:, 0] - b[:, 0])
    drop = b[:, 1] - a[:, 1]
    ok = np.isfinite(width) & np.isfinite(drop) & (width > 1.0)
    if not _finite_frac(np.where(ok, 0.0, np.nan)):
        return math.nan
    return float(np.degrees(np.arctan2(drop[ok], width[ok])).max())


def midline_bh(hist: History, t_land: float, leg: str, side_sign: float, bh: float) -> float:
    """Lateral distance of the landing ankle from the hip midpoint at the landing frame, + on the
    foot's own side, - crossed over the midline."""
    ts = hist.times()
    if not len(ts) or not math.isfinite(side_sign):
        return math.nan
    i = int(np.argmin(np.abs(ts - t_land)))
    ankle = hist.points(_ANKLE[leg])[i, 0]
    hips = 0.5 * (hist.points(Kp.LEFT_HIP)[i, 0] + hist.points(Kp.RIGHT_HIP)[i, 0])
    return float(side_sign * (ankle - hips) / bh)


def arm_cross_bh(span: Span, left_sign: float, bh: float) -> float:
    """Farthest either wrist reaches past the shoulder midpoint toward the other side over the step
    (+ = crossed), in body heights."""
    if not math.isfinite(left_sign):
        return math.nan
    mid = span.mid(Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER)[:, 0]
    reach = []
    for leg, own in (("left", left_sign), ("right", -left_sign)):
        past = own * (mid - span.pts(_WRIST[leg])[:, 0])  # + when the wrist is on the other side
        reach.append(past)
    r = np.concatenate(reach)
    if not _finite_frac(r, 0.5):
        return math.nan
    return float(np.nanmax(r) / bh)


def lift_ms(hist: History, t_land: float, t0: float, t1: float, leg: str) -> float:
    """This landing to the top of this foot's next lift (its smallest image y between t0 and t1,
    the other foot's landing and this foot's next), parabola-refined; NaN when not seen."""
    span = Span(hist, t0, t1)
    y = span.pts(_ANKLE[leg])[:, 1]
    if len(y) < 3 or not _finite_frac(y, 0.8):
        return math.nan
    k = int(np.nanargmin(y))
    t = span.t[k]
    if 0 < k < len(y) - 1 and np.isfinite(y[k - 1:k + 2]).all():
        denom = y[k - 1] - 2 * y[k] + y[k + 1]
        if denom > 0:
            t += 0.5 * (y[k - 1] - y[k + 1]) / denom * (span.t[k + 1] - span.t[k - 1]) / 2
    return float(1000.0 * (t - t_land))


def asymmetry_pct(step_ms: float, previous_ms: float) -> float:
    """|this step - the previous one| over their mean, in percent: steps alternate feet, so a
    runner who spends longer on one foot shows it at every step."""
    if not (math.isfinite(step_ms) and math.isfinite(previous_ms)) or step_ms + previous_ms <= 0:
        return math.nan
    return float(200.0 * abs(step_ms - previous_ms) / (step_ms + previous_ms))


def hip_drop_category(deg: float) -> str:
    if not math.isfinite(deg):
        return "unknown"
    return "marked" if deg >= HIP_DROP_MARKED_DEG else "mild" if deg >= HIP_DROP_MILD_DEG else "none"


def crossover_category(bh: float) -> str:
    if not math.isfinite(bh):
        return "unknown"
    return "crossover" if bh <= CROSSOVER_BH else "narrow" if bh < NARROW_BH else "none"


def arm_category(bh: float) -> str:
    if not math.isfinite(bh):
        return "unknown"
    return "crossing" if bh > ARM_CROSS_BH else "none"


def implausible(metrics: dict[str, float]) -> list[str]:
    """A flag per measured metric outside its plausible range."""
    out = []
    for name, v in metrics.items():
        lo, hi = FRONT_PLAUSIBLE[name]
        if math.isfinite(v) and not lo <= v <= hi:
            out.append(f"implausible_{name}")
    return out
