"""Property tests on the synthetic runner: what must not change a gait measurement."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.profile import RunnerProfile
from gait_synth import Runner, mirror
from live.gait import GaitTracker
from live.types import STEP_METRICS

runners = st.builds(
    Runner,
    step_s=st.floats(0.28, 0.42),  # 143-214 spm
    contact_frac=st.floats(0.5, 0.7),
    belt_px_s=st.floats(600, 1000),
    reach_px=st.floats(30, 90),
    bounce_px=st.floats(6, 14),
    lean_px=st.floats(0, 40),
    facing=st.sampled_from(["left", "right"]),
)


def run(poses, profile=None):
    tr = GaitTracker(profile=profile)
    steps = []
    for p in poses:
        steps += tr.update(p)
    steps += tr.finish()
    return tr, steps


@settings(max_examples=8, deadline=None)
@given(r=runners, noise=st.floats(0, 2), seed=st.integers(0, 1000))
def test_mirroring_changes_nothing_but_facing(r, noise, seed):
    poses = r.poses(30, 5.0, noise_px=noise, seed=seed)
    a, sa = run(poses)
    b, sb = run([mirror(p) for p in poses])
    assert a.facing == r.facing and b.facing == {"left": "right", "right": "left"}[r.facing]
    assert [x[0] for x in a.landings] == pytest.approx([x[0] for x in b.landings], abs=1e-6)
    assert [x[2] for x in a.landings] == [x[2] for x in b.landings]
    assert len(sa) == len(sb)
    for s, m in zip(sa, sb):
        for name in STEP_METRICS:
            assert np.isclose(getattr(s, name), getattr(m, name), atol=1e-5, equal_nan=True), name


@settings(max_examples=8, deadline=None)
@given(r=runners, fps=st.sampled_from([15, 24, 30, 50, 60]))
def test_frame_rate_does_not_change_cadence(r, fps):
    tr, _ = run(r.poses(fps, 6.0, noise_px=1.0))
    assert abs(tr.summary()["cadence_spm"] - 60 / r.step_s) <= 1.0


@settings(max_examples=6, deadline=None)
@given(r=runners, jitter_ms=st.floats(0, 5), seed=st.integers(0, 1000))
def test_irregular_camera_timestamps(r, jitter_ms, seed):
    """A webcam's timestamps wobble by a few ms: landings and cadence follow the timestamps."""
    rng = np.random.default_rng(seed)
    ts = np.arange(0, 6.0, 1 / 30) + rng.uniform(-jitter_ms, jitter_ms, 180) / 1000
    poses = [r.pose(float(t), i) for i, t in enumerate(ts)]
    tr, steps = run(poses, RunnerProfile(1, r.facing, "side", 700.0, r.floor_y, 30.0))
    truth = np.array([t for t, _ in r.landings(6.0)])
    assert abs(tr.summary()["cadence_spm"] - 60 / r.step_s) <= 1.0
    # Every landing measured from the hip (quality ok, the ones that feed cues) is within a frame.
    # A landing without a clear hip peak is estimated from the widest stride and flagged
    # "landing_estimated"; in the first second, before the runner's delay from widest stride to
    # contact is learned, such estimates were seen 116 ms off (a 143 spm runner with 50 % contact).
    good = [s.t_s for s in steps if s.good]
    # Not ok, by design: the last landing (no data after it), the one before (incomplete: its
    # pull is cut off) and up to two estimated ones while the delay is learned.
    assert len(good) >= len(truth) - 4
    for t in good:
        assert np.min(np.abs(truth - t)) <= 0.034


@settings(max_examples=6, deadline=None)
@given(r=runners, scale=st.floats(0.4, 1.6))
def test_image_scale_changes_no_metric_in_body_heights(r, scale):
    """Zooming the camera (all pixels scaled) leaves every bh- and deg-metric and time unchanged."""
    poses = r.poses(30, 5.0)
    big = [type(p)(p.t, p.index, p.xy * scale, p.conf, tuple(v * scale for v in p.box),
                   (int(p.image_size[0] * scale), int(p.image_size[1] * scale))) for p in poses]
    _, sa = run(poses)
    _, sb = run(big)
    assert len(sa) == len(sb)
    for s, m in zip(sa, sb):
        for name in STEP_METRICS:
            a, b = getattr(s, name), getattr(m, name)
            assert (math.isnan(a) and math.isnan(b)) or np.isclose(a, b, rtol=1e-3, atol=1e-3), name


@settings(max_examples=6, deadline=None)
@given(r=runners, fps=st.sampled_from([15, 30, 60]), jitter_ms=st.floats(0, 3), seed=st.integers(0, 1000))
def test_event_frames_are_the_first_and_last_frames_on_the_ground(r, fps, jitter_ms, seed):
    """A landing is marked on the first frame at or after its sub-frame time, a toe-off on the last
    frame at or before it (as a person marks video), whatever the frame rate and timestamp wobble."""
    rng = np.random.default_rng(seed)
    ts = np.arange(0, 5.0, 1 / fps) + rng.uniform(-jitter_ms, jitter_ms, len(np.arange(0, 5.0, 1 / fps))) / 1000
    ts = np.maximum.accumulate(ts) + np.arange(len(ts)) * 1e-6  # keep timestamps increasing
    poses = [r.pose(float(t), i) for i, t in enumerate(ts)]
    tr, _ = run(poses)
    s = tr.summary()
    assert s["landings"] and s["toe_offs"]
    for ev in s["landings"]:
        f = ev["frame"]
        assert ts[f] >= ev["t"] - 1e-4 and (f == 0 or ts[f - 1] < ev["t"] + 1e-4), ev
    for ev in s["toe_offs"]:
        f = ev["frame"]
        assert ts[f] <= ev["t"] + 1e-4 and (f == len(ts) - 1 or ts[f + 1] > ev["t"] - 1e-4), ev
