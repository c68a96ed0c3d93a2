"""The pure checks, as a table: each case derives poses from the real model's poses on the real clip
(dropping, thinning, shifting, or adding people's boxes) and expects its own plain sentence; then the
measurements behind them (framing from keypoints, rivals, frame rates) on small exact cases."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from calibration.checks import MEASURE_S, RIVAL_MAX_OVERLAP, RIVAL_MIN_SCORE, RIVAL_REL_HEIGHT, AutoCalibrator, check_frames
from calibration.measure import EYE_HEIGHT_FRAC, KNEE_HEIGHT_FRAC, delivered_fps, margins_frac, processed_fps, rival_count, view_of
from live.gait.body_frame import ANKLE_HEIGHT_FRAC
from live.keypoints import NUM_KEYPOINTS, Kp
from live.types import PoseFrame

ANKLES = [Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE]


@pytest.fixture(scope="module")
def window(clip, poses_of):
    """The first MEASURE_S seconds of the real poses: what calibrate would measure."""
    poses = poses_of(clip)
    return [p for p in poses if p.t - poses[0].t <= MEASURE_S + 1e-9]


def _blank(p: PoseFrame) -> PoseFrame:
    return PoseFrame.empty(p.t, p.index, p.image_size)


def _shift_down(p: PoseFrame, dy: float) -> PoseFrame:
    """The same pose lower in the image (a camera aimed too high): the feet leave the frame."""
    w, h = p.image_size
    xy = p.xy + np.float32([0, dy])
    x1, y1, x2, y2 = p.box
    return dataclasses.replace(p, xy=xy, box=(x1, y1 + dy, x2, min(y2 + dy, h)))


def _shift_up(p: PoseFrame, dy: float) -> PoseFrame:
    """The same pose higher in the image, its box clipped at the top edge as a detector clips it."""
    x1, y1, x2, y2 = p.box
    return dataclasses.replace(p, xy=p.xy - np.float32([0, dy]), box=(x1, max(y1 - dy, 0.0), x2, y2 - dy))


def _without(p: PoseFrame, kps: list[Kp]) -> PoseFrame:
    """The pose with these keypoints lost (as the model loses a foot that is out of the frame)."""
    xy, conf = p.xy.copy(), p.conf.copy()
    xy[kps], conf[kps] = np.nan, 0.0
    return dataclasses.replace(p, xy=xy, conf=conf)


def _lose_outside(p: PoseFrame) -> PoseFrame:
    """The pose without the keypoints that lie outside the image (as the model loses them)."""
    w, h = p.image_size
    x, y = p.xy[:, 0], p.xy[:, 1]
    return _without(p, [Kp(i) for i in np.flatnonzero((x < 0) | (x > w) | (y < 0) | (y > h))])


def _box_to_edges(p: PoseFrame) -> PoseFrame:
    """The same keypoints in a detector box that spans the whole image (touching every edge)."""
    w, h = p.image_size
    return dataclasses.replace(p, box=(0.0, 0.0, float(w), float(h)))


def _dim(p: PoseFrame, factor: float) -> PoseFrame:
    return dataclasses.replace(p, xy=p.xy.copy(), conf=p.conf * np.float32(factor))


def _renumbered(poses: list[PoseFrame]) -> list[PoseFrame]:
    """Poses numbered 0, 1, 2...: every frame the source delivered was processed (a camera that
    itself delivers this few frames)."""
    return [dataclasses.replace(p, index=i) for i, p in enumerate(poses)]


def _runner_and(p: PoseFrame, rel_height: float, score: float = 0.9) -> np.ndarray:
    """The runner's box plus a second person `rel_height` as tall, beside them, scored `score`."""
    x1, y1, x2, y2 = p.box
    h = (y2 - y1) * rel_height
    return np.array([(*p.box, 0.88), (x2 + 10, y2 - h, x2 + 10 + (x2 - x1), y2, score)], dtype=np.float32)


def _runner_and_inner(p: PoseFrame, score: float) -> np.ndarray:
    """The runner's box plus a second box over most of the runner (the upper 90 %), scored `score`."""
    x1, y1, x2, y2 = p.box
    return np.array([(*p.box, 0.88), (x1 + 5, y1, x2 - 5, y1 + 0.9 * (y2 - y1), score)], dtype=np.float32)


CASES = [
    # (id, transform(window) -> (poses, people), problem fragment or None, warning fragment or None)
    ("nobody", lambda w: ([_blank(p) for p in w], None), "Nobody was found", None),
    ("mostly absent", lambda w: ([p if i % 3 == 0 else _blank(p) for i, p in enumerate(w)], None), "in view in only", None),
    ("second person as tall", lambda w: (w, [_runner_and(p, 0.9) for p in w[::15]]), "Another person is in view", None),
    ("small person far behind", lambda w: (w, [_runner_and(p, 0.3) for p in w[::15]]), None, None),
    ("unsure box beside", lambda w: (w, [_runner_and(p, 0.9, score=0.3) for p in w[::15]]), None, None),
    # issue 10: a second, low-confidence box (0.26) around the runner himself is not another person
    ("unsure box on the runner", lambda w: (w, [_runner_and_inner(p, 0.26) for p in w[::15]]), None, None),
    ("sure box on the runner", lambda w: (w, [_runner_and_inner(p, 0.8) for p in w[::15]]), None, None),
    ("feet cut off", lambda w: ([_shift_down(p, 120.0) for p in w], None), "feet touches the bottom edge", None),
    ("feet out, ankles lost", lambda w: ([_lose_outside(_shift_down(p, 120.0)) for p in w], None),
     "feet touches the bottom edge", None),
    ("crown cut off, eyes in", lambda w: ([_shift_up(p, 625.0) for p in w], None), "head touches the top edge", None),
    ("dim light", lambda w: ([_dim(p, 0.45) for p in w], None), "hard to see", None),
    ("15 fps camera", lambda w: (_renumbered(w[::2]), None), None, "The camera delivers only 15 frames per second"),
    ("computer skips half", lambda w: (w[::2], None), None, "processed only 15 of the 30 frames per second"),
    ("clip as is", lambda w: (w, [np.array([(*p.box, 0.88)]) for p in w[::15]]), None, "already running"),
]


@pytest.mark.parametrize("case,make,problem,warning", CASES, ids=[c[0] for c in CASES])
def test_check_table(window, case, make, problem, warning):
    poses, people = make(window)
    r = check_frames(poses, people)
    if problem is None:
        assert r.ok, r.problems
    else:
        assert not r.ok and any(problem in s for s in r.problems), r.problems
        with pytest.raises(ValueError, match="cannot make a profile"):
            r.to_profile()
    if warning is not None:
        assert any(warning in s for s in r.warnings), r.warnings
    for sentence in r.problems + r.warnings:
        assert sentence.endswith(".") and "\n" not in sentence


def test_fifteen_fps_still_measures_the_same_body(window):
    full, thin = check_frames(window), check_frames(_renumbered(window[::2]))
    assert thin.fps == pytest.approx(15.0, rel=0.01)
    assert thin.facing == full.facing and thin.view == full.view
    assert thin.body_height_px == pytest.approx(full.body_height_px, rel=0.03)


def test_a_slow_computer_is_not_blamed_on_the_camera_or_the_light(window):
    """Every other frame skipped by the processing: the camera still delivers 30 fps; the warning
    says the computer is too slow, and says nothing about light."""
    r = check_frames(window[::2])
    assert r.fps == pytest.approx(30.0, rel=0.01) and r.processed_fps == pytest.approx(15.0, rel=0.01)
    assert any("too slow for the camera's rate" in s for s in r.warnings), r.warnings
    assert not any("light" in s and "too slow" not in s for s in r.warnings), r.warnings
    camera = check_frames(_renumbered(window[::2]))
    assert camera.processed_fps == pytest.approx(camera.fps)
    assert not any("too slow" in s for s in camera.warnings), camera.warnings
    assert any("more light" in s for s in camera.warnings), camera.warnings


def test_frame_rates_count_the_frames_the_source_numbered():
    blank = [PoseFrame.empty(i / 30, i, (720, 1280)) for i in range(0, 91, 3)]
    assert delivered_fps(blank) == pytest.approx(30.0) and processed_fps(blank) == pytest.approx(10.0)
    assert np.isnan(delivered_fps(blank[:1])) and np.isnan(processed_fps(blank[:1]))


def test_framing_ignores_a_detector_box_on_the_edges(window):
    """issue 10: the box touches every edge while every keypoint is well inside: nothing is said
    about framing (the old check said "touches the right edge")."""
    r = check_frames([_box_to_edges(p) for p in window])
    assert r.ok, r.problems
    assert not any("edge" in s for s in r.problems + r.warnings), r.problems + r.warnings


def _standing(image_wh=(1000, 1000), eye_y=200.0, ankle_y=800.0, x=(300.0, 700.0)) -> PoseFrame:
    """A synthetic pose: every keypoint at the same confidence, the face at eye_y, the ankles at
    ankle_y, the rest between; the leftmost and rightmost points at x. The box spans the image."""
    xy = np.zeros((NUM_KEYPOINTS, 2), np.float32)
    xy[:, 0] = np.linspace(*x, NUM_KEYPOINTS)
    xy[:, 1] = np.linspace(eye_y, ankle_y, NUM_KEYPOINTS)
    xy[[Kp.LEFT_EYE, Kp.RIGHT_EYE, Kp.LEFT_EAR, Kp.RIGHT_EAR], 1] = eye_y
    xy[ANKLES, 1] = ankle_y
    w, h = image_wh
    return PoseFrame(0.0, 0, xy, np.full(NUM_KEYPOINTS, 0.9, np.float32), (0.0, 0.0, float(w), float(h)), image_wh)


def test_margins_reach_from_the_keypoints_to_the_crown_and_the_soles():
    bh = 700.0
    m = margins_frac([_standing()], bh)
    assert m["left"] == pytest.approx(0.3) and m["right"] == pytest.approx(0.3)
    assert m["top"] == pytest.approx((200 - (1 - EYE_HEIGHT_FRAC) * bh) / 1000)
    assert m["bottom"] == pytest.approx((200 - ANKLE_HEIGHT_FRAC * bh) / 1000)
    # no body height yet: the keypoints alone
    assert margins_frac([_standing()], float("nan"))["top"] == pytest.approx(0.2)
    # no ankle seen (a foot out of the frame): the soles from the knees, far below any point seen
    no_ankles = _without(_standing(), ANKLES)
    knee_y = float(no_ankles.xy[[Kp.LEFT_KNEE, Kp.RIGHT_KNEE], 1].max())
    assert margins_frac([no_ankles], bh)["bottom"] == pytest.approx((1000 - knee_y - KNEE_HEIGHT_FRAC * bh) / 1000)
    assert all(np.isnan(v) for v in margins_frac([_without(_standing(), list(Kp))], bh).values())


def _rivals(*rows) -> int:
    return rival_count([np.array(rows, dtype=np.float64).reshape(-1, 5)], RIVAL_REL_HEIGHT, RIVAL_MIN_SCORE,
                       RIVAL_MAX_OVERLAP)


def test_view_thresholds_and_rivals():
    assert [view_of(r) for r in (0.1, 0.25, 0.5, float("nan"))] == ["side", "angled", "front", None]
    runner = (0, 0, 10, 100, 0.9)
    assert _rivals(runner, (20, 10, 30, 100, 0.9), (40, 80, 50, 100, 0.9)) == 1  # 90 tall counts, 20 tall not
    assert _rivals(runner, (20, 10, 30, 100, 0.26)) == 0  # unsure
    assert _rivals(runner, (1, 5, 9, 95, 0.9)) == 0  # inside the runner's box
    assert _rivals(runner, (6, 0, 16, 100, 0.9)) == 1  # most of it beside the runner: a person next to him
    assert _rivals((0, 0, 10, 100, 0.3), (20, 10, 30, 100, 0.9)) == 1  # an unsure runner box is still the runner
    assert _rivals() == 0 and rival_count([np.zeros((0, 5))], 0.5, 0.5, 0.5) == 0
    with pytest.raises(ValueError, match=r"\(N, 5\) rows"):
        rival_count([np.zeros((2, 4))], 0.5, 0.5, 0.5)


def test_auto_calibrator_is_a_stage(clip, poses_of):
    with pytest.raises(ValueError, match="measure_s"):
        AutoCalibrator(measure_s=0)
    window = poses_of(clip)
    auto = AutoCalibrator()
    auto.update(_blank(window[0]))  # nobody yet: the window has not started
    assert not auto.done
    for p in window[1:]:
        auto.update(p)
        if auto.done:
            break
    assert auto.done and auto.profile() is not None, auto.report().problems
    with pytest.raises(ValueError, match="timestamps must increase"):
        auto.update(window[1])
    auto.reset()
    assert not auto.done
