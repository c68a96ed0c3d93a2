"""Table tests for the coach: scripted step streams -> exactly these cues at exactly these times.

Streams are built from small helpers: a runner stepping every PERIOD_S seconds, each step emitted
EMIT_DELAY_S after its landing (the tracker waits for toe-off and the pull), frames at 30 fps.
The config is the packaged defaults with a shorter warm-up, so each row stays short.
"""
from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import replace

import pytest

from cues.coach import CUE_JSON_KEYS, Coach
from cues.config import DEFAULTS_TOML, cues_config_from_dict
from live.types import StepEvent

PERIOD_S = 0.35  # 171 steps per minute: above the low-cadence limit
EMIT_DELAY_S = 0.27
FPS = 30
# A runner with no fault by the default thresholds.
CLEAN = dict(contact_ms=240.0, flight_ms=110.0, overstride_bh=0.05, shank_deg=3.0, knee_deg=160.0,
             pose_offset_bh=0.02, fall_deg=14.0, trunk_deg=10.0, pull_ms=150.0, lift_speed_bhps=2.0,
             trail_bh=0.15, bounce_bh=0.04)
COACH = dict(warmup_s=5.0, warmup_steps=5, min_gap_s=6.0, repeat_gap_s=25.0, stale_s=2.0,
             quiet_after_cues=3, quiet_s=120.0, praise=True, praise_within_s=20.0)


def config(**coach):
    defaults = tomllib.loads(DEFAULTS_TOML.read_text())
    return cues_config_from_dict(defaults, {"coach": {**COACH, **coach}}, "test")


def stream(t0: float, t1: float, period: float = PERIOD_S, quality: str = "ok", **metrics) -> list[StepEvent]:
    """Steps landing every `period` s in [t0, t1): a clean runner with `metrics` changed."""
    n = int(math.ceil((t1 - t0) / period - 1e-9))
    return [StepEvent(t_s=round(t0 + i * period, 6), frame=0, leg=("near", "far")[i % 2], side="unknown",
                      quality=quality, **{**CLEAN, **metrics}) for i in range(n)]


def run(coach: Coach, steps: list[StepEvent], t_end: float, busy=lambda t: False, cadence_spm=math.nan):
    """Feed the steps frame by frame; returns [(t, cue id, fault)]."""
    out, i = [], 0
    for k in range(int(t_end * FPS) + 1):
        t = k / FPS
        new = []
        while i < len(steps) and steps[i].t_s + EMIT_DELAY_S <= t:
            new.append(steps[i])
            i += 1
        out += [(round(c.t, 3), c.cue, c.fault) for c in coach.update(t, new, cadence_spm, speaker_busy=busy(t))]
    return out


LAND = "land_under_hips"
CASES = {
    "clean runner: nothing to say": (stream(0, 60), 60, []),
    "warm-up, repeat gap, then quiet after 3 unfixed cues, back after quiet_s": (
        stream(0, 180, overstride_bh=0.15), 180,
        [(5.0, LAND, "overstride"), (30.0, LAND, "overstride"), (55.0, LAND, "overstride"),
         (175.0, LAND, "overstride")]),
    "two faults: priority by severity, min gap between them": (
        stream(0, 40, overstride_bh=0.15, bounce_bh=0.07), 40,
        [(5.0, LAND, "overstride"), (11.0, "stay_low", "bounce"), (30.0, LAND, "overstride"),
         (36.0, "stay_low", "bounce")]),
    "severity, not weight: a huge bounce beats a slight overstride": (
        stream(0, 12, overstride_bh=0.13, bounce_bh=0.12), 12,
        [(5.0, "stay_low", "bounce"), (11.0, LAND, "overstride")]),
    "fixed after the cue: praise once the min gap allows": (
        stream(0, 8, overstride_bh=0.15) + stream(8.05, 30), 30,
        [(5.0, LAND, "overstride"), (11.0, "praise", "overstride")]),
    "fault seen during the gap, then the steps stop: stale when its turn comes": (
        stream(0, 6, overstride_bh=0.15) + stream(6.0, 8.5, overstride_bh=0.15, bounce_bh=0.08), 20,
        [(5.0, LAND, "overstride")]),
    "same fault with the steps going on: said when the gap ends": (
        stream(0, 6, overstride_bh=0.15) + stream(6.0, 20, overstride_bh=0.15, bounce_bh=0.08), 20,
        [(5.0, LAND, "overstride"), (11.0, "stay_low", "bounce")]),
    "hysteresis: between the thresholds the fault stays on": (
        stream(0, 4, overstride_bh=0.15) + stream(4.0, 40, overstride_bh=0.10), 40,
        [(5.0, LAND, "overstride"), (30.0, LAND, "overstride")]),
    "flickering at the on threshold (3 of 6): never persistent": (
        [s for pair in zip(stream(0, 40, 0.7, overstride_bh=0.13), stream(0.35, 40, 0.7)) for s in pair], 40, []),
    "bad-quality steps never feed cues": (stream(0, 30, quality="ankle labels swapped", overstride_bh=0.2), 30, []),
    "slow steps: low cadence from the step times alone": (
        stream(0, 12, period=0.4), 12, [(5.0, "quicker_feet", "low_cadence")]),
    "bending at the waist: trunk far ahead of the body line": (
        stream(0, 12, trunk_deg=24.0, fall_deg=14.0), 12, [(5.0, "lean_from_ankles", "waist_bend")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_coach_table(name):
    steps, t_end, expected = CASES[name]
    assert run(Coach(config()), steps, t_end) == expected


def test_speaker_busy_holds_the_next_cue():
    steps = stream(0, 12, overstride_bh=0.15)
    got = run(Coach(config()), steps, 12, busy=lambda t: 4.0 <= t < 7.0)
    assert got == [(7.0, LAND, "overstride")]


def test_cue_in_flight_estimate_holds_the_next_cue_when_the_gap_is_short():
    steps = stream(0, 10, overstride_bh=0.15, bounce_bh=0.08)
    got = run(Coach(config(min_gap_s=0.5)), steps, 10)
    spoken_until = 5.0 + 4 * 60 / 170 + 0.5  # "Land under your hips": 4 words at 170 wpm + pause
    assert got[0] == (5.0, LAND, "overstride")
    assert got[1][1:] == ("stay_low", "bounce")
    assert spoken_until <= got[1][0] < spoken_until + 1.5 / FPS


def test_tracker_cadence_overrides_own_estimate():
    steps = stream(0, 12, period=0.4)
    assert run(Coach(config()), steps, 12, cadence_spm=175.0) == []


def test_baseline_removes_a_runners_natural_lean():
    steps = stream(0, 12, trunk_deg=24.0, fall_deg=14.0)
    assert run(Coach(config(), baseline={"trunk_deg": 6.0}), steps, 12) == []


def test_same_cues_when_frames_are_sparser():
    """Timestamps, not frame counts: 15 fps analysis gives the same cues as 30 fps (to a frame)."""
    steps = stream(0, 40, overstride_bh=0.15, bounce_bh=0.07)
    dense = run(Coach(config()), steps, 40)
    coach, sparse, i = Coach(config()), [], 0
    for k in range(40 * 15 + 1):
        t = k / 15
        new = [s for s in steps[i:] if s.t_s + EMIT_DELAY_S <= t]
        i += len(new)
        sparse += [(round(c.t, 3), c.cue, c.fault) for c in coach.update(t, new, math.nan)]
    assert [c[1:] for c in sparse] == [c[1:] for c in dense]
    assert all(abs(a[0] - b[0]) <= 1 / 15 for a, b in zip(sparse, dense))


def test_reset_forgets_everything():
    coach = Coach(config())
    steps = stream(0, 12, overstride_bh=0.15)
    first = run(coach, steps, 12)
    coach.reset()
    assert run(coach, steps, 12) == first == [(5.0, LAND, "overstride")]


def test_out_of_order_times_raise():
    coach = Coach(config())
    coach.update(1.0, [], math.nan)
    with pytest.raises(ValueError, match="before the previous update"):
        coach.update(0.5, [], math.nan)
    a, b = stream(0, 0.8)[:2]
    coach.update(2.0, [b], math.nan)
    with pytest.raises(ValueError, match="arrived after"):
        coach.update(2.1, [a], math.nan)


def test_bad_baseline_names_the_value():
    with pytest.raises(ValueError, match="lean"):
        Coach(config(), baseline={"lean": 3.0})


def test_cue_json_line_carries_the_rule_and_the_values_it_compared():
    steps = stream(0, 6, bounce_bh=0.09)
    steps[11] = replace(steps[11], bounce_bh=0.055)  # between the thresholds, in the window at 5 s
    line = cues_of(Coach(config()), steps, 6)[0].to_json(spoken=False)
    assert line == {"t": 5.0, "cue": "stay_low", "text": "Stay low", "fault": "bounce", "spoken": False,
                    "severity": 4.0, "metric": "bounce_bh", "unit": "bh", "value": 0.09, "direction": "above",
                    "on": 0.06, "off": 0.05, "window_steps": 6, "persist_steps": 4, "steps_beyond_on": 5,
                    "steps_within_off": 0, "window_values": [0.09, 0.09, 0.09, 0.055, 0.09, 0.09],
                    "baseline": 0.0, "last_step_t_s": 4.55}
    assert tuple(line) == CUE_JSON_KEYS
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", k) for k in line)
    assert json.loads(json.dumps(line)) == line


def test_praise_line_carries_the_values_that_showed_the_fix():
    steps = stream(0, 8, overstride_bh=0.15) + stream(8.05, 30)
    cues = cues_of(Coach(config()), steps, 30)
    assert [(c.cue, c.t) for c in cues] == [(LAND, 5.0), ("praise", 11.0)]
    praise = cues[1].to_json(spoken=True)
    assert praise["fault"] == "overstride" and praise["metric"] == "overstride_bh" and praise["severity"] == 0.0
    # Off at the 4th clean step after 8 s (4 of the last 6 within off = 0.09): the clean runner's 0.05.
    assert praise["window_values"] == [0.15, 0.15, 0.05, 0.05, 0.05, 0.05]
    assert praise["value"] == 0.05 and praise["steps_within_off"] == 4 and praise["steps_beyond_on"] == 2
    assert praise["last_step_t_s"] == round(8.05 + 3 * PERIOD_S, 4)
    assert tuple(praise) == CUE_JSON_KEYS


def test_relative_rule_line_says_what_baseline_was_subtracted():
    steps = stream(0, 12, trunk_deg=30.0, fall_deg=14.0)  # waist bend 16 deg measured
    line = cues_of(Coach(config(), baseline={"trunk_deg": 6.0}), steps, 12)[0].to_json(spoken=False)
    assert (line["fault"], line["metric"], line["unit"]) == ("waist_bend", "waist_bend_deg", "deg")
    assert line["baseline"] == 6.0 and line["value"] == 10.0 and set(line["window_values"]) == {10.0}


def cues_of(coach: Coach, steps: list[StepEvent], t_end: float) -> list:
    out, i = [], 0
    for k in range(int(t_end * FPS) + 1):
        new = [s for s in steps[i:] if s.t_s + EMIT_DELAY_S <= k / FPS]
        i += len(new)
        out += coach.update(k / FPS, new, math.nan)
    return out
