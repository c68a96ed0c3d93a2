"""Steps the feet do not show are counted by the hip (issue 11): when lines drawn over the legs or
a hidden far leg cost the model both ankles for a stretch, the hip still bounces once a step.

The real gait tracker on a synthetic runner whose ankles (and knees) are missing, or collapsed onto
one foot, for a stretch of several steps in the middle of the run: every landing is still found,
on time, and the stretch's steps say why they have no leg metrics."""
from __future__ import annotations

import numpy as np
import pytest

from gait_accuracy import match
from gait_synth import VariedRunner
from live.gait import GaitTracker
from live.keypoints import Kp
from live.types import PoseFrame

DURATION_S = 10.0
FEET = [Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE, Kp.LEFT_KNEE, Kp.RIGHT_KNEE]


def _hide(p: PoseFrame, how: str) -> PoseFrame:
    xy, conf = p.xy.copy(), p.conf.copy()
    if how == "missing":
        xy[FEET], conf[FEET] = np.nan, 0.05
    else:  # both ankles drawn on the lower one, confidently: the feet never look apart
        low = Kp.LEFT_ANKLE if xy[Kp.LEFT_ANKLE, 1] > xy[Kp.RIGHT_ANKLE, 1] else Kp.RIGHT_ANKLE
        xy[[Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE]] = xy[low]
    return PoseFrame(p.t, p.index, xy, conf, p.box, p.image_size)


@pytest.mark.parametrize("how", ["missing", "collapsed"])
@pytest.mark.parametrize("hidden_s", [0.8, 1.6])  # about 2 and 5 steps at 170 spm
def test_landings_hidden_from_the_feet_are_counted_by_the_hip(how, hidden_s):
    r = VariedRunner.at_cadence(170.0)
    t0 = 4.0
    poses = [_hide(p, how) if t0 <= p.t < t0 + hidden_s else p for p in r.poses(30.0, DURATION_S, noise_px=1.0)]
    tr = GaitTracker()
    for p in poses:
        tr.update(p)
    tr.finish()
    truth = [t for t, _ in r.landings(DURATION_S) if 0.2 <= t <= DURATION_S - 0.5]
    det = [t for t, _, _ in tr.landings if 0.2 - 0.1 <= t <= DURATION_S - 0.4]
    pairs = match(truth, det, 2 / 30)
    hidden = [t for t, _ in r.landings(DURATION_S) if t0 + 0.2 <= t <= t0 + hidden_s - 0.1]
    assert hidden, "the stretch hides no landing: the test would check nothing"
    assert len(pairs) == len(truth), f"{len(truth) - len(pairs)} of {len(truth)} landings missed or off by > 2 frames"
    matched = {j for _, j, _ in pairs}
    extra = [t for j, t in enumerate(det) if j not in matched and 0.2 <= t <= DURATION_S - 0.5]
    assert not extra, f"landings where the runner had none: {extra}"
    # The steps timed by the hip alone say so: no leg metric of theirs is trusted.
    by_hip = [s for s in tr.steps if "feet_hidden" in s.quality]
    assert by_hip and all(t0 - 0.2 <= s.t_s <= t0 + hidden_s + 0.2 for s in by_hip)
