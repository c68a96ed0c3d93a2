"""Pure measurements over a few seconds of PoseFrames: what calibration needs beyond the gait
tracker's body frame (which it reuses for facing, body height and floor): view, standing vs
running, trunk angle, camera tilt, framing margins, keypoint confidence, delivered and processed frame rates.

Nothing here imports the camera or the model; every function takes PoseFrames (or arrays).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from live.gait.body_frame import ANKLE_HEIGHT_FRAC, BodyFrame
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
# The body reaches beyond its keypoints: heights above the sole as fractions of stature (Drillis &
# Contini 1966, as drawn in Winter, Biomechanics and Motor Control of Human Movement, 4th ed.,
# fig. 4.1). The head, crown to chin, is 0.130 of stature with the eyes at 0.936, so the crown is
# 0.064 above the eyes (the ears sit level with them); the shoulders are at 0.818, the knees at
# 0.285 and the ankles at 0.039 (ANKLE_HEIGHT_FRAC, the gait tracker's own floor offset).
# Framing uses the extreme point (eyes and ears, ankles) and falls back to the next one along
# the body (shoulders, knees) only when the extreme one is not seen, e.g. because it is out of frame.
EYE_HEIGHT_FRAC = 0.936
SHOULDER_HEIGHT_FRAC = 0.818
KNEE_HEIGHT_FRAC = 0.285
_ABOVE = (((Kp.LEFT_EYE, Kp.RIGHT_EYE, Kp.LEFT_EAR, Kp.RIGHT_EAR), 1.0 - EYE_HEIGHT_FRAC),
          ((Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), 1.0 - SHOULDER_HEIGHT_FRAC))
_BELOW = (((Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE), ANKLE_HEIGHT_FRAC), ((Kp.LEFT_KNEE, Kp.RIGHT_KNEE), KNEE_HEIGHT_FRAC))


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


def seen_frac(poses: Sequence[PoseFrame], kps: Sequence[Kp]) -> float:
    """Share of the frames in which every one of `kps` is confidently seen (NaN with no frame)."""
    if not poses:
        return math.nan
    return float(np.mean([all(_pt(p, k) is not None for k in kps) for p in poses]))


def feet_seen_frac(poses: Sequence[PoseFrame]) -> float:
    """Share of frames with both ankles seen: from the front both feet must be in the frame."""
    return seen_frac(poses, (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE))


def face_seen_frac(poses: Sequence[PoseFrame]) -> float:
    """Share of frames with the nose and both eyes seen: a runner facing the camera (none from behind)."""
    return seen_frac(poses, (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE))


# Front view, camera height: standing, hip to ankle is (0.530 - 0.039) / (0.818 - 0.530) = 1.70 times
# shoulder to hip (Winter's segment heights, as above). A camera at hip height sees that ratio at any
# distance (1.72-1.80 for the synthetic runner of tests/front_synth.py from 1.0-2.5 m); a console
# camera above the chest and close sees the legs shortened (1.29 from 1.2 m high at 1 m, 1.09 from
# 1.5 m), one near the floor lengthened (2.8 from 0.5 m at 1 m). The straightest leg of the frames
# (90th percentile) stands for the standing leg when the runner is already running.
STANDING_LEG_TRUNK = (0.530 - ANKLE_HEIGHT_FRAC) / (SHOULDER_HEIGHT_FRAC - 0.530)


def leg_trunk_ratio(poses: Sequence[PoseFrame]) -> float:
    """90th percentile over frames of (lowest ankle below the hips) / (hips below the shoulders), in image y."""
    ratios = []
    for p in poses:
        sh, hip = _mid(p, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER), _mid(p, Kp.LEFT_HIP, Kp.RIGHT_HIP)
        ankles = [q for q in (_pt(p, Kp.LEFT_ANKLE), _pt(p, Kp.RIGHT_ANKLE)) if q is not None]
        if sh is None or hip is None or not ankles or hip[1] - sh[1] <= 0:
            continue
        ratios.append((max(a[1] for a in ankles) - hip[1]) / (hip[1] - sh[1]))
    return float(np.percentile(ratios, 90)) if ratios else math.nan


def ankle_sweep_bh(poses: Sequence[PoseFrame], bh: float, axis: int = 0) -> float:
    """How far the ankles travel in x (axis 0; y: axis 1, what a front view sees of a stride),
    5th to 95th percentile, the larger of the two, in body heights."""
    sweeps = []
    for kp in (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE):
        xs = [q[axis] for q in (_pt(p, kp) for p in poses) if q is not None]
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


def margins_frac(poses: Sequence[PoseFrame], body_height_px: float) -> dict[str, float]:
    """Smallest gap between the runner's body and each image edge, as a fraction of the image size
    (left/right of the width, top/bottom of the height), over the frames. The body is what the
    confident keypoints span, reaching up to the crown and down to the soles (`_crown_y`,
    `_sole_y`); not the detector's box, which also holds the toes, the fingers and a margin of its
    own, and touches an edge while every keypoint the metrics use is well inside."""
    out = {"top": math.inf, "bottom": math.inf, "left": math.inf, "right": math.inf}
    bh = body_height_px if math.isfinite(body_height_px) else 0.0  # unknown: the keypoints alone
    for p in poses:
        ok = (p.conf >= MIN_CONF) & np.isfinite(p.xy).all(axis=1)
        if not ok.any() or min(p.image_size) <= 0:
            continue
        w, h = p.image_size
        xs = p.xy[ok, 0]
        gaps = (("top", _crown_y(p, ok, bh) / h), ("bottom", (h - _sole_y(p, ok, bh)) / h),
                ("left", float(xs.min()) / w), ("right", (w - float(xs.max())) / w))
        for side, gap in gaps:
            out[side] = min(out[side], gap)
    return {k: (v if math.isfinite(v) else math.nan) for k, v in out.items()}


def _crown_y(pose: PoseFrame, ok: np.ndarray, bh: float) -> float:
    """Image y of the top of the head: above the highest eye or ear by the crown's height over
    them; when no face point is seen, above the shoulders by the head and neck."""
    return _reach(pose, ok, _ABOVE, -bh, min)


def _sole_y(pose: PoseFrame, ok: np.ndarray, bh: float) -> float:
    """Image y of the soles: below the lowest ankle by the ankle's height over the sole; when no
    ankle is seen (a foot out of the frame), below the lowest knee by the knee's height."""
    return _reach(pose, ok, _BELOW, bh, max)


def _reach(pose: PoseFrame, ok: np.ndarray, chain, bh: float, most) -> float:
    """The most extreme of the confident keypoints' y (most = min: highest, max: lowest), or further
    by the first group in `chain` that has a confident point: its extreme y plus frac * bh."""
    ys = pose.xy[ok, 1]
    for group, frac in chain:
        seen = [float(pose.xy[k, 1]) for k in group if ok[k]]
        if seen:
            return most(float(most(ys)), most(seen) + frac * bh)
    return float(most(ys))


def delivered_fps(poses: Sequence[PoseFrame]) -> float:
    """Frames per second the source delivered over the window: from the frame numbers, not from how
    many poses there are. A source numbers every frame it delivers, also those a slow consumer
    never got (live/sources.py), so frames the processing skipped count here: this is the camera's
    (or file's) rate, from its timestamps, not the rate the camera claims."""
    if len(poses) < 2:
        return math.nan
    span = poses[-1].t - poses[0].t
    return (poses[-1].index - poses[0].index) / span if span > 0 else math.nan


def processed_fps(poses: Sequence[PoseFrame]) -> float:
    """Frames per second the pose model kept up with: the poses over the window's time span."""
    if len(poses) < 2:
        return math.nan
    span = poses[-1].t - poses[0].t
    return (len(poses) - 1) / span if span > 0 else math.nan


def rival_count(people: Sequence[np.ndarray], min_rel_height: float, min_score: float, max_overlap: float) -> int:
    """Most people seen at once, besides the runner, who could be taken for the runner.

    `people` holds, per checked frame, every detected person as (N, 5) rows x1, y1, x2, y2, score
    (`PoseEstimator.detect_people`). The runner is the tallest box (the runner stands nearest the
    camera). Another box is a rival when the model is sure of it (score >= `min_score`), it is at
    least `min_rel_height` of the runner's height (someone that size could be taken for the
    runner), and at most `max_overlap` of the smaller of the two boxes lies inside the other (more
    is mostly the runner's own pixels: a second box over part of the runner, or a reflection on him).
    """
    most = 0
    for rows in people:
        b = _person_rows(rows)
        if len(b) < 2:
            continue
        heights = b[:, 3] - b[:, 1]
        i = int(np.argmax(heights))
        runner, others, other_heights = b[i], np.delete(b, i, axis=0), np.delete(heights, i)
        rivals = ((others[:, 4] >= min_score) & (other_heights >= min_rel_height * heights[i])
                  & (overlap_of_smaller(runner, others) <= max_overlap))
        most = max(most, int(rivals.sum()))
    return most


def _person_rows(rows: np.ndarray) -> np.ndarray:
    b = np.asarray(rows, dtype=np.float64)
    if b.size == 0:
        return b.reshape(0, 5)
    if b.ndim != 2 or b.shape[1] != 5:
        raise ValueError(f"people must be (N, 5) rows of x1, y1, x2, y2, score, got shape {b.shape}")
    return b


def overlap_of_smaller(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each of `others` (N, 4+), the area it shares with `box` (4+,) over the smaller of the two
    areas: 1 when one box lies inside the other, 0 when they do not touch."""
    x1, y1 = np.maximum(box[0], others[:, 0]), np.maximum(box[1], others[:, 1])
    x2, y2 = np.minimum(box[2], others[:, 2]), np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(np.minimum(area, areas), 1e-9)
