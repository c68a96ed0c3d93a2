"""Disk faults and a killed process (issue 13): a real posecoach run on the real clip, on a real
small disk (tmpfs) or killed with SIGKILL, leaves a folder whose every complete line parses and
that `posecoach report` reads; a bad --out is refused in one sentence before the model loads."""
from __future__ import annotations

import io
import json
import math
import signal

import pytest
from session_files import complete_jsonl, fill_disk, line_count, posecoach, start, tmpfs, wait_for, whole_csv_rows

from live.gait.output import write_steps_csv
from live.session import BYTES_PER_FRAME, END_FILES_BYTES, MIN_FREE_BYTES, Session
from live.types import StepEvent


def _one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_out_on_a_read_only_disk_is_refused_before_the_model_loads(clip, model_path, tmp_path):
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as ro:
        result = posecoach("analyze", str(clip.path), "--out", str(ro / "s"), model_path=model_path)
    assert result.returncode == 2
    line = _one_sentence(result.stderr)  # no "pose: ..." line: the model was never loaded
    assert "read-only" in line and str(ro / "s") in line, line


def test_out_in_a_folder_you_cannot_write_is_refused_before_the_model_loads(clip, model_path, tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes through a folder's permission bits; the read-only disk case covers root")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = posecoach("analyze", str(clip.path), "--out", str(locked / "s"), model_path=model_path)
    assert result.returncode == 2
    assert "not writable" in _one_sentence(result.stderr)


def test_a_disk_too_small_for_a_session_is_refused_up_front(clip, model_path, tmp_path):
    assert MIN_FREE_BYTES > 1 << 20, "the 1 MB disk below is meant to be too small"
    with tmpfs(tmp_path / "small", "1m") as small:
        result = posecoach("analyze", str(clip.path), "--out", str(small / "s"), model_path=model_path)
        assert list(small.iterdir()) == [], "nothing is written before the refusal"
    assert result.returncode == 6
    line = _one_sentence(result.stderr)
    assert "MB is free" in line and "a session needs" in line, line


def test_a_video_too_long_for_the_disk_is_refused_before_the_model_loads(model_path, tmp_path):
    """A 10-minute video needs ~8.9 MB of session files (BYTES_PER_FRAME a frame and the end files);
    on a 4 MB disk, room enough for a short session, analyze refuses it before anything is written."""
    import subprocess

    video = tmp_path / "long.mp4"  # 18000 frames of a flat image: small to make, long to analyze
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=30:d=600",
                    "-c:v", "libx264", "-preset", "ultrafast", str(video)], check=True, timeout=120)
    need = 18000 * BYTES_PER_FRAME + END_FILES_BYTES
    assert MIN_FREE_BYTES < 4 << 20 < need, "the 4 MB disk below is meant to hold a short session, not this one"
    with tmpfs(tmp_path / "disk", "4m") as disk:
        result = posecoach("analyze", str(video), "--out", str(disk / "s"), model_path=model_path)
        assert list(disk.iterdir()) == [], "nothing is written before the refusal"
    assert result.returncode == 6
    line = _one_sentence(result.stderr)  # no "pose: ..." line: the model was never loaded
    assert "18000 frames needs" in line and f"{need / 1e6:.1f} MB" in line, line


@pytest.fixture(scope="module")
def filled(clip, model_path, tmp_path_factory):
    """`analyze` on a 4 MB disk (room enough to start) that another writer fills after 90 frames:
    the run gets ENOSPC mid-run. Returns (session folder, stderr, exit code, the disk)."""
    base = tmp_path_factory.mktemp("filled")
    with tmpfs(base / "small", "4m") as disk:
        out = disk / "s"
        proc = start("analyze", str(clip.path), "--out", str(out), model_path=model_path)
        wait_for(proc, lambda: line_count(out / "poses.jsonl") >= 90)
        fill_disk(disk / "filler")
        _, stderr = proc.communicate(timeout=120)
        yield out, stderr, proc.returncode, disk


def test_a_disk_that_fills_mid_run_stops_with_exit_6_and_one_sentence(filled):
    out, stderr, code, _ = filled
    assert code == 6, stderr
    assert "Traceback" not in stderr
    full = [line for line in stderr.splitlines() if "is full" in line or "No space" in line]
    assert len(full) == 1, stderr
    assert str(out) in full[0] and "stopped after" in full[0], full[0]


def test_what_a_full_disk_run_wrote_stays_valid(filled, clip):
    out, stderr, _, _ = filled
    data = (out / "poses.jsonl").read_bytes()
    assert data.endswith(b"\n"), "the line the disk refused was cut back: no partial line"
    poses = complete_jsonl(out / "poses.jsonl")
    assert 90 <= len(poses) < clip.truth["video"]["frames"]
    assert [p["index"] for p in poses] == list(range(len(poses)))
    assert f"stopped after {len(poses)} frames" in stderr
    header, rows = whole_csv_rows(out / "steps.csv")
    assert header[:5] == ["t_s", "frame", "leg", "side", "quality"] and rows, "steps of the first 3 s were kept"
    complete_jsonl(out / "cues.jsonl")
    for name in ("summary.json", "profile.json"):  # written when they fitted, and then whole
        if (out / name).is_file():
            assert isinstance(json.loads((out / name).read_text()), dict)
    if (out / "keyframes").exists():  # the stills, kept only as a whole set with their index
        assert json.loads((out / "keyframes" / "keyframes.json").read_text())["frames"]
    assert not any(p.name.endswith(".tmp") for p in out.iterdir()), "no half-written temporary file is left"


def test_report_on_the_full_disk_says_so_and_works_once_there_is_space(filled, model_path):
    out, _, _, disk = filled
    result = posecoach("report", str(out), model_path=model_path)
    assert result.returncode == 6, result.stderr
    assert "Traceback" not in result.stderr
    assert "disk is full" in result.stderr.strip().splitlines()[-1]
    (disk / "filler").unlink()  # the runner makes room, as the sentence says
    result = posecoach("report", str(out), model_path=model_path)
    assert result.returncode == 0, result.stderr
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    for name in ("summary.json", "profile.json"):
        if not (out / name).is_file():
            assert f"{name} is missing" in page and f"{name} is missing" in result.stderr


@pytest.fixture(scope="module")
def killed(clip, model_path, tmp_path_factory):
    """`analyze` killed with SIGKILL (what a power cut leaves) once steps.csv holds 3 rows."""
    out = tmp_path_factory.mktemp("killed") / "s"
    proc = start("analyze", str(clip.path), "--out", str(out), model_path=model_path)
    wait_for(proc, lambda: line_count(out / "steps.csv") >= 4)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return out


def test_a_killed_run_leaves_whole_lines_and_rows(killed, clip):
    poses = complete_jsonl(killed / "poses.jsonl")
    assert 0 < len(poses) < clip.truth["video"]["frames"]
    assert [p["index"] for p in poses] == list(range(len(poses)))
    header, rows = whole_csv_rows(killed / "steps.csv")
    assert len(rows) >= 3 and len(header) == 17
    assert all(float(r[0]) > 0 and r[2] in ("near", "far") for r in rows)
    complete_jsonl(killed / "cues.jsonl")
    assert not (killed / "summary.json").exists(), "killed before the end: the test is meant to have no summary"


def test_report_works_on_a_killed_run_and_says_what_is_missing(killed, model_path):
    result = posecoach("report", str(killed), model_path=model_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    page = (killed / "report.html").read_text()
    assert "summary.json is missing" in page
    assert "summary.json is missing" in result.stderr
    assert "steps.csv is missing" not in page, "the rows written as the run went are on the page"


def _steps() -> list[StepEvent]:
    """Steps with every kind of cell: values, NaN (empty), several qualities."""
    out = []
    for i in range(7):
        nan_or = (lambda v: math.nan) if i % 3 == 0 else (lambda v: v)
        out.append(StepEvent(t_s=0.3512 * i + 1 / 3, frame=10 * i, leg=("near", "far")[i % 2],
                             side=("left", "right")[i % 2], quality="ok" if i % 2 else "leg_hidden;no_toe_off",
                             contact_ms=nan_or(212.5 + i), flight_ms=101.25, overstride_bh=nan_or(0.0412 * i),
                             shank_deg=-3.0 + i, knee_deg=165.0, pose_offset_bh=0.01, fall_deg=nan_or(6.5),
                             trunk_deg=4.25, pull_ms=150.0, lift_speed_bhps=2.125, trail_bh=0.2, bounce_bh=0.05))
    return out


@pytest.mark.parametrize("height_cm", [None, 178.0], ids=["body-heights", "with-cm"])
def test_steps_csv_written_as_steps_come_equals_the_whole_file_written_at_once(tmp_path, height_cm):
    steps = _steps()
    with Session(tmp_path / "s", height_cm) as session:
        session.add_steps(steps[:2])
        session.add_steps([])
        assert (tmp_path / "s" / "steps.csv").read_bytes().count(b"\n") == 3, "header and rows are on disk at once"
        session.add_steps(steps[2:])
    write_steps_csv(tmp_path / "whole.csv", steps, height_cm)
    assert (tmp_path / "s" / "steps.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert len(io.StringIO((tmp_path / "whole.csv").read_text()).readline().split(",")) == 17 + 5 * (height_cm is not None)


def test_a_disk_that_fills_at_the_end_costs_the_end_files_one_sentence_and_keeps_the_lines(tmp_path):
    """The real Session on a real 2 MB disk that another writer fills after the last step: close()
    records what it could not write instead of raising, and the lines already written stay whole."""
    with tmpfs(tmp_path / "small", "2m") as disk:
        with Session(disk / "s") as session:
            session.add_steps(_steps())
            session.add_cue({"t": 1.0, "cue": "quick_feet", "value": math.nan})
            fill_disk(disk / "filler")
            session.close({"steps": 7, "big": "x" * 20000}, {"usable": False})
        assert session.unwritten == ["summary.json", "profile.json"]
        sentence = session.end_failure_sentence()
        assert "is full" in sentence and "summary.json and profile.json could not be written" in sentence
        _, rows = whole_csv_rows(disk / "s" / "steps.csv")
        assert len(rows) == 7
        assert complete_jsonl(disk / "s" / "cues.jsonl")[0]["value"] is None
        assert sorted(p.name for p in (disk / "s").iterdir()) == ["cues.jsonl", "poses.jsonl", "steps.csv"]
