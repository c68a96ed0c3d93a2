"""Real-world faults inside a session, provoked for real on the shared clip through the real CLI:
the runner steps off (empty background spliced in), a second person walks in (a mirrored copy of
the runner composited beside them), the recording is cut short (a truncated file), and a bug inside a
stage (an exception injected into the gait stage: the thing under test is the loop's handling of
it, so the fault is planted in the stage and everything else is real)."""
from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from tests.footage import _frames, _write
from tests.gait_accuracy import accuracy, match

GAP_AT = 180  # the runner steps off after this many frames (6 s into the clip)...
GAP_FRAMES = 90  # ...for 3 s, then is back for the clip's last 6 s
SECOND_PERSON = (120, 240)  # frames with a passer-by in view
FREQUENT_CUES = """
[coach]
warmup_s = 1.0
warmup_steps = 4
min_gap_s = 1.0
repeat_gap_s = 2.0
"""


def _analyze(video: Path, out: Path, model_path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    return subprocess.run([sys.executable, "-m", "live", "analyze", str(video), "--out", str(out), *extra],
                          capture_output=True, text=True, env=env, timeout=600)


def _runner_region(poses, size_wh: tuple[int, int], margin: float = 0.06) -> tuple[int, int, int, int]:
    """The union of the runner's boxes over the clip, grown by `margin` of the frame: where the
    runner ever is."""
    boxes = np.array([p.box for p in poses if p.found])
    w, h = size_wh
    x0, y0 = boxes[:, 0].min() - margin * w, boxes[:, 1].min() - margin * h
    x1, y1 = boxes[:, 2].max() + margin * w, boxes[:, 3].max() + margin * h
    return int(max(x0, 0)), int(max(y0, 0)), int(min(x1, w)), int(min(y1, h))


def _steps(folder: Path) -> list[dict]:
    with open(folder / "steps.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def clean_poses(clip, poses_of):
    return poses_of(clip)


@pytest.fixture(scope="module")
def stepped_off(clip, clean_poses, model_path, tmp_path_factory):
    """The clip with 3 s of the empty treadmill spliced in at 6 s: the first frame with the runner's
    region inpainted from its surroundings, as a camera sees the scene once the runner stepped off."""
    folder = tmp_path_factory.mktemp("stepped_off")
    images = list(_frames(clip))
    h, w = images[0].shape[:2]
    x0, y0, x1, y1 = _runner_region(clean_poses, (w, h))
    mask = np.zeros((h, w), np.uint8)
    mask[y0:y1, x0:x1] = 255
    empty = cv2.inpaint(images[0], mask, 5, cv2.INPAINT_TELEA)
    video = folder / "stepped_off.mp4"
    _write(images[:GAP_AT] + [empty] * GAP_FRAMES + images[GAP_AT:], video, clip.fps)
    cues = folder / "cues.toml"
    cues.write_text(FREQUENT_CUES)
    out = folder / "session"
    result = _analyze(video, out, model_path, "--cues", str(cues))
    return result, out


def test_no_step_and_no_cue_while_the_runner_is_away(stepped_off, clip):
    result, out = stepped_off
    assert result.returncode == 0, result.stderr
    gap = (GAP_AT / clip.fps, (GAP_AT + GAP_FRAMES) / clip.fps)
    summary = json.loads((out / "summary.json").read_text())
    assert not [l for l in summary["landings"] if gap[0] + 0.1 < l["t"] < gap[1]]
    cues = [json.loads(line) for line in (out / "cues.jsonl").read_text().splitlines()]
    assert cues, "the short warm-up gives cues on this clip, so their absence in the gap means something"
    assert not [c for c in cues if gap[0] < c["t"] < gap[1]], cues
    assert result.stderr.count("No runner in view") == 1 and result.stderr.count("Runner back in view.") == 1


def test_the_gait_state_starts_afresh_when_the_runner_is_back(stepped_off, clip):
    result, out = stepped_off
    gap_end = (GAP_AT + GAP_FRAMES) / clip.fps
    for row in _steps(out):
        t, contact_ms = float(row["t_s"]), float(row["contact_ms"] or math.nan)
        # no step measured across the gap: a step starting before it would have a contact or a
        # flight of seconds
        assert not (t < gap_end and t + (contact_ms or 0) / 1000 > gap_end + 0.5), row
        for key in ("contact_ms", "flight_ms", "pull_ms"):
            assert not row[key] or float(row[key]) < 1000, row
    # The landings after the return are where the runner landed (truth shifted by the gap).
    truth = clip.truth["initial_contact_frames"]["frames"]
    after_t = [(f + GAP_FRAMES) / clip.fps for f in truth if f >= GAP_AT + 2 and f <= 350]
    det = [l["t"] for l in json.loads((out / "summary.json").read_text())["landings"] if l["t"] > gap_end]
    within_2 = match(after_t, det, 2 / clip.fps + 1e-6)
    assert len(within_2) >= 0.9 * len(after_t), (after_t, det)


@pytest.fixture(scope="module")
def second_person(clip, clean_poses, model_path, tmp_path_factory):
    """A passer-by beside the runner for 4 s: the runner's box of the mirrored frame (the same
    person running the other way), a little smaller (a step farther from the camera), pasted just
    in front of the runner, feet on the same line."""
    folder = tmp_path_factory.mktemp("second_person")
    images = list(_frames(clip))
    h, w = images[0].shape[:2]
    out_images = []
    for i, img in enumerate(images):
        pose = clean_poses[i]
        if SECOND_PERSON[0] <= i < SECOND_PERSON[1] and pose.found:
            img = img.copy()
            x0, y0, x1, y1 = (int(v) for v in pose.box)
            copy = cv2.flip(images[i], 1)[y0:y1, w - x1:w - x0]
            copy = cv2.resize(copy, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA)
            ch, cw = copy.shape[:2]
            dx = min(x1 + 5, w - cw)  # beside the runner, inside the frame
            img[y1 - ch:y1, dx:dx + cw] = copy
        out_images.append(img)
    video = folder / "second_person.mp4"
    _write(out_images, video, clip.fps)
    out = folder / "session"
    return _analyze(video, out, model_path), out


def test_the_runner_keeps_being_tracked_when_a_second_person_walks_in(second_person, clip, clean_poses):
    result, out = second_person
    assert result.returncode == 0, result.stderr
    poses = [json.loads(line) for line in (out / "poses.jsonl").read_text().splitlines()]
    from live.runner import box_iou

    same = []
    for i in range(*SECOND_PERSON):
        clean, seen = clean_poses[i], poses[i]
        if clean.found and seen["box"] is not None:
            same.append(box_iou(np.asarray(clean.box, float), np.asarray([seen["box"]], float))[0] > 0.5)
    assert len(same) >= 0.95 * (SECOND_PERSON[1] - SECOND_PERSON[0]) and np.mean(same) >= 0.98


def test_a_second_person_changes_no_gait_event(second_person, clip):
    result, out = second_person
    summary = json.loads((out / "summary.json").read_text())
    steps = [SimpleNamespace(contact_ms=float(r["contact_ms"] or math.nan)) for r in _steps(out)]
    acc = accuracy(summary, steps, clip.truth)
    assert abs(acc.cadence_err_spm) <= 1.5 and acc.within_1 >= 0.75 and acc.within_2 >= 0.95, acc
    assert acc.extra <= 0.05 and acc.alternation >= 0.95, acc


def test_a_truncated_recording_keeps_what_was_read(clip, model_path, tmp_path):
    """A recording cut in half (its writer killed): the header still announces every frame."""
    whole = tmp_path / "faststart.mp4"  # the index first, so the first half stays decodable
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(clip.path), "-c", "copy", "-movflags", "+faststart",
                    str(whole)], check=True, timeout=60)
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "session"
    result = _analyze(cut, out, model_path, "--no-keyframes")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert 100 < summary["frames"] < 0.75 * clip.truth["video"]["frames"]
    assert f"ended after {summary['frames']} of the {clip.truth['video']['frames']} frames" in result.stderr
    assert summary["steps"] >= 10 and (out / "report.html").is_file()


CRASH_IN_GAIT = """
import sys
from live.gait.tracker import GaitTracker

real_update = GaitTracker.update


def update(self, pose):
    if pose.index == 100:
        raise ZeroDivisionError("fault planted in the gait stage")
    return real_update(self, pose)


GaitTracker.update = update
from live.cli import main

sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_inside_a_stage_is_logged_and_the_session_saved(clip, model_path, tmp_path):
    out = tmp_path / "session"
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    result = subprocess.run([sys.executable, "-c", CRASH_IN_GAIT, "analyze", str(clip.path), "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 70, result.stderr
    assert "Traceback" not in result.stderr
    assert "Internal error (ZeroDivisionError: fault planted in the gait stage); the traceback is in" in result.stderr
    log = (out / "session.log").read_text()
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError: fault planted" in log
    lines = (out / "poses.jsonl").read_text().splitlines()
    assert len(lines) == 101 and all(json.loads(l) for l in lines)  # frames 0..100: the crash frame's pose is kept
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frames"] == 101 and summary["steps"] >= 5
    assert (out / "steps.csv").is_file() and (out / "report.html").is_file()
