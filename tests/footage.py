"""Real footage for tests: where it lives, and derived versions made from it with their ground truth
transformed the same way (mirrored, decimated, webcam-like landscape, darker and noisier, and a
60 fps copy made by motion-compensated frame interpolation).

The clips are never copied into the repository: they are read from ../shared/footage (or
$POSECOACH_FOOTAGE) and derived versions are written to a temporary folder by the tests.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POSECOACH_SHARED", REPO.parent / "shared"))
FOOTAGE = Path(os.environ.get("POSECOACH_FOOTAGE", SHARED / "footage"))
MODEL = Path(os.environ.get("POSECOACH_MODEL", SHARED / "models" / "yolo11n-pose.pt"))


@dataclass(frozen=True)
class Clip:
    """A clip and its ground truth (the ground_truth.json dict, transformed for derived clips)."""

    name: str
    path: Path
    truth: dict

    @property
    def fps(self) -> float:
        return float(self.truth["video"]["fps"])

    @property
    def landings(self) -> list[int]:
        return list(self.truth["initial_contact_frames"]["frames"])

    @property
    def toe_offs(self) -> list[int]:
        return list(self.truth["toe_off_frames"]["frames"])

    @property
    def facing(self) -> str:
        return self.truth["scene"]["runner_faces"]


def original_clip(name: str = "male_side") -> Clip | None:
    folder = FOOTAGE / name
    video = folder / f"{name}.mp4"
    truth = folder / "ground_truth.json"
    if not (video.is_file() and truth.is_file()):
        return None
    return Clip(name, video, json.loads(truth.read_text()))


def _rewrite(src: Clip, dst: Path, transform, keep_every: int = 1) -> list[tuple[int, int]]:
    """Apply `transform(image) -> image` to every `keep_every`-th frame of src into dst (mp4v)."""
    cap = cv2.VideoCapture(str(src.path))
    fps = cap.get(cv2.CAP_PROP_FPS) / keep_every
    writer = None
    i = 0
    rng = np.random.default_rng(0)
    while True:
        ok, img = cap.read()
        if not ok:
            break
        if i % keep_every == 0:
            out = transform(img, rng)
            if writer is None:
                h, w = out.shape[:2]
                writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            writer.write(out)
        i += 1
    cap.release()
    writer.release()


def _interpolate_60fps(src: Clip, dst: Path) -> int:
    """A 60 fps copy at half resolution (a phone's 60 fps mode), new frames made by ffmpeg's
    motion-compensated interpolation between the real ones: every other frame is in-between motion,
    as a 60 fps camera would see it, though estimated rather than filmed. Returns its frame count."""
    if shutil.which("ffmpeg") is None:
        raise FileNotFoundError("ffmpeg is needed to make the 60 fps copy (apt install ffmpeg)")
    w, h = src.truth["video"]["width"] // 2, src.truth["video"]["height"] // 2
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src.path), "-vf",
                    f"scale={w}:{h},minterpolate=fps=60:mi_mode=mci", "-c:v", "mpeg4", "-q:v", "2",
                    str(dst)], check=True, timeout=300)
    cap = cv2.VideoCapture(str(dst))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


def _mirror(img, rng):
    return cv2.flip(img, 1)


def _landscape(img, rng):
    """A 640x480 webcam-like frame: the portrait scene scaled to the frame height and set in the middle
    of a wider background, so the runner fills a narrow upright strip as in a real laptop view."""
    h, w = img.shape[:2]
    scale = 480 / h
    small = cv2.resize(img, (round(w * scale), 480), interpolation=cv2.INTER_AREA)
    canvas = np.full((480, 640, 3), 90, np.uint8)
    x0 = (640 - small.shape[1]) // 2
    canvas[:, x0 : x0 + small.shape[1]] = small
    return canvas


def _dark_noisy(img, rng):
    """Half the light (gamma) plus sensor-like Gaussian noise: a dim gym."""
    dark = (255.0 * (img / 255.0) ** 1.8 * 0.6).astype(np.float32)
    noisy = dark + rng.normal(0, 8, img.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def derived_clip(src: Clip, kind: str, folder: Path) -> Clip:
    """Make one derived version of `src` in `folder` with its ground truth transformed."""
    truth = copy.deepcopy(src.truth)
    dst = folder / f"{src.name}_{kind}.mp4"
    if kind == "mirror":
        _rewrite(src, dst, _mirror)
        truth["scene"]["runner_faces"] = {"left": "right", "right": "left"}[src.facing]
    elif kind == "fps15":
        _rewrite(src, dst, lambda img, rng: img, keep_every=2)
        truth["video"]["fps"] = src.fps / 2
        truth["video"]["frames"] = (truth["video"]["frames"] + 1) // 2
        # A frame of the 15 fps copy is frame 2k of the original: truth frames are halved (as floats,
        # tests compare times, not indices).
        for key in ("initial_contact_frames", "toe_off_frames"):
            truth[key]["frames"] = [f / 2 for f in truth[key]["frames"]]
    elif kind == "fps60":
        frames = _interpolate_60fps(src, dst)
        truth["video"].update(fps=src.fps * 2, frames=frames, width=src.truth["video"]["width"] // 2,
                              height=src.truth["video"]["height"] // 2)
        # Frame k of the original is frame 2k of the copy (interpolation keeps the real frames).
        for key in ("initial_contact_frames", "toe_off_frames"):
            truth[key]["frames"] = [f * 2 for f in truth[key]["frames"]]
    elif kind == "webcam":
        _rewrite(src, dst, _landscape)
        truth["video"]["width"], truth["video"]["height"] = 640, 480
    elif kind == "dark":
        _rewrite(src, dst, _dark_noisy)
    else:
        raise ValueError(f"unknown derived clip kind {kind!r}")
    return Clip(f"{src.name}_{kind}", dst, truth)


DERIVED_KINDS = ("mirror", "fps15", "fps60", "webcam", "dark")


def write_landscape(src: Clip, dst: Path, n: int) -> Path:
    """The first `n` frames of a clip as a 640x480 webcam-like mp4 (see _landscape)."""
    cap = cv2.VideoCapture(str(src.path))
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), src.fps, (640, 480))
    for _ in range(n):
        ok, img = cap.read()
        if not ok:
            break
        writer.write(_landscape(img, None))
    cap.release()
    writer.release()
    return dst


def write_frames(src: Clip, folder: Path, n: int) -> Path:
    """The first `n` frames of a clip as JPEG images in `folder` (an image-folder source)."""
    folder.mkdir(parents=True, exist_ok=True)
    cap = cv2.VideoCapture(str(src.path))
    for i in range(n):
        ok, img = cap.read()
        if not ok:
            break
        cv2.imwrite(str(folder / f"f{i:03d}.jpg"), img)
    cap.release()
    return folder
