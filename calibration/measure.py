"""Pure measurements over a few seconds of PoseFrames: what calibration needs beyond the gait
tracker's body frame (which it reuses for facing, body height and floor): view, standing vs
running, trunk angle, camera tilt, framing margins, keypoint confidence, delivered frame rate.

Nothing here imports the camera or the model; every function takes PoseFrames (or arrays).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from live.gait.body_frame import BodyFrame
from live.gait.config import GaitConfig
from live.gait.metrics import angle_from_vertical
from live.keypoints import Kp
from live.types import PoseFrame

MIN_CONF = GaitConfig().min_conf  # the gait tracker's threshold: calibrate sees what it will see

# Side vs front: the shoulders and hips, seen side on, overlap in x (the far ones hide behind the
# near ones); seen from the front they spread apart. Measured: the median width / trunk ratio is
# 0.09-0.16 on the side-view treadmill clip and its four derived versions, and 0.37 on the
# front-view man of ultralytics' bus.jpg. The spread grows as the sine of the turn away from side
# on, so up to 0.22 is within ~30 degrees of side on; from 0.30 (~55 degrees) the runner faces the
# camera; between, the camera sees the runner at an angle (lengths foreshortened, legs ambiguous).
SIDE_MAX_RATIO = 0.22
FRONT_MIN_RATIO = 0.30
# Standing vs running: a runner's ankles sweep 0.3-0.4 body heights back and forth along the belt
# (230 px of a 630 px body on the clip); standing still they move by keypoint jitter, ~0.02 bh.
# Anything that moves the feet more than 0.10 bh (a tenth of the body) is not standing still.
STANDING_MAX_ANKLE_SWEEP_BH = 0.10


def _pt(pose: PoseFrame, kp: Kp) -> np.ndarray | None:
    p = pose.xy[kp]
    return p if pose.conf[kp] >= MIN_CONF and np.isfinite(p).all() else None


def _mid(pose: PoseFrame, a: Kp, b: Kp) -> np.ndarray | None:
    pts = [p for p in (_pt(pose, a), _pt(pose, b)) if p is not None]
    return np.mean(pts, axis=0) if pts else None


def found(poses: Sequence[PoseFrame]) -> list[PoseFrame]:
    return [p for p in poses if p.found]


def body_frame(poses: Sequence[PoseFrame]) -> BodyFrame:
    """The gait tracker's own estimator of facing, body height and floor, fed these poses, so a
    profile from calibration holds the values the tracker would find by itself."""
    cfg = GaitConfig()
    body = BodyFrame(cfg.min_conf, cfg.body_height_warmup_s)
    for p in poses:
        body.update(p)
    return body


def body_height_px(body: BodyFrame) -> float:
    """Body height once the warm-up is over; before that (a short window, a still image) the same
    upper-quartile estimate over the frames seen so far."""
    bh = body.body_height_px or body.provisional_bh()
    return math.nan if bh is None else float(bh)


def width_ratio(poses: Sequence[PoseFrame]) -> float:
    """Median over frames of the shoulders' and hips' x spread divided by the trunk length."""
    ratios = []
    for p in poses:
        ls, rs = _pt(p, Kp.LEFT_SHOULDER), _pt(p, Kp.RIGHT_SHOULDER)
        lh, rh = _pt(p, Kp.LEFT_HIP), _pt(p, Kp.RIGHT_HIP)
        if any(q is None for q in (ls, rs, lh, rh)):
            continue
        trunk = np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2)
        if trunk > 0:
            ratios.append((abs(ls[0] - rs[0]) + abs(lh[0] - rh[0])) / 2 / trunk)
    return float(np.median(ratios)) if ratios else math.nan


def view_of(ratio: float) -> str | None:
    if not math.isfinite(ratio):
        return None
    if ratio <= SIDE_MAX_RATIO:
        return "side"
    return "front" if ratio >= FRONT_MIN_RATIO else "angled"


def ankle_sweep_bh(poses: Sequence[PoseFrame], bh: float) -> float:
    """How far the ankles travel in x (5th to 95th percentile, the larger of the two), in body heights."""
    sweeps = []
    for kp in (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE):
        xs = [q[0] for q in (_pt(p, kp) for p in poses) if q is not None]
        if len(xs) >= 3:
            lo, hi = np.percentile(xs, [5, 95])
            sweeps.append(hi - lo)
    return float(max(sweeps) / bh) if sweeps and bh > 0 else math.nan


def phase_of(poses: Sequence[PoseFrame], bh: float) -> str:
    """"standing", "running" (or walking: anything with moving feet) or "unknown"."""
    if len(poses) < 2:
        return "standing" if poses else "unknown"  # a still image is a runner standing still
    sweep = ankle_sweep_bh(poses, bh)
    if not math.isfinite(sweep):
        return "unknown"
    return "standing" if sweep <= STANDING_MAX_ANKLE_SWEEP_BH else "running"


def trunk_deg(poses: Sequence[PoseFrame], sign: float) -> float:
    """Median trunk angle (hip midpoint to shoulder midpoint vs image vertical), positive forward,
    computed as the gait tracker computes its trunk_deg metric."""
    angles = []
    for p in poses:
        sh, hip = _mid(p, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), _mid(p, Kp.LEFT_HIP, Kp.RIGHT_HIP)
        if sh is not None and hip is not None:
            angles.append(angle_from_vertical(sign * (sh[0] - hip[0]), hip[1] - sh[1]))
    return float(np.median(angles)) if angles else math.nan


_BODY_LINE = ((Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE), (Kp.LEFT_KNEE, Kp.RIGHT_KNEE), (Kp.LEFT_HIP, Kp.RIGHT_HIP),
              (Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), (Kp.LEFT_EAR, Kp.RIGHT_EAR))


def standing_tilt_deg(poses: Sequence[PoseFrame]) -> float:
    """Camera roll from the standing body line: a person standing tall has ankle, knee, hip, shoulder
    and ear on one plumb line, so the line fitted through them leans by the camera's tilt.
    Positive = the image is turned clockwise (the top of the line leans to image right)."""
    xs, ys = [], []
    for p in poses:
        for a, b in _BODY_LINE:
            m = _mid(p, a, b)
            if m is not None:
                xs.append(m[0])
                ys.append(m[1])
    if len(set(np.round(ys))) < 3:
        return math.nan
    slope = np.polyfit(ys, xs, 1)[0]  # dx per dy (y down): top leaning right = negative slope
    return float(math.degrees(math.atan(-slope)))


def keypoint_confidence(poses: Sequence[PoseFrame]) -> float:
    """Median over frames of the weakest of head, shoulder, hip, knee and ankle, each taken from the
    better-seen side (in a side view the far side is hidden; that is not a lighting problem)."""
    pairs = ((Kp.LEFT_EAR, Kp.RIGHT_EAR), (Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), (Kp.LEFT_HIP, Kp.RIGHT_HIP),
             (Kp.LEFT_KNEE, Kp.RIGHT_KNEE), (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE))
    per_frame = [min(max(float(p.conf[a]), float(p.conf[b])) for a, b in pairs) for p in poses]
    return float(np.median(per_frame)) if per_frame else math.nan


def margins_frac(poses: Sequence[PoseFrame]) -> dict[str, float]:
    """Smallest gap between the runner's box and each image edge, as a fraction of the image size
    (left/right of the width, top/bottom of the height), over the frames."""
    out = {"top": math.inf, "bottom": math.inf, "left": math.inf, "right": math.inf}
    for p in poses:
        if p.box is None or min(p.image_size) <= 0:
            continue
        w, h = p.image_size
        x1, y1, x2, y2 = p.box
        for side, gap in (("top", y1 / h), ("bottom", (h - y2) / h), ("left", x1 / w), ("right", (w - x2) / w)):
            out[side] = min(out[side], gap)
    return {k: (v if math.isfinite(v) else math.nan) for k, v in out.items()}


def delivered_fps(poses: Sequence[PoseFrame]) -> float:
    """Frames per second from the timestamps (not from what the camera claims)."""
    if len(poses) < 2:
        return math.nan
    span = poses[-1].t - poses[0].t
    return (len(poses) - 1) / span if span > 0 else math.nan


def rival_count(people: Sequence[np.ndarray], min_rel_height: float) -> int:
    """Most people seen at once, besides the tallest (the runner, who stands nearest the camera),
    whose box is at least `min_rel_height` of the tallest's height: someone that size could be taken
    for the runner. `people` holds every detected person's box (N, 4) per checked frame."""
    most = 0
    for boxes in people:
        b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        heights = np.sort(b[:, 3] - b[:, 1])[::-1]
        if len(heights) > 1:
            most = max(most, int((heights[1:] >= min_rel_height * heights[0]).sum()))
    return most
