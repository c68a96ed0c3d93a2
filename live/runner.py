"""Which detected person is the runner being coached.

The model ranks people by its own score, so "the first detection" can jump to a bystander or a
poster. At start we take the largest, most central person; after that, the one that continues the
runner's box (best overlap with the last box). Only when the runner has been missing for
`lost_after_s` do we choose afresh.
"""
from __future__ import annotations

import numpy as np


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
        self._t_seen = -np.inf

    def update(self, boxes: np.ndarray, t: float, image_size: tuple[int, int]) -> int | None:
        if len(boxes) == 0:
            return None
        if self._box is not None and t - self._t_seen <= self.lost_after_s:
            ious = box_iou(self._box, boxes)
            best = int(np.argmax(ious))
            if ious[best] >= self.min_iou:
                return self._keep(boxes, best, t)
            return None  # only strangers in view: do not jump to them while the runner may come back
        return self._keep(boxes, self._initial_choice(boxes, image_size), t)

    def _keep(self, boxes: np.ndarray, i: int, t: float) -> int:
        self._box = boxes[i].astype(np.float64)
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
