"""The typed containers that cross stage boundaries (see ../shared/DESIGN.md, data flow).

Nothing here imports ultralytics, torch or OpenCV, so calibration/ and cues/ can use these types
without pulling in the camera or the model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from live.keypoints import NUM_KEYPOINTS, Kp


@dataclass(frozen=True)
class Frame:
    """One image from a source. `t` is seconds on a monotonic clock: capture time for a camera,
    index / fps for a file, so every rate downstream is driven by timestamps, not frame counts."""

    image: np.ndarray  # (H, W, 3) uint8 BGR
    t: float
    index: int

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(f"Frame.image must be (H, W, 3) uint8, got {self.image.shape} {self.image.dtype}")



@dataclass(frozen=True)
class SourceEvent:
    """What a live source says between frames when its images stop: "lost" once (no image for
    LOST_NOTICE_S), "waiting" a few times a second while it reconnects (so the loop keeps the window
    alive and the user can quit), "back" once when images return. `t` is on the frames' clock."""

    kind: str  # "lost" | "waiting" | "back"
    t: float
    lost_s: float  # seconds since the last image
    message: str


@dataclass(frozen=True)
class PoseFrame:
    """The runner's 17 keypoints in one frame, in image pixels (x right, y down).

    `xy` holds NaN for points that are missing or below the confidence threshold; `conf` keeps the
    model's raw confidence for every point; `box` is (x1, y1, x2, y2) or None when nobody was found.
    """

    t: float
    index: int
    xy: np.ndarray  # (17, 2) float32, NaN where missing
    conf: np.ndarray  # (17,) float32, 0 where missing
    box: tuple[float, float, float, float] | None
    image_size: tuple[int, int]  # (width, height)

    def __post_init__(self) -> None:
        if self.xy.shape != (NUM_KEYPOINTS, 2):
            raise ValueError(f"PoseFrame.xy must be ({NUM_KEYPOINTS}, 2), got {self.xy.shape}")
        if self.conf.shape != (NUM_KEYPOINTS,):
            raise ValueError(f"PoseFrame.conf must be ({NUM_KEYPOINTS},), got {self.conf.shape}")
        # Freeze the arrays too: a PoseFrame is shared by several stages.
        self.xy.flags.writeable = False
        self.conf.flags.writeable = False

    @classmethod
    def empty(cls, t: float, index: int, image_size: tuple[int, int]) -> PoseFrame:
        """No runner in this frame."""
        xy = np.full((NUM_KEYPOINTS, 2), np.nan, dtype=np.float32)
        return cls(t, index, xy, np.zeros(NUM_KEYPOINTS, np.float32), None, image_size)

    @property
    def found(self) -> bool:
        return self.box is not None

    def point(self, kp: Kp) -> np.ndarray:
        return self.xy[kp]

    def to_json(self) -> dict:
        """One line of poses.jsonl."""
        xy = [None if np.isnan(p).any() else [round(float(p[0]), 2), round(float(p[1]), 2)] for p in self.xy]
        box = None if self.box is None else [round(float(v), 2) for v in self.box]
        return {
            "index": self.index,
            "t": round(self.t, 6),
            "xy": xy,
            "conf": [round(float(c), 4) for c in self.conf],
            "box": box,
        }

    @classmethod
    def from_json(cls, d: dict, image_size: tuple[int, int] = (0, 0)) -> PoseFrame:
        xy = np.array([[np.nan, np.nan] if p is None else p for p in d["xy"]], dtype=np.float32)
        box = None if d["box"] is None else tuple(float(v) for v in d["box"])
        return cls(float(d["t"]), int(d["index"]), xy, np.asarray(d["conf"], np.float32), box, image_size)


# Metric names of a step, in the order steps.csv writes them (units in the names; see the
# glossary in DESIGN.md). A metric that could not be measured for a step is NaN.
STEP_METRICS = (
    "contact_ms",
    "flight_ms",
    "overstride_bh",
    "shank_deg",
    "knee_deg",
    "pose_offset_bh",
    "fall_deg",
    "trunk_deg",
    "pull_ms",
    "lift_speed_bhps",
    "trail_bh",
    "bounce_bh",
)


@dataclass(frozen=True)
class StepEvent:
    """One step: from a landing of one foot through its stance and pull.

    Emitted once the step's metrics are known (after that foot's toe-off and the top of its pull),
    but `t_s` and `frame` are the landing's: sub-frame time in seconds and the nearest frame index.
    `leg` is "near" or "far" (tracked by continuity), `side` is "left", "right" or "unknown".
    `quality` is "ok" or a ';'-joined list of reasons the step should not feed cues.
    """

    t_s: float
    frame: int
    leg: str
    side: str
    quality: str
    contact_ms: float = math.nan
    flight_ms: float = math.nan
    overstride_bh: float = math.nan
    shank_deg: float = math.nan
    knee_deg: float = math.nan
    pose_offset_bh: float = math.nan
    fall_deg: float = math.nan
    trunk_deg: float = math.nan
    pull_ms: float = math.nan
    lift_speed_bhps: float = math.nan
    trail_bh: float = math.nan
    bounce_bh: float = math.nan
    t_emit_s: float = math.nan  # timestamp of the frame that completed this step (for latency)

    @property
    def good(self) -> bool:
        return self.quality == "ok"

    def metrics(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in STEP_METRICS}


@dataclass(frozen=True)
class GaitSnapshot:
    """Rolling state for the HUD and the coach: cadence over the last seconds, medians of recent steps."""

    t: float
    cadence_spm: float
    steps: int
    medians: dict[str, float] = field(default_factory=dict)
    facing: str = "unknown"




# Front view (camera in front of the runner, e.g. a laptop on the treadmill console): what a frontal
# camera measures per step (issue 14). The side-only metrics of StepEvent (contact, overstride, fall,
# shank, knee, pose offset, trail, pull, lift speed) need the depth axis and stay NaN. Categories,
# not numbers, where the 2D frontal measure is weak (hip drop) or a category is what is trusted
# (crossover, arm crossover); the numbers behind them are kept for auditing in front_steps.csv.
FRONT_METRICS = (
    "step_ms",
    "asymmetry_pct",
    "bounce_bh",
    "lean_deg",
    "hip_drop_deg",
    "midline_bh",
    "arm_cross_bh",
    "lift_ms",
)
FRONT_CATEGORIES = ("hip_drop", "crossover", "arm_crossover")


@dataclass(frozen=True)
class FrontStepEvent(StepEvent):
    """One step seen from the front: from a landing of one foot to the next landing (other foot).

    A StepEvent, so the coach, the session's steps.csv and the key frames take it as they are; its
    side-only metrics are NaN (empty in steps.csv, never summarised). `leg` and `side` are the model's
    own "left" / "right" labels, which do not swap from the front. Front metrics (units in names):
    step_ms (this landing to the next), asymmetry_pct (|this step - previous step| over their mean),
    bounce_bh (hip midpoint vertical range over the step), lean_deg (trunk's lateral angle, mean over
    the step, + toward the runner's left), hip_drop_deg (the swing side's hip below the stance side's,
    largest in early stance), midline_bh (landing ankle's lateral distance from the hip midpoint, +
    on its own side, - crossed over), arm_cross_bh (farthest a wrist reaches past the shoulder
    midpoint toward the other side), lift_ms (this landing to the top of this foot's next lift).
    """

    step_ms: float = math.nan
    asymmetry_pct: float = math.nan
    lean_deg: float = math.nan
    hip_drop_deg: float = math.nan
    midline_bh: float = math.nan
    arm_cross_bh: float = math.nan
    lift_ms: float = math.nan
    hip_drop: str = "unknown"  # "none" | "mild" | "marked" | "unknown"
    crossover: str = "unknown"  # "none" | "narrow" | "crossover" | "unknown"
    arm_crossover: str = "unknown"  # "none" | "crossing" | "unknown"

    def front_metrics(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in FRONT_METRICS}
