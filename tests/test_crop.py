"""Runner-crop inference: the geometry maps both ways, the full frame is searched again on a clock
(not a frame count), and keypoints from the crop agree with full-frame ones on real footage."""
from __future__ import annotations


import numpy as np
import pytest

from live.crop import Affine, CropTracker, Preprocessor, crop_around, decode, full_frame_shape, letterbox
from live.pose import PoseEstimator
from live.sources import open_source

CROP_AGREEMENT_BH = 0.015  # the bound on median keypoint error, in body heights


@pytest.mark.parametrize(
    "image_wh, long_side, shape_hw",
    [((720, 1280), 640, (640, 384)), ((640, 480), 640, (480, 640)), ((1280, 720), 640, (384, 640)), ((640, 480), 320, (256, 320))],
)
def test_full_frame_shape_is_the_rectangular_letterbox(image_wh, long_side, shape_hw):
    assert full_frame_shape(image_wh, long_side) == shape_hw
    a = letterbox(image_wh, shape_hw)
    # The image corners land inside the input, centred: equal margins (within ultralytics' rounding).
    corners = np.array([[0, 0], image_wh], np.float32) * a.scale + [a.dx, a.dy]
    assert np.all(corners[0] >= 0) and corners[1, 0] <= shape_hw[1] + 0.5 and corners[1, 1] <= shape_hw[0] + 0.5
    assert abs(corners[0, 0] - (shape_hw[1] - corners[1, 0])) <= 1
    assert abs(corners[0, 1] - (shape_hw[0] - corners[1, 1])) <= 1


@pytest.mark.parametrize("box", [(200, 600, 430, 1250), (300, 100, 340, 400), (0, 0, 640, 100)])
def test_crop_holds_the_padded_box_centred_and_maps_back(box):
    shape = (320, 192)
    a = crop_around(box, shape, pad_frac=0.15)
    corners = np.array([[box[0], box[1]], [box[2], box[3]]], np.float32)
    inside = corners * a.scale + [a.dx, a.dy]
    bw, bh = (box[2] - box[0]) * a.scale, (box[3] - box[1]) * a.scale
    # The box sits in the middle with at least 15% of its size as margin on every side.
    assert inside[0, 0] >= 0.15 * bw - 1e-3 and inside[1, 0] <= shape[1] - 0.15 * bw + 1e-3
    assert inside[0, 1] >= 0.15 * bh - 1e-3 and inside[1, 1] <= shape[0] - 0.15 * bh + 1e-3
    np.testing.assert_allclose(inside.mean(axis=0), [shape[1] / 2, shape[0] / 2], atol=1e-3)
    np.testing.assert_allclose(a.to_image(inside), corners, atol=1e-3)


def test_preprocessor_puts_image_pixels_where_the_affine_says():
    image = np.zeros((400, 300, 3), np.uint8)
    image[100:140, 50:90] = (0, 0, 255)  # a red (BGR) square, 40 px, centre (70, 120)
    pre = Preprocessor((96, 64))
    a = Affine(0.5, 10.0, 4.0)
    t = pre.fill(image, a)
    assert t.shape == (1, 3, 96, 64) and t.dtype == np.float32
    assert t is pre.fill(image, a), "the input tensor is reused, not reallocated"
    red = t[0, 0]  # RGB order: channel 0 is red
    ys, xs = np.nonzero(red > 0.5)
    assert abs(xs.mean() + 0.5 - (70 * 0.5 + 10)) < 0.6 and abs(ys.mean() + 0.5 - (120 * 0.5 + 4)) < 0.6
    assert np.isclose(t[0, 1, 5:, 11:].max(), 0) and np.isclose(red.max(), 1.0)  # image region: no green
    # Outside the image (the 10 px left and 4 px top margins here): ultralytics' grey.
    assert np.allclose(t[0, :, :, :9], 114 / 255) and np.allclose(t[0, :, :3, :], 114 / 255)
    far = pre.fill(image, Affine(1.0, -1000.0, 0.0))
    assert np.allclose(far, 114 / 255)


def test_decode_maps_the_best_candidate_back_and_nms_merges_duplicates():
    n = 6
    out = np.zeros((56, n), np.float32)
    out[:4] = np.array([[50, 50, 20, 40]] * n, np.float32).T  # cx cy w h, all the same person
    out[:4, 5] = [150, 50, 20, 40]  # a second person
    out[4] = [0.3, 0.9, 0.5, 0.1, 0.2, 0.8]
    out[5::3] = 50  # every keypoint x at 50 input px
    out[7::3] = 0.9
    a = Affine(0.5, 10.0, 0.0)
    boxes, kps = decode(out, a, conf_min=0.25, best_only=False)
    assert len(boxes) == 2  # duplicates of person 1 merged, person 2 kept
    np.testing.assert_allclose(boxes[0], [(40 - 10) / 0.5, 30 / 0.5, (60 - 10) / 0.5, 70 / 0.5])
    np.testing.assert_allclose(kps[0, :, 0], (50 - 10) / 0.5)
    best, _ = decode(out, a, conf_min=0.25, best_only=True)
    np.testing.assert_allclose(best, boxes[:1])
    out[4] = 0.1
    assert len(decode(out, a, conf_min=0.25, best_only=True)[0]) == 0


def test_tracker_searches_full_frame_when_lost_and_on_a_clock():
    tr = CropTracker(redetect_s=1.0)
    box = (1.0, 2.0, 3.0, 4.0)
    assert tr.plan(0.0) is None
    tr.update(0.0, box, full=True)
    assert tr.plan(0.5) == box
    tr.update(0.5, box, full=False)
    assert tr.plan(1.0) is None  # a second since the last full search
    tr.update(1.0, None, full=True)
    assert tr.plan(1.1) is None  # lost
    with pytest.raises(ValueError, match="backwards"):
        tr.plan(0.2)
    with pytest.raises(ValueError, match="-1"):
        CropTracker(redetect_s=-1)


def _run(estimator, clip, seconds: float):
    estimator.reset()
    estimator.full_searches = 0
    poses = []
    with open_source(clip.path) as src:
        for f in src:
            if f.t >= seconds:
                break
            poses.append(estimator.estimate(f))
    return poses


@pytest.mark.parametrize("kind", ["original", "webcam"])
def test_crop_keypoints_agree_with_full_frame(model_path, make_derived, kind):
    clip = make_derived(kind)
    full = _run(PoseEstimator(model_path, backend="onnx", crop=False), clip, 3.0)
    est = PoseEstimator(model_path, backend="onnx", crop=True)
    cropped = _run(est, clip, 3.0)
    assert len(cropped) == len(full) and all(p.found for p in cropped)
    w, h = clip.truth["video"]["width"], clip.truth["video"]["height"]
    assert all(p.image_size == (w, h) for p in cropped)  # full-image pixels, not crop pixels
    assert est.full_searches < len(cropped) / 10  # most frames ran on the crop
    bh = np.median([p.box[3] - p.box[1] for p in full])
    errs = np.concatenate([np.linalg.norm(c.xy - f.xy, axis=1) for c, f in zip(cropped, full)])
    errs = errs[np.isfinite(errs)]
    assert errs.size > 0.5 * 17 * len(full)
    assert np.median(errs) / bh < CROP_AGREEMENT_BH


def test_full_frame_search_rate_follows_time_not_frames(model_path, make_derived):
    """The same 3 s at 30 and at 15 fps: the same number of full-frame searches (about one a second)."""
    est = PoseEstimator(model_path, backend="onnx", crop=True, redetect_s=1.0)
    counts = []
    for kind in ("original", "fps15"):
        _run(est, make_derived(kind), 3.0)
        counts.append(est.full_searches)
    assert counts[0] == counts[1] == 3
