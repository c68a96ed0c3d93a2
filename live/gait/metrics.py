"""Per-step Pose Method metrics (see the glossary in DESIGN.md), from the samples of one step.

Everything is in the body frame: `sign` turns image x into forward (+1 facing right, -1 facing
left), image y grows downward, lengths are divided by the body height `bh` (pixels). Angles are
degrees from the vertical, positive toward the facing direction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from live.gait.config import GaitConfig
from live.gait.signals import local_fit, parabolic_vertex

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


# The metrics' fits use one half width at every frame rate from 15 fps up: the event fits' window
# as widened for 15 fps (two samples per side, 135 ms with the default config). A fit smooths a
# curve by an amount set by its window, so a window that narrowed with the frame rate would move
# every fitted metric with it (a quadratic over the event fits' 135 / 100 ms reads the peak of a
# 170 spm hip oscillation 13% / 4.5% low at 15 / 30 fps). The metrics are read after the step, so
# the wider window delays no event.
SLOWEST_FPS = 15.0


def metric_half_window_s(config: GaitConfig, frame_s: float) -> float:
    """Half width of the metrics' fits: the config's fit window at this frame interval or at
    SLOWEST_FPS, whichever is wider."""
    return config.fit_half_window_s(max(frame_s, 1.0 / SLOWEST_FPS))


# Maxima and peaks of fitted curves are read on a fixed time grid of this spacing (the ends of the
# searched span always included), the peak refined by a parabola through the grid points around
# it, so where the frames fell does not move them. 10 ms is finer than a 60 fps frame, and the
# fitted curves are smooth on that scale.
GRID_S = 0.010


def time_grid(t0: float, t1: float) -> np.ndarray:
    n = max(int(math.ceil((t1 - t0) / GRID_S - 1e-9)), 1) + 1
    return np.linspace(t0, t1, n)


def step_metrics(s: StepSamples, t_land: float, t_toe: float, t_next: float, sign: float, bh: float,
                 period_s: float, frame_s: float, config: GaitConfig | None = None) -> dict[str, float]:
    """All STEP_METRICS for one step. t_toe / t_next may be NaN (then the metrics needing them are).

    No metric depends on the frame rate beyond its noise: every point is read at the event's
    sub-frame time from a zero-phase fit in time (`point`), every maximum and peak from a fitted
    curve on a fixed time grid, the bounce from a fitted sinusoid; never from whichever frames
    happened to be sampled. The fits' half width is metric_half_window_s of `config` (the
    tracker's; the defaults when None)."""
    w = metric_half_window_s(config or GaitConfig(), frame_s)
    g = 1.5 * frame_s  # bridge at most one missing frame

    def v(y: np.ndarray, t0: float) -> float:
        return point(s.t, y, t0, w, g)

    out: dict[str, float] = {}
    out["contact_ms"] = 1000.0 * (t_toe - t_land)
    out["flight_ms"] = 1000.0 * (t_next - t_toe)
    ax, ay, kx, ky = v(s.ankle_x, t_land), v(s.ankle_y, t_land), v(s.knee_x, t_land), v(s.knee_y, t_land)
    hx, hy = v(s.hip_x, t_land), v(s.hip_y, t_land)
    out["overstride_bh"] = sign * (ax - hx) / bh
    out["shank_deg"] = angle_from_vertical(sign * (ax - kx), ay - ky) if math.isfinite(kx + ax) else math.nan
    out["knee_deg"] = knee_angle((hx, hy), (kx, ky), (ax, ay)) if math.isfinite(hx + kx + ax) else math.nan

    t_mid = mid_stance_time(s, t_land, t_toe, sign)
    lean = sign * (v(s.sh_x, t_mid) - v(s.hip_x, t_mid))  # shoulders ahead of the hips, px
    out["trunk_deg"] = angle_from_vertical(lean, v(s.hip_y, t_mid) - v(s.sh_y, t_mid))
    # The hips' offset from the ankle at mid-stance is read from the samples the crossing was found
    # in (zero when it was found): a fit would reach across the landing's corner and move it.
    hip_over_ankle = sign * (at(s.t, s.hip_x, t_mid, g) - at(s.t, s.ankle_x, t_mid, g))
    # pose_offset averages the shoulders' and the hips' offsets from the ball of the foot.
    out["pose_offset_bh"] = (hip_over_ankle + 0.5 * lean) / bh - BALL_FORWARD_BH
    out["fall_deg"] = _fall(s, t_mid, t_toe, sign, bh, w, g)
    out["trail_bh"] = sign * (v(s.hip_x, t_toe) - v(s.ankle_x, t_toe)) / bh
    out.update(_pull(s, t_toe, period_s, bh, w))
    out["bounce_bh"] = _bounce(s, t_land, t_next, bh)
    return out


def point(t: np.ndarray, y: np.ndarray, t0: float, half_window_s: float, max_gap_s: float) -> float:
    """y at the sub-frame time t0 from a zero-phase local quadratic over +-half_window_s (the event
    code's fit, signals.local_fit); NaN when no sample lies within max_gap_s of t0 (a hidden stretch
    is not bridged). A linear interpolation between the two frames around t0 instead cuts the
    corner of a foot's path at landing (swing pull-back into moving with the ground) by an amount
    that grows with the frame interval: 0.005 bh of overstride and 0.7 deg of shank at 15 fps
    against 60 on the synthetic runner. The fit cuts it too, by the same amount at every rate."""
    m = np.isfinite(y)
    if not math.isfinite(t0) or not m.any() or float(np.min(np.abs(t[m] - t0))) > max_gap_s:
        return math.nan
    return local_fit(t, y, t0, half_window_s, 2, 1)[0]


def _fall(s: StepSamples, t_mid: float, t_toe: float, sign: float, bh: float, w: float, g: float) -> float:
    """The body line's largest angle (ball of the support foot to the hip, vs vertical) from
    mid-stance to toe-off, from the fitted points on the time grid. The line leans most at toe-off in
    a usual step, a moment between frames: the largest sampled frame read it up to a frame early
    (5.1 / 8.3 / 9.3 deg at 15 / 30 / 60 fps on the synthetic runner)."""
    if not (math.isfinite(t_mid) and math.isfinite(t_toe) and t_toe >= t_mid):
        return math.nan
    falls = []
    for t in time_grid(t_mid, t_toe):
        hx, ax = point(s.t, s.hip_x, t, w, g), point(s.t, s.ankle_x, t, w, g)
        hy, ay = point(s.t, s.hip_y, t, w, g), point(s.t, s.ankle_y, t, w, g)
        falls.append(angle_from_vertical(sign * (hx - ax) - BALL_FORWARD_BH * bh, ay - hy))
    falls = [a for a in falls if math.isfinite(a)]
    return max(falls) if falls else math.nan


def _bounce(s: StepSamples, t_land: float, t_next: float, bh: float) -> float:
    """Peak-to-peak of the hip's vertical oscillation over the step, from a fitted sinusoid.

    The hip, close to the centre of mass, rises and falls once per step along nearly a sinusoid (the
    spring-mass model of running: Blickhan 1989, J Biomech 22:1217). The range of the raw samples
    grows with the frame rate instead (more frames, more chances of an extreme keypoint jitter) and
    misses the extremes between frames at a low one, and any local fit's smoothing of the peaks
    depends on its window. So fit y = a + b t + c cos(2 pi t / T) + d sin(2 pi t / T), T the step
    time (b takes up a slow camera drift), and report 2 sqrt(c^2 + d^2). The fit spans the step
    plus a quarter step on each side, so even a 15 fps camera at 214 spm gives it six samples."""
    if not (math.isfinite(t_land) and math.isfinite(t_next) and t_next > t_land):
        return math.nan
    period = t_next - t_land
    m = np.isfinite(s.hip_y) & (s.t >= t_land - period / 4 - 1e-9) & (s.t <= t_next + period / 4 + 1e-9)
    if m.sum() < 6:
        return math.nan
    ph = 2 * math.pi * (s.t[m] - t_land) / period
    a = np.column_stack([np.ones_like(ph), ph, np.cos(ph), np.sin(ph)])
    _, _, c, d = np.linalg.lstsq(a, s.hip_y[m], rcond=None)[0]
    return 2.0 * math.hypot(c, d) / bh


def _pull(s: StepSamples, t_toe: float, period_s: float, bh: float, w: float) -> dict[str, float]:
    """pull_ms: toe-off to the swing ankle's highest point (within one step period: the heel's peak
    comes in the first half of the swing); lift_speed_bhps: the fastest rise of the ankle relative
    to the hip in that time.

    Both from a zero-phase local cubic of the ankle's height above the hip on the time grid: its
    value gives the peak (between frames, not the highest frame), its slope the speed. The largest
    finite difference between frames grew with the frame rate, keypoint jitter over a shorter
    interval being a larger speed (0.74 / 0.82 / 0.96 bh/s at 15 / 30 / 60 fps with 1 px jitter)."""
    nan = {"pull_ms": math.nan, "lift_speed_bhps": math.nan}
    if not math.isfinite(t_toe):
        return nan
    height = s.hip_y - s.ankle_y  # ankle height relative to the hip, px (up +)
    grid = time_grid(t_toe, t_toe + period_s)
    fits = np.array([local_fit(s.t, height, t, w, 3, 1) for t in grid])
    seen = np.isfinite(fits).all(axis=1)  # a fit needs samples on both sides of its time
    grid, value, slope = grid[seen], fits[seen, 0], fits[seen, 1]
    if len(grid) < 3:
        return nan
    i = int(np.argmax(value))
    if i == 0 or i == len(grid) - 1:
        return nan  # the top is not inside the part of the window seen: no clean pull
    t_peak, _ = parabolic_vertex(grid[i - 1 : i + 2], value[i - 1 : i + 2])
    return {"pull_ms": 1000.0 * (t_peak - t_toe), "lift_speed_bhps": float(slope[: i + 1].max()) / bh}
