"""Online landing and toe-off detection, the same code for live and analysis.

Physics used (side view, body frame; treadmill and overground alike, because every horizontal
quantity is taken relative to the runner's slowly moving hip reference):
  1. Each step has one moment of widest stride: the feet-apart distance (label-free: |x_A - x_B| is
     the same whichever foot the model calls left) peaks when the swing foot reaches its forward
     extreme. That peak counts steps and, from which leg is ahead, names the leg. It comes about
     0.1-0.25 step before contact (late-swing retraction), so it is not the landing time.
  2. Landing: in flight the body falls freely and its downward speed grows until the ground force
     catches it; the hip's downward velocity therefore peaks at initial contact. The landing time is
     that peak, searched around the widest-stride moment.
  3. Toe-off: in stance the foot travels backward with the belt (or the ground, relative to the
     runner); when it leaves the floor it stops following and decelerates. The rear-most ankle's
     backward speed falls through half its stance speed at toe-off.
Velocities come from zero-phase local fits (signals.py), so events do not inherit smoothing lag.
Look-ahead: a sample is analysed once the fit window after it is complete: max(fit_half_window_ms,
fit_min_samples_per_side frame intervals) plus one frame for peak confirmation = 133 ms at 30 and
60 fps (100 + 33 / 17), 200 ms at 15 fps (133 + 67).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from live.gait.config import GaitConfig
from live.gait.signals import History, falling_crossing, local_fit, parabolic_vertex, peak_in


# The leg-naming vote reads the model's labels over +-0.15 step period around the widest stride: the
# feet-apart distance, about a sinusoid of one step's period, is still cos(0.3 pi) = 0.6 of its widest
# there, so the labels sit on clearly separate feet (1-2 frames each side at 30 fps, 2-4 at 60).
LABEL_VOTE_STEPS = 0.15
# At most this many steps are filled in between two widest strides; a longer hole is a break.
MAX_FILLED_STEPS = 2


@dataclass
class StepTiming:
    """A step being measured: the widest-stride moment, then landing, then toe-off of that leg."""

    t_peak: float
    leg: int  # track 0 (A) or 1 (B) ahead at the widest stride (its samples feed the metrics); -1 unknown
    vote: float = 0.0  # +conf when the ankle labelled left is further right in the image (see _label_vote)
    side: str = "unknown"  # named by LegPhase (provisional at landing, final at emission)
    parity: int = -1  # LegPhase's alternation index of this step
    t_land: float = math.nan
    t_toe: float = math.nan  # this foot's toe-off (found at the next step's widest stride)
    t_rear_toe: float = math.nan  # the OTHER foot's toe-off, found around this step's widest stride
    flags: list[str] = field(default_factory=list)
    toe_done: bool = False


class EventDetector:
    def __init__(self, config: GaitConfig) -> None:
        self.cfg = config
        self.reset()

    def reset(self) -> None:
        self.hist = History(self.cfg.history_s)
        self._facing: str | None = None
        self._settled_t = -math.inf  # last sample whose fits are done
        self._peak_state = "rise"
        self._ext_val = -math.inf  # running max (rise) or min (fall) of the fitted feet-apart
        self._ext_t = math.nan
        self.steps: list[StepTiming] = []  # steps whose landing or toe-off is still open
        self._last_peak: float | None = None
        self._offsets: list[float] = []  # landing minus widest-stride time of recent steps
        self.step_s_history: list[float] = []

    # ---- timing helpers ----
    def step_period_s(self) -> float:
        """Median of the recent landing intervals; the default until two are known."""
        recent = self.step_s_history[-8:]
        if not recent:
            return self.cfg.default_step_ms / 1000.0
        return float(np.median(recent))

    def frame_s(self) -> float:
        """Median frame interval of the recent samples."""
        t = self.hist.t
        return float(np.median(np.diff(t[-10:]))) if len(t) >= 3 else 1 / 30

    def half_window_s(self) -> float:
        return self.cfg.fit_half_window_s(self.frame_s())

    # ---- per frame ----
    def update(self, t: float, bh: float, facing: str | None, **values: float) -> list[tuple[str, StepTiming]]:
        """Add one frame's values (hip_y, apart, rear_fl / rear_fr: the rear-most ankle if facing
        left / right, ax_0, ax_1, ...); returns the events decided by it: ("peak" | "landing" |
        "toe_off", step). `facing` is the current decision (None while unknown)."""
        self._facing = facing
        self.hist.append(t, **values)
        w = self.half_window_s()
        events: list[tuple[str, StepTiming]] = []
        ts = np.asarray(self.hist.t)
        for i in np.nonzero((ts > self._settled_t) & (ts <= t - w))[0]:
            self._settle(int(i), w)
            self._settled_t = float(ts[i])
            events += self._detect_peak(int(i), bh)
        events += self._resolve(self._settled_t)
        return events

    def _settle(self, i: int, w: float) -> None:
        h = self.hist
        ts = np.asarray(h.t)
        t0 = ts[i]
        k = self.cfg.fit_min_samples_per_side
        apart, _ = local_fit(ts, h.column("apart"), t0, w, 2, k)
        _, hip_vy = local_fit(ts, h.column("hip_y"), t0, w, 3, k)
        _, rear_v_fl = local_fit(ts, h.column("rear_fl"), t0, w, 3, k)
        _, rear_v_fr = local_fit(ts, h.column("rear_fr"), t0, w, 3, k)
        h.set(i, "apart_fit", apart)
        h.set(i, "hip_vy", hip_vy)
        h.set(i, "rear_v_fl", rear_v_fl)
        h.set(i, "rear_v_fr", rear_v_fr)

    def _detect_peak(self, i: int, bh: float) -> list[tuple[str, StepTiming]]:
        """Hysteresis on the fitted feet-apart distance: a maximum counts once the distance has fallen
        apart_drop_bh below it, and the next one only after it has risen that much again."""
        v = self.hist.cols["apart_fit"][i]
        t = self.hist.t[i]
        if not math.isfinite(v):
            return []
        drop = self.cfg.apart_drop_bh * bh
        if self._peak_state == "rise":
            if v > self._ext_val:
                self._ext_val, self._ext_t = v, t
            elif v < self._ext_val - drop:
                step = self._new_step(self._ext_t, bh)
                self._peak_state, self._ext_val, self._ext_t = "fall", v, t
                return [("peak", step)] if step else []
        else:
            if v < self._ext_val:
                self._ext_val, self._ext_t = v, t
            elif v > self._ext_val + drop:
                self._peak_state, self._ext_val, self._ext_t = "rise", v, t
        return []

    def _new_step(self, t_max: float, bh: float) -> StepTiming | None:
        ts = np.asarray(self.hist.t)
        j = int(np.searchsorted(ts, t_max))
        fit = self.hist.column("apart_fit")
        t_peak = t_max
        if 0 < j < len(ts) - 1 and np.isfinite(fit[j - 1 : j + 2]).all():
            t_peak, _ = parabolic_vertex(ts[j - 1 : j + 2], fit[j - 1 : j + 2])
        last = self._last_peak
        if last is not None and (t_peak - last) * 1000.0 < self.cfg.min_step_ms:
            return None
        step = StepTiming(t_peak, -1, self._label_vote(t_peak, bh))
        period = self.step_period_s()
        if last is not None and len(self.step_s_history) >= 2:
            # Two widest strides a double step apart: the feet signal missed a step in between (the
            # far ankle hidden, drawn onto the near foot, so the feet never looked apart). The hip
            # bounces at every step whatever the feet look like: look for that landing there.
            n = round((t_peak - last) / period)
            for k in range(1, n) if n <= MAX_FILLED_STEPS + 1 else ():
                gap = StepTiming(last + k * (t_peak - last) / n, -1, 0.0, flags=["feet_hidden"])
                self.steps.append(gap)
        self.steps.append(step)
        self._last_peak = t_peak
        return step

    def _label_vote(self, t_peak: float, bh: float) -> float:
        """In image terms: +conf when the ankle labelled left is further right in the image, averaged
        over the frames within LABEL_VOTE_STEPS of a step period around the widest stride (the feet
        are then at least 0.6 of their widest apart), skipping frames where the two ankles are one
        foot drawn twice. One frame's swapped labels thus weigh a third of a vote at 30 fps, not a
        whole one. The tracker multiplies by the facing sign when it names the step (facing may be
        decided later)."""
        half = LABEL_VOTE_STEPS * self.step_period_s()
        ts = np.asarray(self.hist.t)
        m = (ts >= t_peak - half - 1e-9) & (ts <= t_peak + half + 1e-9)
        fl, fr = self.hist.column("x_left")[m], self.hist.column("x_right")[m]
        cl, cr = self.hist.column("conf_left")[m], self.hist.column("conf_right")[m]
        ok = np.isfinite(fl) & np.isfinite(fr) & (np.abs(fl - fr) >= self.cfg.collapse_bh * bh)
        if not ok.any():
            return 0.0
        votes = np.minimum(cl[ok], cr[ok]) * np.where(fl[ok] > fr[ok], 1.0, -1.0)
        return float(np.mean(votes))

    def leg_ahead(self, t: float, sign: float) -> int:
        """Leg track whose ankle is further forward around time t (the widest stride); -1 when the
        two are not both seen there. Called once facing is known (sign: +1 right, -1 left)."""
        ts = np.asarray(self.hist.t)
        j = int(np.argmin(np.abs(ts - t))) if len(ts) else 0
        x0, x1 = self.hist.column("ax_0"), self.hist.column("ax_1")
        for d in (0, -1, 1, -2, 2):
            k = j + d
            if 0 <= k < len(x0) and math.isfinite(x0[k]) and math.isfinite(x1[k]):
                return 0 if sign * x0[k] > sign * x1[k] else 1
        return -1

    # ---- landing and toe-off, once their windows are complete ----
    def finish(self, facing: str | None) -> list[tuple[str, StepTiming]]:
        """End of the stream: decide the steps whose windows the stream ended inside, with the
        samples there are (fits that would be one-sided stay missing)."""
        self._facing = facing
        return self._resolve(math.inf)

    def _resolve(self, now: float) -> list[tuple[str, StepTiming]]:
        out = []
        period = self.step_period_s()
        for k, s in enumerate(self.steps):
            if math.isnan(s.t_land) and now >= s.t_peak + self.cfg.landing_search_after_steps * period + self.frame_s():
                self._find_landing(s, period)
                out.append(("landing", s))
                s.t_rear_toe = self._find_toe_off(s.t_peak, period)
                prev = self.steps[k - 1] if k > 0 else None
                if prev is not None:
                    prev.toe_done = True
                    if prev.t_land < s.t_rear_toe < s.t_land:
                        prev.t_toe = s.t_rear_toe
                    else:
                        prev.flags.append("no_toe_off")
                if math.isfinite(s.t_rear_toe):
                    out.append(("toe_off", s))
        return out

    def _find_landing(self, s: StepTiming, period: float) -> None:
        c = self.cfg
        lo = s.t_peak - c.landing_search_before_steps * period
        hi = s.t_peak + c.landing_search_after_steps * period
        # One more sample on each side, so a peak just inside the window can be seen to be a peak.
        t, vy = self.hist.window("hip_vy", lo - self.frame_s(), hi + self.frame_s())
        pk = peak_in(t, vy)
        if pk is not None and lo <= pk[0] <= hi:
            if "feet_hidden" in s.flags:
                s.t_land = pk[0]
            else:
                # Two measurements of one landing: the hip's peak, and the widest stride plus this
                # runner's usual delay from it to contact (median over recent steps). Their errors
                # come from different keypoints, so their mean is steadier than either.
                self._offsets = (self._offsets + [pk[0] - s.t_peak])[-8:]
                s.t_land = 0.5 * pk[0] + 0.5 * (s.t_peak + float(np.median(self._offsets)))
        else:
            # No clear hip peak (hip hidden or flat): the widest-stride time shifted by this runner's
            # recent landing delay.
            s.t_land = s.t_peak + (float(np.median(self._offsets)) if self._offsets else 0.0)
            s.flags.append("landing_estimated")
        landed = [x.t_land for x in self.steps if math.isfinite(x.t_land) and x is not s]
        if landed:
            dt = s.t_land - max(landed)
            if dt * 1000.0 >= self.cfg.min_step_ms:
                self.step_s_history = (self.step_s_history + [dt])[-16:]

    def _find_toe_off(self, t_peak: float, period: float) -> float:
        """The rear foot's toe-off around a widest stride: in stance it moves backward at the belt's
        speed; off the floor it stops following and decelerates. Toe-off is the first fall of its
        fitted backward speed through toe_off_speed_fraction of the fastest (stance) speed in the
        window. NaN if there is none."""
        c = self.cfg
        if self._facing is None:
            return math.nan  # which ankle is the rear one is not known yet
        col = "rear_v_fl" if self._facing == "left" else "rear_v_fr"
        t, v = self.hist.window(col, t_peak - c.toe_off_search_before_peak_steps * period,
                               t_peak + c.toe_off_search_after_peak_steps * period)
        if len(v) < 3:
            return math.nan
        i = int(np.argmax(v))
        if v[i] <= 0:
            return math.nan
        cross = falling_crossing(t[i:], v[i:], c.toe_off_speed_fraction * v[i])
        return math.nan if cross is None else cross
