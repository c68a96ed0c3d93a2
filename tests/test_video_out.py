"""`analyze --video-out`: the annotated video, frame for frame, for review in slow motion."""
from __future__ import annotations

import os
import subprocess
import sys

import cv2
import numpy as np

from footage import write_trimmed

FRAMES = 150  # 5 s of the clip: every frame is checked, so more frames would only take longer


def _frames(path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        out.append(image)
    cap.release()
    return out


def test_video_out_is_the_clip_annotated(clip, model_path, tmp_path):
    video, source_path = tmp_path / "review.mp4", write_trimmed(clip, tmp_path / "clip.mp4", FRAMES)
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    result = subprocess.run([sys.executable, "-m", "live", "analyze", str(source_path), "--out", str(tmp_path / "s"),
                             "--video-out", str(video)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    source, annotated = _frames(source_path), _frames(video)
    assert len(annotated) == len(source) == FRAMES
    assert annotated[0].shape == source[0].shape
    # Where the skeleton is drawn (the hip, mid-clip), the picture differs from the source far
    # beyond the mp4 codec's own error; the HUD alone would only change the top-left corner.
    i = len(source) // 2
    h, w = source[i].shape[:2]
    middle = (slice(h // 4, 3 * h // 4), slice(w // 4, 3 * w // 4))
    bone = np.array([80, 220, 80])  # BONE_BGR
    near_bone = np.abs(annotated[i][middle].astype(int) - bone).sum(axis=2) < 60
    was_bone = np.abs(source[i][middle].astype(int) - bone).sum(axis=2) < 60
    assert near_bone.sum() > 200 + was_bone.sum()
