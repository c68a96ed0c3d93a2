"""The clips a bench run needs, made with ffmpeg in a temporary folder (never in the repository)."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2

from live.errors import BadInputError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO.parent / "shared" / "footage" / "male_side" / "male_side.mp4"
DEFAULT_MODEL = REPO.parent / "shared" / "models" / "yolo11n-pose.pt"


@dataclass(frozen=True)
class BenchClips:
    main: Path  # the clip (trimmed in --short)
    fps: float
    frames: int
    at_60fps: Path  # the same scene with every frame repeated up to 60 fps: 60 fps pacing, true times
    long: Path  # the clip looped to `long_s` of video
    truth: dict | None  # ground_truth.json beside the clip, when there is one


def _ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        raise BadInputError("The bench needs ffmpeg to prepare its clips; install it (apt install ffmpeg).")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _probe(path: Path) -> tuple[float, int]:
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise BadInputError(f"The bench clip {path} could not be opened as a video.")
        return float(cap.get(cv2.CAP_PROP_FPS)), int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def prepare(clip: Path, folder: Path, short_s: float | None, long_s: float) -> BenchClips:
    """Trim (when `short_s`), make the 60 fps copy and the long loop. Encodes are fast x264 at high
    quality so decode cost stays comparable with the original's."""
    if not clip.is_file():
        raise BadInputError(f"No such bench clip: {clip}.")
    truth_file = clip.parent / "ground_truth.json"
    truth = json.loads(truth_file.read_text()) if truth_file.is_file() else None
    main = clip
    if short_s is not None:
        main = folder / "short.mp4"
        _ffmpeg("-i", str(clip), "-t", f"{short_s:.3f}", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", str(main))
    fps, frames = _probe(main)
    at_60 = folder / "at60.mp4"
    _ffmpeg("-i", str(main), "-vf", "fps=60", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", str(at_60))
    loops = max(1, round(long_s * fps / max(frames, 1)))
    long = folder / "long.mp4"
    # Stream copy: a 10-minute loop costs no encoding time.
    _ffmpeg("-stream_loop", str(loops - 1), "-i", str(main), "-an", "-c", "copy", str(long))
    return BenchClips(main, fps, frames, at_60, long, truth)
