"""The range each step metric can take in running, so a step measured wrong feeds no cue.

A value outside its range is not a runner's fault to correct: no runner can do it, so the tracker
measured something else (the other foot's ankle tracked through a stance, a toe-off found on the
wrong foot, a hidden ankle guessed). GaitTracker flags such a step `implausible_<metric>`; its
values are still recorded. The ranges are wide on purpose: they hold every runner from a slow
jogger to a sprinter, and sit well beyond the cue thresholds (cues/defaults.toml), so a fault the
coach should hear is never mistaken for a measuring error.

Lengths are in body heights (bh; 1 bh = 1.75 m gives the centimetres quoted). Segment lengths
from Winter, Biomechanics and Motor Control of Human Movement (4th ed. 2009), fig. 4.1: hip joint
at 0.530 of height, ankle at 0.039, shoulder at 0.818.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from live.types import STEP_METRICS


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    reason: str

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


PLAUSIBLE: dict[str, Range] = {
    "contact_ms": Range(80.0, 450.0,
        "Contact shortens with speed from about 0.3 s in slow jogging to 0.08-0.10 s in top-speed "
        "sprinting (Mero, Komi & Gregor 1992, Sports Med 13:376); a stance over 0.45 s is "
        "walking's (0.6 s and more)."),
    "flight_ms": Range(20.0, 250.0,
        "Running has an aerial phase: at or below zero both feet are down (walking), and under "
        "20 ms (0.6 of a 30 fps frame) it cannot be told from none. Aerial times stay near "
        "0.10-0.15 s from distance running to sprinting (Weyand et al. 2000, J Appl Physiol "
        "89:1991); 250 ms is past any runner's bound."),
    "overstride_bh": Range(-0.10, 0.35,
        "The hip is flexed about 45 deg at foot strike at most (Novacheck 1998, Gait Posture "
        "7:77), so even a straight leg puts the ankle no more than 0.49 sin 45 = 0.35 bh (61 cm) "
        "ahead of the hip (overstriding is measured this way: Lieberman et al. 2015, J Exp Biol "
        "218:3406). A foot landing more than 0.10 bh behind the hips happens only in the first "
        "steps from a standstill."),
    "shank_deg": Range(-15.0, 30.0,
        "At contact the shank is near vertical (forefoot and Pose landings) or tilted forward "
        "with the foot ahead of the knee by up to about 15 deg in heel-strike overstriding "
        "(tibia angle at loading: Souza 2016, Phys Med Rehabil Clin N Am 27:217); a foot more "
        "than 15 deg behind the knee at contact lands on the toes of a falling runner."),
    "knee_deg": Range(120.0, 180.0,
        "The knee is flexed 10-25 deg at contact (17-20 deg +-4 over step rates, Heiderscheit et "
        "al. 2011, Med Sci Sports Exerc 43:296), a knee angle of 155-170; 120 (60 deg of flexion) "
        "is more than twice any reported. 180 is a straight leg, the geometric limit."),
    "pose_offset_bh": Range(-0.13, 0.03,
        "At mid-stance the ankle is under the hips (that defines the moment), so the offset is "
        "half the shoulders' lead over the hips (0.29 bh hip to shoulder, Winter, times the sine "
        "of a trunk lean of -10..30 deg) minus the ball's 0.073 bh: -0.10..0.00, +-0.03 for "
        "keypoint jitter. Outside it the ankle was not under the hips at the moment read."),
    "fall_deg": Range(-10.0, 40.0,
        "The largest lean from mid-stance on includes mid-stance itself, where the ankle is "
        "under the hips and the line from the ball (0.073 bh ahead) leans back "
        "atan(0.073 / 0.44) = 9.4 deg: below -10 the moment read was not in this stance. It is "
        "not 0: a runner who pulls the foot early leaves the ground with the hips barely past "
        "the ball, and the ball is estimated for a flat foot (at toe-off it is nearer the "
        "ankle). Romanov's 22.5 deg is the most useful fall, not the most a runner does: fall is "
        "read at toe-off from the same points as trail_bh, and a pushing runner, the one the "
        "pushing cue is for, goes past it (25 deg is a trail of only 0.28 bh). 40 deg is a "
        "trail of 0.44 bh, just inside the leg's length (0.49 bh, hip 0.44 bh above the ankle)."),
    "trunk_deg": Range(-10.0, 30.0,
        "Runners lean the trunk forward a few to about 15 deg (self-selected and deliberately "
        "flexed postures: Teng & Powers 2014, J Orthop Sports Phys Ther 44:785); past 30 deg is "
        "a stoop no runner holds, and leaning back more than 10 deg on the level is falling "
        "backward."),
    "pull_ms": Range(50.0, 400.0,
        "The heel rises highest near mid-swing, with the knee's peak flexion (Novacheck 1998, "
        "Gait Posture 7:77), and a swing lasts 0.3-0.55 s from sprinting to jogging: 100-275 ms "
        "after toe-off. 50-400 ms allows a frame of event error and a flat-topped peak."),
    "lift_speed_bhps": Range(0.2, 5.0,
        "An estimate, not a published figure: the swing foot rises at least 0.1 bh (18 cm) "
        "within the first half of the swing (0.3 s at most), a mean of 0.33 bh/s, of which the "
        "hips' own rise at toe-off and the fit's smoothing take up to a third. A sprinter's heel "
        "rises about 0.5 m to the buttock in about 0.15 s, peaking near 6 m/s (3.4 bh/s): "
        "5 bh/s is past that."),
    "trail_bh": Range(0.0, 0.49,
        "The foot leaves the ground behind the hips (a foot ahead of them at toe-off is not "
        "pushing off: another foot or another moment was measured), and no further from them "
        "than the leg is long: 0.49 bh from hip joint to ankle (Winter)."),
    "bounce_bh": Range(0.01, 0.10,
        "The pelvis rises and falls 3-15 cm per step across runners (Stryd, vertical "
        "oscillation), 0.015 bh on a 2 m runner to 0.10 bh on a 1.5 m one."),
}


def implausible(metrics: Mapping[str, float]) -> list[str]:
    """The metrics (in STEP_METRICS order) whose value lies outside its plausible range; a NaN
    (not measured) is not implausible."""
    return [name for name in STEP_METRICS
            if math.isfinite(metrics.get(name, math.nan)) and metrics[name] not in PLAUSIBLE[name]]


def implausible_flags(metrics: Mapping[str, float]) -> list[str]:
    """Quality flags for a StepEvent: `implausible_<metric>` for each metric out of its range."""
    return [f"implausible_{name}" for name in implausible(metrics)]
