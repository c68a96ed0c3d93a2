"""The overlay drawn for real on a real frame with the real model's pose, and a real window under Xvfb."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from footage import write_frames
from live.keypoints import Kp
from live.overlay import BONE_BGR, POSE_LINE_BGR, Hud, annotate
from live.types import GaitSnapshot


def _frame(clip, index: int) -> np.ndarray:
    cap = cv2.VideoCapture(str(clip.path))
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, image = cap.read()
    cap.release()
    assert ok
    return image


def _near(pixel: np.ndarray, bgr: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(bgr)) <= tol))


def test_skeleton_is_drawn_on_the_runner(clip, poses_of):
    poses = poses_of(clip)
    index = next(i for i, p in enumerate(poses) if not np.isnan(p.xy[[Kp.LEFT_KNEE, Kp.LEFT_ANKLE]]).any())
    pose = poses[index]
    image = _frame(clip, index)
    hud = Hud(fps=30.0, found=True, snapshot=GaitSnapshot(t=pose.t, cadence_spm=172.0, steps=5), cue_text="Pull, don't push")
    out = annotate(image, pose, hud)
    assert out.shape == image.shape and not np.shares_memory(out, image)
    # The middle of the shank bone is painted in the bone colour (it was not before).
    mid = ((pose.xy[Kp.LEFT_KNEE] + pose.xy[Kp.LEFT_ANKLE]) / 2).round().astype(int)
    assert _near(out[mid[1], mid[0]], BONE_BGR)
    assert not _near(image[mid[1], mid[0]], BONE_BGR, tol=10)
    # The Pose line (shoulder-hip-foot) is drawn in its own colour somewhere on the image.
    assert np.any(np.all(np.abs(out.astype(int) - POSE_LINE_BGR) <= 10, axis=2))
    # The HUD box is in the top-left corner and carries text.
    corner = out[:40, :200]
    assert corner.mean() < image[:40, :200].mean() or corner.std() > 0


def test_no_runner_draws_only_the_hud(clip, poses_of):
    from live.types import PoseFrame

    image = _frame(clip, 0)
    empty = PoseFrame.empty(0.0, 0, (image.shape[1], image.shape[0]))
    out = annotate(image, empty, Hud(fps=0.0, found=False))
    changed = np.any(out != image, axis=2)
    ys, xs = np.nonzero(changed)
    assert ys.max() < image.shape[0] * 0.2, "only the HUD corner may change when nobody is in view"


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt install xvfb)")
def test_live_window_opens_under_xvfb(clip, model_path, tmp_path):
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        frames = write_frames(clip, tmp_path / "frames", 15)
        env = dict(os.environ, DISPLAY=display, POSECOACH_MODEL=str(model_path))
        result = subprocess.run(
            [sys.executable, "-m", "live", "live", "--source", str(frames), "--no-speech", "--out", str(tmp_path / "s")],
            capture_output=True, text=True, env=env, timeout=180)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert "headless" not in result.stderr, result.stderr
    assert len((tmp_path / "s" / "poses.jsonl").read_text().splitlines()) == 15


def test_headless_machine_is_detected_without_aborting(monkeypatch):
    from live.display import display_available

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    ok, why = display_available()
    if sys.platform.startswith("linux"):
        assert not ok and "headless" in why


def test_the_pose_line_ends_at_the_tracked_support_foot(clip, poses_of):
    """The gait tracker gives the overlay its support foot: set in nearly every frame of the clip,
    and just after each annotated landing it is the landing foot (the forward ankle at contact)
    plus the ball-of-foot offset."""
    from live.gait import GaitTracker
    from live.gait.metrics import BALL_FORWARD_BH

    poses = poses_of(clip)
    tr = GaitTracker()
    support = {}
    for p in poses:
        tr.update(p)
        support[p.index] = tr.support_foot_xy
    assert sum(v is not None for v in support.values()) >= 0.95 * len(poses)
    bh, sign = tr.body_height_px, tr.body.sign
    by_index = {p.index: p for p in poses}
    errors = []
    for f in clip.landings[:-1]:
        xs = by_index[f].xy[[Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE], 0]
        forward = np.nanmax(sign * xs) * sign
        ball = support[f + 1]
        if ball is not None:
            errors.append(abs(ball[0] - sign * BALL_FORWARD_BH * bh - forward) / bh)
    assert len(errors) >= 0.9 * (len(clip.landings) - 1)
    assert np.median(errors) <= 0.1  # body heights: the foot moves back with the belt in a frame
