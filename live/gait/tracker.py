"""GaitTracker: PoseFrames in, StepEvents out (one per landing), plus a rolling GaitSnapshot.

One verb, `update(pose)`, once per frame in timestamp order. Steps are emitted when their metrics
are complete: after the next landing and one step period after this foot's toe-off (for its pull),
i.e. about 1.5 step periods plus the fit look-ahead after the landing.
"""
from __future__ import annotations

import math

import numpy as np

from calibration.profile import RunnerProfile
from live.gait.body_frame import ANKLE_HEIGHT_FRAC, BodyFrame
from live.gait.config import GaitConfig
from live.gait.events import EventDetector, StepTiming
from live.gait.legs import LegPhase, LegTracker
from live.gait.metrics import BALL_FORWARD_BH, StepSamples, step_metrics
from live.gait.output import cadence_from_landings, recent_medians, summary_dict
from live.gait.plausible import implausible_flags
from live.keypoints import Kp
from live.types import STEP_METRICS, GaitSnapshot, PoseFrame, StepEvent

# Time constant of the hip reference that follows the runner's translation (overground) but not the
# in-step sway: one stride (~0.7 s) attenuates the sway at step frequency about 12-fold. A constant
# translation makes it lag by a constant offset, which no velocity sees.
REF_TAU_S = 0.7
# Before the body height is known (first frame), scale thresholds by the person box height times
# 0.95: the box spans head top to the lower foot, close to standing height in a side view.
BOX_TO_BH = 0.95
# A landing recovered between two widest strides (feet hidden) is appended after the next one:
# two seconds covers that for any cadence above 60 spm.
LANDING_ORDER_SLACK_S = 2.0


def _mid(pose: PoseFrame, a: Kp, b: Kp, min_conf: float) -> tuple[float, float]:
    pts = [pose.xy[k] for k in (a, b) if pose.conf[k] >= min_conf and np.isfinite(pose.xy[k]).all()]
    if not pts:
        return math.nan, math.nan
    m = np.mean(pts, axis=0)
    return float(m[0]), float(m[1])


class GaitTracker:
    def __init__(self, config: GaitConfig = GaitConfig(), profile: RunnerProfile | None = None,
                 facing: str | None = None) -> None:
        self.config = config
        self.profile = profile
        self.body = BodyFrame(config.min_conf, config.body_height_warmup_s, profile, facing)
        self.legs = LegTracker(config.min_conf, config.collapse_bh)
        self.events = EventDetector(config)
        self.phase = LegPhase()
        self.landings: list[tuple[float, int, str]] = []
        self.toe_offs: list[tuple[float, int, str]] = []
        self._unnamed: list[tuple[list, int, int]] = []  # (landings | toe_offs, index, parity)
        self.steps: list[StepEvent] = []
        self._last_t: float | None = None
        self._last_found_t: float | None = None
        self._ref_x: float | None = None
        self._frames: list[tuple[float, int]] = []  # (t, index) of recent frames, for frame numbers
        self._frame_s = 1 / 30.0
        self._medians: dict[str, float] = {}
        self._medians_at = -1  # len(self.steps) when the medians were computed
        # This frame's estimated ball of the support foot in image pixels; None until the facing is
        # known, or with no ankle seen.
        self.support_foot_xy: tuple[float, float] | None = None

    # ---- public state ----
    @property
    def facing(self) -> str | None:
        return self.body.facing

    @property
    def body_height_px(self) -> float | None:
        return self.body.body_height_px

    @property
    def floor_y_px(self) -> float | None:
        return self.body.floor_y_px

    @property
    def last_landing_t(self) -> float | None:
        return self.landings[-1][0] if self.landings else None

    def reset(self) -> None:
        """Forget the current run segment (legs, fits, open steps); facing, body height and the
        steps already reported are kept."""
        self._name_events(math.inf)  # the phase's parities mean nothing after the reset
        self.legs.reset()
        self.events.reset()
        self.phase.reset()
        self._ref_x = None

    # ---- the verb ----
    def update(self, pose: PoseFrame) -> list[StepEvent]:
        if self._last_t is not None and pose.t <= self._last_t:
            raise ValueError(f"PoseFrame timestamps must increase: got t={pose.t} after t={self._last_t}")
        if self._last_t is not None:
            self._frame_s = 0.8 * self._frame_s + 0.2 * (pose.t - self._last_t)
        self._last_t = pose.t
        self._frames = (self._frames + [(pose.t, pose.index)])[-int(4 / max(self._frame_s, 1e-3)):]
        self.support_foot_xy = None
        if not pose.found:
            if self._last_found_t is not None and (pose.t - self._last_found_t) * 1000 > self.config.max_gap_ms:
                self.reset()
                self._last_found_t = None
            return []
        if self._last_found_t is not None and (pose.t - self._last_found_t) * 1000 > self.config.max_gap_ms:
            self.reset()
        self._last_found_t = pose.t
        self.body.update(pose)
        bh = self.body.provisional_bh() or BOX_TO_BH * (pose.box[3] - pose.box[1])
        return self._track(pose, bh)

    def _track(self, pose: PoseFrame, bh: float) -> list[StepEvent]:
        c = self.config.min_conf
        a, b = self.legs.update(pose, bh)
        self.support_foot_xy = self._support_foot(pose, bh)
        hip_x, hip_y = _mid(pose, Kp.LEFT_HIP, Kp.RIGHT_HIP, c)
        sh_x, sh_y = _mid(pose, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER, c)
        if math.isfinite(hip_x):
            if self._ref_x is None:
                self._ref_x = hip_x
            else:
                k = 1.0 - math.exp(-self._frame_s / REF_TAU_S)
                self._ref_x += k * (hip_x - self._ref_x)
        ref = self._ref_x if self._ref_x is not None else math.nan
        sign = self.body.sign
        # Raw ankles by the model's labels: the feet-apart distance and the rear-most ankle do not
        # depend on which foot carries which label.
        raw = [pose.xy[k][0] if pose.conf[k] >= c else math.nan for k in (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)]
        apart = abs(raw[0] - raw[1])

        # The rear-most ankle for either facing (facing may be decided only later): facing left the
        # rear is the largest x, facing right the smallest.
        seen = np.isfinite(raw).any() and math.isfinite(ref)  # no hip yet: nothing to be behind (and no numpy warning)
        rear_fl = np.nanmax([x - ref for x in raw]) if seen else math.nan
        rear_fr = np.nanmax([ref - x for x in raw]) if seen else math.nan
        vals = dict(hip_x=hip_x, hip_y=hip_y, sh_x=sh_x, sh_y=sh_y, apart=apart, rear_fl=rear_fl,
                    rear_fr=rear_fr, x_left=raw[0],
                    x_right=raw[1], conf_left=pose.conf[Kp.LEFT_ANKLE], conf_right=pose.conf[Kp.RIGHT_ANKLE])
        for i, leg in enumerate((a, b)):
            vals.update({f"ax_{i}": leg.ankle[0], f"ay_{i}": leg.ankle[1], f"kx_{i}": leg.knee[0],
                         f"ky_{i}": leg.knee[1], f"conf_{i}": leg.conf})
        return self._handle(self.events.update(pose.t, bh, self.facing, **vals), pose.t, bh)

    def _support_foot(self, pose: PoseFrame, bh: float) -> tuple[float, float] | None:
        """The ball of the support foot for the Pose line: BALL_FORWARD_BH ahead of the lower ankle,
        on the floor under it (COCO-17 has no foot points: the ball is estimated from the ankle, as
        the step metrics do). In a side view the lower ankle is the support foot's: when the model
        draws the hidden far ankle onto the near foot, both labels mark that same foot. Its height
        does not tell flight from stance here (on the shared clip the lowest ankle sits 31 px above
        foot-flat in flight and 34 px at mid-stance, medians): flight is not drawn apart."""
        if self.facing is None:
            return None
        ankles = [pose.xy[k] for k in (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)
                  if pose.conf[k] >= self.config.min_conf and np.isfinite(pose.xy[k]).all()]
        if not ankles:
            return None
        x, y = max(ankles, key=lambda p: p[1])
        return float(x + self.body.sign * BALL_FORWARD_BH * bh), float(y + ANKLE_HEIGHT_FRAC * bh)

    def finish(self) -> list[StepEvent]:
        """End of input (file ended, run stopped): decide and emit the steps still open, with the
        data there is. Call once, after the last update(); summary() then covers the whole run."""
        if self._last_t is None:
            return []
        bh = self.body.body_height_px or self.body.provisional_bh() or 1.0
        out = self._handle(self.events.finish(self.facing), math.inf, bh)
        # The last landings have no next landing (or toe-off) inside the input: emit them with the
        # metrics they have, marked incomplete, so every landing has its StepEvent.
        rest = []
        for st in self.events.steps:
            if math.isfinite(st.t_land):
                st.flags.append("incomplete")
                rest.append(self._step_event(st, math.nan, self._last_t, bh, self.events.step_period_s()))
        self.events.steps.clear()
        self._name_events(math.inf)
        self.steps += rest
        return out + rest

    def _handle(self, events, now: float, bh: float) -> list[StepEvent]:
        out = []
        for kind, step in events:
            if kind == "landing":
                vote = step.vote * self.body.sign if self.facing else 0.0  # +: the left ankle is ahead
                step.leg = self.events.leg_ahead(step.t_peak, self.body.sign)
                step.parity = self.phase.update(step.t_land, self.events.step_period_s(), vote)
                step.side = self.phase.side(step.parity)
                self._record(self.landings, step.t_land, self._frame_at(step.t_land, "after"), step.parity)
            elif kind == "toe_off":  # the other foot than this step's, leaving at step.t_rear_toe
                other = 1 - step.parity if step.parity in (0, 1) else -1
                self._record(self.toe_offs, step.t_rear_toe, self._frame_at(step.t_rear_toe, "before"), other)
        out += self._emit(now, bh)
        return out

    def _record(self, events: list, t: float, frame: int, parity: int) -> None:
        """Log a landing or toe-off now (cadence reads its time at once) with a provisional leg name;
        _name_events gives the final one when the steps around it are emitted."""
        events.append((t, frame, self._leg_name(self.phase.side(parity))))
        self._unnamed.append((events, len(events) - 1, parity))

    def _name_events(self, until_t: float) -> None:
        """Final leg names for the logged events up to until_t, from the votes heard so far."""
        keep = []
        for events, i, parity in self._unnamed:
            t, frame, _ = events[i]
            if t <= until_t + 1e-9:
                events[i] = (t, frame, self._leg_name(self.phase.side(parity)))
            else:
                keep.append((events, i, parity))
        self._unnamed = keep

    def _leg_name(self, side: str) -> str:
        """near / far from the anatomical side: facing left, the camera sees the runner's left side
        (image axes x right, y down, z into the scene form a right-handed frame: a runner heading -x
        with up -y has the right hand toward +z, away from the camera). Mirrored footage is, to the
        model, a runner with the other side toward the camera, so the same rule holds."""
        if side == "unknown" or self.facing is None:
            return "unknown"
        return "near" if side == self.facing else "far"

    def _frame_at(self, t: float, rule: str) -> int:
        """Frame index of an event at sub-frame time t, as a person marks it on the video: a landing
        on the first frame at or after the contact instant ("after"), a toe-off on the last frame at
        or before it ("before"), so landing frame .. toe-off frame are the frames that show the foot
        on the ground. The nearest frame when the buffer holds none on that side."""
        if not self._frames:
            return -1
        ts = np.array([f[0] for f in self._frames])
        eps = 1e-6  # timestamps are exact for files; a microsecond absorbs float rounding of t
        i = int(np.searchsorted(ts, t - eps, "left")) if rule == "after" else int(np.searchsorted(ts, t + eps, "right")) - 1
        if not 0 <= i < len(ts):
            i = int(np.argmin(np.abs(ts - t)))
        return int(self._frames[i][1])

    # ---- emission ----
    def _emit(self, now: float, bh: float) -> list[StepEvent]:
        ev = self.events
        period = ev.step_period_s()
        out = []
        while len(ev.steps) >= 2:
            s, nxt = ev.steps[0], ev.steps[1]
            if not (s.toe_done and math.isfinite(nxt.t_land)):
                break
            t_ready = (s.t_toe if math.isfinite(s.t_toe) else s.t_land) + period + ev.half_window_s()
            if now < t_ready:
                break
            ev.steps.pop(0)
            self._name_events(s.t_land)
            out.append(self._step_event(s, nxt.t_land, min(now, self._last_t), bh, period))
        self.steps += out
        return out

    def _step_event(self, s: StepTiming, t_next: float, now: float, bh: float, period: float) -> StepEvent:
        h = self.events.hist
        leg = max(s.leg, 0)
        col = h.column
        samples = StepSamples(np.asarray(h.t), col("hip_x"), col("hip_y"), col("sh_x"), col("sh_y"),
                              col(f"ax_{leg}"), col(f"ay_{leg}"), col(f"kx_{leg}"), col(f"ky_{leg}"))
        bh_m = self.body.body_height_px or bh
        m = step_metrics(samples, s.t_land, s.t_toe, t_next, self.body.sign, bh_m, period, self._frame_s, self.config)
        flags = list(s.flags)
        if s.leg < 0:
            flags.append("leg_unknown")
        conf = col(f"conf_{leg}")
        near = np.abs(np.asarray(h.t) - s.t_land) <= 1.5 * self._frame_s
        if not near.any() or not (conf[near] >= self.config.min_conf).all():
            flags.append("leg_hidden")
        if self.facing is None:
            flags.append("facing_unknown")
        flags += implausible_flags(m)  # measured something no runner does: recorded, not cued
        s.side = self.phase.side(s.parity)
        return StepEvent(t_s=s.t_land, frame=self._frame_at(s.t_land, "after"), leg=self._leg_name(s.side), side=s.side, quality=";".join(flags) or "ok",
                         t_emit_s=now, **{k: float(m[k]) for k in STEP_METRICS})

    # ---- rolling outputs ----
    def snapshot(self) -> GaitSnapshot:
        """Called every frame: reads only the landings inside the cadence window and recomputes the
        medians only when a step was added, so a long session costs no more per frame than a short one."""
        t = self._last_t if self._last_t is not None else 0.0
        t0 = t - self.config.cadence_window_s
        recent = []
        for landing in reversed(self.landings):
            if landing[0] <= t0 - LANDING_ORDER_SLACK_S:
                break  # landings are appended in time order, give or take a filled-in step
            if landing[0] > t0:
                recent.append(landing[0])
        if self._medians_at != len(self.steps):
            self._medians, self._medians_at = self._recent_medians(), len(self.steps)
        return GaitSnapshot(t=t, cadence_spm=cadence_from_landings(recent), steps=len(self.landings),
                            medians=dict(self._medians), facing=self.facing or "unknown")

    def _recent_medians(self) -> dict[str, float]:
        return recent_medians(self.steps, self.config.median_steps, STEP_METRICS)

    def lag_ms(self) -> float:
        """Median delay from a landing to the emission of its step (for the report)."""
        lags = [1000.0 * (s.t_emit_s - s.t_s) for s in self.steps]
        return float(np.median(lags)) if lags else math.nan

    def summary(self) -> dict:
        return summary_dict(self)
