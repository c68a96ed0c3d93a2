"""The calibration checks: a few seconds of PoseFrames in, one `CalibrationReport` out, with the
measurements and, in plain sentences, what to fix (problems: no usable profile until fixed) and
what to know (warnings: the profile is written, the numbers are less trustworthy).

Pure functions over PoseFrames: nothing here opens a camera or loads the model.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from calibration import measure as m
from calibration.profile import PROFILE_VERSION, RunnerProfile
from live.types import PoseFrame

# Seconds of frames with the runner in view that calibration measures over (the gait tracker's
# body height warm-up is 2 s; one more second gives the facing vote and the floor percentile more
# strides to work with).
MEASURE_S = 3.0
# Below 25 fps a frame is 40 ms or more: contact times (200-300 ms) get coarse, 15-20 % per frame.
MIN_FPS = 25.0
# The pose model should see nearly every frame the camera delivers: a frame skipped now and then (a
# garbage collection, a full-frame search) costs nothing, but once a tenth or more are skipped the
# landings and toe-offs start to fall into skipped frames and their times lose a frame.
MIN_PROCESSED_FRAC = 0.9
# The runner must be seen in most frames: below half, the measurements rest on a few glimpses.
MIN_FOUND_FRAC = 0.5
# Keypoints: the model marks clear points 0.8-1.0 and guesses 0.05-0.3; a median of the weakest
# body part under 0.5 means bad light, motion blur or an occluded body.
MIN_KEYPOINT_CONF = 0.5
# Framing, judged from the keypoints and the crown and soles beyond them (measure.margins_frac):
# a body within 1 % of an edge is cut off by it; under 3 % there is no room left for a stride or a
# bounce. (In the clip's first seconds the ankles come to 6.6 % of the bottom edge and the soles
# placed below them to 4.7 %; the detector's box, which takes in the shoes and a margin, to 1.9 %.)
CUT_OFF_FRAC = 0.01
TIGHT_MARGIN_FRAC = 0.03
# Another person at least half the runner's height could be taken for the runner; smaller ones
# are far behind (or a poster) and the runner selection ignores them.
RIVAL_REL_HEIGHT = 0.5
# ...and only a person the model is sure of counts. Detections are kept from DET_CONF_MIN (0.25,
# ultralytics' default, set low so a faint runner is not lost); below 0.5 the model rates "a person
# here" less likely than not. The clip's runner scores 0.88 in the median frame (0.74 at the 5th
# percentile); in ultralytics' bus.jpg the three whole people score 0.88-0.89 and the man cut in
# half by the left edge 0.46 (one that far out of the frame is no runner to mistake).
RIVAL_MIN_SCORE = 0.5
# ...and only one beside the runner, not on him: when more than half of the smaller box lies inside
# the other, they share mostly the same pixels (a second box over part of the runner's body, his
# reflection on a console or a mirror right behind him), which the runner selection follows as one.
RIVAL_MAX_OVERLAP = 0.5
# Front view: both ankles in at least 80 % of the frames (a console camera tilted too far up cuts
# the feet off, and a landing is timed from the ankle), the face in half of them (from behind the
# landing foot drifts down the image, not up: the front tracker would mistime every step), and the
# legs' image length within 15 % of the standing proportion (measure.STANDING_LEG_TRUNK): beyond
# that the camera sits well above or below hip height, close to the runner.
FRONT_MIN_FEET_SEEN = 0.8
FRONT_MIN_FACE_SEEN = 0.5
FRONT_LEG_TRUNK_TOL = 0.15
# How to set up a laptop on the console, said when calibration sees a front view.
CONSOLE_PLACEMENT = (
    "Laptop on the treadmill console: tilt the screen back until your feet show at the bottom of the image "
    "with a hand's width to spare; the camera then looks down at you, so the lower it sits (hip height is "
    "best, e.g. on a stand on the console) and the farther back it is, the less the legs are distorted. "
    "Fall angle, overstride and contact time need a side view; from the front posecoach coaches cadence, "
    "bounce, left/right timing, sideways lean and where the feet land.")
# A tilt under 3 degrees moves an angle metric by less than its frame-to-frame noise.
TILT_WARN_DEG = 3.0
ASSUMED_FPS = 30.0  # for a still image, which has no frame rate of its own

_EDGE_WORDS = {"top": "head", "bottom": "feet", "left": "body", "right": "body"}


@dataclass(frozen=True)
class CalibrationReport:
    """What calibration measured and what it found wrong. NaN / None where unmeasurable."""

    frames: int
    frames_with_runner: int
    phase: str  # "standing" | "running" | "unknown"
    facing: str | None  # "left" | "right"
    view: str | None  # "side" | "front" | "angled"
    body_height_px: float
    floor_y_px: float
    trunk_deg: float  # standing: the runner's neutral trunk angle; running: the running median
    camera_tilt_deg: float
    fps: float  # frames per second the source delivered (measure.delivered_fps)
    processed_fps: float  # of them, the frames per second the pose model processed
    keypoint_conf: float
    rivals: int | None  # other people as large as the runner (None: not counted)
    image_size: tuple[int, int]
    width_ratio: float
    problems: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    feet_seen: float = math.nan  # share of frames with both ankles seen
    face_seen: float = math.nan  # share of frames with the nose and both eyes seen
    leg_trunk_ratio: float = math.nan  # measure.leg_trunk_ratio: the camera's height, from the front

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_profile(self, name: str = "runner", height_cm: float | None = None, source: str = "",
                   created: str = "") -> RunnerProfile:
        """The profile these measurements make; ValueError when a problem stands in the way."""
        if not self.ok:
            raise ValueError(f"cannot make a profile: {self.problems[0]}")
        # From the front the trunk angle is sideways, not the side view's forward lean: no baseline.
        side = self.view != "front"
        baseline = ({"trunk_deg": round(self.trunk_deg, 2)} if side and self.phase == "standing"
                    and math.isfinite(self.trunk_deg) else {})
        tilt = round(self.camera_tilt_deg, 2) if math.isfinite(self.camera_tilt_deg) else None
        fps = self.fps if math.isfinite(self.fps) else ASSUMED_FPS
        w, h = self.image_size
        return RunnerProfile(
            version=PROFILE_VERSION, facing=self.facing if side else "camera", view=self.view, body_height_px=round(self.body_height_px, 2),
            floor_y_px=round(self.floor_y_px, 2), fps=round(fps, 3), height_cm=None if height_cm is None else float(height_cm), name=name,
            baseline=baseline, camera_tilt_deg=tilt,
            measured_from="standing" if self.phase == "standing" else "running",
            image_width_px=w or None, image_height_px=h or None, source=source, created=created,
        )


def check_frames(poses: Sequence[PoseFrame], people: Sequence[np.ndarray] | None = None,
                 still_image: bool = False) -> CalibrationReport:
    """Measure and check a few seconds of the runner's poses.

    `people`: for some of the frames, every detected person as (N, 5) rows x1, y1, x2, y2, score
    (`PoseEstimator.detect_people`), to tell whether the runner is the only one in view; None when
    they were not counted. `still_image`: the poses repeat one picture, whose timestamps say
    nothing about a camera's frame rate. The frame rates come from the poses' timestamps and frame
    numbers (a source numbers every frame it delivers, also those the processing skipped).
    """
    seen = m.found(poses)
    image_size = next((p.image_size for p in poses), (0, 0))
    body = m.body_frame(seen)
    bh = m.body_height_px(body)
    floor = body.floor_y_px if body.floor_y_px is not None else math.nan
    phase = m.phase_of(seen, bh) if math.isfinite(bh) else ("unknown" if len(seen) > 1 else m.phase_of(seen, 1.0))
    sign = -1.0 if body.facing == "left" else 1.0
    # Tilt only from a standing body line: while running the trunk leans and the ankle's path on the
    # belt rises at toe-off, so neither gives the camera's roll (tried on the clip: the belt line
    # read -4.3 deg and +2.0 deg on its mirror image).
    tilt = m.standing_tilt_deg(seen) if phase == "standing" else math.nan
    ratio = m.width_ratio(seen)
    if m.view_of(ratio) == "front" and phase == "standing" and m.ankle_sweep_bh(seen, bh, axis=1) > m.STANDING_MAX_ANKLE_SWEEP_BH:
        phase = "running"  # from the front a stride moves the feet up and down the image, not across it
    report = CalibrationReport(
        frames=len(poses), frames_with_runner=len(seen), phase=phase, facing=body.facing,
        view=m.view_of(ratio), body_height_px=bh, floor_y_px=float(floor), trunk_deg=m.trunk_deg(seen, sign),
        camera_tilt_deg=tilt, fps=math.nan if still_image else m.delivered_fps(poses),
        processed_fps=math.nan if still_image else m.processed_fps(poses), keypoint_conf=m.keypoint_confidence(seen),
        rivals=None if people is None else m.rival_count(people, RIVAL_REL_HEIGHT, RIVAL_MIN_SCORE, RIVAL_MAX_OVERLAP),
        image_size=tuple(image_size), width_ratio=ratio, feet_seen=m.feet_seen_frac(seen),
        face_seen=m.face_seen_frac(seen), leg_trunk_ratio=m.leg_trunk_ratio(seen),
    )
    problems, warnings = _problems(report, seen), _warnings(report, seen)
    return CalibrationReport(**{**report.__dict__, "problems": tuple(problems), "warnings": tuple(warnings)})


def _problems(r: CalibrationReport, seen: Sequence[PoseFrame]) -> list[str]:
    """Each problem is one sentence saying what is wrong and what to do about it."""
    if not seen:
        return ["Nobody was found in view: stand side on to the camera with your whole body in the frame."]
    out = []
    if r.rivals:
        who = "Another person is" if r.rivals == 1 else f"{r.rivals} other people are"
        out.append(f"{who} in view, as large as the runner: ask them to step out of the frame, "
                   "or turn the camera so only the runner is in it.")
    if r.frames and r.frames_with_runner < MIN_FOUND_FRAC * r.frames:
        out.append(f"The runner was in view in only {r.frames_with_runner} of {r.frames} frames: stay in the frame "
                   "for the whole check.")
    if r.view == "front":
        out += _front_problems(r)
    elif r.view == "angled":
        out.append("The camera sees the runner at an angle: move it so it looks straight at the runner's side.")
    out += _framing_problems(seen, r.body_height_px)
    if math.isfinite(r.keypoint_conf) and r.keypoint_conf < MIN_KEYPOINT_CONF:
        out.append(f"The body is hard to see (keypoint confidence {r.keypoint_conf:.2f}): add light in front of the "
                   "runner, avoid a bright window behind, and wear clothes that stand out from the background.")
    if not math.isfinite(r.body_height_px) or not math.isfinite(r.floor_y_px):
        out.append("Could not measure the body height and the floor: the hips, knees and ankles must be visible.")
    if r.view == "side" and r.facing is None:
        out.append("Could not tell which way the runner faces: keep the face in view (no hood, light on the face).")
    return out


def _front_problems(r: CalibrationReport) -> list[str]:
    """A front view is accepted (a laptop on the console) when it can time the steps: the feet in the
    frame and the runner facing the camera."""
    out = []
    if math.isfinite(r.face_seen) and r.face_seen < FRONT_MIN_FACE_SEEN:
        out.append("The camera sees the runner from behind: face the camera (a laptop on the console in front of "
                   "you), or put the camera beside the treadmill for a side view.")
    if math.isfinite(r.feet_seen) and r.feet_seen < FRONT_MIN_FEET_SEEN:
        out.append(f"From the front both feet must be in the frame (seen in {r.feet_seen:.0%} of the frames): tilt "
                   "the laptop screen back until your feet show at the bottom of the image.")
    return out


def _framing_problems(seen: Sequence[PoseFrame], body_height_px: float) -> list[str]:
    margins = m.margins_frac(seen, body_height_px)
    return [f"The runner's {_EDGE_WORDS[side]} touches the {side} edge of the image: move the camera back "
            "until the whole body fits with a hand's width to spare."
            for side, gap in margins.items() if math.isfinite(gap) and gap < CUT_OFF_FRAC]


def _warnings(r: CalibrationReport, seen: Sequence[PoseFrame]) -> list[str]:
    out = []
    if r.phase == "running":
        out.append("You are already running: the measurements come from your running stride (the same as "
                   "auto-calibration), and no standing posture baseline was recorded.")
    out += _frame_rate_warnings(r)
    if not math.isfinite(r.fps) and r.frames_with_runner:
        out.append(f"A still image has no frame rate: the profile assumes {ASSUMED_FPS:.0f} fps; calibrate "
                   "with the camera to measure it.")
    if math.isfinite(r.camera_tilt_deg) and abs(r.camera_tilt_deg) > TILT_WARN_DEG:
        turn = "anticlockwise" if r.camera_tilt_deg > 0 else "clockwise"
        out.append(f"The camera is tilted by {abs(r.camera_tilt_deg):.1f} degrees (measured from your standing body line): "
                   f"turn it {turn} until it is level.")
    out += _camera_height_warnings(r)
    margins = m.margins_frac(seen, r.body_height_px)
    for side, gap in margins.items():
        if math.isfinite(gap) and CUT_OFF_FRAC <= gap < TIGHT_MARGIN_FRAC:
            out.append(f"There is little room between the runner's {_EDGE_WORDS[side]} and the {side} edge "
                       f"({gap:.0%} of the image): leave a hand's width so a stride or a bounce stays in the frame.")
    return out


def _camera_height_warnings(r: CalibrationReport) -> list[str]:
    """From the front, a camera far above or below hip height and close distorts the legs' length."""
    if r.view != "front" or not math.isfinite(r.leg_trunk_ratio):
        return []
    off = r.leg_trunk_ratio / m.STANDING_LEG_TRUNK - 1.0
    if off < -FRONT_LEG_TRUNK_TOL:
        return [f"The camera looks down on you from close (your legs look {-off:.0%} shorter than they are): lower "
                "it toward hip height or move it farther away, so the feet are not distorted."]
    if off > FRONT_LEG_TRUNK_TOL:
        return [f"The camera looks up at you from low and close (your legs look {off:.0%} longer than they are): "
                "raise it toward hip height or move it farther away."]
    return []


def _frame_rate_warnings(r: CalibrationReport) -> list[str]:
    """The camera's own rate and the computer's, each said apart: only a camera that itself delivers
    few frames is helped by light (webcams lengthen the exposure in dim light, which lowers their
    frame rate); frames the computer had no time for are not the light's fault."""
    out = []
    if math.isfinite(r.fps) and r.fps < MIN_FPS:
        out.append(f"The camera delivers only {r.fps:.0f} frames per second (below {MIN_FPS:.0f}): contact times "
                   "will be coarse; webcams lower their frame rate to expose longer in dim light, so more light "
                   "(or a lower camera resolution) usually raises it.")
    if math.isfinite(r.fps) and math.isfinite(r.processed_fps) and r.processed_fps < MIN_PROCESSED_FRAC * r.fps:
        out.append(f"This computer processed only {r.processed_fps:.0f} of the {r.fps:.0f} frames per second the "
                   "camera delivers: it is too slow for the camera's rate (the light is not the cause), so close "
                   "other programs, use a faster computer, or set the camera to a lower frame rate.")
    return out


def describe(r: CalibrationReport) -> list[str]:
    """The measurements as short lines for the console."""
    def num(v: float, fmt: str, unit: str) -> str:
        return f"{format(v, fmt)} {unit}" if math.isfinite(v) else "not measured"

    people = "not counted" if r.rivals is None else ("only the runner" if r.rivals == 0 else f"{r.rivals + 1} people")
    return [
        f"runner in view: {r.frames_with_runner} of {r.frames} frames ({people})",
        f"phase: {r.phase}; view: {r.view or 'unknown'} (width/trunk {num(r.width_ratio, '.2f', '')}); facing: {r.facing or 'unknown'}",
        f"body height: {num(r.body_height_px, '.0f', 'px')}; floor line: y = {num(r.floor_y_px, '.0f', 'px')}",
        f"trunk angle: {num(r.trunk_deg, '+.1f', 'deg')}; camera tilt: {num(r.camera_tilt_deg, '+.1f', 'deg')}",
        f"frame rate: {num(r.fps, '.1f', 'fps')} delivered, {num(r.processed_fps, '.1f', 'fps')} processed; keypoint confidence: {num(r.keypoint_conf, '.2f', '')}",
    ] + ([f"front view: both feet seen in {num(100 * r.feet_seen, '.0f', '%')} of the frames; legs/trunk "
          f"{num(r.leg_trunk_ratio, '.2f', '')} (standing proportions {m.STANDING_LEG_TRUNK:.2f}: a hip-height camera)"]
         if r.view == "front" else [])


class AutoCalibrator:
    """Auto-calibration for a run without a profile: keeps the first MEASURE_S seconds of frames
    with the runner and makes the same report (and profile) `posecoach calibrate` would.
    `update(pose)`, `reset()`; `report()` and `profile()` once `done` (or at the end of a run)."""

    def __init__(self, measure_s: float = MEASURE_S) -> None:
        if not measure_s > 0:
            raise ValueError(f"measure_s must be > 0, got {measure_s}")
        self.measure_s = measure_s
        self.reset()

    def reset(self) -> None:
        self._poses: list[PoseFrame] = []
        self._t0: float | None = None
        self.done = False

    def update(self, pose: PoseFrame) -> None:
        if self._poses and pose.t <= self._poses[-1].t:
            raise ValueError(f"PoseFrame timestamps must increase: got t={pose.t} after t={self._poses[-1].t}")
        if self.done:
            return
        if pose.found and self._t0 is None:
            self._t0 = pose.t
        if self._t0 is None:
            return  # nobody yet: the window starts with the runner
        self._poses.append(pose)
        self.done = pose.t - self._t0 >= self.measure_s

    def report(self) -> CalibrationReport:
        return check_frames(self._poses)

    def profile(self, name: str = "runner", source: str = "", created: str = "") -> RunnerProfile | None:
        """The profile, or None while (or when) the measurements are not usable."""
        r = self.report()
        return r.to_profile(name=name, source=source, created=created) if r.ok else None
