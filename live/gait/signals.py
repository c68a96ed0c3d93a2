"""Zero-phase signal tools for online event timing: a time-stamped history, local polynomial fits
over a symmetric time window, and sub-frame peak / crossing interpolation.

Why local polynomial fits (a Savitzky-Golay filter in time rather than in samples): a fit over
[t - w, t + w] has no phase delay, so an event time read from it does not inherit smoothing lag;
the price is a fixed look-ahead of w. Fitting in seconds, not samples, keeps every rate the same at
15, 30 or 60 fps and copes with irregular camera timestamps.
"""
from __future__ import annotations

import math

import numpy as np


class History:
    """Columns of per-frame values with their timestamps, trimmed to the last `horizon_s` seconds."""

    def __init__(self, horizon_s: float) -> None:
        if not horizon_s > 0:
            raise ValueError(f"horizon_s must be > 0, got {horizon_s}")
        self.horizon_s = horizon_s
        self.reset()

    def reset(self) -> None:
        self.t: list[float] = []
        self.cols: dict[str, list[float]] = {}

    def __len__(self) -> int:
        return len(self.t)

    def append(self, t: float, **values: float) -> None:
        if self.t and t <= self.t[-1]:
            raise ValueError(f"timestamps must increase: got t={t} after t={self.t[-1]}")
        n = len(self.t)
        for name, v in values.items():
            col = self.cols.setdefault(name, [math.nan] * n)
            col.append(float(v))
        for name, col in self.cols.items():
            if len(col) == n:
                col.append(math.nan)
        self.t.append(t)
        cut = 0
        while cut < len(self.t) and self.t[-1] - self.t[cut] > self.horizon_s:
            cut += 1
        if cut:
            del self.t[:cut]
            for col in self.cols.values():
                del col[:cut]

    def set(self, i: int, name: str, value: float) -> None:
        """Write a derived value for sample i (e.g. a velocity known only after the look-ahead)."""
        col = self.cols.setdefault(name, [math.nan] * len(self.t))
        col[i] = float(value)

    def column(self, name: str) -> np.ndarray:
        return np.asarray(self.cols.get(name, [math.nan] * len(self.t)), dtype=np.float64)

    def window(self, name: str, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """(t, values) for t0 <= t <= t1, missing values dropped."""
        t = np.asarray(self.t)
        v = self.column(name)
        m = (t >= t0 - 1e-9) & (t <= t1 + 1e-9) & np.isfinite(v)
        return t[m], v[m]


def local_fit(t: np.ndarray, y: np.ndarray, t0: float, half_window_s: float, degree: int,
              min_per_side: int = 1) -> tuple[float, float]:
    """(value, slope) at t0 of a least-squares polynomial over samples within +-half_window_s.

    Returns NaNs when either side of t0 has fewer than `min_per_side` samples (a one-sided fit would
    bring back the phase error this module exists to avoid) or there are too few for the degree.
    """
    m = np.isfinite(y) & (np.abs(t - t0) <= half_window_s + 1e-9)
    tt, yy = t[m] - t0, y[m]
    if (tt < -1e-9).sum() < min_per_side or (tt > 1e-9).sum() < min_per_side:
        return math.nan, math.nan
    deg = min(degree, len(tt) - 1)
    if deg < 1:
        return math.nan, math.nan
    scale = max(half_window_s, 1e-6)  # fit in units of the window for conditioning
    c = _least_squares(np.vander(tt / scale, deg + 1, increasing=True), yy)
    return float(c[0]), float(c[1]) / scale


def parabolic_vertex(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Vertex (t, y) of the parabola through three samples (uneven spacing allowed); the middle
    sample if they are collinear. Used for sub-frame peak times."""
    (t0, t1, t2), (y0, y1, y2) = t, y
    denom = (t0 - t1) * (t0 - t2) * (t1 - t2)
    a = (t2 * (y1 - y0) + t1 * (y0 - y2) + t0 * (y2 - y1)) / denom
    b = (t2 * t2 * (y0 - y1) + t1 * t1 * (y2 - y0) + t0 * t0 * (y1 - y2)) / denom
    if a == 0 or not math.isfinite(a):
        return float(t1), float(y1)
    tv = -b / (2 * a)
    tv = min(max(tv, t0), t2)  # a vertex outside the bracket means a poor fit: clamp
    c = y1 - a * t1 * t1 - b * t1
    return float(tv), float(a * tv * tv + b * tv + c)


def peak_in(t: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Sub-sample time and value of the largest interior local maximum of y, or None when the
    maximum sits on the window's edge (the peak is not inside this window)."""
    if len(y) < 3:
        return None
    i = int(np.nanargmax(y))
    if i == 0 or i == len(y) - 1:
        return None
    return parabolic_vertex(t[i - 1 : i + 2], y[i - 1 : i + 2])


def local_peaks(t: np.ndarray, y: np.ndarray, half_s: float) -> list[tuple[float, float]]:
    """Sub-sample (time, value) of every sample that is the largest of y within +-half_s of it and
    not on the window's edge, in time order."""
    out = []
    for i in range(1, len(y) - 1):
        near = np.abs(t - t[i]) <= half_s + 1e-9
        if np.isfinite(y[i]) and y[i] >= np.nanmax(y[near]) and np.isfinite(y[i - 1 : i + 2]).all():
            out.append(parabolic_vertex(t[i - 1 : i + 2], y[i - 1 : i + 2]))
    return out


def falling_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float | None:
    """Time (linear sub-sample interpolation) of the first fall of y through `level`."""
    for i in range(1, len(y)):
        if y[i - 1] >= level > y[i]:
            f = (y[i - 1] - level) / (y[i - 1] - y[i])
            return float(t[i - 1] + f * (t[i] - t[i - 1]))
    return None


def contact_kink(t: np.ndarray, x: np.ndarray, y: np.ndarray, tc_range: tuple[float, float], step_s: float,
                 belt: float | None, y_level: float | None) -> float:
    """Contact time of a foot from its forward position x(t) and height y(t) (body heights,
    + forward, + up). On the ground the foot moves backward with the belt in a straight line at the
    foot-flat height; before, it swings freely (a parabola in each: its forward extreme, the
    late-swing pull-back and the descent). The contact is the knot of the best continuous
    parabola-then-line fit (x) and parabola-then-constant fit (y), tried every `step_s` over
    tc_range. With `belt` (backward speed, body heights per second) the line's slope is that speed,
    and with `y_level` (the foot-flat height) the height after the knot is that level: both leave
    the knot less freedom to trade against the parabolas. NaN when every knot leaves too few
    samples on a side, or when the best one is on the edge of tc_range (the contact is not inside)."""
    ok = np.isfinite(x) & np.isfinite(y)
    t, x, y = t[ok], x[ok], y[ok]
    best_sse, best_tc = math.inf, math.nan
    grid = np.arange(tc_range[0], tc_range[1] + 1e-9, step_s)
    for tc in grid:
        d = t - tc
        pre = d < 0
        if pre.sum() < 3 or (~pre).sum() < 2:  # a parabola needs three samples, a line two
            continue
        swing = [np.ones_like(d), np.where(pre, d, 0.0), np.where(pre, d * d, 0.0)]
        sse = 0.0
        if belt is None:
            sse += _lstsq_sse(swing + [np.where(pre, 0.0, d)], x)
        else:
            sse += _lstsq_sse(swing, x + np.where(pre, 0.0, belt * d))
        if y_level is None:
            sse += _lstsq_sse(swing, y)
        else:
            sse += _lstsq_sse(swing[1:], y - y_level)  # no constant left to fit: the level is known
        if sse < best_sse:
            best_sse, best_tc = sse, float(tc)
    if len(grid) > 1 and not grid[0] + 1e-9 < best_tc < grid[-1] - 1e-9:
        return math.nan
    return best_tc


def _lstsq_sse(columns: list[np.ndarray], target: np.ndarray) -> float:
    m = np.column_stack(columns)
    return float(np.sum((m @ _least_squares(m, target) - target) ** 2))


def _least_squares(m: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Coefficients c minimising |m c - target|, m of a few columns (at most 4, in window units).

    The normal equations, solved directly: the tracker makes about 25 such fits a frame, and
    np.linalg.lstsq's SVD and its Python wrapper cost 30 us each against 5 here; with columns of
    order one and at most cubic powers the squared condition number stays far from float64's
    limits. A singular system (fewer distinct samples than columns) falls back to lstsq."""
    try:
        return np.linalg.solve(m.T @ m, m.T @ target)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(m, target, rcond=None)[0]
