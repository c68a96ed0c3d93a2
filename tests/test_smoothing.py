"""One Euro smoother: timestamps drive it, lag is as documented, reset and missing points behave."""
import math

import numpy as np
import pytest

from live.smoothing import OneEuroFilter, PoseSmoother
from live.types import PoseFrame


def test_constant_signal_passes_unchanged():
    f = OneEuroFilter()
    for i in range(50):
        out = f.update([3.0, -2.0], i / 30)
    assert np.allclose(out, [3.0, -2.0])


def test_jitter_is_reduced():
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    raw = 100 + rng.normal(0, 5, 300)
    out = np.array([f.update([x], i / 30)[0] for i, x in enumerate(raw)])
    assert out[60:].std() < 0.5 * raw[60:].std()


@pytest.mark.parametrize("fps", [15, 30, 60])
@pytest.mark.parametrize("speed", [20.0, 200.0])
def test_ramp_lag_matches_documented_lag(fps, speed):
    """A ramp at constant speed trails by at most the documented lag_s(speed), and by exactly the
    first-order lag of the filter's current cutoff, at any frame rate."""
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.02)
    ts = np.arange(0, 4, 1 / fps)
    out = [f.update([speed * t], t)[0] for t in ts]
    measured = (speed * ts[-1] - out[-1]) / speed
    assert measured <= f.lag_s(speed) + 1e-9
    # A discrete EMA with alpha = 1 / (1 + tau / dt) trails a ramp by exactly tau.
    assert measured == pytest.approx(f.lag_s(float(f.speed[0])), rel=0.02)
    assert measured > 0.3 * f.lag_s(speed)  # it does smooth


def test_out_of_order_timestamps_raise():
    f = OneEuroFilter()
    f.update([1.0], 1.0)
    with pytest.raises(ValueError, match="timestamps"):
        f.update([1.0], 0.5)


def test_missing_value_restarts_that_element_only():
    f = OneEuroFilter(beta=0.0)
    f.update([0.0, 0.0], 0.0)
    f.update([0.0, math.nan], 0.1)
    out = f.update([10.0, 50.0], 0.2)
    assert out[1] == 50.0  # came back: restarts at the raw value, not dragged toward 0
    assert 0.0 < out[0] < 10.0  # still smoothed


@pytest.mark.parametrize("kw", [{"min_cutoff_hz": 0}, {"beta": -1}, {"d_cutoff_hz": 0}])
def test_bad_parameters_name_themselves(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        OneEuroFilter(**kw)


def _pose(t, x, found=True):
    xy = np.full((17, 2), x, np.float32)
    if not found:
        return PoseFrame.empty(t, int(t * 30), (640, 480))
    return PoseFrame(t, int(t * 30), xy, np.ones(17, np.float32), (0, 0, 10, 10), (640, 480))


def test_pose_smoother_resets_when_runner_lost():
    s = PoseSmoother(beta=0.0)
    for i in range(30):
        s.update(_pose(i / 30, 100.0))
    assert not s.update(_pose(1.0, 0, found=False)).found
    out = s.update(_pose(1.1, 300.0))
    assert np.allclose(out.xy, 300.0)  # no pull toward the old position


def test_pose_smoother_resets_after_gap():
    s = PoseSmoother(beta=0.0, max_gap_ms=200)
    s.update(_pose(0.0, 100.0))
    out = s.update(_pose(0.5, 300.0))
    assert np.allclose(out.xy, 300.0)


def test_pose_smoother_smooths_and_keeps_input_frozen():
    s = PoseSmoother(beta=0.0)
    s.update(_pose(0.0, 100.0))
    p = _pose(1 / 30, 130.0)
    out = s.update(p)
    assert 100.0 < out.xy[0, 0] < 130.0
    assert p.xy[0, 0] == 130.0
    with pytest.raises(ValueError):
        s.update(_pose(0.0, 1.0))
