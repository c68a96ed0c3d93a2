"""Cadence from landing times alone, so the coach needs no gait tracker to know it.

Steps over elapsed time (not the median of whole-frame intervals, which snaps to coarse values at
30 fps; see DESIGN.md): (n - 1) steps between the first and last landing in the window.
"""
from __future__ import annotations

import math
from collections import deque

WINDOW_S = 10.0  # the glossary's rolling 10 s: long enough to average out left/right asymmetry
MIN_STEPS = 4  # three intervals at least; fewer says nothing about a rhythm
MAX_GAP_S = 2.0  # a pause longer than this (stepped off, tracking lost) starts a new count


class StepCadence:
    def __init__(self, window_s: float = WINDOW_S) -> None:
        if not window_s > 0:
            raise ValueError(f"window_s = {window_s!r} must be positive")
        self.window_s = window_s
        self._times: deque[float] = deque()

    def reset(self) -> None:
        self._times.clear()

    def update(self, t_s: float) -> float:
        """Add one landing time (seconds); returns the cadence in steps per minute or NaN."""
        if self._times and t_s < self._times[-1]:
            raise ValueError(f"step time {t_s} is before the previous step {self._times[-1]}")
        if self._times and t_s - self._times[-1] > MAX_GAP_S:
            self._times.clear()
        self._times.append(t_s)
        while self._times[-1] - self._times[0] > self.window_s:
            self._times.popleft()
        return self.cadence_spm

    @property
    def cadence_spm(self) -> float:
        if len(self._times) < MIN_STEPS or self._times[-1] <= self._times[0]:
            return math.nan
        return 60.0 * (len(self._times) - 1) / (self._times[-1] - self._times[0])
