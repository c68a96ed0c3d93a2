"""Per-step Pose Method metrics (see the glossary in DESIGN.md), from the samples of one step.

Everything is in the body frame: `sign` turns image x into forward (+1 facing right, -1 facing
left), image y grows downward, lengths are divided by the body height `bh` (pixels). Angles are
degrees from the vertical, positive toward the facing direction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# COCO-17 has no foot points. The ball of the foot is estimated from the ankle: foot length is
# 0.152 of height (Winter), the ankle sits ~25% of foot length from the heel and the ball ~73%, so
# the ball is ~0.48 * 0.152 = 0.073 body heights ahead of the ankle.
BALL_FORWARD_BH = 0.073


@dataclass(frozen=True)
class StepSamples:
    """Samples of one step, each an array over time `t` (NaN where not seen): hip and shoulder
    midpoints, the stepping leg's ankle and knee."""

    t: np.ndarray
    hip_x: np.ndarray
    hip_y: np.ndarray
    sh_x: np.ndarray
    sh_y: np.ndarray
    ankle_x: np.ndarray
    ankle_y: np.ndarray
    knee_x: np.ndarray
    knee_y: np.ndarray


def at(t: np.ndarray, y: np.ndarray, t0: float, max_gap_s: float) -> float:
    """y at t0 by linear interpolation between the finite samples around it; NaN when t0 is further
    than max_gap_s from both of them (do not bridge a hidden stretch)."""
    m = np.isfinite(y)
    tt, yy = t[m], y[m]
    if len(tt) == 0 or not math.isfinite(t0) or t0 < tt[0] - max_gap_s or t0 > tt[-1] + max_gap_s:
        return math.nan
    j = int(np.searchsorted(tt, t0))
    near = min(abs(tt[min(j, len(tt) - 1)] - t0), abs(tt[max(j - 1, 0)] - t0))
    if near > max_gap_s:
        return math.nan
    return float(np.interp(t0, tt, yy))


def angle_from_vertical(dx_forward: float, dy_down: float) -> float:
    """Angle (deg) of a segment from its lower end to its upper end vs vertical; dx_forward is how far
    the upper end is ahead, dy_down how far the lower end is below it."""
    return math.degrees(math.atan2(dx_forward, dy_down))


def knee_angle(hip: tuple[float, float], knee: tuple[float, float], ankle: tuple[float, float]) -> float:
    """Knee angle in degrees between thigh and shank: 180 is a straight leg."""
    a = np.subtract(hip, knee)
    b = np.subtract(ankle, knee)
    n = np.linalg.norm(a) * np.linalg.norm(b)
    if not n > 0:
        return math.nan
    return math.degrees(math.acos(float(np.clip(np.dot(a, b) / n, -1.0, 1.0))))


def mid_stance_time(s: StepSamples, t_land: float, t_toe: float, sign: float) -> float:
    """When the support ankle passes under the hip (forward offset crosses zero), else the middle of
    the contact. The samples searched reach one frame beyond the contact on each side, so a crossing
    just after landing is found whichever side of a frame's timestamp the landing time falls."""
    lo = max(int(np.searchsorted(s.t, t_land, "right")) - 1, 0)
    hi = int(np.searchsorted(s.t, t_toe, "left")) if math.isfinite(t_toe) else len(s.t) - 1
    tt, off = s.t[lo : hi + 1], sign * (s.ankle_x[lo : hi + 1] - s.hip_x[lo : hi + 1])
    tt, off = tt[np.isfinite(off)], off[np.isfinite(off)]
    # An ankle exactly under the hip is 0, whatever float rounding the mirror image brings (a
    # micro-pixel is far below any keypoint's precision), so a tie cannot move the crossing a frame.
    off = np.where(np.abs(off) < 1e-6, 0.0, off)
    for i in range(1, len(off)):
        if off[i - 1] >= 0 > off[i]:
            f = off[i - 1] / (off[i - 1] - off[i])
            t = float(tt[i - 1] + f * (tt[i] - tt[i - 1]))
            if t_land <= t <= (t_toe if math.isfinite(t_toe) else math.inf):
                return t
    return 0.5 * (t_land + t_toe) if math.isfinite(t_toe) else math.nan


def step_metrics(s: StepSamples, t_land: float, t_toe: float, t_next: float, sign: float, bh: float,
                 period_s: float, frame_s: float) -> dict[str, float]:
    """All STEP_METRICS for one step. t_toe / t_next may be NaN (then the metrics needing them are)."""
    g = 1.5 * frame_s  # bridge at most one missing frame

    def v(y, t0):
        return at(s.t, y, t0, g)

    out: dict[str, float] = {}
    out["contact_ms"] = 1000.0 * (t_toe - t_land)
    out["flight_ms"] = 1000.0 * (t_next - t_toe)
    ax, ay, kx, ky = v(s.ankle_x, t_land), v(s.ankle_y, t_land), v(s.knee_x, t_land), v(s.knee_y, t_land)
    hx, hy = v(s.hip_x, t_land), v(s.hip_y, t_land)
    out["overstride_bh"] = sign * (ax - hx) / bh
    out["shank_deg"] = angle_from_vertical(sign * (ax - kx), ay - ky) if math.isfinite(kx + ax) else math.nan
    out["knee_deg"] = knee_angle((hx, hy), (kx, ky), (ax, ay)) if math.isfinite(hx + kx + ax) else math.nan

    t_mid = mid_stance_time(s, t_land, t_toe, sign)
    ball = v(s.ankle_x, t_mid) + sign * BALL_FORWARD_BH * bh
    hxm, sxm = v(s.hip_x, t_mid), v(s.sh_x, t_mid)
    out["pose_offset_bh"] = 0.5 * (sign * (sxm - ball) + sign * (hxm - ball)) / bh
    out["trunk_deg"] = angle_from_vertical(sign * (sxm - hxm), v(s.hip_y, t_mid) - v(s.sh_y, t_mid))

    m = (s.t >= t_mid - 1e-9) & (s.t <= t_toe + 1e-9)
    falls = [angle_from_vertical(sign * (s.hip_x[i] - s.ankle_x[i]) - BALL_FORWARD_BH * bh, s.ankle_y[i] - s.hip_y[i])
             for i in np.nonzero(m)[0]]
    falls = [f for f in falls if math.isfinite(f)]
    out["fall_deg"] = max(falls) if falls else math.nan
    out["trail_bh"] = sign * (v(s.hip_x, t_toe) - v(s.ankle_x, t_toe)) / bh
    out.update(_pull(s, t_toe, period_s, bh))
    m = (s.t >= t_land - 1e-9) & (s.t <= t_next + 1e-9) & np.isfinite(s.hip_y)
    out["bounce_bh"] = float(np.ptp(s.hip_y[m])) / bh if m.sum() >= 3 else math.nan
    return out


def _pull(s: StepSamples, t_toe: float, period_s: float, bh: float) -> dict[str, float]:
    """pull_ms: toe-off to the swing ankle's highest point (within one step period: the heel's peak
    comes in the first half of the swing); lift_speed_bhps: the fastest rise of the ankle relative
    to the hip in that time."""
    nan = {"pull_ms": math.nan, "lift_speed_bhps": math.nan}
    if not math.isfinite(t_toe):
        return nan
    m = (s.t >= t_toe - 1e-9) & (s.t <= t_toe + period_s) & np.isfinite(s.ankle_y) & np.isfinite(s.hip_y)
    if m.sum() < 3:
        return nan
    tt, height = s.t[m], s.hip_y[m] - s.ankle_y[m]  # ankle height relative to the hip, px (up +)
    i = int(np.argmax(height))
    if i == 0 or i == len(tt) - 1:
        return nan  # the top is not inside the window: no clean pull
    rise = np.diff(height[: i + 1]) / np.diff(tt[: i + 1])
    return {"pull_ms": 1000.0 * (tt[i] - t_toe), "lift_speed_bhps": float(rise.max()) / bh}
