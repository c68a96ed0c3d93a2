"""Which detected person is the runner being coached.

The model ranks people by its own score, so "the first detection" can jump to a bystander or a
poster. At start we take the largest, most central person; after that, the one that continues the
runner's box (best overlap with the last box, less how far the torso moved: when a second person
stands close enough for the boxes to overlap, the torso tells them apart). Only when the runner has
been missing for `lost_after_s` do we choose afresh.
"""
from __future__ import annotations

import numpy as np

from live.keypoints import Kp

TORSO = (Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER, Kp.LEFT_HIP, Kp.RIGHT_HIP)
TORSO_CONF_MIN = 0.5  # a torso point the model is sure of; else the box centre stands in
TORSO_STEP_BOX = 0.15  # the runner's torso moves less than this (box heights) between two frames...
TORSO_SPEED_BOX_PER_S = 2.0  # ...plus this much per second since last seen (overground running)


def torso_centres(boxes: np.ndarray, keypoints: np.ndarray | None) -> np.ndarray:
    """(N, 2): the mean of each person's confident shoulders and hips, else their box centre."""
    centres = np.column_stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2]).astype(np.float64)
    if keypoints is None or len(keypoints) != len(boxes):
        return centres
    pts = keypoints[:, list(TORSO), :]
    sure = pts[:, :, 2] >= TORSO_CONF_MIN
    n = sure.sum(axis=1)
    sums = np.where(sure[:, :, None], pts[:, :, :2], 0.0).sum(axis=1)
    has = n > 0
    centres[has] = sums[has] / n[has, None]
    return centres


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of one box `a` (4,) against boxes `b` (N, 4), both x1 y1 x2 y2."""
    x1 = np.maximum(a[0], b[:, 0])
    y1 = np.maximum(a[1], b[:, 1])
    x2 = np.minimum(a[2], b[:, 2])
    y2 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a + area_b - inter, 1e-9)


class RunnerSelector:
    """`update(boxes, t, image_size) -> index or None`: follow one person by continuity."""

    def __init__(self, lost_after_s: float = 1.0, min_iou: float = 0.2):
        if lost_after_s <= 0:
            raise ValueError(f"lost_after_s must be > 0, got {lost_after_s}")
        if not 0 <= min_iou < 1:
            raise ValueError(f"min_iou must be in [0, 1), got {min_iou}")
        self.lost_after_s = lost_after_s
        self.min_iou = min_iou
        self.reset()

    def reset(self) -> None:
        self._box: np.ndarray | None = None
        self._torso: np.ndarray | None = None
        self._t_seen = -np.inf

    def update(self, boxes: np.ndarray, t: float, image_size: tuple[int, int],
               keypoints: np.ndarray | None = None, prefer_first: bool = False) -> int | None:
        """`keypoints` (N, 17, 3) x y conf, when known, tell apart people whose boxes overlap.
        `prefer_first`: the boxes are in the model's score order and the best-scoring continuation
        is wanted (a crop centred on the runner), not the best-overlapping one (a full frame)."""
        if len(boxes) == 0:
            return None
        torsos = torso_centres(boxes, keypoints)
        if self._box is not None and t - self._t_seen <= self.lost_after_s:
            ious = box_iou(self._box, boxes)
            ok = ious >= self.min_iou
            if not ok.any():
                return None  # only strangers in view: do not jump to them while the runner may come back
            # How far each torso is from the runner's last one, in the runner's box heights: a
            # treadmill runner's torso moves a few pixels a frame, a neighbour's is a body width
            # (about 0.3 box heights) away; the allowance grows with the time since the runner was
            # seen (an overground runner covers ~2 box heights a second).
            moved = np.hypot(*(torsos - self._torso).T) / max(self._box[3] - self._box[1], 1.0)
            steady = ok & (moved <= TORSO_STEP_BOX + TORSO_SPEED_BOX_PER_S * (t - self._t_seen))
            if steady.any():
                i = int(np.flatnonzero(steady)[0]) if prefer_first else int(np.argmax(np.where(steady, ious, -np.inf)))
            else:
                i = int(np.argmax(np.where(ok, ious - moved, -np.inf)))
            return self._keep(boxes, torsos, i, t)
        return self._keep(boxes, torsos, self._initial_choice(boxes, image_size), t)

    def _keep(self, boxes: np.ndarray, torsos: np.ndarray, i: int, t: float) -> int:
        self._box = boxes[i].astype(np.float64)
        self._torso = torsos[i]
        self._t_seen = t
        return i

    @staticmethod
    def _initial_choice(boxes: np.ndarray, image_size: tuple[int, int]) -> int:
        """Largest and most central: area discounted by the distance of the box centre from the
        image centre (in half-diagonals), so a big person at the edge loses to the runner in the middle."""
        w, h = image_size
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        cx = (boxes[:, 0] + boxes[:, 2]) / 2 - w / 2
        cy = (boxes[:, 1] + boxes[:, 3]) / 2 - h / 2
        off = np.hypot(cx, cy) / (0.5 * np.hypot(w, h))
        return int(np.argmax(area * (1.0 - 0.5 * np.clip(off, 0, 1))))
