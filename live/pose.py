"""Pose estimation: ultralytics YOLO pose in, one frozen `PoseFrame` per frame out.

This module is the only code that touches ultralytics or torch. Before ultralytics is imported it
is switched to offline behaviour: no DNS probe, no analytics, no pip-install at run time, no font
download (see `quiet_ultralytics`).
"""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import numpy as np

from live.errors import BadInputError
from live.keypoints import NUM_KEYPOINTS
from live.runner import RunnerSelector
from live.types import Frame, PoseFrame

DEFAULT_MODEL_NAME = "yolo11n-pose.pt"
MODEL_ENV = "POSECOACH_MODEL"
KP_CONF_MIN = 0.3  # below this the model is guessing: the point becomes NaN
DET_CONF_MIN = 0.25  # ultralytics' own default person threshold


def quiet_ultralytics():
    """Import ultralytics with every network and install side effect switched off; return the module."""
    # Environment first: ultralytics reads these at import time.
    os.environ["YOLO_OFFLINE"] = "1"  # no connectivity probe, no hub calls
    os.environ["YOLO_AUTOINSTALL"] = "0"  # never pip-install a missing package mid-run
    os.environ.setdefault("YOLO_VERBOSE", "False")
    import ultralytics
    from ultralytics.utils import SETTINGS

    if SETTINGS.get("sync", False):
        SETTINGS.update({"sync": False})  # no analytics / crash reports
    return ultralytics


def _online(host: str = "github.com", port: int = 443, timeout_s: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def resolve_model_path(model: str | None) -> Path:
    """`--model`, else $POSECOACH_MODEL, else the standard yolo11n-pose.pt (downloaded only when
    absent and online, announced in one sentence). Always returns an absolute path."""
    chosen = model or os.environ.get(MODEL_ENV)
    if chosen:
        p = Path(chosen).expanduser()
        if not p.is_file():
            source = "--model" if model else MODEL_ENV
            raise BadInputError(f"The pose model given by {source} does not exist: {p}.")
        return p.resolve()
    local = Path(DEFAULT_MODEL_NAME)
    if local.is_file():
        return local.resolve()
    quiet_ultralytics()
    from ultralytics.utils import WEIGHTS_DIR

    cached = Path(WEIGHTS_DIR) / DEFAULT_MODEL_NAME
    if cached.is_file():
        return cached.resolve()
    if not _online():
        raise BadInputError(
            f"No pose model found and this machine is offline: download {DEFAULT_MODEL_NAME} from "
            "https://github.com/ultralytics/assets/releases on a connected machine and pass it with --model PATH."
        )
    print(f"Downloading the pose model {DEFAULT_MODEL_NAME} (6 MB) into {WEIGHTS_DIR} ...", file=sys.stderr)
    from ultralytics.utils.downloads import attempt_download_asset

    try:
        Path(WEIGHTS_DIR).mkdir(parents=True, exist_ok=True)
        got = Path(attempt_download_asset(cached))
    except Exception as err:  # any network or disk failure ends in the same advice
        raise BadInputError(f"Could not download {DEFAULT_MODEL_NAME} ({err}); pass a local copy with --model PATH.") from None
    if not got.is_file():
        raise BadInputError(f"Could not download {DEFAULT_MODEL_NAME}; pass a local copy with --model PATH.")
    return got.resolve()


def pose_frame_from_result(result, frame: Frame, selector: RunnerSelector, kp_conf_min: float = KP_CONF_MIN) -> PoseFrame:
    """Adapter from one ultralytics `Results` to a PoseFrame of the selected runner."""
    h, w = frame.image.shape[:2]
    boxes = result.boxes
    kps = result.keypoints
    if boxes is None or kps is None or len(boxes) == 0 or kps.data.shape[0] == 0:
        selector.update(np.zeros((0, 4)), frame.t, (w, h))
        return PoseFrame.empty(frame.t, frame.index, (w, h))
    xyxy = boxes.xyxy.cpu().numpy().astype(np.float32)
    data = kps.data.cpu().numpy().astype(np.float32)  # (N, 17, 3) x, y, conf
    i = selector.update(xyxy, frame.t, (w, h))
    if i is None:
        return PoseFrame.empty(frame.t, frame.index, (w, h))
    return pose_frame_from_arrays(frame, xyxy[i], data[i], kp_conf_min)


def pose_frame_from_arrays(frame: Frame, box: np.ndarray, kp: np.ndarray, kp_conf_min: float) -> PoseFrame:
    """Build a PoseFrame from one person's box (4,) and keypoints (17, 3)."""
    h, w = frame.image.shape[:2]
    if kp.shape != (NUM_KEYPOINTS, 3):
        raise ValueError(f"expected ({NUM_KEYPOINTS}, 3) keypoints, got {kp.shape}")
    conf = kp[:, 2].copy() if kp.shape[1] == 3 else np.ones(NUM_KEYPOINTS, np.float32)
    xy = kp[:, :2].copy()
    xy[conf < kp_conf_min] = np.nan
    return PoseFrame(frame.t, frame.index, xy, conf, tuple(float(v) for v in box), (w, h))


class PoseEstimator:
    """`estimate(frame) -> PoseFrame` for the runner (an empty PoseFrame when nobody is in view)."""

    def __init__(self, model_path: Path, imgsz: int = 640, kp_conf_min: float = KP_CONF_MIN, device: str = "cpu"):
        if imgsz <= 0 or imgsz % 32:
            raise ValueError(f"imgsz must be a positive multiple of 32, got {imgsz}")
        if not 0 <= kp_conf_min < 1:
            raise ValueError(f"kp_conf_min must be in [0, 1), got {kp_conf_min}")
        quiet_ultralytics()
        from ultralytics import YOLO

        try:
            self.model = YOLO(str(model_path), task="pose")
        except Exception as err:  # a corrupt or foreign file fails in many ways inside torch
            raise BadInputError(f"The pose model {model_path} could not be loaded ({type(err).__name__}).") from None
        self.imgsz = imgsz
        self.kp_conf_min = kp_conf_min
        self.device = device
        self.selector = RunnerSelector()
        self._threads_set = False

    def estimate(self, frame: Frame) -> PoseFrame:
        result = self.model.predict(frame.image, imgsz=self.imgsz, conf=DET_CONF_MIN, device=self.device, verbose=False)[0]
        self._fix_threads()
        return pose_frame_from_result(result, frame, self.selector, self.kp_conf_min)

    def _fix_threads(self) -> None:
        """ultralytics drops torch to one thread on its first predict() on small machines; put the
        cores back once, after that call (setting it before has no effect)."""
        if self._threads_set:
            return
        import torch

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self._threads_set = True

    def reset(self) -> None:
        self.selector.reset()
