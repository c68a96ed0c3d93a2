"""FrontConfig: every tunable of the front-view tracker, with its unit in its name and why it has its value.

No real front-view treadmill footage with ground truth exists in ../shared yet (issue 14): the
values below come from running physiology and from the synthetic runner in tests/front_synth.py
(a 3D runner projected through a pinhole camera on the console); each says which.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

# What a step's metric may plausibly be; outside, the step is flagged "implausible_<metric>" and
# feeds no cue (a wrong keypoint, not a runner). Ranges are wide: they catch tracking errors, not
# unusual runners.
FRONT_PLAUSIBLE = {
    "step_ms": (200.0, 600.0),  # 300-100 spm: a sprint to a shuffle
    "asymmetry_pct": (0.0, 40.0),  # beyond 40 % one foot's step was missed, not run
    "bounce_bh": (0.0, 0.12),  # 0.12 bh is 21 cm for 1.75 m: more is a jump, or the hips lost
    "lean_deg": (-25.0, 25.0),
    "hip_drop_deg": (-10.0, 25.0),
    "midline_bh": (-0.15, 0.20),
    "arm_cross_bh": (-0.35, 0.25),
    "lift_ms": (150.0, 1000.0),
}

# Categories from the numbers, where the literature trusts a frontal 2D camera with a category only.
# Contralateral pelvic drop: 4.5 deg in healthy runners against 7.5 deg in injured ones (Bramah et
# al. 2018); 2D frontal drop agrees only moderately with itself (ICC 0.59-0.77), hence categories.
HIP_DROP_MILD_DEG = 5.0
HIP_DROP_MARKED_DEG = 8.0
# Crossover: the landing ankle on or past the hip midline; "narrow" within 0.015 bh (2.6 cm for
# 1.75 m) of it, where half a normal running step width (5-10 cm) would be 2.5-5 cm.
CROSSOVER_BH = 0.0
NARROW_BH = 0.015
# Arms: a wrist past the shoulder midline by more than keypoint jitter (0.01 bh, ~6 px on a 630 px
# runner) crosses the body.
ARM_CROSS_BH = 0.01


@dataclass(frozen=True)
class FrontConfig:
    # Keypoints under this confidence are ignored (the side tracker's threshold, for the same reasons).
    min_conf: float = 0.3
    # A landing is confirmed this long after it: the kink fit needs samples on both sides, and at
    # 15-25 fps the look-ahead widens to `min_samples_per_side` frames.
    lookahead_ms: float = 100.0
    min_samples_per_side: int = 2
    # Landing: the ankle's lowest image point (largest y) over this window before it and the
    # look-ahead after it. 250 ms covers the descent of the foot at 140-200 spm (a step lasts
    # 300-430 ms; the other foot lands, its ankle far from this one, in between).
    landing_before_ms: float = 250.0
    # ...and the foot must have come down from a lift at least this high in the image over the last
    # 600 ms (one swing): 0.04 bh is ~25 px on a 630 px runner, ten times keypoint jitter, and a
    # quarter of the smallest lift of the synthetic runner seen from a hip-height camera.
    lift_window_ms: float = 600.0
    min_lift_bh: float = 0.04
    # The kink between the descent and the belt's drift is fitted with straight lines over this many
    # milliseconds each side of the lowest point (two frames at 30 fps, four at 60).
    kink_ms: float = 70.0
    # Shortest step, as in the side tracker (300 spm); two landings of one foot are at least two steps apart.
    min_step_ms: float = 200.0
    # Step period assumed before steps are seen (170 spm), and the longest a step may be before the
    # gap counts as a break: 3 typical steps.
    default_step_ms: float = 353.0
    # Body height: measured over the first seconds with the runner in view (as the side tracker).
    body_height_warmup_s: float = 2.0
    # The rolling HUD/coach window and the medians of the last N good steps (as the side tracker).
    cadence_window_s: float = 10.0
    median_steps: int = 10
    # A gap without the runner longer than this forgets the open steps.
    max_gap_ms: float = 300.0
    # Samples kept: two strides at 140 spm (1.7 s) plus the look-ahead and the lift search.
    history_s: float = 3.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0):
                raise ValueError(f"FrontConfig.{f.name} must be a positive number, got {v!r}")
        if self.min_conf >= 1:
            raise ValueError(f"FrontConfig.min_conf must be below 1, got {self.min_conf}")

    def lookahead_s(self, frame_s: float) -> float:
        return max(self.lookahead_ms / 1000.0, self.min_samples_per_side * frame_s * 1.01)
