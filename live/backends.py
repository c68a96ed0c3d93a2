"""Inference runtimes behind the PoseEstimator: PyTorch, ONNX Runtime, OpenVINO.

Exported models are made once with ultralytics' own exporter from the `.pt` and cached in the user
cache dir, keyed by the weights' sha256, the input shape (h, w) and the backend, so a new weights
file or input size never reuses a stale export. After that, ONNX Runtime and OpenVINO run the model
through their raw session APIs: ultralytics' `predict()` adds 0.7-1.7 ms per frame and its start-up
costs about 3 s and 0.9 GB RSS, against 0.2-0.4 s and 0.2 GB for a raw runtime (measured here).

Every session takes a preallocated (1, 3, h, w) float32 RGB tensor in [0, 1] and returns the raw
head output (56, N): box cx cy w h, person score, then 17 x (x, y, visibility), in input pixels.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

# Fastest first, as measured on a 2-core laptop-class CPU at 480x640 (yolo11n-pose): OpenVINO
# 12.7 ms, ONNX Runtime 19 ms, PyTorch 25 ms (2 threads). `auto` tries them in this order.
AUTO_ORDER = ("openvino", "onnx", "torch")
BACKENDS = ("auto",) + AUTO_ORDER
CACHE_ENV = "POSECOACH_CACHE_DIR"
_MODULE_OF = {"openvino": "openvino", "onnx": "onnxruntime", "torch": "torch"}
_LABEL = {"openvino": "OpenVINO", "onnx": "ONNX Runtime", "torch": "PyTorch"}
# Inference precision: "auto" lets the runtime choose (OpenVINO picks bfloat16 on CPUs with AMX,
# and on some with AVX-512 BF16); "f32" asks every runtime for full float32, the same arithmetic
# everywhere (ONNX Runtime and PyTorch run f32 on CPU in either case).
PRECISIONS = ("auto", "f32")


class BackendUnavailable(Exception):
    """A backend cannot run here; the message is one plain sentence fit for stderr."""


def cache_root() -> Path:
    """Where exported models live: $POSECOACH_CACHE_DIR, else the user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("posecoach"))


def weights_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_dir(weights: Path, backend: str, shape_hw: tuple[int, int], root: Path | None = None) -> Path:
    """The cache folder for one (weights, shape, backend) export."""
    h, w = shape_hw
    return (root or cache_root()) / "models" / f"{Path(weights).stem}-{weights_sha256(weights)[:16]}-{h}x{w}-{backend}"


def _model_file(folder: Path, backend: str) -> Path | None:
    pattern = "*.onnx" if backend == "onnx" else "*_openvino_model/*.xml"
    found = sorted(folder.glob(pattern))
    return found[0] if found else None


@contextmanager
def _openvino_telemetry_off():
    """OpenVINO's converter sends usage telemetry unless the user opted out or it runs in CI; it
    checks `CI=true` (disable_in_ci), so we set that only around the conversion, leaving the
    user's own consent file untouched."""
    old = os.environ.get("CI")
    os.environ["CI"] = "true"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CI", None)
        else:
            os.environ["CI"] = old


def export_model(weights: Path, backend: str, shape_hw: tuple[int, int], root: Path | None = None) -> Path:
    """Return the exported model file (.onnx or OpenVINO .xml) for `shape_hw`, exporting it once.

    The export runs in a private temporary folder next to the cache (the exporter writes beside its
    input, and the weights' folder may be shared or read-only) and is renamed into place, so a
    half-written export is never picked up and two processes exporting at once do not clash.
    """
    if backend not in ("onnx", "openvino"):
        raise ValueError(f"backend to export must be 'onnx' or 'openvino', got {backend!r}")
    final = export_dir(weights, backend, shape_hw, root)
    got = _model_file(final, backend) if final.is_dir() else None
    if got is not None:
        return got
    final.parent.mkdir(parents=True, exist_ok=True)
    print(f"Exporting the pose model for {_LABEL[backend]} at {shape_hw[0]}x{shape_hw[1]} (once; cached in {final.parent}) ...", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=final.parent))
    try:
        local = work / Path(weights).name
        shutil.copyfile(weights, local)
        _run_exporter(local, backend, shape_hw)
        local.unlink()
        try:
            work.rename(final)
        except OSError:  # another process finished the same export first: use theirs
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    got = _model_file(final, backend)
    if got is None:
        raise BackendUnavailable(f"Exporting the pose model for {_LABEL[backend]} produced no model file.")
    return got


def _run_exporter(local_pt: Path, backend: str, shape_hw: tuple[int, int]) -> None:
    from live.pose import quiet_ultralytics

    quiet_ultralytics()
    from ultralytics import YOLO

    # simplify=False: onnxslim is not a dependency and ultralytics would try to pip-install it
    # (ONNX Runtime and OpenVINO fold the graph themselves at load time, so it buys nothing here).
    # dynamic=False, batch=1: a fixed rectangular shape is what makes these runtimes fast; a
    # square 640x640 export costs 25 ms against 19 ms for 480x640.
    # (OpenVINO converts from torch directly; its exporter rejects the simplify argument.)
    extra = {"simplify": False} if backend == "onnx" else {}
    with _openvino_telemetry_off(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit.trace deprecation notes: the exporter's business, not the user's
        YOLO(str(local_pt), task="pose").export(
            format=backend, imgsz=list(shape_hw), dynamic=False, batch=1, device="cpu", verbose=False, **extra
        )


def _torch_one_thread_if_loaded() -> None:
    """Raising torch's threads slows ONNX Runtime / OpenVINO by 30-55% here (their pools fight
    torch's OpenMP spinning), so when torch was imported for an export it is set back to one."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


class OnnxSession:
    name = "onnx"

    def __init__(self, model_file: Path, shape_hw: tuple[int, int]):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No busy-waiting between frames: the capture thread and the gait tracker need the cores.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self._sess = ort.InferenceSession(str(model_file), opts, providers=["CPUExecutionProvider"])
        self._input = self._sess.get_inputs()[0].name
        self.shape_hw = shape_hw
        self.precision = "f32"

    def run(self, x: np.ndarray) -> np.ndarray:
        return self._sess.run(None, {self._input: x})[0][0]


class OpenVinoSession:
    name = "openvino"

    def __init__(self, model_file: Path, shape_hw: tuple[int, int], precision: str = "auto"):
        import openvino as ov

        core = ov.Core()
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": max(1, os.cpu_count() or 1)}
        if precision == "f32":
            config["INFERENCE_PRECISION_HINT"] = "f32"
        self._compiled = core.compile_model(str(model_file), "CPU", config)
        self._request = self._compiled.create_infer_request()
        # OpenVINO picks bf16 by itself where the CPU has it (about 0.3 px mean deviation): report it.
        self.precision = str(self._compiled.get_property("INFERENCE_PRECISION_HINT")).lower().replace("<type: '", "").rstrip("'>")
        self.shape_hw = shape_hw

    def run(self, x: np.ndarray) -> np.ndarray:
        self._request.infer({0: x}, share_inputs=True)
        return self._request.get_output_tensor(0).data[0]


class TorchSession:
    """The .pt model's raw forward (fused, eval), at any multiple-of-32 shape."""

    name = "torch"

    def __init__(self, module, shape_hw: tuple[int, int]):
        self._module = module
        self.shape_hw = shape_hw
        self.precision = "f32"

    def run(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self._module(torch.from_numpy(x))
        out = out[0] if isinstance(out, (tuple, list)) else out
        return out[0].numpy()


def _load_torch_module(weights: Path):
    from live.pose import quiet_ultralytics

    quiet_ultralytics()
    import torch
    from ultralytics import YOLO

    module = YOLO(str(weights), task="pose").model.fuse().eval().float()
    # ultralytics drops torch to one thread on small machines; the raw forward wants every core
    # (2 threads halve the latency on 2 cores, measured).
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    return module


class Runtime:
    """One backend for one weights file: `session(shape_hw)` gives a ready session per input shape."""

    def __init__(self, backend: str, weights: Path, root: Path | None = None, precision: str = "auto"):
        if backend not in AUTO_ORDER:
            raise ValueError(f"backend must be one of {AUTO_ORDER}, got {backend!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        self.precision = precision
        self.name = backend
        self.label = _LABEL[backend]
        self.weights = Path(weights)
        self.root = root
        self._sessions: dict[tuple[int, int], object] = {}
        self._torch_module = None
        _require(backend)

    def session(self, shape_hw: tuple[int, int]):
        shape_hw = (int(shape_hw[0]), int(shape_hw[1]))
        if shape_hw[0] % 32 or shape_hw[1] % 32 or min(shape_hw) <= 0:
            raise ValueError(f"input shape must be positive multiples of 32, got {shape_hw}")
        if shape_hw not in self._sessions:
            self._sessions[shape_hw] = self._open(shape_hw)
        return self._sessions[shape_hw]

    def _open(self, shape_hw: tuple[int, int]):
        if self.name == "torch":
            if self._torch_module is None:
                self._torch_module = _load_torch_module(self.weights)
            return TorchSession(self._torch_module, shape_hw)
        model_file = export_model(self.weights, self.name, shape_hw, self.root)
        _torch_one_thread_if_loaded()
        try:
            if self.name == "onnx":
                return OnnxSession(model_file, shape_hw)
            return OpenVinoSession(model_file, shape_hw, self.precision)
        except Exception as err:  # a runtime that imports but cannot compile: report, let auto fall back
            raise BackendUnavailable(f"{self.label} could not load the exported model ({type(err).__name__}: {err}).") from None


def _require(backend: str) -> None:
    """Raise BackendUnavailable (one sentence) when the backend's package cannot be imported."""
    module = _MODULE_OF[backend]
    try:
        if module == "openvino":
            # `import openvino` itself sends a usage event to Google Analytics (openvino/tools/ovc
            # __init__: send_event("ov", "import", ...), from a forked process) and writes a client
            # id into ~/intel unless the user opted out: nothing may leave the machine.
            with _openvino_telemetry_off():
                __import__(module)
        else:
            __import__(module)
    except ImportError as err:
        raise BackendUnavailable(f"{_LABEL[backend]} is not installed ({err}).") from None
