"""The live window and the `--record` writer.

`cv2.imshow` aborts the whole process (uncatchable) when no display can be opened, so we never call
it before a child process has shown that a window opens on this machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from live.errors import BadInputError

WINDOW = "posecoach"
QUIT_KEYS = {ord("q"), ord("Q"), 27}  # q or Esc
_PROBE = "import cv2; cv2.namedWindow('probe'); cv2.waitKey(1); cv2.destroyAllWindows()"


def display_available(timeout_s: float = 5.0) -> tuple[bool, str]:
    """(True, "") when an OpenCV window can be opened, else (False, why) in one sentence."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False, "No display found (DISPLAY is not set): running headless."
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return False, "The display did not answer: running headless."
    if probe.returncode != 0:
        return False, "OpenCV cannot open a window on this display: running headless."
    return True, ""


class Window:
    """A resizable OpenCV window; `show()` returns False when the user pressed q or Esc."""

    def __enter__(self) -> Window:
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
        return self

    def show(self, image: np.ndarray) -> bool:
        cv2.imshow(WINDOW, image)
        key = cv2.waitKey(1) & 0xFF
        return key not in QUIT_KEYS

    def __exit__(self, *exc) -> None:
        cv2.destroyWindow(WINDOW)
        cv2.waitKey(1)


class Recorder:
    """Writes the annotated frames to an mp4 at the source's frame rate."""

    def __init__(self, path: str | Path, fps: float):
        self.path = Path(path)
        self.fps = fps
        self._writer: cv2.VideoWriter | None = None

    def __enter__(self) -> Recorder:
        return self

    def write(self, image: np.ndarray) -> None:
        if self._writer is None:
            h, w = image.shape[:2]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._writer.isOpened():
                raise BadInputError(f"Cannot write the recording {self.path} (is the folder writable and the name .mp4?).")
        self._writer.write(image)

    def __exit__(self, *exc) -> None:
        if self._writer is not None:
            self._writer.release()
