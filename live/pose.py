"""Pose estimation: ultralytics YOLO pose in, one frozen `PoseFrame` per frame out.

This module and live/backends.py are the only code that touches ultralytics, torch or a runtime. Before ultralytics is imported it
is switched to offline behaviour: no DNS probe, no analytics, no pip-install at run time, no font
download (see `quiet_ultralytics`).
"""
from __future__ import annotations

import os
import socket
import sys
import zipfile
from pathlib import Path

import numpy as np

from live.backends import AUTO_ORDER, BACKENDS, PRECISIONS, BackendUnavailable, Runtime
from live.crop import Affine, CropTracker, Preprocessor, crop_around, decode, full_frame_shape, letterbox
from live.errors import BadInputError
from live.keypoints import NUM_KEYPOINTS
from live.runner import RunnerSelector
from live.types import Frame, PoseFrame

DEFAULT_MODEL_NAME = "yolo11n-pose.pt"
MODEL_ENV = "POSECOACH_MODEL"
KP_CONF_MIN = 0.3  # below this the model is guessing: the point becomes NaN
DET_CONF_MIN = 0.25  # ultralytics' own default person threshold
FULL_LONG_SIDE = 640  # full-frame input: the size of the torch reference (ultralytics' default)
# Upright crop input: the runner's box is about 0.3-0.6 as wide as tall, so 320x192 (h x w) holds
# them padded at about 0.8x the pixel size a 640 full frame gives a runner filling the height.
CROP_HW = (320, 192)
CROP_PAD_FRAC = 0.15  # room for a swinging foot or arm and a frame's motion outside the last box
REDETECT_S = 1.0  # a new person or a drifted crop is caught within a second


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
        if p.is_dir():
            source = "--model" if model else MODEL_ENV
            raise BadInputError(f"The pose model given by {source} is a folder, not a weights file: {p}.")
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
    i = selector.update(xyxy, frame.t, (w, h), data)
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
    """`estimate(frame) -> PoseFrame` for the runner (an empty PoseFrame when nobody is in view).

    backend: "auto" (fastest that works here: OpenVINO, then ONNX Runtime, then PyTorch, falling back
    with one sentence on stderr), "openvino", "onnx" or "torch". imgsz: the long side of the
    full-frame input (None: 640, the size the reference and ultralytics default to). crop: after a
    full-frame detection, run on a padded crop around the runner at `crop_hw` (see live/crop.py),
    searching the full frame again when lost and every `redetect_s` seconds.
    """

    def __init__(
        self,
        model_path: Path,
        backend: str = "auto",
        imgsz: int | None = None,
        crop: bool = True,
        crop_hw: tuple[int, int] = CROP_HW,
        crop_pad_frac: float = CROP_PAD_FRAC,
        redetect_s: float = REDETECT_S,
        kp_conf_min: float = KP_CONF_MIN,
        device: str = "cpu",
        precision: str = "auto",
    ):
        imgsz = FULL_LONG_SIDE if imgsz is None else int(imgsz)
        if imgsz <= 0 or imgsz % 32:
            raise ValueError(f"imgsz must be a positive multiple of 32, got {imgsz}")
        if len(crop_hw) != 2 or min(crop_hw) <= 0 or crop_hw[0] % 32 or crop_hw[1] % 32:
            raise ValueError(f"crop_hw must be two positive multiples of 32, got {crop_hw}")
        if not 0 <= crop_pad_frac <= 1:
            raise ValueError(f"crop_pad_frac must be in [0, 1], got {crop_pad_frac}")
        if not 0 <= kp_conf_min < 1:
            raise ValueError(f"kp_conf_min must be in [0, 1), got {kp_conf_min}")
        if backend not in BACKENDS:
            raise BadInputError(f"Unknown pose backend {backend!r}: choose one of {', '.join(BACKENDS)}.")
        if precision not in PRECISIONS:
            raise BadInputError(f"Unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}.")
        if device != "cpu":
            raise ValueError(f"only device='cpu' is supported, got {device!r}")
        model_path = Path(model_path)
        if not model_path.is_file():
            raise BadInputError(f"The pose model {model_path} does not exist.")
        if not zipfile.is_zipfile(model_path):
            # torch.save writes a zip archive: anything else (a text file, a truncated download, an
            # exported .onnx) would fail inside every backend's export with a page of unrelated advice.
            raise BadInputError(f"The pose model {model_path} could not be loaded (it is not a PyTorch .pt weights file).")
        self.imgsz = imgsz
        self.crop = bool(crop)
        self.crop_hw = (int(crop_hw[0]), int(crop_hw[1]))
        self.crop_pad_frac = crop_pad_frac
        self.kp_conf_min = kp_conf_min
        self.selector = RunnerSelector()
        self.tracker = CropTracker(redetect_s)
        self._full: dict[tuple[int, int], tuple[object, Preprocessor, Affine]] = {}
        self._runtime, self._crop_session = self._open_backend(model_path, backend, precision)
        self._crop_pre = Preprocessor(self.crop_hw) if self.crop else None
        self.backend_name = self._runtime.name
        self.full_searches = 0  # full-frame detections so far (the rest ran on the runner crop)

    def _open_backend(self, model_path: Path, backend: str, precision: str):
        """Open the requested backend (or the first that works, for auto) and prove it by loading
        one session; a named backend that cannot run is a bad option (exit 2)."""
        names = AUTO_ORDER if backend == "auto" else (backend,)
        failures = []
        for name in names:
            try:
                runtime = Runtime(name, model_path, precision=precision)
                probe = runtime.session(self.crop_hw if self.crop else _probe_shape(self.imgsz))
                if failures:
                    print(f"{failures[-1].rstrip('.')}; using {runtime.label} for pose instead.", file=sys.stderr)
                return runtime, probe
            except BackendUnavailable as err:
                failures.append(str(err))
            except Exception as err:  # an export or load failing for a reason we did not foresee
                failures.append(f"{name} failed to start ({type(err).__name__}: {err}).")
        if backend == "auto":
            raise BadInputError(f"No pose backend could start: {' '.join(failures)}")
        raise BadInputError(f"The {backend} pose backend cannot run here: {failures[-1]}")

    def prepare(self, image_wh: tuple[int, int]) -> None:
        """Load (export once, if needed) the full-frame model for this image size now, so the
        first frame does not pay for it; the loop may call this with the source's size."""
        self._full_for(image_wh)

    def _full_for(self, image_wh: tuple[int, int]):
        if image_wh not in self._full:
            shape = full_frame_shape(image_wh, self.imgsz)
            self._full[image_wh] = (self._runtime.session(shape), Preprocessor(shape), letterbox(image_wh, shape))
        return self._full[image_wh]

    def estimate(self, frame: Frame) -> PoseFrame:
        h, w = frame.image.shape[:2]
        box = self.tracker.plan(frame.t) if self.crop else None
        if box is None:
            self.full_searches += 1
            session, pre, affine = self._full_for((w, h))
        else:
            session, pre, affine = self._crop_session, self._crop_pre, crop_around(box, self.crop_hw, self.crop_pad_frac)
        out = session.run(pre.fill(frame.image, affine))
        # Every person in the crop, not just the top score: a second person close to the runner is
        # in the crop too and may score higher; the selector follows the runner by continuity.
        boxes, kps = decode(out, affine, DET_CONF_MIN, best_only=False)
        i = self.selector.update(boxes, frame.t, (w, h), kps, prefer_first=box is not None) if len(boxes) else None
        if self.crop:
            self.tracker.update(frame.t, None if i is None else tuple(float(v) for v in boxes[i]), full=box is None)
        if i is None:
            return PoseFrame.empty(frame.t, frame.index, (w, h))
        return pose_frame_from_arrays(frame, boxes[i], kps[i], self.kp_conf_min)

    def detect_people(self, frame: Frame) -> np.ndarray:
        """Every person from a full-frame detection as (N, 5) float32 rows x1, y1, x2, y2, score
        (image pixels; the model's person score, DET_CONF_MIN and up; best score first), for
        checks that must know who else is in view and how sure the model is of each
        (`estimate()` returns the selected runner only). Changes no tracking state."""
        h, w = frame.image.shape[:2]
        session, pre, affine = self._full_for((w, h))
        out = session.run(pre.fill(frame.image, affine))
        boxes, _, scores = decode(out, affine, DET_CONF_MIN, best_only=False, with_scores=True)
        return np.column_stack([boxes, scores]).astype(np.float32)

    @property
    def precision(self) -> str:
        return self._crop_session.precision

    def describe(self) -> str:
        """One line for the start of a session: backend, precision, input sizes, crop on/off."""
        crop = f"runner crop {self.crop_hw[0]}x{self.crop_hw[1]} on (full-frame search every {self.tracker.redetect_s:g} s)" if self.crop else "runner crop off"
        return f"{self._runtime.label} ({self.precision}), full frame {self.imgsz} px long side, {crop}"

    def reset(self) -> None:
        self.selector.reset()
        self.tracker.reset()


def _probe_shape(long_side: int) -> tuple[int, int]:
    """Without crop, probe the backend at a common 4:3 landscape webcam shape (cached for later)."""
    return full_frame_shape((640, 480), long_side)
