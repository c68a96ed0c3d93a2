"""The targets the page compares the run with, and a plain-words verdict for each.

Thresholds come from the cue rules (cues/defaults.toml, or the run's --cues file), so the page and
the coach never disagree: a verdict of "fault" means the run's median is beyond the rule's `on`, the
value at which the coach starts cueing. The two Pose Method numbers that no rule holds (the 180 spm
minimum, the 22.5 deg upper bound of the fall) are named here, once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from cues.config import CuesConfig, RuleConfig
from cues.rules import baseline_offset

POSE_MIN_CADENCE_SPM = 180.0  # Pose Method: 180 steps per minute is the minimum
POSE_MAX_FALL_DEG = 22.5  # Pose Method: the forward fall from the support foot goes up to 22.5 deg
POSE_SOURCES = {"min_cadence_spm": POSE_MIN_CADENCE_SPM, "max_fall_deg": POSE_MAX_FALL_DEG}

# Decimals shown per unit: a page full of 4-decimal numbers reads as noise.
DECIMALS = {"spm": 1, "ms": 0, "deg": 1, "bh": 3, "bhps": 2, "px": 0, "s": 1}


@dataclass(frozen=True)
class Target:
    """One headline metric: where its value comes from and the band it should sit in."""

    metric: str  # steps.csv column, cadence_spm, or waist_bend_deg (trunk_deg - fall_deg)
    label: str
    unit: str
    meaning: str  # the Pose Method reading, in words
    rule: RuleConfig | None  # the cue rule on this metric, if any
    offset: float  # the runner's baseline the rule subtracts, in the metric's unit (0 if none)
    pose_low: str | None = None  # key of POSE_SOURCES: the value should be at least this
    pose_high: str | None = None  # ... at most this

    @property
    def decimals(self) -> int:
        return DECIMALS.get(self.unit, 2)

    def good_band(self) -> tuple[float, float]:
        """The range the page shades as the target, in the measured unit (baseline added back)."""
        low, high = -math.inf, math.inf
        if self.rule is not None:
            if self.rule.direction == "above":
                high = self.rule.off + self.offset
            else:
                low = self.rule.off + self.offset
        if self.pose_low:
            low = max(low, POSE_SOURCES[self.pose_low])
        if self.pose_high:
            high = min(high, POSE_SOURCES[self.pose_high])
        return low, high

    def fault_band(self) -> tuple[float, float] | None:
        """Where the coach cues (beyond the rule's `on`), in the measured unit."""
        if self.rule is None:
            return None
        on = self.rule.on + self.offset
        return (on, math.inf) if self.rule.direction == "above" else (-math.inf, on)


@dataclass(frozen=True)
class Verdict:
    level: str  # good, borderline, fault; unknown (no target), missing (no value)
    words: str  # one plain sentence, no numbers (the numbers sit beside it, with their source)


_HEADLINES = (
    # metric, label, unit, Pose reading, (pose_low, pose_high)
    ("cadence_spm", "Cadence", "spm", "steps per minute, both feet; quick, light steps", ("min_cadence_spm", None)),
    ("contact_ms", "Ground contact", "ms", "short contact = a quick pull from the ground", (None, None)),
    ("fall_deg", "Fall angle", "deg", "forward lean of the body line from the ball of the foot", (None, "max_fall_deg")),
    ("waist_bend_deg", "Trunk vs fall (waist bend)", "deg",
     "trunk angle beyond the fall angle: bending at the waist instead of falling from the ankles", (None, None)),
    ("lift_speed_bhps", "Lift speed", "bhps", "how fast the foot is pulled up under the hip", (None, None)),
    ("pull_ms", "Pull time", "ms", "toe-off to the highest point of the foot: quick pull", (None, None)),
    ("overstride_bh", "Overstride", "bh", "landing ankle ahead of the hips; land under the body", (None, None)),
    ("bounce_bh", "Bounce", "bh", "vertical travel of the hips per step; stay low", (None, None)),
)


# What a front view's plots show (live/report/front.py has its table): the metrics a frontal camera
# measures per step, each banded by the front cue rule on it (cues/defaults.toml, view = "front").
_FRONT_PLOTS = (
    ("cadence_spm", "Cadence", "spm", "steps per minute, both feet; quick, light steps", ("min_cadence_spm", None)),
    ("bounce_bh", "Bounce", "bh", "vertical travel of the hips per step; stay low", (None, None)),
    ("lean_abs_deg", "Sideways lean (either way)", "deg", "the trunk leaning to one side; run tall", (None, None)),
    ("midline_bh", "Landing foot from the midline", "bh", "feet landing under the hips, not across the midline",
     (None, None)),
    ("lift_ms", "Landing to the top of the lift", "ms", "the foot pulled up under the hip right after landing",
     (None, None)),
)


def front_plot_targets(config: CuesConfig) -> tuple[Target, ...]:
    """The front view's plotted metrics with the front cue rules' bands. No offset: the profile's
    baseline is a side view's standing posture, and no front rule is relative to it."""
    out = []
    for metric, label, unit, meaning, (low, high) in _FRONT_PLOTS:
        rule = next((r for r in config.front_faults if r.metric == metric and r.enabled), None)
        out.append(Target(metric, label, unit, meaning, rule, 0.0, low, high))
    return tuple(out)


def headline_metrics() -> tuple[tuple[str, str, str], ...]:
    """(metric, label, unit) of each headline number, in the page's order."""
    return tuple((metric, label, unit) for metric, label, unit, _meaning, _pose in _HEADLINES)


def rule_for(config: CuesConfig, metric: str) -> RuleConfig | None:
    """The first enabled rule on this metric (the order of the cue file)."""
    return next((r for r in config.faults if r.metric == metric and r.enabled), None)


def headline_targets(config: CuesConfig, baseline: dict | None) -> tuple[Target, ...]:
    base = {k: float(v) for k, v in (baseline or {}).items() if isinstance(v, (int, float))}
    out = []
    for metric, label, unit, meaning, (low, high) in _HEADLINES:
        rule = rule_for(config, metric)
        offset = baseline_offset(rule, base) if rule is not None and rule.relative else 0.0
        out.append(Target(metric, label, unit, meaning, rule, offset, low, high))
    return tuple(out)


def verdict(target: Target, value: float | None) -> Verdict:
    """good: inside the target band; fault: where the coach would cue; borderline: between."""
    if value is None or not math.isfinite(value):
        return Verdict("missing", "Not measured in this run.")
    if target.rule is None and not (target.pose_low or target.pose_high):
        return Verdict("unknown", "For reference: the coach has no rule on it.")
    fault = target.fault_band()
    if fault is not None and fault[0] < value < fault[1]:
        return Verdict("fault", _FAULT_WORDS.get(target.metric, "Beyond the coach's threshold: the coach cues this."))
    low, high = target.good_band()
    if low <= value <= high:
        return Verdict("good", _GOOD_WORDS.get(target.metric, "Within the target."))
    if target.pose_low and value < POSE_SOURCES[target.pose_low] and not (fault and value <= fault[1]):
        return Verdict("borderline", "Below the Pose Method minimum, but above where the coach cues.")
    if target.pose_high and value > POSE_SOURCES[target.pose_high]:
        return Verdict("borderline", "Beyond the Pose Method upper bound: more lean than the method asks for.")
    return Verdict("borderline", "Between the coach's thresholds: close to where the coach cues.")


_GOOD_WORDS = {
    "cadence_spm": "At or above the Pose Method minimum.",
    "contact_ms": "Short contact: the foot leaves the ground quickly.",
    "fall_deg": "A forward fall within the Pose Method's range.",
    "waist_bend_deg": "The trunk follows the body line: falling from the ankles, not bending at the waist.",
    "lift_speed_bhps": "A quick lift of the foot.",
    "overstride_bh": "Landing under the hips.",
    "bounce_bh": "Little vertical travel.",
}
_FAULT_WORDS = {
    "cadence_spm": "Slow steps: the coach cues quicker feet here.",
    "contact_ms": "Long contact: the foot stays on the ground, the coach cues hot coals.",
    "fall_deg": "Too upright: the body line hardly leans, so gravity does not pull forward.",
    "waist_bend_deg": "Bending at the waist: the trunk leans much more than the body line.",
    "lift_speed_bhps": "A slow lift: the foot is pushed off rather than pulled up.",
    "overstride_bh": "Overstriding: the foot lands ahead of the hips and brakes.",
    "bounce_bh": "Bouncing: energy goes into vertical travel.",
}
