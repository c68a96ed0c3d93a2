"""Gait tracker pieces on small synthetic inputs with known answers."""
import math

import numpy as np
import pytest

from calibration.profile import RunnerProfile
from gait_synth import Runner
from live.gait import GaitConfig, GaitTracker, cadence_from_landings, write_steps_csv
from live.gait.legs import LegPhase
from live.gait.metrics import BALL_FORWARD_BH, StepSamples, knee_angle, step_metrics
from live.gait.signals import falling_crossing, local_fit, parabolic_vertex, peak_in
from live.types import STEP_METRICS, PoseFrame

BH = 700.0


def samples(n=86, dt=0.01, **over):
    """A still runner facing right (sign +1): hip (300, 880), shoulder straight above, ankle under
    the hip on the floor, knee half-way, seen from t = -0.2 s (the metrics' fits need samples on
    both sides of every event) to 0.65 s. `over` replaces any array (callables get t)."""
    t = np.arange(n) * dt - 0.2
    base = dict(hip_x=300.0, hip_y=880.0, sh_x=300.0, sh_y=690.0, ankle_x=300.0, ankle_y=1180.0,
                knee_x=300.0, knee_y=1030.0)
    arrays = {}
    for k, v in base.items():
        v = over.get(k, v)
        arrays[k] = np.asarray(v(t) if callable(v) else np.full(n, v), dtype=np.float64)
    return StepSamples(t, **arrays)


def metrics(s, t_land=0.0, t_toe=0.2, t_next=0.3, sign=1.0, period=0.3):
    return step_metrics(s, t_land, t_toe, t_next, sign, BH, period, 0.01)


# (name, samples overrides, metric, expected, sign)
CASES = [
    ("contact from toe-off minus landing", {}, "contact_ms", 200.0, 1.0),
    ("flight from toe-off to next landing", {}, "flight_ms", 100.0, 1.0),
    ("overstride: ankle 70 px ahead of the hip", {"ankle_x": 370.0}, "overstride_bh", 0.1, 1.0),
    ("overstride facing left", {"ankle_x": 230.0}, "overstride_bh", 0.1, -1.0),
    ("no overstride: ankle under hip", {}, "overstride_bh", 0.0, 1.0),
    ("shank vertical", {}, "shank_deg", 0.0, 1.0),
    ("shank 45 deg, foot ahead of knee", {"ankle_x": 450.0, "knee_y": 1030.0}, "shank_deg", 45.0, 1.0),
    ("shank 45 deg facing left", {"ankle_x": 150.0}, "shank_deg", 45.0, -1.0),
    ("straight knee", {}, "knee_deg", 180.0, 1.0),
    ("right-angle knee", {"knee_x": 450.0, "knee_y": 880.0, "ankle_x": 450.0}, "knee_deg", 90.0, 1.0),
    ("upright trunk", {}, "trunk_deg", 0.0, 1.0),
    ("trunk leaning 45 deg forward", {"sh_x": 490.0}, "trunk_deg", 45.0, 1.0),
    ("trunk leaning back facing left", {"sh_x": 490.0}, "trunk_deg", -45.0, -1.0),
    ("pose offset: hip and shoulder over the ankle", {}, "pose_offset_bh", -BALL_FORWARD_BH, 1.0),
    ("pose offset: over the ball of the foot", {"hip_x": 300 + BALL_FORWARD_BH * BH, "sh_x": 300 + BALL_FORWARD_BH * BH},
     "pose_offset_bh", 0.0, 1.0),
    ("trail at toe-off: foot 70 px behind", {"ankle_x": 230.0}, "trail_bh", 0.1, 1.0),
    ("bounce: hip range 14 px", {"hip_y": lambda t: 880 + 7 * np.sin(2 * np.pi * t / 0.3)}, "bounce_bh", 0.02, 1.0),
    ("no bounce", {}, "bounce_bh", 0.0, 1.0),
]


@pytest.mark.parametrize("name,over,metric,expected,sign", CASES, ids=[c[0] for c in CASES])
def test_metric_table(name, over, metric, expected, sign):
    assert metrics(samples(**over), sign=sign)[metric] == pytest.approx(expected, abs=1e-3)


def test_fall_angle_is_max_of_stance_lean_over_ball():
    # Hip moves forward from over the ball to 0.1 bh * tan ahead: the max is at toe-off.
    ball = 300 + BALL_FORWARD_BH * BH
    s = samples(hip_x=lambda t: ball + 300 * t, ankle_x=300.0)  # 60 px ahead of the ball at t=0.2
    got = metrics(s, t_toe=0.2)["fall_deg"]
    assert got == pytest.approx(math.degrees(math.atan2(60.0, 300.0)), abs=0.5)


@pytest.mark.parametrize("fps", [15, 30, 60, 100])
def test_pull_and_lift_speed(fps):
    # After toe-off at 0.1 s the ankle rises smoothly by 150 px, (1 - cos) over 0.6 s: the top
    # 300 ms after toe-off, the fastest rise 150 pi / 0.6 px/s at 150 ms. Read from fits, both are
    # the same at every frame rate (the highest frame and the largest frame difference were not).
    def ay(t):
        return 1180 - 75 * (1 - np.cos(2 * np.pi * np.clip(t - 0.1, 0, None) / 0.6))
    dt = 1 / fps
    m = step_metrics(samples(n=int(0.85 / dt) + 1, dt=dt, ankle_y=ay), 0.0, 0.1, 0.3, 1.0, BH, 0.5, dt)
    assert m["pull_ms"] == pytest.approx(300.0, abs=10.0)
    assert m["lift_speed_bhps"] == pytest.approx(150 * np.pi / 0.6 / BH, rel=0.02)


def test_missing_toe_off_gives_nan_not_crash():
    m = metrics(samples(), t_toe=math.nan)
    assert math.isnan(m["contact_ms"]) and math.isnan(m["flight_ms"]) and math.isnan(m["pull_ms"])
    assert math.isfinite(m["overstride_bh"])


def test_knee_angle_helper():
    assert knee_angle((0, 0), (0, 1), (1, 1)) == pytest.approx(90.0)
    assert math.isnan(knee_angle((0, 0), (0, 0), (1, 1)))


# ---- signals ----
def test_local_fit_is_exact_on_a_cubic_and_zero_phase():
    t = np.arange(-5, 6) / 30
    y = 2 + 3 * t - 4 * t**2 + 5 * t**3
    v, slope = local_fit(t, y, 0.0, 0.1, 3, 2)
    assert v == pytest.approx(2.0) and slope == pytest.approx(3.0)


def test_local_fit_refuses_one_sided_windows():
    t = np.arange(0, 5) / 30
    assert math.isnan(local_fit(t, t, 0.0, 0.1, 2, 1)[0])


def test_parabolic_vertex_and_peak_and_crossing():
    t = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    y = -((t - 0.23) ** 2)
    assert peak_in(t, y)[0] == pytest.approx(0.23)
    assert parabolic_vertex(t[:3], np.array([1.0, 1.0, 1.0]))[0] == pytest.approx(0.1)
    assert peak_in(t, t) is None  # maximum on the edge: no peak inside
    assert falling_crossing(t, np.array([4.0, 3.0, 1.0, 0.0, 0.0]), 2.0) == pytest.approx(0.15)


# ---- cadence ----
@pytest.mark.parametrize("times,expected", [
    ([0.1 + 0.355 * k for k in range(20)], 60 / 0.355),
    ([0.1 + 0.355 * k for k in range(20) if k != 7], 60 / 0.355),  # a missed step is still counted
    ([0.355 * k for k in range(10)] + [10 + 0.355 * k for k in range(10)], 60 / 0.355),  # a break is left out
    ([0.0, 0.5], math.nan),
])
def test_cadence_from_landings(times, expected):
    got = cadence_from_landings(times)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=0.01)


# ---- config and tracker contract ----
@pytest.mark.parametrize("field", ["min_step_ms", "cadence_window_s", "median_steps", "fit_half_window_ms"])
def test_config_rejects_bad_values_by_name(field):
    with pytest.raises(ValueError, match=field):
        GaitConfig(**{field: 0})


def test_tracker_rejects_out_of_order_and_bad_facing():
    tr = GaitTracker()
    r = Runner()
    tr.update(r.pose(0.5, 15))
    with pytest.raises(ValueError, match="increase"):
        tr.update(r.pose(0.4, 12))
    with pytest.raises(ValueError, match="facing"):
        GaitTracker(facing="up")


def test_frames_without_runner_are_handled_and_restart_the_segment():
    r = Runner()
    tr = GaitTracker()
    n_empty = 0
    for i in range(240):
        t = i / 30
        if 2.0 <= t < 3.0:
            tr.update(PoseFrame.empty(t, i, (720, 1280)))
            n_empty += 1
        else:
            tr.update(r.pose(t, i))
    assert n_empty == 30
    landed = [x[0] for x in tr.landings]
    assert not any(2.0 <= t < 3.0 for t in landed)
    assert any(t > 3.5 for t in landed)  # tracking resumed after the gap
    assert tr.snapshot().cadence_spm == pytest.approx(60 / r.step_s, abs=1.0)


def test_facing_override_and_profile():
    prof = RunnerProfile(1, "right", "side", 700.0, 1200.0, 30.0)
    tr = GaitTracker(profile=prof, facing="left")
    assert tr.facing == "left" and tr.body_height_px == 700.0 and tr.floor_y_px == 1200.0
    assert GaitTracker().facing is None and GaitTracker().body_height_px is None


# ---- the synthetic runner, end to end ----
@pytest.mark.parametrize("fps", [15, 30, 60])
@pytest.mark.parametrize("facing", ["left", "right"])
def test_synthetic_runner_events_and_metrics(fps, facing):
    r = Runner(facing=facing)
    dur = 8.0
    tr = GaitTracker(profile=RunnerProfile(1, facing, "side", BH, r.floor_y, fps))
    steps = []
    for p in r.poses(fps, dur, noise_px=1.0):
        steps += tr.update(p)
    truth = [t for t, _ in r.landings(dur)]
    got = [t for t, _, _ in tr.landings]
    frame = 1 / fps
    # Every landing found once, within one frame (a frame at 15 fps is 67 ms).
    assert len(got) >= len(truth) - 2 and len(got) <= len(truth)
    for t in got:
        assert min(abs(np.array(truth) - t)) <= max(frame, 0.034)
    toes = np.array(r.toe_offs(dur))
    for t, _, _ in tr.toe_offs:
        assert min(abs(toes - t)) <= max(frame, 0.034)
    assert tr.summary()["cadence_spm"] == pytest.approx(60 / r.step_s, abs=1.0)
    assert tr.facing == facing
    # Legs: facing left the camera sees the left side; the synthetic left foot lands first.
    side_of = {t: side for t, side in r.landings(dur)}
    for t, _, leg in tr.landings:
        side = side_of[min(side_of, key=lambda x: abs(x - t))]
        assert leg == ("near" if side == facing else "far")
    good = [s for s in steps if s.good]
    assert len(good) >= len(truth) - 4
    med = {m: np.nanmedian([getattr(s, m) for s in good]) for m in STEP_METRICS}
    assert med["contact_ms"] == pytest.approx(r.contact_frac * r.step_s * 1000, abs=25)
    assert med["overstride_bh"] == pytest.approx(r.reach_px / BH, abs=0.02)
    assert med["trunk_deg"] == pytest.approx(math.degrees(math.atan2(r.lean_px, 190.0)), abs=0.5)
    assert med["bounce_bh"] == pytest.approx(2 * r.bounce_px / BH, abs=0.006)
    for s in steps:
        assert s.t_emit_s >= s.t_s and s.side in ("left", "right")


def test_write_steps_csv(tmp_path):
    r = Runner()
    tr = GaitTracker()
    steps = []
    for p in r.poses(30, 5.0):
        steps += tr.update(p)
    path = tmp_path / "steps.csv"
    write_steps_csv(path, steps)
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == ["t_s", "frame", "leg", "side", "quality", *STEP_METRICS]
    assert len(lines) == len(steps) + 1 and len(steps) >= 10
    summary = tr.summary()
    assert set(summary) >= {"cadence_spm", "steps", "facing", "landings", "toe_offs", "metrics"}
    assert set(summary["metrics"]) == set(STEP_METRICS)
    assert set(summary["metrics"]["contact_ms"]) == {"median", "p25", "p75"}
    assert summary["landings"][0].keys() == {"frame", "t", "leg"}
    # Per leg: both legs of this symmetric runner seen, their contact medians equal the overall one.
    by_leg = summary["metrics_by_leg"]
    assert set(by_leg) == {"near", "far"} and set(by_leg["near"]) == set(STEP_METRICS)
    assert sum(summary["good_steps_by_leg"].values()) == summary["good_steps"]
    assert min(summary["good_steps_by_leg"].values()) >= 3
    for leg in ("near", "far"):
        assert by_leg[leg]["contact_ms"]["median"] == pytest.approx(summary["metrics"]["contact_ms"]["median"], abs=15)


def test_leg_phase_names_alternate_and_later_votes_fix_an_early_wrong_label():
    """Steps 0.35 s apart, one missed (0.7 s gap keeps the parity); the first step's label is wrong
    (votes -1 where the truth is +1 for parity 0), the next ones right: named at once, step 0 is
    wrong; named after the later votes, every step is right and the names alternate."""
    ph = LegPhase()
    times = [0.0, 0.35, 0.70, 1.40, 1.75, 2.10]
    truth_left = [True, False, True, True, False, True]  # 1.05 s missed: 0.70 and 1.40 both left
    votes = [-1.0] + [1.0 if left else -1.0 for left in truth_left[1:]]  # +: forward ankle is left
    parities, at_once = [], []
    for t, v in zip(times, votes):
        parities.append(ph.update(t, 0.35, v))
        at_once.append(ph.side(parities[-1]))
    assert at_once[0] == "right"  # only the wrong vote heard
    assert [ph.side(p) for p in parities] == ["left" if x else "right" for x in truth_left]
    assert LegPhase().side(0) == "unknown"
