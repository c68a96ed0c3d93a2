"""The live window and the `--record` writer.

`cv2.imshow` aborts the whole process (uncatchable) when no display can be opened, so we never call
it before a child process has shown that a window opens on this machine.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from live.errors import BadInputError

WINDOW = "posecoach"
QUIT_KEYS = {ord("q"), ord("Q"), 27}  # q or Esc
# The window opens at the largest size that keeps the frame's aspect and leaves room for the
# desktop's panels and title bar; a small webcam frame is enlarged, but not beyond the point where
# its pixels turn to blocks.
SCREEN_FILL = 0.85
MAX_UPSCALE = 1.5
# When the screen size cannot be read (no X11 library, an unknown platform): the most common
# laptop screen, so the window fits there.
FALLBACK_SCREEN_WH = (1366, 768)
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


def quiet_qt() -> None:
    """OpenCV's Qt build looks for fonts in a folder of its own that pip never installs and says
    so ten times per window ("QFontDatabase: Cannot find font directory"): point it at the
    system's fonts instead, unless the user chose a folder."""
    if "QT_QPA_FONTDIR" in os.environ:
        return
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype", "/usr/share/fonts"):
        if os.path.isdir(folder):
            os.environ["QT_QPA_FONTDIR"] = folder
            return


def screen_size() -> tuple[int, int] | None:
    """(width, height) of the screen in pixels, or None when it cannot be read. X11 through Xlib
    (a NULL display is a clean failure, unlike cv2.imshow); Windows through user32."""
    if sys.platform == "win32":
        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        return int(user32.GetSystemMetrics(0)), int(user32.GetSystemMetrics(1))
    name = ctypes.util.find_library("X11") if os.environ.get("DISPLAY") else None
    if name is None:
        return None
    try:
        x11 = ctypes.CDLL(name)
    except OSError:
        return None
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for fn in (x11.XDefaultScreen, x11.XCloseDisplay):
        fn.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    display = x11.XOpenDisplay(None)
    if not display:
        return None
    try:
        screen = x11.XDefaultScreen(display)
        return int(x11.XDisplayWidth(display, screen)), int(x11.XDisplayHeight(display, screen))
    finally:
        x11.XCloseDisplay(display)


def fit_size(image_wh: tuple[int, int], box_wh: tuple[int, int], max_scale: float = math.inf) -> tuple[int, int]:
    """The largest (w, h) with the image's aspect that fits in box_wh, scaled at most max_scale."""
    (w, h), (bw, bh) = image_wh, box_wh
    scale = min(bw / w, bh / h, max_scale)
    return max(1, round(w * scale)), max(1, round(h * scale))


def window_size(image_wh: tuple[int, int], screen_wh: tuple[int, int] | None) -> tuple[int, int]:
    """Where the window opens: the frame's aspect, SCREEN_FILL of the screen at most."""
    sw, sh = screen_wh or FALLBACK_SCREEN_WH
    return fit_size(image_wh, (int(sw * SCREEN_FILL), int(sh * SCREEN_FILL)), MAX_UPSCALE)


class Window:
    """The live window, opened at a size that fits the screen with the frame's aspect.

    `fit(image)` returns the frame resized to the window's current drawing area (the user may
    resize the window), so the HUD can be drawn at a readable size on what is shown; `show()`
    returns False when the user pressed q or Esc. Without `image_wh` the window takes its size
    from the first frame given to `fit()`."""

    def __init__(self, image_wh: tuple[int, int] | None = None):
        self.size_wh: tuple[int, int] | None = None
        self._image_wh = image_wh
        self._shown = False  # the drawing area is laid out once a frame was shown

    def __enter__(self) -> Window:
        quiet_qt()
        # GUI_NORMAL: no Qt toolbar or status bar eating into a small window.
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        if self._image_wh is not None:
            self._open_at(self._image_wh)
        return self

    def _open_at(self, image_wh: tuple[int, int]) -> None:
        self.size_wh = window_size((int(image_wh[0]), int(image_wh[1])), screen_size())
        cv2.resizeWindow(WINDOW, *self.size_wh)

    def fit(self, image: np.ndarray) -> np.ndarray:
        """The image at the size it will be shown: the window's drawing area, aspect kept."""
        image_wh = (image.shape[1], image.shape[0])
        if self.size_wh is None:
            self._open_at(image_wh)
        # Before the first frame is shown the drawing area is not laid out (Qt reported 489x139 for
        # a window opened at 489x870, and the first HUD was drawn for that): use the size asked for.
        w, h = self._drawing_area() if self._shown else self.size_wh
        if w > 0 and h > 0:
            self.size_wh = (w, h)
        size = fit_size(image_wh, self.size_wh)
        if size == image_wh:
            return image
        shrink = size[0] < image_wh[0]
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)

    def _drawing_area(self) -> tuple[int, int]:
        try:
            _, _, w, h = cv2.getWindowImageRect(WINDOW)
        except cv2.error:  # a backend without the call: keep the size we asked for
            w, h = self.size_wh
        return w, h

    def show(self, image: np.ndarray) -> bool:
        self._shown = True
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
