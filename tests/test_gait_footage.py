"""Acceptance on real footage: the real model's poses of every real clip under the footage root
(each folder with a ground_truth.json and its video) and of male_side's derived versions (mirror;
resampled to 15, 25, 50 and 60 fps; webcam and wide landscape frames; a camera twice as far away;
dark and noisy; analysis lines burned in; a 3-frame slow shutter) through the gait tracker, against
the transformed ground truth, on the backend and precision this machine picks, and male_side and its
dark copy again on ONNX Runtime (float32 everywhere), so the verdict is seen not to hang on the
arithmetic.

Print the table:  .venv/bin/pytest -q -s tests/test_gait_footage.py -k table
"""
from dataclasses import dataclass, replace

import numpy as np
import pytest

from footage import DERIVED_KINDS, SOURCE_CLIP, read_video_info, real_clip_names
from gait_accuracy import accuracy, annotated_fps, run_tracker
from gait_synth import hip_late, mirror
from live.keypoints import Kp
from live.types import STEP_METRICS, PoseFrame

_RUNS: dict = {}


@dataclass(frozen=True)
class Bounds:
    cadence_spm: float  # |error|
    within_1: float
    within_2: float
    extra: float
    toe_within_2: float


# Clean footage: the acceptance lines (cadence +-1.0 spm on every real clip). One frame of the 30 fps original is 33 ms; the other frame
# rates are held to the same milliseconds.
CLEAN = Bounds(cadence_spm=1.5, within_1=0.75, within_2=0.95, extra=0.05, toe_within_2=1.0)
REAL = replace(CLEAN, cadence_spm=1.0)
# The darker, noisier copy is at the limit of what the tracker times today: its events move by up
# to 2.3 frames with the arithmetic alone. Bounds from the spread measured on this machine over
# OpenVINO bf16 and f32 and ONNX Runtime f32, and over 20 draws of the measured bf16-f32 keypoint
# differences added to the f32 poses: worst seen within_1 0.62, within_2 0.91 (30/33),
# extra 0.09, toe-offs 5 of 6, cadence 1.3 spm. The gait issue works to bring it to CLEAN.
DARK = Bounds(cadence_spm=1.5, within_1=0.55, within_2=0.85, extra=0.12, toe_within_2=4 / 6)
# Derived cases not named here are held to CLEAN, real clips to REAL. The farther camera (small) and
# the slow shutter (blur3) are degraded too, but measured within CLEAN: they stay on it.
BOUNDS = {"dark": DARK}
# Cases whose acceptance fails with the current tracker (measured on this machine, OpenVINO bf16;
# issue 11): expected to fail, strictly, so one that starts passing turns the run red and must be
# moved out of this set.
#   wide: toe-offs 5 of 6 (toe_within_2 0.83 < 1.0): the far foot's toe-off at frame 54 is timed at
#     57, 3 frames late (56 on the portrait original, at the 2-frame limit).
# overlay left this set when the steps the feet do not show came to be counted by the hip's own
# peaks (events.py _hidden_steps, _unclaimed_hip_peak): the burned-in lines cost the model the right
# ankle in 32% of frames, and the feet-apart signal missed 8-9 of 33 steps.
PENDING = {"wide"}


def _cases() -> list[str]:
    """Every real clip (by folder name), then every derived version of male_side."""
    return real_clip_names() + list(DERIVED_KINDS)


def pytest_generate_tests(metafunc):
    """`case` runs over _cases(), read when the tests are collected: a real clip is a case the day its
    folder appears (unless a test names its own cases). The acceptance test of a PENDING case is a
    strict expected failure."""
    named = any(m.args and m.args[0] == "case" for m in metafunc.definition.iter_markers("parametrize"))
    if "case" not in metafunc.fixturenames or named:
        return
    pending = metafunc.function.__name__ == "test_acceptance"
    metafunc.parametrize("case", [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="issue 11: landing detector rework")) if pending and c in PENDING else c
        for c in _cases()])


def _bounds(case: str) -> Bounds:
    return BOUNDS.get(case, CLEAN if case in DERIVED_KINDS else REAL)


def _run(case, clip_of, poses_of, backend=None):
    key = (case, backend)
    if key not in _RUNS:
        clip = clip_of(case)
        if "initial_contact_frames" not in clip.truth:
            pytest.skip(f"{clip.path.parent / 'ground_truth.json'} has no initial_contact_frames: nothing to time")
        tr, steps = run_tracker(poses_of(clip, backend))
        _RUNS[key] = (clip, tr, steps, accuracy(tr.summary(), steps, clip.truth))
    return _RUNS[key]


def _check(case, clip, steps, acc) -> list[str]:
    """Assert every bound the clip's ground truth has the keys for; return what it lacks a key for."""
    b, truth, unchecked = _bounds(case), clip.truth, []
    if "cadence_spm" in truth:
        assert abs(acc.cadence_err_spm) <= b.cadence_spm
    else:
        unchecked.append("cadence (no 'cadence_spm')")
    # Landings matched one-to-one, in time (the last one, on the clip's last frame, cannot be confirmed).
    assert acc.within_1 >= b.within_1
    assert acc.within_2 >= b.within_2
    assert acc.extra <= b.extra
    if "feet_alternate" not in truth:
        unchecked.append("alternation (no 'feet_alternate')")
    elif truth["feet_alternate"]:
        assert acc.alternation >= 0.95
    # Every annotated toe-off the detector can time (the 15 fps copy's first one falls inside the fits'
    # look-behind at the clip's start), as frame numbers of the clip: both name the last frame on the
    # ground, within +-2 frames.
    if "toe_off_frames" in truth:
        assert acc.toe_seen >= len(clip.toe_offs) - 1
        assert acc.toe_within_2 >= b.toe_within_2 - 1e-9
    else:
        unchecked.append("toe-offs (no 'toe_off_frames')")
    if "contact_time_ms" in truth:
        lo, hi = truth["contact_time_ms"]["range"]
        assert lo <= acc.contact_median_ms <= hi
    else:
        unchecked.append("contact time (no 'contact_time_ms')")
    return unchecked


def _skip_unchecked(clip, unchecked: list[str]) -> None:
    if unchecked:
        pytest.skip(f"{clip.name}: every check its ground truth has keys for passed; not checked: " + ", ".join(unchecked))


def test_acceptance(case, clip_of, poses_of, estimator):
    clip, tr, steps, acc = _run(case, clip_of, poses_of)
    print(f"\n{acc.row(case)}  [{estimator.backend_name} {estimator.precision}]")
    unchecked = _check(case, clip, steps, acc)
    if "runner_faces" in clip.truth.get("scene", {}):
        assert acc.facing == clip.facing
    else:
        unchecked.append("facing (no 'scene.runner_faces')")
    # The near leg is the anatomical side the camera sees (ground truth: left on male_side, right on
    # its mirror image).
    if "near_leg" in clip.truth:
        assert {s.side for s in steps if s.leg == "near"} == {clip.truth["near_leg"]}
    else:
        unchecked.append("near leg side (no 'near_leg')")
    _skip_unchecked(clip, unchecked)


@pytest.mark.parametrize("case", [SOURCE_CLIP, "dark"])
def test_acceptance_on_a_float32_runtime(case, clip_of, poses_of):
    """The same gate on ONNX Runtime, float32 on every CPU: the verdict is the same as on the
    runtime and precision the machine picks."""
    clip, tr, steps, acc = _run(case, clip_of, poses_of, backend="onnx")
    print(f"\n{acc.row(case)}  [onnx f32]")
    _skip_unchecked(clip, _check(case, clip, steps, acc))


# A runner whose hip falls fastest 100 ms after contact (the hip highest at contact, as for most of
# the runners of the clips kept apart; the shared clip's runner's hip falls fastest ~5 ms after it):
# the real poses with the upper body's bounce delayed (gait_synth.hip_late), feet and truth as they
# are. The landing's hip timing is corrected by the runner's delay measured from the foot's contact
# (hip_delay.runner_hip_delay); on a clean 30 fps clip it is measured (89 ms) and the landings pass,
# but where the foot's contact scatters step to step (25 fps, lines drawn over the legs, a slow
# shutter), mostly early, the delay read from it is short by 10-50 ms and the landings come late.
# Measured on this machine, within 1 / within 2 frames and the delay applied at the end of the run,
# OpenVINO bf16 (ONNX Runtime f32 in brackets):
#   male_side 97% / 100%, 89 ms (97 / 100);  fps25 33% / 88%, 60 ms (18 / 82);
#   overlay 61% / 79%, 81 ms (24 / 55);  blur3 73% / 85%, 89 ms (55 / 70).
#   (Before a scattered set's low end was used: 6/70, 9/33 and 58/67 on bf16.)
# Strict expected failures (issue 11): the first to pass turns the run red and leaves this set.
HIP_LATE_S = 0.1
HIP_LATE_CASES = (SOURCE_CLIP, "fps25", "overlay", "blur3")
HIP_LATE_PENDING = {"fps25", "overlay", "blur3"}


def _run_hip_late(case, clip_of, poses_of):
    """(clip, tracker, steps, accuracy) of a case as the hip-late runner, once per session."""
    key = (case, "hip_late")
    if key not in _RUNS:
        clip = clip_of(case)
        if "initial_contact_frames" not in clip.truth:
            pytest.skip(f"{clip.path.parent / 'ground_truth.json'} has no initial_contact_frames: nothing to time")
        tr, steps = run_tracker(hip_late(poses_of(clip), HIP_LATE_S, clip.truth["video"]["fps"]))
        _RUNS[key] = (clip, tr, steps, accuracy(tr.summary(), steps, clip.truth))
    return _RUNS[key]


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="issue 11: hip delay not measured on degraded footage"))
    if c in HIP_LATE_PENDING else c for c in HIP_LATE_CASES])
def test_acceptance_when_the_hip_falls_late(case, clip_of, poses_of):
    clip, tr, steps, acc = _run_hip_late(case, clip_of, poses_of)
    print(f"\n{acc.row(case)}  hip +{HIP_LATE_S * 1000:.0f} ms, delay {1000 * tr.events.hip_delay_s():.0f} ms")
    _check(case, clip, steps, acc)


@pytest.mark.parametrize("case", HIP_LATE_CASES)
def test_a_hip_that_falls_late_costs_no_step(case, clip_of, poses_of):
    """Whatever the landings' timing, the late hip neither adds nor loses steps: the cadence holds
    on every case of the hip-late runner (a landing whose hip peak falls beyond its window waits for
    the fallback's window: deciding it early, by the widest stride, put two landings 5 and 16 frames
    apart where there were two 10.5 apart, and the cadence read 3.4-6 spm high on four copies)."""
    if "cadence_spm" not in clip_of(case).truth:
        pytest.skip(f"{clip_of(case).path.parent / 'ground_truth.json'} has no cadence_spm")
    acc = _run_hip_late(case, clip_of, poses_of)[3]
    assert abs(acc.cadence_err_spm) <= _bounds(case).cadence_spm


def test_truth_describes_its_video(case, clip_of, poses_of):
    """Each case's truth names the frame rate, size and frame count of its file (read back with
    OpenCV), and the pose pass decodes exactly that many frames: event frames and durations are
    counted on the file the tracker sees."""
    clip = clip_of(case)
    v, info = clip.truth["video"], read_video_info(clip.path)
    assert v["fps"] == pytest.approx(info["fps"], abs=1e-3)
    assert (v["width"], v["height"], v["frames"]) == (info["width"], info["height"], info["frames"])
    if "duration_s" in v:
        assert v["duration_s"] == pytest.approx(v["frames"] / v["fps"], abs=1e-6)
    assert len(poses_of(clip)) == v["frames"]


def test_mirroring_changes_no_metric_but_facing(make_derived, poses_of):
    """The original's own poses mirrored in software: every step metric and event time the same."""
    clip = make_derived("original")
    poses = poses_of(clip)
    mirrored = [mirror(p) for p in poses]
    a, sa = run_tracker(poses)
    b, sb = run_tracker(mirrored)
    assert (a.facing, b.facing) == ("left", "right")
    assert [x[0] for x in a.landings] == pytest.approx([x[0] for x in b.landings], abs=1e-6)
    assert [x[2] for x in a.landings] == [x[2] for x in b.landings]  # near stays near
    for s, m in zip(sa, sb):
        for name in STEP_METRICS:
            assert np.isclose(getattr(s, name), getattr(m, name), atol=1e-4, equal_nan=True), name


def test_table(clip_of, poses_of):
    """Prints the accuracy table for every case, male_side and dark on ONNX Runtime, and every case
    with its hip's bounce delayed (run with -s)."""
    cases = [c for c in _cases() if "initial_contact_frames" in clip_of(c).truth]
    rows = [_run(c, clip_of, poses_of)[3].row(c) + ("  PENDING" if c in PENDING else "") for c in cases]
    rows += [_run(c, clip_of, poses_of, "onnx")[3].row(c) + "  [onnx f32]" for c in (SOURCE_CLIP, "dark")]
    for c in cases:  # every case again as a runner whose hip falls fastest HIP_LATE_S after contact
        _, tr, _, acc = _run_hip_late(c, clip_of, poses_of)
        rows.append(acc.row(c) + f"  [hip +{1000 * HIP_LATE_S:.0f} ms, delay {1000 * tr.events.hip_delay_s():.0f} ms]")
    print("\n" + "\n".join(rows))
    assert len(rows) == 2 * len(cases) + 2


def test_the_landing_phase_has_no_bias(clip_of, poses_of):
    """Issue 11's acceptance: over every case the median signed landing error (detected - truth,
    of the landings matched within 2 frames) is within half a frame, and no case's is beyond one
    frame (frames of the annotation's rate: 33 ms for male_side and every copy of it)."""
    medians, pooled = {}, []
    for c in _cases():
        clip = clip_of(c)
        if "initial_contact_frames" not in clip.truth:
            continue
        acc = _run(c, clip_of, poses_of)[3]
        medians[c] = float(np.median(acc.offsets_ms))
        pooled += [o / (1000 / annotated_fps(clip.truth, "initial_contact_frames")) for o in acc.offsets_ms]
    print("\nmedian signed landing error, ms: " + ", ".join(f"{c} {m:+.1f}" for c, m in medians.items())
          + f"; all cases {np.median(pooled):+.2f} frame")
    assert abs(float(np.median(pooled))) <= 0.5
    for c, m in medians.items():
        assert abs(m) <= 1000 / annotated_fps(clip_of(c).truth, "initial_contact_frames"), c


def _relabel(p, rng, swap_p: float, collapse: bool):
    """The real frame with the model's failures made worse: left/right leg labels exchanged (with
    probability swap_p), or (collapse) the far ankle drawn onto the near foot with high confidence,
    as the model does in the frames just after a landing."""
    xy, conf = p.xy.copy(), p.conf.copy()
    if rng.random() < swap_p:
        for a, b in ((Kp.LEFT_HIP, Kp.RIGHT_HIP), (Kp.LEFT_KNEE, Kp.RIGHT_KNEE), (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)):
            xy[[a, b]], conf[[a, b]] = xy[[b, a]], conf[[b, a]]
    if collapse:
        near, far = (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE) if rng.random() < 0.5 else (Kp.RIGHT_ANKLE, Kp.LEFT_ANKLE)
        xy[far] = xy[near] + rng.normal(0, 3, 2)
        conf[far] = 0.97
    return PoseFrame(p.t, p.index, xy, conf, p.box, p.image_size)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_label_swaps_and_collapses_neither_create_nor_lose_steps(seed, make_derived, poses_of):
    """The issue's hard case on real poses: the model exchanges or collapses the left/right ankle
    labels in some frames, mostly 0-5 frames after a landing. Exchanged labels in 10% of all frames
    plus a collapsed far ankle in a quarter of the frames 0-5 after each landing (about 10% of all
    frames) must leave the steps as they were."""
    clip = make_derived("original")
    poses = poses_of(clip)
    base, _ = run_tracker(poses)
    rng = np.random.default_rng(seed)
    after_landing = {f + d for f in clip.landings for d in range(6)}
    hurt = [_relabel(p, rng, 0.10, p.index in after_landing and rng.random() < 0.25) for p in poses]
    tr, _ = run_tracker(hurt)
    t0 = np.array([x[0] for x in base.landings])
    t1 = np.array([x[0] for x in tr.landings])
    assert len(t1) == len(t0)
    near = [np.min(np.abs(t1 - t)) <= 1.0 / clip.fps for t in t0]
    assert np.mean(near) >= 0.95
    assert abs(tr.summary()["cadence_spm"] - clip.truth["cadence_spm"]["value"]) <= 1.0
    legs = [x[2] for x in tr.landings]
    assert np.mean([a != b for a, b in zip(legs, legs[1:])]) >= 0.95
