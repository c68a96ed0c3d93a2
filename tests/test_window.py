"""The live window as a runner sees it: a real `posecoach live --realtime` under Xvfb, its window
measured with xwininfo and photographed with ffmpeg's x11grab; the HUD text measured in pixels."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from footage import write_landscape, write_scaled
from live.overlay import HUD_BG

SCREEN_WH = (1280, 1024)
MIN_TEXT_PX = 14  # the bound for HUD text in the screenshot
TOOLS = ("Xvfb", "xwininfo", "ffmpeg")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason=f"needs {', '.join(TOOLS)} (apt install xvfb x11-utils ffmpeg)")


@pytest.fixture
def xvfb():
    display = ":96"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{SCREEN_WH[0]}x{SCREEN_WH[1]}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    yield display
    proc.terminate()
    proc.wait(timeout=10)


def _window_geometry(display: str, timeout_s: float) -> tuple[int, int, int, int] | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = subprocess.run(["xwininfo", "-name", "posecoach"], capture_output=True, text=True,
                              env=dict(os.environ, DISPLAY=display))
        if info.returncode == 0:
            num = lambda key: int(re.search(rf"{key}:\s+(-?\d+)", info.stdout).group(1))  # noqa: E731
            return num("Absolute upper-left X"), num("Absolute upper-left Y"), num("Width"), num("Height")
        time.sleep(0.3)
    return None


def _screenshot(display: str, geom: tuple[int, int, int, int], path: Path) -> np.ndarray:
    x, y, w, h = geom
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "x11grab", "-video_size", f"{w}x{h}",
                    "-i", f"{display}+{x},{y}", "-frames:v", "1", str(path)], check=True, timeout=30)
    return cv2.imread(str(path))


def hud_line_heights(shot: np.ndarray) -> list[int]:
    """Heights in pixels of the text lines in the HUD panel (the HUD_BG box at the top left):
    rows of bright pixels inside it, grouped into bands, one band per line of text."""
    panel = np.all(np.abs(shot.astype(int) - np.array(HUD_BG)) <= 6, axis=2)
    assert panel[1, 1], "no HUD panel in the window's top-left corner"
    right = int(np.argmin(panel[1, :])) or shot.shape[1]
    bottom = int(np.argmin(panel[:, 1])) or shot.shape[0]
    text_rows = (cv2.cvtColor(shot[:bottom, :right], cv2.COLOR_BGR2GRAY) > 128).any(axis=1)
    heights, run = [], 0
    for lit in list(text_rows) + [False]:
        if lit:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    return heights


def _live_window(clip_path: Path, display: str, tmp_path: Path, model_path: Path, settle_s: float):
    env = dict(os.environ, DISPLAY=display, POSECOACH_MODEL=str(model_path))
    proc = subprocess.Popen([sys.executable, "-m", "live", "live", "--source", str(clip_path), "--realtime",
                             "--no-speech", "--out", str(tmp_path / "session")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        geom = _window_geometry(display, 120)
        assert geom is not None, "the live window never appeared"
        time.sleep(settle_s)  # a few steps, so the HUD has its gait lines
        shot = _screenshot(display, geom, tmp_path / "window.png")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    return geom, shot, err


def _source(kind: str, clip, tmp_path: Path) -> Path:
    if kind == "portrait":
        return clip.path  # 720x1280
    if kind == "phone_1080x1920":
        return write_scaled(clip, tmp_path / "phone.mp4", 150, (1080, 1920))
    return write_landscape(clip, tmp_path / "webcam.mp4", 150)  # 640x480


@pytest.mark.parametrize("kind", ["portrait", "phone_1080x1920", "webcam"])
def test_window_fits_the_screen_and_hud_is_readable(kind, clip, model_path, xvfb, tmp_path):
    source = _source(kind, clip, tmp_path)
    cap = cv2.VideoCapture(str(source))
    frame_wh = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    (x, y, w, h), shot, err = _live_window(source, xvfb, tmp_path, model_path, settle_s=3.0)
    print(f"\n{kind}: frame {frame_wh[0]}x{frame_wh[1]} -> window {w}x{h} on {SCREEN_WH[0]}x{SCREEN_WH[1]}")
    # On screen, the frame's aspect, and large: most of the screen's limiting side.
    assert x + w <= SCREEN_WH[0] and y + h <= SCREEN_WH[1]
    assert w / h == pytest.approx(frame_wh[0] / frame_wh[1], rel=0.02)
    assert max(w / SCREEN_WH[0], h / SCREEN_WH[1]) >= 0.6
    heights = hud_line_heights(shot)
    print(f"HUD text line heights (px): {heights}")
    assert len(heights) >= 3, "the HUD should show the gait lines after a few steps"
    assert min(heights) >= MIN_TEXT_PX
    assert "QFontDatabase" not in err, err
    assert "Traceback" not in err, err
