"""Which way the camera sees the runner, decided once per session, and the tracker that view needs.

`decide_view` judges a short run of poses: side (shoulders and hips overlap in x), front (they
spread apart, both feet seen, the face toward the camera), angled, or back (spread apart, face
hidden: a camera behind the runner, where a landing foot drifts down the image, not up).
`ViewedGait` puts the side GaitTracker or the FrontTracker behind GaitTracker's own surface, so the
loop runs either: a side view (from the profile, `--view side`, or decided so) feeds the side
tracker alone, exactly as before front views were supported.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from calibration import measure
from live.gait.front_output import FRONT_NOT_MEASURED, FRONT_VIEW_METRICS
from live.keypoints import Kp
from live.types import STEP_METRICS, PoseFrame, StepEvent

VIEWS = ("side", "front", "auto")
# Seconds of frames with the runner before an automatic decision. The side tracker emits its first
# step no earlier than ~0.55 s after the runner appears (a landing, the next one, a step period and
# the fit look-ahead), so deciding within 0.5 s holds no side step back; 15 frames at 30 fps give
# the width ratio's median a margin (side 0.09-0.16 on the clip, front 0.37 on bus.jpg).
DECIDE_S = 0.5
# From the front both ankles are in view; a console camera that cuts the feet off cannot time a landing.
MIN_FEET_SEEN = 0.8
# Facing the camera: the nose and both eyes seen in at least half the frames (from behind, none is).
MIN_FACE_SEEN = 0.5
SIDE_METRICS = ("cadence_spm",) + STEP_METRICS


def _seen(p: PoseFrame, kps: Sequence[Kp]) -> bool:
    return all(p.conf[k] >= measure.MIN_CONF and np.isfinite(p.xy[k]).all() for k in kps)


@dataclass(frozen=True)
class ViewCheck:
    view: str | None  # "side" | "front" | "angled" | "back" | None (nobody, or no trunk seen)
    width_ratio: float  # shoulder and hip x spread over the trunk length (calibration.measure)
    feet_seen: float  # share of frames with both ankles seen
    face_seen: float  # share of frames with the nose and both eyes seen

    def sentence(self) -> str:
        r = f"{self.width_ratio:.2f}" if math.isfinite(self.width_ratio) else "not measured"
        return (f"shoulder and hip width {r} of the trunk (side view up to {measure.SIDE_MAX_RATIO:.2f}, "
                f"front from {measure.FRONT_MIN_RATIO:.2f}), both feet seen in {self.feet_seen:.0%} of the frames")


def decide_view(poses: Sequence[PoseFrame]) -> ViewCheck:
    seen = [p for p in poses if p.found]
    ratio = measure.width_ratio(seen)
    feet = float(np.mean([_seen(p, (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)) for p in seen])) if seen else 0.0
    face = float(np.mean([_seen(p, (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE)) for p in seen])) if seen else 0.0
    view = measure.view_of(ratio)
    if view == "front" and face < MIN_FACE_SEEN:
        view = "back"
    return ViewCheck(view, ratio, feet, face)


class ViewDecider:
    """Collects the first DECIDE_S seconds of frames with the runner; `update` returns the
    ViewCheck once, on the frame that completes them."""

    def __init__(self, decide_s: float = DECIDE_S) -> None:
        self.decide_s = decide_s
        self._poses: list[PoseFrame] = []
        self.done = False

    def update(self, pose: PoseFrame) -> ViewCheck | None:
        if self.done or not pose.found:
            return None
        self._poses.append(pose)
        if pose.t - self._poses[0].t < self.decide_s:
            return None
        return self.finish()

    def finish(self) -> ViewCheck:
        self.done = True
        return decide_view(self._poses)


class ViewedGait:
    """The side or the front tracker behind one surface (update, finish, snapshot, summary, landings,
    toe_offs, support_foot_xy, last_landing_t, facing). `mode`: "side" or "front" (a profile or
    --view: fixed) or "auto" (both are fed until the view is decided; until then no step is
    released). A fixed front view is still checked: if the poses show a side view, front steps are
    marked `not_front_view` (recorded, never cued) and `refusal` says why, once."""

    def __init__(self, side, front, mode: str, say=print) -> None:
        if mode not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {mode!r}")
        self.side, self.front, self._say = side, front, say
        self.mode = mode
        self.view: str | None = None if mode == "auto" else mode
        self.decider = ViewDecider()
        self.check: ViewCheck | None = None
        self.refusal = ""
        self._held: list[StepEvent] = []
        self._released_all = False

    @property
    def active(self):
        return self.front if self.view == "front" else self.side

    def __getattr__(self, name):  # landings, toe_offs, support_foot_xy, last_landing_t, facing, ...
        if name in ("side", "front", "view"):
            raise AttributeError(name)
        return getattr(self.active, name)

    def update(self, pose: PoseFrame) -> list[StepEvent]:
        if self.mode == "side":
            return self.side.update(pose)  # today's path, untouched
        if not self.decider.done:
            check = self.decider.update(pose)
            if check is not None:
                self._decided(check)
        if self.view == "front":
            return self._released() + self.front.update(pose)
        if self.view == "side":
            return self._released() + self.side.update(pose)
        self._held += self.side.update(pose)  # undecided: both trackers see every frame
        self.front.update(pose)
        return []

    def _decided(self, check: ViewCheck) -> None:
        self.check = check
        if self.mode == "auto":
            self.view = "front" if check.view == "front" else "side"
            if self.view == "front":
                self._say("The camera sees the runner from the front: front-view coaching (cadence, bounce, "
                          "left/right timing, lean, crossover, arms); fall angle and overstride need a side view.")
        elif self.mode == "front" and check.view != "front":
            seen = {"side": "from the side", "angled": "at an angle", "back": "from behind"}.get(check.view, "unclearly")
            self.refusal = (f"--view front, but the camera sees the runner {seen} ({check.sentence()}): no front-view "
                            "metric is reported and no cue is given; put the camera in front of the runner, or leave out --view.")
            self._say(self.refusal)
            self.front.refuse("not_front_view")

    def _released(self) -> list[StepEvent]:
        """Once, on the frame the view is decided: the steps the chosen tracker made meanwhile."""
        if self._released_all or self.mode != "auto":
            return []
        self._released_all = True
        out = list(self.front.steps) if self.view == "front" else self._held
        self._held = []
        return out

    def finish(self) -> list[StepEvent]:
        if self.mode != "side" and not self.decider.done:
            self._decided(self.decider.finish())
            if self.view is None:
                self.view = "side"
        out = self._released()
        return out + self.active.finish()

    def summary(self) -> dict:
        checked = None if self.check is None else {
            "view": self.check.view, "width_ratio": None if not math.isfinite(self.check.width_ratio)
            else round(self.check.width_ratio, 4), "feet_seen": round(self.check.feet_seen, 3),
            "face_seen": round(self.check.face_seen, 3)}
        if self.view == "front":
            out = self.front.summary()
            if self.refusal:
                out["metrics"] = {k: {"median": None, "p25": None, "p75": None} for k in out["metrics"]}
                out["refused"] = self.refusal
        else:
            out = self.side.summary()
            out.update(view="side", view_metrics=list(SIDE_METRICS))
        out.update(view_mode=self.mode, view_check=checked)
        return out


__all__ = ["DECIDE_S", "FRONT_NOT_MEASURED", "FRONT_VIEW_METRICS", "ViewCheck", "ViewDecider", "ViewedGait", "decide_view"]
