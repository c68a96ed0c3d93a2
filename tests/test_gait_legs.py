"""Leg names from real poses when the model's left/right labels describe position, not anatomy:
some footage has the model call the forward ankle "right" in most frames whichever leg it is. The
names must still alternate step by step, and never run the same leg over several steps."""
from __future__ import annotations

import numpy as np
import pytest

from gait_accuracy import run_tracker
from live.keypoints import Kp
from live.types import PoseFrame

LEGS = ((Kp.LEFT_HIP, Kp.RIGHT_HIP), (Kp.LEFT_KNEE, Kp.RIGHT_KNEE), (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE))


def labels_by_position(p: PoseFrame, sign: float) -> PoseFrame:
    """The frame relabelled so the forward ankle (and its knee and hip) is always "right"."""
    xy, conf = p.xy.copy(), p.conf.copy()
    la, ra = xy[Kp.LEFT_ANKLE, 0], xy[Kp.RIGHT_ANKLE, 0]
    if np.isfinite(la) and np.isfinite(ra) and sign * la > sign * ra:  # the left one is ahead: swap
        for a, b in LEGS:
            xy[[a, b]], conf[[a, b]] = xy[[b, a]], conf[[b, a]]
    return PoseFrame(p.t, p.index, xy, conf, p.box, p.image_size)


def longest_run(names: list[str]) -> int:
    best = run = 1
    for a, b in zip(names, names[1:]):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


@pytest.mark.parametrize("kind", ["original", "mirror"])
def test_names_alternate_when_labels_follow_position(kind, make_derived, poses_of):
    clip = make_derived(kind)
    sign = -1.0 if clip.facing == "left" else 1.0
    poses = [labels_by_position(p, sign) for p in poses_of(clip)]
    tr, _ = run_tracker(poses)
    names = [leg for _, _, leg in tr.landings]
    alternation = np.mean([a != b for a, b in zip(names, names[1:])])
    print(f"\n{kind}: {''.join(n[0] for n in names)}  alternation {alternation:.0%}")
    assert len(names) >= 30
    assert alternation >= 0.95
    assert longest_run(names) <= 2
