"""The pure checks, as a table: each case derives poses from the real model's poses on the real clip
(dropping, thinning, shifting, or adding people's boxes) and expects its own plain sentence."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from calibration.checks import MEASURE_S, AutoCalibrator, check_frames
from calibration.measure import rival_count, view_of
from live.types import PoseFrame


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


def _dim(p: PoseFrame, factor: float) -> PoseFrame:
    return dataclasses.replace(p, xy=p.xy.copy(), conf=p.conf * np.float32(factor))


def _runner_and(p: PoseFrame, rel_height: float) -> np.ndarray:
    """The runner's box plus a second person `rel_height` as tall, beside them."""
    x1, y1, x2, y2 = p.box
    h = (y2 - y1) * rel_height
    return np.array([p.box, (x2 + 10, y2 - h, x2 + 10 + (x2 - x1), y2)], dtype=np.float32)


CASES = [
    # (id, transform(window) -> (poses, people), problem fragment or None, warning fragment or None)
    ("nobody", lambda w: ([_blank(p) for p in w], None), "Nobody was found", None),
    ("mostly absent", lambda w: ([p if i % 3 == 0 else _blank(p) for i, p in enumerate(w)], None), "in view in only", None),
    ("second person as tall", lambda w: (w, [_runner_and(p, 0.9) for p in w[::15]]), "Another person is in view", None),
    ("small person far behind", lambda w: (w, [_runner_and(p, 0.3) for p in w[::15]]), None, None),
    ("feet cut off", lambda w: ([_shift_down(p, 120.0) for p in w], None), "feet touches the bottom edge", None),
    ("dim light", lambda w: ([_dim(p, 0.45) for p in w], None), "hard to see", None),
    ("15 fps camera", lambda w: (w[::2], None), None, "only 15 frames per second"),
    ("clip as is", lambda w: (w, [np.array([p.box]) for p in w[::15]]), None, "already running"),
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
    full, thin = check_frames(window), check_frames(window[::2])
    assert thin.fps == pytest.approx(15.0, rel=0.01)
    assert thin.facing == full.facing and thin.view == full.view
    assert thin.body_height_px == pytest.approx(full.body_height_px, rel=0.03)


def test_view_thresholds_and_rivals():
    assert [view_of(r) for r in (0.1, 0.25, 0.5, float("nan"))] == ["side", "angled", "front", None]
    boxes = [np.array([[0, 0, 10, 100], [20, 10, 30, 100], [40, 80, 50, 100]])]
    assert rival_count(boxes, 0.5) == 1  # the 90-tall one counts, the 20-tall one does not
    assert rival_count([np.zeros((0, 4))], 0.5) == 0


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
