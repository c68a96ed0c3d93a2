"""The real command on the real clip: `analyze` and `live --realtime` write a full session folder
with the runner found and keypoints on the runner."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from live.keypoints import Kp
from live_run import interrupt_live

SESSION_FILES = ("poses.jsonl", "steps.csv", "cues.jsonl", "summary.json", "profile.json")


def _posecoach(*args: str, model_path, timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True, env=env, timeout=timeout)
    return result, time.monotonic() - start


@pytest.fixture
def analyzed(analyzed_clip):
    return analyzed_clip


@pytest.fixture
def rehearsed(rehearsed_clip):
    return rehearsed_clip.folder, rehearsed_clip.wall_s


def _poses(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / "poses.jsonl").read_text().splitlines()]


def test_analyze_writes_one_pose_line_per_frame_with_the_runner_found(analyzed, clip):
    rows = _poses(analyzed)
    assert len(rows) == clip.truth["video"]["frames"] == 360
    assert [r["index"] for r in rows] == list(range(360))
    found = sum(r["box"] is not None for r in rows)
    assert found >= 0.95 * len(rows)
    for name in SESSION_FILES:
        assert (analyzed / name).is_file(), name
    first = rows[0]
    assert set(first) == {"index", "t", "xy", "conf", "box"}
    assert len(first["xy"]) == 17 and len(first["conf"]) == 17


def test_keypoints_land_on_the_runner(analyzed, clip):
    rows = [r for r in _poses(analyzed) if r["box"] is not None]
    ordered = 0
    inside = 0
    for r in rows:
        xy = np.array([[np.nan, np.nan] if p is None else p for p in r["xy"]], float)
        hip = np.nanmean(xy[[Kp.LEFT_HIP, Kp.RIGHT_HIP], 1])
        knee = np.nanmean(xy[[Kp.LEFT_KNEE, Kp.RIGHT_KNEE], 1])
        ankle = np.nanmean(xy[[Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE], 1])
        shoulder = np.nanmean(xy[[Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER], 1])
        ordered += bool(shoulder < hip < knee < ankle)  # image y grows downwards
        x1, y1, x2, y2 = r["box"]
        pts = xy[~np.isnan(xy).any(axis=1)]
        inside += bool(np.mean((pts[:, 0] >= x1 - 5) & (pts[:, 0] <= x2 + 5) & (pts[:, 1] >= y1 - 5) & (pts[:, 1] <= y2 + 5)) > 0.9)
    assert ordered >= 0.9 * len(rows)
    assert inside >= 0.95 * len(rows)
    # The box stays around the one runner on a treadmill: its centre barely moves, its height is a
    # large part of the portrait frame.
    boxes = np.array([r["box"] for r in rows])
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    height = boxes[:, 3] - boxes[:, 1]
    assert np.std(cx) < 0.1 * clip.truth["video"]["width"]
    assert np.median(height) > 0.4 * clip.truth["video"]["height"]


def test_live_realtime_rehearsal_takes_the_clip_duration_and_writes_the_same_folder(rehearsed, clip):
    folder, wall_s = rehearsed
    for name in SESSION_FILES:
        assert (folder / name).is_file(), name
    duration_s = clip.truth["video"]["duration_s"]
    assert wall_s >= 0.9 * duration_s  # paced like a camera, not read as fast as possible
    summary = json.loads((folder / "summary.json").read_text())
    rows = _poses(folder)
    assert len(rows) + summary["dropped_frames"] == 360
    assert sum(r["box"] is not None for r in rows) >= 0.95 * len(rows)


def test_live_rehearsal_measures_the_same_steps_as_analysis(analyzed, rehearsed, clip):
    """Events are online, not hindsight: the paced live run finds the same landings and cadence."""
    folder, _ = rehearsed
    live = json.loads((folder / "summary.json").read_text())
    offline = json.loads((analyzed / "summary.json").read_text())
    assert abs(live["cadence_spm"] - offline["cadence_spm"]) <= 1.0
    assert abs(live["cadence_spm"] - clip.truth["cadence_spm"]["value"]) <= 1.0
    live_frames = [x["frame"] for x in live["landings"]]
    offline_frames = [x["frame"] for x in offline["landings"]]
    if live["dropped_frames"] == 0:  # every frame seen: the very same computation
        assert live_frames == offline_frames
    else:  # a loaded machine dropped frames: the landings still agree within a frame
        matched = sum(any(abs(a - b) <= 1 for b in offline_frames) for a in live_frames)
        assert matched >= 0.95 * len(offline_frames)


def test_a_front_view_is_said_once_and_gives_no_cues(model_path, tmp_path):
    """ultralytics' bus.jpg (people facing the camera) as a 4 s still 'video': the session runs,
    says in one sentence that it coaches a front view (issue 14), measures a front-view profile from
    the real model's poses, and a still picture gives no step and so no cue."""
    from live.pose import quiet_ultralytics

    quiet_ultralytics()
    from ultralytics.utils import ASSETS

    bus = ASSETS / "bus.jpg"
    if not bus.is_file():
        pytest.skip(f"ultralytics ships no {bus}")
    frames = tmp_path / "bus"
    frames.mkdir()
    for i in range(120):  # 4 s at 30 fps: longer than auto-calibration's first seconds
        (frames / f"f{i:03d}.jpg").symlink_to(bus)
    result, _ = _posecoach("analyze", str(frames), "--out", str(tmp_path / "s"), model_path=model_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("sees the runner from the front") == 1
    assert "front-view coaching" in result.stderr
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["view"] == "front" and summary["view_check"]["view"] == "front" and summary["steps"] == 0
    assert json.loads((tmp_path / "s" / "profile.json").read_text())["view"] == "front"
    assert (tmp_path / "s" / "cues.jsonl").read_text() == ""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_interrupted_session_is_saved_with_exit_130(clip, model_path, tmp_path, sig):
    out = tmp_path / "session"
    code, stderr = interrupt_live(clip.path, model_path, out, sig, 30)  # a second of the run processed
    assert code == 130, stderr
    assert "Traceback" not in stderr
    poses = out / "poses.jsonl"
    summary = json.loads((out / "summary.json").read_text())
    assert 30 <= summary["frames"] < 360
    assert len(poses.read_text().splitlines()) == summary["frames"]
    assert (out / "steps.csv").is_file() and (out / "profile.json").is_file()
