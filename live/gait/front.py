"""FrontTracker: PoseFrames from a camera in front of the runner in, FrontStepEvents out.

The same verbs as GaitTracker (`update(pose)`, `finish()`, `snapshot()`, `summary()`), so the loop
runs either. A step goes from one landing to the next (other foot) and is emitted once that foot
has landed again (its lift is then known): about two steps plus the 100 ms look-ahead after its
landing. What a frontal camera cannot see (contact, toe-off, fall, overstride) is not measured.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from calibration.profile import RunnerProfile
from live.gait import front_metrics as fm
from live.gait.body_frame import THIGH_SHANK_TRUNK_FRAC
from live.gait.front_config import FrontConfig
from live.gait.front_events import History, Landing, LandingDetector
from live.gait.output import cadence_from_landings, recent_medians
from live.keypoints import Kp
from live.types import FRONT_METRICS, FrontStepEvent, GaitSnapshot, PoseFrame

BOX_TO_BH = 0.95  # before the keypoints give a body height: the box, as the side tracker does
BH_PERCENTILE = 90  # the legs are straightest (longest in the image) at mid-stance


def _segments_px(xy: np.ndarray) -> float:
    """Trunk plus the longer of the two legs (hip-knee-ankle), in pixels; NaN when not seen."""
    trunk = np.linalg.norm(0.5 * (xy[Kp.LEFT_SHOULDER] + xy[Kp.RIGHT_SHOULDER])
                           - 0.5 * (xy[Kp.LEFT_HIP] + xy[Kp.RIGHT_HIP]))
    legs = [np.linalg.norm(xy[h] - xy[k]) + np.linalg.norm(xy[k] - xy[a]) for h, k, a in (
        (Kp.LEFT_HIP, Kp.LEFT_KNEE, Kp.LEFT_ANKLE), (Kp.RIGHT_HIP, Kp.RIGHT_KNEE, Kp.RIGHT_ANKLE))]
    leg = np.nanmax(legs) if np.isfinite(legs).any() else math.nan
    return float(trunk + leg)


class FrontTracker:
    view = "front"

    def __init__(self, config: FrontConfig = FrontConfig(), profile: RunnerProfile | None = None) -> None:
        self.config = config
        self.profile = profile
        self._profile_bh = (profile.body_height_px if profile is not None and profile.view == "front"
                            and profile.body_height_px > 0 else None)
        self.hist = History(config.history_s)
        self.detector = LandingDetector(config)
        self.landings: list[tuple[float, int, str]] = []
        self.toe_offs: list[tuple[float, int, str]] = []  # not seen from the front: always empty
        self.steps: list[FrontStepEvent] = []
        self._open: list[Landing] = []
        self._unclear: set[float] = set()  # landing times where both labels marked one foot
        self._prev: tuple[float, float] | None = None  # (next landing t, step_ms) of the last step emitted
        self._segments: list[float] = []
        self._t0: float | None = None
        self._last_t: float | None = None
        self._last_found_t: float | None = None
        self._frame_s = 1 / 30.0
        self.support_foot_xy = None  # no Pose line foot from the front (the ball of the foot is hidden)
        self._refused = ""  # a flag every step gets: the poses are not a front view (ViewedGait)
        self._medians: dict[str, float] = {}
        self._medians_at = -1  # len(self.steps) when the medians were computed

    # ---- public state, as GaitTracker ----
    facing = "camera"
    floor_y_px = None

    @property
    def body_height_px(self) -> float | None:
        if self._profile_bh is not None:
            return self._profile_bh
        done = self._t0 is not None and self._last_t is not None and self._last_t - self._t0 >= self.config.body_height_warmup_s
        return self._bh_now() if done else None

    @property
    def last_landing_t(self) -> float | None:
        return self.landings[-1][0] if self.landings else None

    def _bh_now(self) -> float | None:
        seg = [s for s in self._segments if math.isfinite(s)]
        return float(np.percentile(seg, BH_PERCENTILE)) / THIGH_SHANK_TRUNK_FRAC if seg else None

    def refuse(self, flag: str) -> None:
        """Every step, made and to come, is marked `flag` and so feeds no cue, median or summary."""
        self._refused = flag
        self.steps[:] = [replace(s, quality=flag if s.good else f"{s.quality};{flag}") for s in self.steps]
        self._medians_at = -1  # the steps' qualities changed: the medians are read again

    # ---- the verb ----
    def update(self, pose: PoseFrame) -> list[FrontStepEvent]:
        if self._last_t is not None and pose.t <= self._last_t:
            raise ValueError(f"PoseFrame timestamps must increase: got t={pose.t} after t={self._last_t}")
        if self._last_t is not None:
            self._frame_s = 0.8 * self._frame_s + 0.2 * (pose.t - self._last_t)
        self._last_t = pose.t
        gap = self._last_found_t is not None and (pose.t - self._last_found_t) * 1000 > self.config.max_gap_ms
        out = self._break() if gap else []
        if not pose.found:
            return out
        self._last_found_t = pose.t
        ok = (pose.conf >= self.config.min_conf)[:, None]
        xy = np.where(ok, pose.xy, np.nan).astype(np.float64)
        self.hist.add(pose.t, pose.index, xy)
        if self._t0 is None:
            self._t0 = pose.t
        if pose.t - self._t0 < self.config.body_height_warmup_s:
            self._segments.append(_segments_px(xy))
        bh = self.body_height_px or self._bh_now() or BOX_TO_BH * (pose.box[3] - pose.box[1])
        for landing in self.detector.update(self.hist, bh, self._frame_s, pose.t):
            self._add_landing(landing)
        return out + self._emit(bh, final=False)

    def _break(self) -> list[FrontStepEvent]:
        """The runner was gone too long: the open steps end here, with what they have."""
        bh = self.body_height_px or self._bh_now() or 1.0
        out = self._emit(bh, final=True)
        self.hist.clear()
        self.detector.reset()
        self._last_found_t = None
        return out

    def _add_landing(self, landing: Landing) -> None:
        prev = self._open[-1] if self._open else None
        if prev is not None and landing.t_s - prev.t_s < self.config.min_step_ms / 1000.0:
            # Both labels on one foot (the model's left/right collapsed): one landing, legs unclear.
            self._unclear.add(prev.t_s)
            return
        self._open.append(landing)
        self.landings.append((landing.t_s, landing.frame, landing.leg))

    def finish(self) -> list[FrontStepEvent]:
        """End of input: the open steps, with the data there is (marked incomplete)."""
        if self._last_t is None:
            return []
        return self._emit(self.body_height_px or self._bh_now() or 1.0, final=True)

    # ---- emission ----
    def _emit(self, bh: float, final: bool) -> list[FrontStepEvent]:
        out = []
        while len(self._open) >= (1 if final else 3):
            land = self._open.pop(0)
            nxt = self._open[0] if self._open else None
            again = self._open[1] if len(self._open) > 1 else None
            out.append(self._step(land, nxt, again, bh, final and again is None))
        if final:
            self._open.clear()
        self.steps += out
        return out

    def _step(self, land: Landing, nxt: Landing | None, again: Landing | None, bh: float,
              incomplete: bool) -> FrontStepEvent:
        t1 = nxt.t_s if nxt is not None else math.nan
        step_ms = 1000.0 * (t1 - land.t_s)
        span = fm.Span(self.hist, land.t_s, t1) if nxt is not None else None
        left = fm.own_side_sign(self.hist, "left")
        previous = self._prev[1] if self._prev is not None and abs(self._prev[0] - land.t_s) < 1e-9 else math.nan
        self._prev = (t1, step_ms)
        alternate = nxt is not None and nxt.leg != land.leg
        m = {name: math.nan for name in FRONT_METRICS}
        m.update(step_ms=step_ms, asymmetry_pct=fm.asymmetry_pct(step_ms, previous),
                 midline_bh=fm.midline_bh(self.hist, land.t_s, land.leg, fm.own_side_sign(self.hist, land.leg), bh))
        if span is not None and len(span) >= 3:
            stance = fm.Span(self.hist, land.t_s, land.t_s + 0.5 * (t1 - land.t_s))
            m.update(bounce_bh=fm.bounce_bh(span, bh), lean_deg=fm.lean_deg(span, left),
                     hip_drop_deg=fm.hip_drop_deg(stance, land.leg), arm_cross_bh=fm.arm_cross_bh(span, left, bh))
        if alternate and again is not None and again.leg == land.leg:
            m["lift_ms"] = fm.lift_ms(self.hist, land.t_s, t1, again.t_s, land.leg)
        flags = self._flags(land, nxt, alternate, incomplete, m)
        return FrontStepEvent(
            t_s=land.t_s, frame=land.frame, leg=land.leg, side=land.leg, quality=";".join(flags) or "ok",
            bounce_bh=m["bounce_bh"], t_emit_s=self._last_t if self._last_t is not None else math.nan,
            hip_drop=fm.hip_drop_category(m["hip_drop_deg"]), crossover=fm.crossover_category(m["midline_bh"]),
            arm_crossover=fm.arm_category(m["arm_cross_bh"]),
            **{k: float(v) for k, v in m.items() if k != "bounce_bh"})

    def _flags(self, land: Landing, nxt: Landing | None, alternate: bool, incomplete: bool, m: dict) -> list[str]:
        flags = []
        if not land.seen:
            flags.append("ankle_hidden")
        if land.t_s in self._unclear:
            flags.append("legs_unclear")
        if nxt is not None and not alternate:
            flags.append("not_alternating")  # the other foot's landing was missed: the step spans two
        if incomplete or nxt is None:
            flags.append("incomplete")
        return flags + fm.implausible(m) + ([self._refused] if self._refused else [])

    # ---- rolling outputs ----
    def snapshot(self) -> GaitSnapshot:
        t = self._last_t if self._last_t is not None else 0.0
        # Newest first, stopping early: a long session costs no more per frame than a short one.
        recent = []
        for landing in reversed(self.landings):
            if landing[0] <= t - self.config.cadence_window_s:
                break
            recent.append(landing[0])
        # The medians change only when a step is added: computed then, not on every frame.
        if self._medians_at != len(self.steps):
            self._medians, self._medians_at = recent_medians(self.steps, self.config.median_steps, FRONT_METRICS), len(self.steps)
        return GaitSnapshot(t=t, cadence_spm=cadence_from_landings(recent), steps=len(self.landings),
                            medians=dict(self._medians), facing="camera")

    def lag_ms(self) -> float:
        lags = [1000.0 * (s.t_emit_s - s.t_s) for s in self.steps]
        return float(np.median(lags)) if lags else math.nan

    def summary(self) -> dict:
        from live.gait.front_output import front_summary_dict

        return front_summary_dict(self)
