"""Online landing and toe-off detection, the same code for live and analysis.

Physics used (side view, body frame; treadmill and overground alike, because every horizontal
quantity is taken relative to the runner's slowly moving hip reference):
  1. Each step has one moment of widest stride: the feet-apart distance (label-free: |x_A - x_B| is
     the same whichever foot the model calls left) peaks when the swing foot reaches its forward
     extreme. That peak counts steps and, from which leg is ahead, names the leg. It comes about
     0.1-0.25 step before contact (late-swing retraction), so it is not the landing time.
     Where the feet never look apart for a step or more (ankles hidden, or drawn onto one foot,
     lines burned over the legs), the hip still bounces once a step: each of its peaks of downward
     speed between two widest strides is a step (_hidden_steps), flagged feet_hidden.
  2. Landing: in flight the body falls freely and its downward speed grows until the ground force
     catches it; the hip's downward velocity therefore peaks at initial contact or, for a runner
     whose hip is highest at contact, later in early stance. That delay is measured per runner
     against the landing foot's own contact (its forward position and height stop following a free
     swing and follow the belt at floor level) and taken off the hip's peak; the landing is the mean
     of that and the widest stride plus its delay to it (see _find_landing). The delay is used only
     when the steps agree on one value clear of the foot contact's own bias (hip_delay.runner_hip_delay): the
     ankle keypoint alone is a fragile contact timer on real footage (a slow shutter splits it into
     two clusters), so it calibrates the hip, whose peak is steady step to step, and never times a
     landing by itself.
     Sources: pelvis-only timing does not generalise (Kiernan et al. 2023, about +-30 ms bias,
     +-120 ms limits of agreement); kinematic contact from the foot's own motion, on a treadmill the
     change from free swing to moving with the belt (Fellin et al. 2010, treadmill and overground
     kinematic footstrike methods; Handsaker et al. 2016, treadmill, across strike types); the
     widest stride is the foot-pelvis distance maximum of Zeni et al. 2008, which precedes contact
     by the late-swing pull-back and so counts steps rather than timing them.
  3. Toe-off: in stance the foot travels backward with the belt (or the ground, relative to the
     runner); when it leaves the floor it stops following and decelerates. The rear-most ankle's
     backward speed falls through half its stance speed at toe-off.
Velocities come from zero-phase local fits (signals.py), so events do not inherit smoothing lag.
Look-ahead: a sample is analysed once the fit window after it is complete: max(fit_half_window_ms,
fit_min_samples_per_side frame intervals) plus one frame for peak confirmation = 133 ms at 30 and
60 fps (100 + 33 / 17), 200 ms at 15 fps (133 + 67). A landing is decided once the hip's window
(up to 0.45 step after the widest stride, plus the runner's hip delay) is settled, or, when that
window holds no hip peak, once the fallback's (half a step either side of where this runner's hip
peak usually is) is; the hip delays that the landing foot's contacts measure are read once the
hip's fits after each contact are.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from live.gait.config import GaitConfig
from live.gait.hip_delay import foot_contact, runner_hip_delay
from live.gait.signals import History, falling_crossing, local_fit, local_peaks, parabolic_vertex, peak_in


# The leg-naming vote reads the model's labels over +-0.15 step period around the widest stride: the
# feet-apart distance, about a sinusoid of one step's period, is still cos(0.3 pi) = 0.6 of its widest
# there, so the labels sit on clearly separate feet (1-2 frames each side at 30 fps, 2-4 at 60).
LABEL_VOTE_STEPS = 0.15
# The foot's contact (signals.contact_kink on the ankle keypoint) scatters from step to step by up
# to 2-3 frames at 30 fps on real footage (measured on the shared clip and its copies): 100 ms.
FOOT_SCATTER_S = 0.1
# The first landings of a run wait up to this long for the runner's hip delay: three steps' foot
# contacts (about 1.1 s at 160 spm) and the hip's window after the last of them.
CALIBRATION_WAIT_S = 1.5
# The foot's forward position is read from a hip reference that follows the runner's translation
# (overground) but not the in-step sway: the tracker's own REF_TAU_S (one stride, ~0.7 s), kept here
# so the event code needs nothing from the tracker but the keypoint columns.
REF_TAU_S = 0.7
# A hip peak of a step hidden from the feet is the largest within +-0.4 step of it: real peaks
# come a step apart (0.65-1.35 step on drawn-over footage), a jitter bump on one fall 0.1-0.4 step
# from its peak (seen on the dark copy) is not a second step.
HIP_PEAK_APART_STEPS = 0.4


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
    foot_read: bool = False  # its landing foot's contact has been read (for the runner's hip delay)
    t_hip: float = math.nan  # its hip peak, for a step found by the hip alone (_hidden_steps)


class EventDetector:
    def __init__(self, config: GaitConfig) -> None:
        self.cfg = config
        self.reset()

    def reset(self) -> None:
        self.hist = History(self.cfg.history_s)
        self._ref_x: float | None = None  # the hip reference the foot's forward position is read from
        self._facing: str | None = None
        self._settled_t = -math.inf  # last sample whose fits are done
        self._t0 = math.inf  # first sample of this run segment
        self._peak_state = "rise"
        self._ext_val = -math.inf  # running max (rise) or min (fall) of the fitted feet-apart
        self._ext_t = math.nan
        self.steps: list[StepTiming] = []  # steps whose landing or toe-off is still open
        self._last_peak: float | None = None
        self._offsets: list[float] = []  # landing minus widest-stride time of recent steps
        # Measured per runner from the foot's own contact (see _find_landing): hip peak minus
        # foot contact, and the belt's backward speed (bh/s) the foot moves with in stance.
        self._hip_delays: list[float] = []
        self._feet: list[float] = []  # foot contacts whose hip delay is not measured yet
        self._feet_read = 0
        self._hip_delay = 0.0
        self._belt: list[float] = []
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
        hip_x = values.get("hip_x", math.nan)
        if math.isfinite(hip_x):
            last = self.hist.t[-1] if self.hist.t else t
            if self._ref_x is None:
                self._ref_x = hip_x
            else:
                self._ref_x += (1.0 - math.exp(-(t - last) / REF_TAU_S)) * (hip_x - self._ref_x)
        ref = self._ref_x if self._ref_x is not None else math.nan
        self.hist.append(t, bh_px=bh, ref_x=ref, **values)
        self._t0 = min(self._t0, t)
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
        if last is not None:
            self.steps += self._hidden_steps(last, t_peak)
        self.steps.append(step)
        self._last_peak = t_peak
        return step

    def _hidden_steps(self, last: float, t_peak: float) -> list[StepTiming]:
        """The steps between two widest strides that the feet did not show (the far ankle hidden or
        drawn onto the near foot, lines drawn over the legs: the feet never looked apart). The hip
        bounces once a step whatever the feet look like: each peak of its downward speed in the gap,
        clear of the two bounding steps' own, is a step, timed by that peak (see _find_landing).
        Counted by the hip's own peaks rather than by dividing the gap by the step period, which the
        missed steps themselves lengthen."""
        period = self.step_period_s()
        if t_peak - last < 1.5 * period:
            return []
        off = self._hip_offset_s(period)
        lo, hi = last + off + 0.5 * period, t_peak + off - 0.5 * period
        t, vy = self.hist.window("hip_vy", lo - period, hi + period)
        steps = []
        for t_hip, v in local_peaks(t, vy, HIP_PEAK_APART_STEPS * period):
            if lo <= t_hip <= hi and v > 0:  # falling fastest: + is down
                steps.append(StepTiming(t_hip - off, -1, 0.0, flags=["feet_hidden"], t_hip=t_hip))
        return steps

    def _hip_offset_s(self, period: float) -> float:
        """Typical time from a widest stride to its hip peak: this runner's recent one (landing minus
        widest stride, plus the hip delay), the middle of the landing search until one is known."""
        c = self.cfg
        base = (float(np.median(self._offsets)) if self._offsets
                else 0.5 * (c.landing_search_after_steps - c.landing_search_before_steps) * period)
        return base + self.hip_delay_s()

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
        for s in self.steps:
            self._read_foot(s, now, period)
        self._measure_hip_delays(now)
        untimed = []
        for k, s in enumerate(self.steps):
            ready = s.t_peak + self.cfg.landing_search_after_steps * period + self.hip_delay_s()
            if math.isnan(s.t_land) and now >= ready + self.frame_s() and not self._calibrating(s, now):
                own = self._own_hip_peak(s, period)
                if self._waits_for_fallback(s, own, period, now):
                    continue
                self._find_landing(s, period, own)
                if s.t_land < self._t0 + self.half_window_s() and "landing_estimated" in s.flags:
                    untimed.append(s)  # inside the fits' look-behind: its time would be a guess
                    continue
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
        # A landing earlier than the fits' look-behind after the first sample has no hip fit to be
        # timed by (config.fit_half_window_s): not a landing of the run (it would move a short run's
        # cadence by a spm), nor a step.
        self.steps = [x for x in self.steps if x not in untimed]
        return out

    def _find_landing(self, s: StepTiming, period: float, own_hip: float) -> None:
        """Initial contact from the hip's peak downward speed and the widest stride, the hip's
        timing corrected by this runner's measured delay from the foot's own contact.

        In flight the body falls freely and its downward speed grows until the ground force, rising
        from contact on, exceeds body weight: the hip's peak downward speed therefore comes at or
        after contact, never before. It comes right at contact for a runner who falls through a
        real flight, up to about 0.4 step later for one whose hip is highest at contact and falls
        through early stance (pelvis-only timing: Kiernan et al. 2023, about +-30 ms bias and
        +-120 ms limits of agreement). That delay is measured per runner against the landing foot's
        own contact (`_foot_contact`: it stops its free swing and moves with the belt), as the
        median over recent steps, bounded to [0, hip_delay_max_ms]: the foot's contact is noisier
        step by step than the hip's peak, and reads late where the ankle rolls forward over the
        heel, so it sets the delay, not the landing. The widest stride, plus this runner's median
        delay from it to the corrected hip timing, is a second, independent timing; the landing is
        the mean of the two."""
        delay = self.hip_delay_s()
        hip = own_hip  # _own_hip_peak, found by the caller
        if not math.isfinite(hip) and "feet_hidden" not in s.flags:
            hip = self._unclaimed_hip_peak(s, period, delay)
            if math.isfinite(hip):
                s.flags.append("landing_by_hip")
        if math.isfinite(hip):
            hip -= delay
            if "feet_hidden" not in s.flags:
                self._offsets = (self._offsets + [hip - s.t_peak])[-8:]
            if "feet_hidden" in s.flags or "landing_by_hip" in s.flags:
                s.t_land = hip
            else:
                s.t_land = 0.5 * hip + 0.5 * (s.t_peak + float(np.median(self._offsets)))
        else:
            # No clear hip peak (hip hidden or flat): the widest-stride time shifted by this runner's
            # recent delay from it to the landing.
            s.t_land = s.t_peak + (float(np.median(self._offsets)) if self._offsets else 0.0)
            s.flags.append("landing_estimated")
        landed = [x.t_land for x in self.steps if math.isfinite(x.t_land) and x is not s]
        if landed:
            dt = s.t_land - max(landed)
            if dt * 1000.0 >= self.cfg.min_step_ms:
                self.step_s_history = (self.step_s_history + [dt])[-16:]

    def _own_hip_peak(self, s: StepTiming, period: float) -> float:
        """The landing's own hip peak: searched around the widest stride, shifted by the runner's
        delay (a step found by the hip alone has it already)."""
        if math.isfinite(s.t_hip):
            return s.t_hip
        c, delay = self.cfg, self.hip_delay_s()
        return self._hip_peak(s.t_peak - c.landing_search_before_steps * period + delay,
                              s.t_peak + c.landing_search_after_steps * period + delay)

    def _fallback_window(self, s: StepTiming, period: float) -> tuple[float, float]:
        """Half a step either side of where this runner's hip peak usually is for this step."""
        expected = s.t_peak + self._hip_offset_s(period)
        half = self.cfg.landing_fallback_steps * period
        return expected - half, expected + half

    def _waits_for_fallback(self, s: StepTiming, own_hip: float, period: float, now: float) -> bool:
        """A step whose landing window holds no hip peak is decided once the fallback's window
        (_unclaimed_hip_peak) is settled; the others are not held up."""
        if "feet_hidden" in s.flags or math.isfinite(own_hip):
            return False
        return now < self._fallback_window(s, period)[1] + self.frame_s()

    def _unclaimed_hip_peak(self, s: StepTiming, period: float, delay: float) -> float:
        """The hip peak of a step whose landing window holds none (the widest stride misplaced by
        drawn-over or hidden legs, 0.2-0.5 step from where it is on clean footage; or a hip that
        falls fastest later than that window reaches while the runner's delay is not measured yet):
        the hip peaks once a step, so the one within half a step (landing_fallback_steps) of where
        this runner's usually is (its widest stride plus its recent offset to the hip) is this
        step's, its neighbours' a whole step away. The nearest, not within half a step of the
        previous landing (that one is taken); NaN when there is none. The step's landing is then
        the hip's alone: its widest stride is the part that is off."""
        lo, hi = self._fallback_window(s, period)
        expected = 0.5 * (lo + hi)
        t, vy = self.hist.window("hip_vy", lo - self.frame_s(), hi + self.frame_s())
        prev = max((x.t_land for x in self.steps if math.isfinite(x.t_land) and x is not s), default=-math.inf)
        found = [tp for tp, v in local_peaks(t, vy, HIP_PEAK_APART_STEPS * period)
                 if v > 0 and lo <= tp <= hi and tp - delay - prev >= 0.5 * period]
        return min(found, key=lambda tp: abs(tp - expected), default=math.nan)

    def _read_foot(self, s: StepTiming, now: float, period: float) -> None:
        """Read the landing foot's contact once its window is there. It reads raw ankle positions,
        which run the fits' look-ahead ahead of `now` (the settled time): once the hip's landing
        window is settled, they reach well past the foot's window (160 ms after its forward extreme)."""
        if s.foot_read or now < s.t_peak + self.cfg.landing_search_after_steps * period + self.frame_s():
            return
        s.foot_read = True
        self._feet_read += 1
        foot = math.nan if "feet_hidden" in s.flags else self._foot_contact(s.t_peak, period)
        if math.isfinite(foot):
            self._feet.append(foot)  # its hip delay is measured once the hip's fits after it are settled

    def _calibrating(self, s: StepTiming, now: float) -> bool:
        """The first landings of a run wait (up to CALIBRATION_WAIT_S) for the runner's hip delay
        to be measured, so that they are timed like the rest; a run whose feet never give a contact
        (15 fps, feet hidden) stops waiting after a few steps."""
        c = self.cfg
        return (len(self._hip_delays) < c.delay_min_steps and self._feet_read <= c.delay_min_steps + 2
                and now < s.t_peak + CALIBRATION_WAIT_S)

    def _measure_hip_delays(self, now: float) -> None:
        """For each foot contact whose window is settled: the hip's peak for it, from the foot's own
        uncertainty before it (FOOT_SCATTER_S: a window that started at the foot would only see the
        steps whose foot reads early, and bias the delay) to the longest plausible delay after it."""
        # Never as far as the next step's peak, half a step on.
        reach = min(self.cfg.hip_delay_max_ms / 1000.0, 0.5 * self.step_period_s())
        while self._feet and now >= self._feet[0] + reach + self.frame_s():
            foot = self._feet.pop(0)
            at = self._hip_peak(foot - FOOT_SCATTER_S, foot + reach)
            if math.isfinite(at):
                self._hip_delays = (self._hip_delays + [at - foot])[-self.cfg.delay_memory_steps:]
                self._hip_delay = runner_hip_delay(self._hip_delays, self.cfg)

    def _hip_peak(self, lo: float, hi: float) -> float:
        """Time of the hip's peak downward speed inside [lo, hi], NaN when there is none."""
        # One more sample on each side, so a peak just inside the window can be seen to be a peak.
        t, vy = self.hist.window("hip_vy", lo - self.frame_s(), hi + self.frame_s())
        pk = peak_in(t, vy)
        return pk[0] if pk is not None and lo <= pk[0] <= hi else math.nan

    def hip_delay_s(self) -> float:
        """This runner's delay from contact to the hip's peak downward speed (hip_delay.runner_hip_delay)."""
        return self._hip_delay

    def _foot_contact(self, t_peak: float, period: float) -> float:
        """Contact of the leg ahead at the widest stride (hip_delay.foot_contact); NaN when the
        facing or that leg's ankle is unknown."""
        if self._facing is None:
            return math.nan
        sign = -1.0 if self._facing == "left" else 1.0
        leg = self.leg_ahead(t_peak, sign)
        if leg < 0:
            return math.nan
        belt = float(np.median(self._belt)) if len(self._belt) >= self.cfg.delay_min_steps else None
        return foot_contact(self.hist, sign, leg, t_peak, LABEL_VOTE_STEPS * period, belt, self.cfg)

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
        # The rear foot's fastest backward speed is its speed on the belt in stance: the belt speed
        # the landing foot's contact fit holds the stance line to.
        bh = float(np.nanmedian(self.hist.column("bh_px")))
        if bh > 0:
            self._belt = (self._belt + [float(v[i]) / bh])[-self.cfg.delay_memory_steps:]
        cross = falling_crossing(t[i:], v[i:], c.toe_off_speed_fraction * v[i])
        return math.nan if cross is None else cross
