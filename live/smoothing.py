"""One Euro smoothing of keypoints, driven by timestamps (Casiez, Roussel, Vogel, CHI 2012).

The One Euro filter is a first-order low-pass whose cutoff rises with the signal's speed:
    cutoff_hz = min_cutoff_hz + beta * |dx/dt|
so a still keypoint is smoothed hard (no jitter on the HUD) and a fast one (a swinging foot) is
followed closely. It adapts its smoothing factor to the real time step, so 15, 30 and 60 fps work.

Lag. A first-order low-pass with cutoff fc delays a slowly varying signal by tau = 1 / (2 pi fc).
The filter's speed estimate (from its own previous output, as in the reference algorithm) runs
above the true speed on a ramp, so the real lag is at most these figures (defaults
min_cutoff_hz = 1.0, beta = 0.02 per px/s):
  - a keypoint at rest: fc = 1.0 Hz, lag = 159 ms;
  - a hip moving at 100 px/s: fc = 3 Hz, lag = 53 ms;
  - an ankle in swing at 1,000 px/s: fc = 21 Hz, lag = 8 ms.
`OneEuroFilter.lag_s(speed)` returns that figure. Because of it, the gait tracker never takes event
times from smoothed keypoints: it fits raw samples over a symmetric time window (zero phase; see
live/gait/signals.py). The smoother is for the overlay and for metrics read at an instant.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from live.types import PoseFrame


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    """Smoothing factor of a first-order low-pass with this cutoff over a step of dt_s."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """One Euro filter over an array of values (NaN = missing), one call per timestamp.

    `update(x, t)` returns the filtered array. A value that goes missing (NaN) restarts that
    element's filter when it comes back; `reset()` restarts every element (runner lost).
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.02, d_cutoff_hz: float = 1.0) -> None:
        if not min_cutoff_hz > 0:
            raise ValueError(f"min_cutoff_hz must be > 0, got {min_cutoff_hz}")
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not d_cutoff_hz > 0:
            raise ValueError(f"d_cutoff_hz must be > 0, got {d_cutoff_hz}")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @property
    def speed(self) -> np.ndarray | None:
        """The filter's current speed estimate per element (units/s), None before the first value."""
        return None if self._dx is None else self._dx.copy()

    def lag_s(self, speed: float = 0.0) -> float:
        """Upper bound of the delay of the filtered value behind a signal moving steadily at `speed`
        (units/s); the measured delay is lag_s(the filter's own speed estimate), which is smaller."""
        return 1.0 / (2.0 * math.pi * (self.min_cutoff_hz + self.beta * abs(speed)))

    def update(self, x, t: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._t is not None and t <= self._t:
            raise ValueError(f"timestamps must increase: got t={t} after t={self._t}")
        if self._x is None or self._x.shape != x.shape:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        self._t = t
        fresh = np.isnan(self._x) & ~np.isnan(x)  # element came back: restart it at the raw value
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        self._dx = np.where(np.isnan(dx), 0.0, a_d * dx + (1 - a_d) * self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._dx)
        tau = 1.0 / (2.0 * math.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        out = a * x + (1 - a) * self._x
        out = np.where(fresh, x, out)
        self._dx = np.where(fresh, 0.0, self._dx)
        self._x = out  # NaN where the input is missing, so it restarts when it returns
        return out.copy()


class PoseSmoother:
    """Smooths every keypoint coordinate of a PoseFrame with a One Euro filter.

    The filter is reset when the runner is lost (pose.found is False) or after a gap longer than
    `max_gap_ms` (a stale state would drag the first new frames toward an old position).
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.02, max_gap_ms: float = 250.0) -> None:
        if not max_gap_ms > 0:
            raise ValueError(f"max_gap_ms must be > 0, got {max_gap_ms}")
        self.max_gap_ms = max_gap_ms
        self._filter = OneEuroFilter(min_cutoff_hz, beta)
        self._last_t: float | None = None

    def reset(self) -> None:
        self._filter.reset()
        self._last_t = None

    def update(self, pose: PoseFrame) -> PoseFrame:
        if self._last_t is not None and pose.t <= self._last_t:
            raise ValueError(f"timestamps must increase: got t={pose.t} after t={self._last_t}")
        gap = self._last_t is not None and (pose.t - self._last_t) * 1000.0 > self.max_gap_ms
        self._last_t = pose.t
        if not pose.found:
            self._filter.reset()
            return pose
        if gap:
            self._filter.reset()
        xy = self._filter.update(pose.xy, pose.t).astype(np.float32)
        return replace(pose, xy=xy, conf=pose.conf.copy())
