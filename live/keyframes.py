"""Key frames for the report: landing, mid-stance and toe-off of a typical step and of the worst
step of each fault, picked while the run goes on, from the source's own frames.

Only a short ring of recent frames is held (by reference: the source hands a new array per frame),
long enough to reach back from a step's emission to its landing. When a step is emitted and beats
the current candidate, its three frames are drawn (skeleton + Pose line) and kept downscaled; every
other frame is dropped with the ring. Which fault is the session's main one is decided at the end,
from all its good steps, so a worst step is kept per rule (a few small images each) until then.
"""
from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import cv2
import numpy as np

from cues.config import RuleConfig
from cues.rules import beyond_on, check_baseline, median, rule_value
from live.keypoints import Kp
from live.overlay import draw_pose_line, draw_skeleton
from live.types import PoseFrame, StepEvent

# Landing to emission is the gait tracker's lag: 0.70 s median on the shared clip (summary lag_ms),
# 0.76 s at most; twice that, so a slower tracker or a dropped frame still finds the landing.
RING_S = 1.5
TOE_OFF_SEARCH_S = 0.6  # a toe-off of the step's leg this soon after its landing is the step's own
KEYFRAME_HEIGHT_PX = 360  # enough to see the shank and the Pose line; ~15 kB as JPEG
JPEG_QUALITY = 85
MIN_STEPS_FOR_TYPICAL = 6  # before this, the running medians are too few steps to say what is typical
PHASES = ("landing", "midstance", "toe_off")
FOLDER = "keyframes"
INDEX = "keyframes.json"


@dataclass(frozen=True)
class _Seen:
    """One ring entry: what is needed to draw a frame again later."""

    index: int
    image: np.ndarray
    pose: PoseFrame
    foot_xy: tuple[float, float] | None


@dataclass(frozen=True)
class Candidate:
    """A step whose three frames are kept, and why it was picked."""

    kind: str  # "typical" or "worst"
    fault: str  # the rule it is the worst step of ("" for the typical step)
    score: float  # typical: distance to the medians (lower wins); worst: the rule's value
    step: StepEvent
    frames: tuple[int, int, int]  # landing, mid-stance, toe-off frame numbers
    images: tuple[np.ndarray, np.ndarray, np.ndarray]  # drawn and downscaled, BGR

    def entries(self, rule: RuleConfig | None) -> list[dict]:
        """keyframes.json lines for the three images (see docs/FORMAT.md)."""
        out = []
        for phase, frame in zip(PHASES, self.frames):
            e = {"kind": self.kind, "phase": phase, "frame": frame, "file": f"{self.kind}_{phase}.jpg",
                 "step_frame": self.step.frame, "step_t_s": round(self.step.t_s, 4), "leg": self.step.leg,
                 "side": self.step.side}
            if rule is not None:
                e.update(fault=rule.name, metric=rule.metric, value=round(self.score, 4), on=rule.on,
                         direction=rule.direction)
            out.append(e)
        return out


def _band(cfg: RuleConfig) -> float:
    return abs(cfg.on - cfg.off) or 1.0


def _worse(cfg: RuleConfig, a: float, b: float) -> bool:
    """a is further beyond the rule's threshold than b."""
    return a > b if cfg.direction == "above" else a < b


def session_severity(cfg: RuleConfig, values: Sequence[float]) -> float:
    """Rule.severity, for the median of the whole session's good steps."""
    if not values:
        return 0.0
    mid = median(values)
    past = mid - cfg.off if cfg.direction == "above" else cfg.off - mid
    return cfg.weight * max(0.0, past / _band(cfg))


class KeyFrames:
    """`add` every frame (O(1), no copy); `offer` every emitted step; `write` at the end."""

    def __init__(self, fps: float, rules: Sequence[RuleConfig], baseline: Mapping[str, float] | None = None):
        self._fps = fps if fps and math.isfinite(fps) and fps > 0 else 30.0
        self._ring: deque[_Seen] = deque(maxlen=max(2, math.ceil(RING_S * self._fps)))
        # Cadence has no per-step value and no look in a still frame: its rules pick no key frame.
        self._rules = [r for r in rules if r.enabled and r.metric != "cadence_spm"]
        self._baseline = check_baseline(baseline)
        self._values: dict[str, list[float]] = {r.name: [] for r in self._rules}
        self.typical: Candidate | None = None
        self.worst: dict[str, Candidate] = {}
        self._good = 0

    def add(self, index: int, image: np.ndarray, pose: PoseFrame, foot_xy) -> None:
        self._ring.append(_Seen(index, image, pose, foot_xy))

    def offer(self, step: StepEvent, medians: Mapping[str, float], toe_offs: Sequence[tuple[float, int, str]]) -> None:
        if not step.good:
            return
        self._good += 1
        values = {r.name: rule_value(r, step, math.nan, self._baseline) for r in self._rules}
        for r in self._rules:
            if math.isfinite(values[r.name]):
                self._values[r.name].append(values[r.name])
        frames = None  # found once, only when the step wins somewhere
        typical = self._distance(step, medians)
        if self._good >= MIN_STEPS_FOR_TYPICAL and math.isfinite(typical) and (
                self.typical is None or typical < self.typical.score):
            frames = self._frames_of(step, toe_offs)
            if frames is not None:
                self.typical = self._keep("typical", "", typical, step, frames)
        for r in self._rules:
            v, held = values[r.name], self.worst.get(r.name)
            if not (math.isfinite(v) and beyond_on(r, v)) or (held is not None and not _worse(r, v, held.score)):
                continue
            frames = frames or self._frames_of(step, toe_offs)
            if frames is None:
                return
            self.worst[r.name] = self._keep("worst", r.name, v, step, frames)

    def _distance(self, step: StepEvent, medians: Mapping[str, float]) -> float:
        """Mean distance from the running medians over the rules' metrics, each in units of its rule's
        on-off band (so degrees and body heights weigh alike)."""
        med = StepEvent(0.0, 0, "", "", "ok", **{k: v for k, v in medians.items() if hasattr(StepEvent, k)})
        d = [abs(rule_value(r, step, math.nan, {}) - rule_value(r, med, math.nan, {})) / _band(r) for r in self._rules]
        d = [x for x in d if math.isfinite(x)]
        return sum(d) / len(d) if len(d) >= max(1, len(self._rules) // 2) else math.nan

    def _frames_of(self, step: StepEvent, toe_offs) -> tuple[_Seen, _Seen, _Seen] | None:
        """The step's landing, mid-stance and toe-off frames, if the ring still holds them."""
        by_index = {s.index: s for s in self._ring}
        land = by_index.get(step.frame)
        toe_frame = None
        for t, f, leg in reversed(toe_offs):  # newest first: stops at the landing, a few entries back
            if t <= step.t_s:
                break
            if leg == step.leg and t <= step.t_s + TOE_OFF_SEARCH_S:
                toe_frame = f
        if toe_frame is None and math.isfinite(step.contact_ms):
            toe_frame = step.frame + round(step.contact_ms / 1000.0 * self._fps)
        toe = by_index.get(toe_frame) if toe_frame is not None else None
        if land is None or toe is None or toe.index <= land.index:
            return None
        stance = [by_index[i] for i in range(land.index, toe.index + 1) if i in by_index]
        return land, _midstance(stance, step.side), toe

    def _keep(self, kind: str, fault: str, score: float, step: StepEvent, frames) -> Candidate:
        return Candidate(kind, fault, score, step, tuple(s.index for s in frames), tuple(_drawn(s) for s in frames))

    def main_fault(self) -> RuleConfig | None:
        """The rule with the largest severity over the whole session's good steps; None when no rule's
        median is beyond its `off` (nothing to show as a fault)."""
        scored = [(session_severity(r, self._values[r.name]), r) for r in self._rules]
        best = max(scored, key=lambda sr: sr[0], default=(0.0, None))
        return best[1] if best[0] > 0 else None

    def write(self, folder: Path) -> list[dict]:
        """keyframes/*.jpg and keyframes/keyframes.json; nothing when no step was kept."""
        fault = self.main_fault()
        picked = [(self.typical, None)]
        if fault is not None:
            picked.append((self.worst.get(fault.name), fault))
        picked = [(c, r) for c, r in picked if c is not None]
        if not picked:
            return []
        out = Path(folder) / FOLDER
        out.mkdir(parents=True, exist_ok=True)
        entries = []
        for cand, rule in picked:
            for e, image in zip(cand.entries(rule), cand.images):
                ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
                if ok:
                    (out / e["file"]).write_bytes(jpeg.tobytes())
                    entries.append(e)
        main = None if fault is None else {"fault": fault.name, "metric": fault.metric,
                                           "severity": round(session_severity(fault, self._values[fault.name]), 4)}
        (out / INDEX).write_text(json.dumps({"main_fault": main, "frames": entries}, indent=1), encoding="utf-8")
        return entries


def _midstance(stance: list[_Seen], side: str) -> _Seen:
    """The frame where the support ankle passes under the hip (smallest |ankle x - hip x|); halfway
    through the stance when the ankle or the hip is not seen."""
    ankle = {"left": Kp.LEFT_ANKLE, "right": Kp.RIGHT_ANKLE}.get(side)
    best, best_d = None, math.inf
    for s in stance:
        xy = s.pose.xy
        hips = xy[[Kp.LEFT_HIP, Kp.RIGHT_HIP], 0]
        hip = float(hips[np.isfinite(hips)].mean()) if np.isfinite(hips).any() else math.nan
        if ankle is not None:
            a = xy[ankle]
        else:  # side unknown: the lower ankle, which in a side view is the support foot's
            a = max((xy[Kp.LEFT_ANKLE], xy[Kp.RIGHT_ANKLE]), key=lambda p: np.nan_to_num(p[1], nan=-1.0))
        d = abs(float(a[0]) - float(hip))
        if math.isfinite(d) and d < best_d:
            best, best_d = s, d
    return best if best is not None else stance[len(stance) // 2]


def _drawn(seen: _Seen) -> np.ndarray:
    """The frame with the skeleton and the Pose line, KEYFRAME_HEIGHT_PX tall."""
    image = seen.image.copy()
    if seen.pose.found:
        draw_skeleton(image, seen.pose)
        draw_pose_line(image, seen.pose, seen.foot_xy)
    h, w = image.shape[:2]
    if h <= KEYFRAME_HEIGHT_PX:
        return image
    size = (max(1, round(w * KEYFRAME_HEIGHT_PX / h)), KEYFRAME_HEIGHT_PX)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
