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
HUD_WAIT_S = 30.0  # longest wait for the HUD's gait lines once the window is up
# Frames of the scaled copies: the whole clip (12 s). A --realtime session lasts as long as its
# video whatever the machine's load; a 5 s copy ended, on a loaded machine, before its window was
# shown or its HUD had its gait lines. The test stops the session once it has its photo, so a long
# copy costs only the time to write it.
SOURCE_FRAMES = 360
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


def _window_geometry(display: str, timeout_s: float, proc: subprocess.Popen | None = None) -> tuple[int, int, int, int] | None:
    """The window's (x, y, w, h) once it is mapped and shown; None after timeout_s, or once `proc`
    (the session that opens it) has exited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        info = subprocess.run(["xwininfo", "-name", "posecoach"], capture_output=True, text=True,
                              env=dict(os.environ, DISPLAY=display))
        if info.returncode == 0 and "IsViewable" in info.stdout:  # mapped and shown, not just created
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
    rows of bright pixels inside it, grouped into bands, one band per line of text; none when the
    window shows no HUD panel (yet)."""
    panel = np.all(np.abs(shot.astype(int) - np.array(HUD_BG)) <= 6, axis=2)
    if not panel[1, 1]:
        return []
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


def _hud_shot(display: str, path: Path, proc: subprocess.Popen, wait_s: float):
    """(geometry, photo) of the window once its HUD shows the gait lines (a few steps in), or the last
    photo taken when the session ends or `wait_s` passes first. The window opens before its first
    frame is drawn (black until then) and, on a loaded machine, well before the first steps are
    timed: a fixed wait photographed an empty window in one CI run. The geometry is read again for
    every photo: the window may still be moved or resized after it first appears."""
    deadline = time.monotonic() + wait_s
    while True:
        geom = _window_geometry(display, 5.0)
        shot = None if geom is None else _screenshot(display, geom, path)
        done = proc.poll() is not None or time.monotonic() > deadline
        if shot is not None and (len(hud_line_heights(shot)) >= 3 or done):
            return geom, shot
        assert not done, "the live window closed before a photo of it could be taken"
        time.sleep(0.2)


def _live_window_once(clip_path: Path, display: str, out: Path, model_path: Path):
    env = dict(os.environ, DISPLAY=display, POSECOACH_MODEL=str(model_path))
    proc = subprocess.Popen([sys.executable, "-m", "live", "live", "--source", str(clip_path), "--realtime",
                             "--no-speech", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    appeared = False
    try:
        appeared = _window_geometry(display, 120, proc) is not None
        if appeared:
            geom, shot = _hud_shot(display, out.parent / f"{out.name}.png", proc, HUD_WAIT_S)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert appeared, f"the live window never appeared (session exit code {proc.returncode}):\n{err[-3000:]}"
    return geom, shot, err


def _live_window(clip_path: Path, display: str, tmp_path: Path, model_path: Path):
    """One live session's window, photographed. Under Xvfb, with no window manager, on a machine
    loaded beyond its cores (three busy processes beside the test on two cores), Qt left the window
    black for a whole session in 2 of 6 runs while the loop showed every frame at the right size (a
    missed expose: Qt paints only a window it knows is exposed). Such a window, black in every
    photo, gets one second session; any other outcome is the verdict."""
    geom, shot, err = _live_window_once(clip_path, display, tmp_path / "session", model_path)
    if shot.max() == 0:
        print("the window was never painted: a second session")
        geom, shot, err = _live_window_once(clip_path, display, tmp_path / "session2", model_path)
    return geom, shot, err


def _source(kind: str, clip, tmp_path: Path) -> Path:
    if kind == "portrait":
        return clip.path  # 720x1280
    if kind == "phone_1080x1920":
        return write_scaled(clip, tmp_path / "phone.mp4", SOURCE_FRAMES, (1080, 1920))
    return write_landscape(clip, tmp_path / "webcam.mp4", SOURCE_FRAMES)  # 640x480


@pytest.mark.parametrize("kind", ["portrait", "phone_1080x1920", "webcam"])
def test_window_fits_the_screen_and_hud_is_readable(kind, clip, model_path, xvfb, tmp_path):
    source = _source(kind, clip, tmp_path)
    cap = cv2.VideoCapture(str(source))
    frame_wh = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    (x, y, w, h), shot, err = _live_window(source, xvfb, tmp_path, model_path)
    print(f"\n{kind}: frame {frame_wh[0]}x{frame_wh[1]} -> window {w}x{h} on {SCREEN_WH[0]}x{SCREEN_WH[1]}")
    # On screen, the frame's aspect, and large: most of the screen's limiting side.
    assert x + w <= SCREEN_WH[0] and y + h <= SCREEN_WH[1]
    assert w / h == pytest.approx(frame_wh[0] / frame_wh[1], rel=0.02)
    assert max(w / SCREEN_WH[0], h / SCREEN_WH[1]) >= 0.6
    heights = hud_line_heights(shot)
    print(f"HUD text line heights (px): {heights}")
    assert heights, "no HUD panel in the window's top-left corner"
    assert len(heights) >= 3, "the HUD should show the gait lines after a few steps"
    assert min(heights) >= MIN_TEXT_PX
    assert "QFontDatabase" not in err, err
    assert "Traceback" not in err, err


def test_the_first_frame_is_drawn_at_the_size_the_window_opened_at(xvfb):
    """Before its first frame is shown, Qt reports a drawing area that is not laid out yet (489x139
    for a window opened at 489x870): the first frame, HUD included, must be drawn for the window's
    size, not for that (it showed the HUD six times too large until the second frame)."""
    code = ("import numpy as np; from live.display import Window\n"
            "with Window((720, 1280)) as w:\n"
            "    first = w.fit(np.zeros((1280, 720, 3), np.uint8)); asked = w.size_wh; w.show(first)\n"
            "    print(first.shape[1], first.shape[0], *asked)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, DISPLAY=xvfb))
    assert out.returncode == 0, out.stderr
    fw, fh, aw, ah = map(int, out.stdout.split())
    assert abs(fw - aw) <= 1 and abs(fh - ah) <= 1, (fw, fh, aw, ah)  # the aspect kept to the pixel
    assert max(aw / SCREEN_WH[0], ah / SCREEN_WH[1]) >= 0.6
