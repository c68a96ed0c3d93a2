"""Pose backends: exports are made once and cached by weights hash, shape and backend; every backend's
keypoints agree with ultralytics' own PyTorch predict at 640 on real frames of the shared clip; `auto`
falls back with one sentence when a runtime is missing."""
from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

from live import backends
from live.errors import BadInputError
from live.pose import PoseEstimator, pose_frame_from_result, quiet_ultralytics
from live.runner import RunnerSelector
from live.types import Frame

FRAME_STEP = 45  # 8 frames spread over the 12 s clip: all phases of the stride, little CPU


@pytest.fixture(scope="module")
def frames(clip) -> list[Frame]:
    cap = cv2.VideoCapture(str(clip.path))
    out = []
    i = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        if i % FRAME_STEP == 0:
            out.append(Frame(image, i / clip.fps, i))
        i += 1
    cap.release()
    assert len(out) >= 8
    return out


@pytest.fixture(scope="module")
def reference(model_path, frames):
    """ultralytics YOLO(.pt).predict at imgsz 640: the reference every backend must agree with."""
    quiet_ultralytics()
    from ultralytics import YOLO

    model = YOLO(str(model_path), task="pose")
    selector = RunnerSelector()
    return [pose_frame_from_result(model.predict(f.image, imgsz=640, verbose=False)[0], f, selector) for f in frames]


def body_height(poses) -> float:
    return float(np.median([p.box[3] - p.box[1] for p in poses if p.found]))


def median_error_bh(poses, reference) -> float:
    errs = np.concatenate([np.linalg.norm(p.xy - r.xy, axis=1) for p, r in zip(poses, reference)])
    errs = errs[np.isfinite(errs)]
    assert errs.size > 0.5 * len(reference) * 17, "too few keypoints found by both"
    return float(np.median(errs)) / body_height(reference)


@pytest.mark.parametrize("backend", ["openvino", "onnx", "torch"])
@pytest.mark.parametrize("crop, bound_bh", [(False, 0.005), (True, 0.015)])
def test_backend_agrees_with_torch_reference(model_path, frames, reference, backend, crop, bound_bh):
    est = PoseEstimator(model_path, backend=backend, crop=crop)
    assert est.backend_name == backend
    poses = []
    for f in frames:
        if crop:  # the crop needs the runner's box from the frame before: prime it on the same image
            est.reset()
            est.estimate(Frame(f.image, f.t - 0.01, f.index))
        poses.append(est.estimate(f))
    assert all(p.found for p in poses)
    assert all(p.image_size == (f.image.shape[1], f.image.shape[0]) for p, f in zip(poses, frames))
    # Full frame: same letterbox and decode as ultralytics, so nearly identical (bf16 aside);
    # crop: the bound, 1.5% of body height.
    assert median_error_bh(poses, reference) < bound_bh


def test_describe_names_backend_precision_size_and_crop(model_path):
    est = PoseEstimator(model_path, backend="onnx", imgsz=480, crop=True, crop_hw=(256, 160))
    line = est.describe()
    assert "ONNX Runtime" in line and "f32" in line and "480" in line and "256x160" in line and " on" in line
    assert "\n" not in line
    assert "crop off" in PoseEstimator(model_path, backend="onnx", crop=False).describe()


def test_export_is_cached_by_weights_shape_and_backend(model_path, tmp_path, monkeypatch):
    shape = (96, 64)  # tiny: the export is what is tested, not the model
    first = backends.export_model(model_path, "onnx", shape, tmp_path)
    assert first.is_file() and first.suffix == ".onnx"
    assert first.parent == backends.export_dir(model_path, "onnx", shape, tmp_path)
    assert not list(tmp_path.glob("models/.export-*")), "temporary export folder left behind"

    def no_export(*args, **kwargs):
        raise AssertionError("exported again although a cached export exists")

    monkeypatch.setattr(backends, "_run_exporter", no_export)
    assert backends.export_model(model_path, "onnx", shape, tmp_path) == first
    # Another shape, another backend or other weights are other cache entries.
    assert backends.export_dir(model_path, "onnx", (64, 96), tmp_path) != first.parent
    assert backends.export_dir(model_path, "openvino", shape, tmp_path) != first.parent
    other = tmp_path / model_path.name
    other.write_bytes(model_path.read_bytes() + b"\0")
    assert backends.export_dir(other, "onnx", shape, tmp_path) != first.parent


def test_exported_session_runs_raw(model_path, tmp_path):
    runtime = backends.Runtime("onnx", model_path, tmp_path)
    out = runtime.session((96, 64)).run(np.zeros((1, 3, 96, 64), np.float32))
    assert out.shape == (5 + 17 * 3, (96 // 8) * (64 // 8) + (96 // 16) * (64 // 16) + (96 // 32) * (64 // 32))


def test_auto_falls_back_with_one_sentence_when_openvino_is_missing(model_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openvino", None)  # makes `import openvino` fail
    est = PoseEstimator(model_path, backend="auto")
    assert est.backend_name == "onnx"
    err = capsys.readouterr().err.strip().splitlines()
    fallback = [line for line in err if "OpenVINO" in line]
    assert len(fallback) == 1 and "using ONNX Runtime" in fallback[0] and fallback[0].endswith(".")


def test_named_backend_that_cannot_run_is_a_bad_option(model_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(BadInputError, match="onnx"):
        PoseEstimator(model_path, backend="onnx")
    with pytest.raises(BadInputError, match="Unknown pose backend"):
        PoseEstimator(model_path, backend="tensorrt")


@pytest.mark.parametrize(
    "kwargs, bad",
    [({"imgsz": 500}, "500"), ({"crop_hw": (320, 190)}, "190"), ({"crop_pad_frac": -0.1}, "-0.1"), ({"redetect_s": 0}, "0")],
)
def test_bad_parameters_name_the_value(model_path, kwargs, bad):
    with pytest.raises(ValueError, match=bad):
        PoseEstimator(model_path, backend="onnx", **kwargs)
