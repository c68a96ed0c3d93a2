"""Runner-crop inference: where to look in each frame, how to feed the model, how to read it back.

The runner fills a narrow upright strip of the picture, so after one full-frame detection the model
runs on a padded crop around the runner's last box at a small input size (e.g. 320x192), which costs
a third of a 640 full frame while keeping the runner at about the same pixel size. The full frame
is searched again when the runner is lost and every `redetect_s` seconds of frame time (timestamps,
never frame counts), so someone stepping into view or a drifting crop is caught.

Geometry: an input pixel `u_in = scale * u_img + offset` (per axis, continuous coordinates where
pixel i covers [i, i+1)), the same convention ultralytics uses to map its letterbox back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from live.keypoints import NUM_KEYPOINTS

PAD_VALUE = 114  # ultralytics' letterbox grey: the model was trained with it around images
NMS_IOU = 0.7  # ultralytics' default NMS IoU
MAX_CANDIDATES = 100  # one person yields a few dozen anchors over the threshold; more is clutter


@dataclass(frozen=True)
class Affine:
    """Image pixels to model-input pixels: u_in = scale * u_img + (dx, dy)."""

    scale: float
    dx: float
    dy: float

    def to_image(self, xy: np.ndarray) -> np.ndarray:
        """Map (..., 2) input-pixel coordinates back to image pixels (in place on a copy)."""
        out = np.array(xy, dtype=np.float32, copy=True)
        out[..., 0] = (out[..., 0] - self.dx) / self.scale
        out[..., 1] = (out[..., 1] - self.dy) / self.scale
        return out


def full_frame_shape(image_wh: tuple[int, int], long_side: int, stride: int = 32) -> tuple[int, int]:
    """The smallest stride-multiple (h, w) holding the image scaled to `long_side`, as ultralytics'
    rectangular letterbox does (720x1280 portrait at 640 -> 640x384): no wasted square padding."""
    w, h = image_wh
    r = long_side / max(w, h)
    return (math.ceil(round(h * r) / stride) * stride, math.ceil(round(w * r) / stride) * stride)


def letterbox(image_wh: tuple[int, int], shape_hw: tuple[int, int]) -> Affine:
    """Scale the whole image into shape_hw keeping its aspect, centred, like ultralytics' LetterBox."""
    w, h = image_wh
    r = min(shape_hw[0] / h, shape_hw[1] / w)
    # ultralytics rounds (pad - 0.1) so an odd total pad puts the extra pixel at the bottom/right.
    dx = round((shape_hw[1] - round(w * r)) / 2 - 0.1)
    dy = round((shape_hw[0] - round(h * r)) / 2 - 0.1)
    return Affine(r, float(dx), float(dy))


def crop_around(box: tuple[float, float, float, float], shape_hw: tuple[int, int], pad_frac: float) -> Affine:
    """The region around `box` padded by `pad_frac` of its size on every side, widened or heightened
    to the input's aspect (centred on the box), scaled to fill shape_hw. Parts of the region outside
    the image are filled with PAD_VALUE by the preprocessor."""
    x1, y1, x2, y2 = box
    bw = max(x2 - x1, 1.0) * (1 + 2 * pad_frac)
    bh = max(y2 - y1, 1.0) * (1 + 2 * pad_frac)
    aspect = shape_hw[1] / shape_hw[0]
    region_h = max(bh, bw / aspect)
    scale = shape_hw[0] / region_h
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return Affine(scale, shape_hw[1] / 2 - scale * cx, shape_hw[0] / 2 - scale * cy)


class Preprocessor:
    """Fills one preallocated (1, 3, h, w) float32 RGB [0, 1] tensor from a BGR image: no
    per-frame allocation (warpAffine writes into a kept uint8 buffer, the scaling into the tensor)."""

    def __init__(self, shape_hw: tuple[int, int]):
        h, w = shape_hw
        self.shape_hw = (h, w)
        self._u8 = np.empty((h, w, 3), np.uint8)
        self.tensor = np.empty((1, 3, h, w), np.float32)
        self._m = np.zeros((2, 3), np.float64)

    def fill(self, image: np.ndarray, affine: Affine) -> np.ndarray:
        s = affine.scale
        # warpAffine maps pixel centres (integers); shift by half a pixel on both sides so the
        # continuous convention u_in = s * u_img + d holds (as cv2.resize in ultralytics' letterbox).
        self._m[0, 0] = self._m[1, 1] = s
        self._m[0, 2] = affine.dx + 0.5 * s - 0.5
        self._m[1, 2] = affine.dy + 0.5 * s - 0.5
        h, w = self.shape_hw
        cv2.warpAffine(
            image, self._m, (w, h), dst=self._u8, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(PAD_VALUE, PAD_VALUE, PAD_VALUE),
        )
        # BGR -> RGB, HWC -> CHW and /255 in one pass into the kept tensor.
        np.multiply(self._u8[:, :, ::-1].transpose(2, 0, 1), np.float32(1 / 255), out=self.tensor[0])
        return self.tensor


def decode(out: np.ndarray, affine: Affine, conf_min: float, best_only: bool, with_scores: bool = False):
    """Raw head output (56, N) to people in image pixels: boxes (K, 4) x1 y1 x2 y2 and keypoints
    (K, 17, 3) x y conf, best score first. `best_only` takes the single top-scoring candidate (a
    crop holds one runner: NMS would keep that same candidate); otherwise greedy NMS as ultralytics.
    `with_scores`: also return each person's detection score (K,), as a third item."""
    boxes, kps, idx = _decode(out, affine, conf_min, best_only)
    if with_scores:
        return boxes, kps, out[4, idx].astype(np.float32)
    return boxes, kps


def _decode(out: np.ndarray, affine: Affine, conf_min: float, best_only: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`decode`, plus the kept candidates' column indices into `out`."""
    scores = out[4]
    if best_only:
        i = int(np.argmax(scores))
        idx = np.array([i]) if scores[i] > conf_min else np.zeros(0, np.intp)
    else:
        idx = np.flatnonzero(scores > conf_min)
        idx = idx[np.argsort(-scores[idx], kind="stable")][:MAX_CANDIDATES]
    if idx.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0, NUM_KEYPOINTS, 3), np.float32), idx
    cx, cy, bw, bh = out[0, idx], out[1, idx], out[2, idx], out[3, idx]
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
    if not best_only:
        keep = _nms(boxes, NMS_IOU)
        idx, boxes = idx[keep], boxes[keep]
    kps = out[5:, idx].T.reshape(len(idx), NUM_KEYPOINTS, 3)
    boxes_img = affine.to_image(boxes.reshape(-1, 2, 2)).reshape(-1, 4)
    kps_img = np.concatenate([affine.to_image(kps[:, :, :2]), kps[:, :, 2:3]], axis=2)
    return boxes_img, kps_img.astype(np.float32), idx


def _nms(boxes: np.ndarray, iou_max: float) -> np.ndarray:
    """Greedy NMS over boxes sorted by score; returns the kept indices in that order."""
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    alive = np.ones(len(boxes), bool)
    keep = []
    for i in range(len(boxes)):
        if not alive[i]:
            continue
        keep.append(i)
        xx1 = np.maximum(boxes[i, 0], boxes[:, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[:, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[:, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[:, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        alive &= inter / np.maximum(area[i] + area - inter, 1e-9) <= iou_max
    return np.array(keep, np.intp)


class CropTracker:
    """`plan(t) -> box | None` (None: search the full frame), `update(t, box, full)`, `reset()`."""

    def __init__(self, redetect_s: float = 1.0):
        if not redetect_s > 0:
            raise ValueError(f"redetect_s must be > 0, got {redetect_s}")
        self.redetect_s = redetect_s
        self.reset()

    def reset(self) -> None:
        self._box: tuple[float, float, float, float] | None = None
        self._t_full = -math.inf
        self._t_last = -math.inf

    def plan(self, t: float) -> tuple[float, float, float, float] | None:
        if t < self._t_last:
            raise ValueError(f"frame time went backwards: {t} after {self._t_last}")
        if self._box is None or t - self._t_full >= self.redetect_s:
            return None
        return self._box

    def update(self, t: float, box: tuple[float, float, float, float] | None, full: bool) -> None:
        """Record this frame's outcome: the runner's box (None when lost) and whether it came from
        a full-frame search."""
        if t < self._t_last:
            raise ValueError(f"frame time went backwards: {t} after {self._t_last}")
        self._t_last = t
        if full:
            self._t_full = t
        self._box = box
