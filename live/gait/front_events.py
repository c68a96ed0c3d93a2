"""Front-view landings from the ankles' vertical image motion, one foot at a time.

Seen from the front (a laptop on the console, above the feet), a foot in its swing comes down and
toward the camera, so its ankle moves down the image fast; at contact it stops descending, and the
belt then carries it away from the camera, so its image point drifts up (and the body shrinks
around it). The landing is that kink: the ankle's lowest image point (largest y) over the swing
before it, timed to a fraction of a frame where a line through the descent meets a line through the
drift. The model's left/right labels name the feet: from the front they do not swap as in side view.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from live.gait.front_config import FrontConfig
from live.keypoints import Kp

LEGS = ("left", "right")
ANKLES = {"left": Kp.LEFT_ANKLE, "right": Kp.RIGHT_ANKLE}


class History:
    """The last seconds of keypoints (NaN below confidence), with their frame times and indices."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self.t: list[float] = []
        self.index: list[int] = []
        self.xy: list[np.ndarray] = []

    def add(self, t: float, index: int, xy: np.ndarray) -> None:
        self.t.append(t)
        self.index.append(index)
        self.xy.append(xy)
        while self.t and self.t[0] < t - self.keep_s:
            del self.t[0], self.index[0], self.xy[0]

    def clear(self) -> None:
        self.t, self.index, self.xy = [], [], []

    def times(self) -> np.ndarray:
        return np.asarray(self.t, dtype=np.float64)

    def points(self, kp: Kp) -> np.ndarray:
        """(N, 2) image points of one keypoint over the history."""
        if not self.xy:
            return np.zeros((0, 2))
        return np.stack([p[kp] for p in self.xy]).astype(np.float64)

    def frame_at(self, t: float) -> int:
        """The first frame at or after t (a landing as a person marks it), else the last one."""
        ts = self.times()
        i = int(np.searchsorted(ts, t - 1e-6, "left"))
        return int(self.index[min(i, len(self.index) - 1)]) if self.index else -1


@dataclass(frozen=True)
class Landing:
    t_s: float  # sub-frame landing time
    leg: str  # "left" | "right", the model's label
    frame: int
    seen: bool  # the ankle was confidently seen on every frame around the landing


def kink_time(ts: np.ndarray, y: np.ndarray, k: int, n: int) -> float:
    """Where a line through the n samples before sample k meets one through the n after it: the
    instant the foot stopped descending. Clamped to the frames next to k; t[k] when either side
    lacks samples or the lines do not form a descent-then-drift kink."""
    lo, hi = k - n, k + n
    if lo < 0 or hi >= len(ts):
        return float(ts[k])
    before, after = slice(lo, k), slice(k + 1, hi + 1)
    if not (np.isfinite(y[before]).all() and np.isfinite(y[after]).all()):
        return float(ts[k])
    ma, ba = np.polyfit(ts[before], y[before], 1)
    mb, bb = np.polyfit(ts[after], y[after], 1)
    if not ma > mb:  # not a descent (y growing) turning into a slower descent or a rise
        return float(ts[k])
    t = (bb - ba) / (ma - mb)
    return float(min(max(t, ts[k - 1]), ts[k + 1]))


class LandingDetector:
    """Online landings of both feet: each frame is judged once, when it is `lookahead` old."""

    def __init__(self, config: FrontConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._judged_t = {leg: -math.inf for leg in LEGS}
        self._last = {leg: -math.inf for leg in LEGS}

    def update(self, hist: History, bh: float, frame_s: float, now: float) -> list[Landing]:
        cfg = self.config
        ts = hist.times()
        if len(ts) < 3:
            return []
        ahead = cfg.lookahead_s(frame_s)
        out = []
        for leg in LEGS:
            y = hist.points(ANKLES[leg])[:, 1]
            for k in np.flatnonzero((ts > self._judged_t[leg]) & (ts <= now - ahead)):
                self._judged_t[leg] = ts[k]
                landing = self._judge(hist, ts, y, int(k), leg, bh, frame_s, ahead)
                if landing is not None:
                    self._last[leg] = landing.t_s
                    out.append(landing)
        return sorted(out, key=lambda x: x.t_s)

    def _judge(self, hist: History, ts, y, k: int, leg: str, bh: float, frame_s: float, ahead: float):
        cfg = self.config
        if not math.isfinite(y[k]) or ts[k] - self._last[leg] < 2 * cfg.min_step_ms / 1000.0:
            return None
        near = (ts >= ts[k] - cfg.landing_before_ms / 1000.0) & (ts <= ts[k] + ahead)
        if np.nanmax(y[near]) > y[k]:
            return None  # not the lowest point around: still descending, or already drifting up
        swing = (ts >= ts[k] - cfg.lift_window_ms / 1000.0) & (ts <= ts[k])
        if not y[k] - np.nanmin(y[swing]) >= cfg.min_lift_bh * bh:
            return None  # no lift came before it: a foot standing, or jitter on the belt
        n = max(cfg.min_samples_per_side, round(cfg.kink_ms / 1000.0 / max(frame_s, 1e-3)))
        t = kink_time(ts, y, k, n)
        around = np.abs(ts - t) <= 1.5 * frame_s
        return Landing(t, leg, hist.frame_at(t), bool(np.isfinite(y[around]).all()))
