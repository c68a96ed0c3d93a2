"""Acceptance on real footage: the real model's poses of male_side and its derived versions
(mirror, fps15, fps60, webcam, dark) through the gait tracker, against the transformed ground truth,
on the backend and precision this machine picks, and the original and dark copies again on ONNX
Runtime (float32 everywhere), so the verdict is seen not to hang on the arithmetic.

Print the table:  .venv/bin/pytest -q -s tests/test_gait_footage.py -k table
"""
from dataclasses import dataclass, replace

import numpy as np
import pytest

from conftest import ALL_KINDS
from gait_accuracy import accuracy, run_tracker
from gait_synth import mirror
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


# Clean footage: the acceptance lines (cadence +-1.0 spm on the original). One frame of the 30 fps original is 33 ms; the other frame
# rates are held to the same milliseconds.
CLEAN = Bounds(cadence_spm=1.5, within_1=0.75, within_2=0.95, extra=0.05, toe_within_2=1.0)
# The darker, noisier copy is at the limit of what the tracker times today: its events move by up
# to 2.3 frames with the arithmetic alone. Bounds from the spread measured on this machine over
# OpenVINO bf16 and f32 and ONNX Runtime f32, and over 20 draws of the measured bf16-f32 keypoint
# differences added to the f32 poses: worst seen within_1 0.62, within_2 0.91 (30/33),
# extra 0.09, toe-offs 5 of 6, cadence 1.3 spm. The gait issue works to bring it to CLEAN.
DARK = Bounds(cadence_spm=1.5, within_1=0.55, within_2=0.85, extra=0.12, toe_within_2=4 / 6)
BOUNDS = {"original": replace(CLEAN, cadence_spm=1.0), "dark": DARK}


def _run(kind, make_derived, poses_of, backend=None):
    key = (kind, backend)
    if key not in _RUNS:
        clip = make_derived(kind)
        tr, steps = run_tracker(poses_of(clip, backend))
        _RUNS[key] = (clip, tr, steps, accuracy(tr.summary(), steps, clip.truth))
    return _RUNS[key]


def _check(kind, clip, steps, acc):
    b = BOUNDS.get(kind, CLEAN)
    assert abs(acc.cadence_err_spm) <= b.cadence_spm
    # Landings matched one-to-one, in time (the last one, on the clip's last frame, cannot be confirmed).
    assert acc.within_1 >= b.within_1
    assert acc.within_2 >= b.within_2
    assert acc.extra <= b.extra
    assert acc.alternation >= 0.95
    # Every annotated toe-off the detector can time (the 15 fps copy's first one falls inside the fits'
    # look-behind at the clip's start), as frame numbers of the clip: both name the last frame on the
    # ground, within +-2 frames.
    assert acc.toe_seen >= len(clip.toe_offs) - 1
    assert acc.toe_within_2 >= b.toe_within_2 - 1e-9
    assert 200 <= acc.contact_median_ms <= 270


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_acceptance(kind, make_derived, poses_of, estimator):
    clip, tr, steps, acc = _run(kind, make_derived, poses_of)
    print(f"\n{acc.row(kind)}  [{estimator.backend_name} {estimator.precision}]")
    _check(kind, clip, steps, acc)
    assert acc.facing == clip.facing
    # The near leg is the anatomical side the camera sees (ground truth: left on the original).
    near_sides = {s.side for s in steps if s.leg == "near"}
    expected = clip.truth["near_leg"] if kind != "mirror" else {"left": "right", "right": "left"}[clip.truth["near_leg"]]
    assert near_sides == {expected}


@pytest.mark.parametrize("kind", ["original", "dark"])
def test_acceptance_on_a_float32_runtime(kind, make_derived, poses_of):
    """The same gate on ONNX Runtime, float32 on every CPU: the verdict is the same as on the
    runtime and precision the machine picks."""
    clip, tr, steps, acc = _run(kind, make_derived, poses_of, backend="onnx")
    print(f"\n{acc.row(kind)}  [onnx f32]")
    _check(kind, clip, steps, acc)


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


def test_table(make_derived, poses_of):
    """Prints the accuracy table for all five versions (run with -s)."""
    rows = [_run(k, make_derived, poses_of)[3].row(k) for k in ALL_KINDS]
    rows += [_run(k, make_derived, poses_of, "onnx")[3].row(k) + "  [onnx f32]" for k in ("original", "dark")]
    print("\n" + "\n".join(rows))
    assert len(rows) == len(ALL_KINDS) + 2


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
