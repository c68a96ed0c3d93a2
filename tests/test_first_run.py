"""What a new user sees after a first run: a saved runner name found by --profile, centimetres next
to body heights, a quiet log (no progress bar off a terminal), and a sentence for each thing that
would otherwise puzzle them (no cues inside the warm-up, frames dropped by a slow computer)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from calibration.profile import RunnerProfile, save_profile

HEIGHT_CM = 178.0


@pytest.fixture(scope="module")
def named_run(clip, model_path, tmp_path_factory):
    """`analyze --profile alex` where alex is a profile saved in the user's config folder, as
    `posecoach calibrate --name alex --height-cm 178` saves it."""
    tmp = tmp_path_factory.mktemp("first_run")
    config = tmp / "config"
    profile = RunnerProfile(version=1, facing="left", view="side", body_height_px=629.0, floor_y_px=1207.0,
                            fps=30.0, height_cm=HEIGHT_CM, name="alex")
    save_profile(profile, config / "posecoach" / "profiles" / "alex.json")
    env = {k: v for k, v in os.environ.items() if k != "POSECOACH_MODEL"}
    env["XDG_CONFIG_HOME"] = str(config)  # platformdirs' config folder on Linux
    out = tmp / "session"
    result = subprocess.run([sys.executable, "-m", "live", "analyze", str(clip.path), "--model", str(model_path),
                             "--profile", "alex", "--out", str(out)], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_a_saved_runner_name_is_a_profile(named_run):
    out, _ = named_run
    assert json.loads((out / "profile.json").read_text())["name"] == "alex"


def test_centimetres_stand_next_to_body_heights(named_run):
    out, _ = named_run
    rows = list(csv.DictReader((out / "steps.csv").open()))
    assert rows and "overstride_cm" in rows[0] and "lift_speed_cmps" in rows[0]
    checked = 0
    for r in rows:
        for bh, cm in (("overstride_bh", "overstride_cm"), ("bounce_bh", "bounce_cm"), ("lift_speed_bhps", "lift_speed_cmps")):
            if r[bh]:
                # steps.csv keeps 4 decimals of body heights: up to 0.00005 bh x 178 cm of rounding
                assert float(r[cm]) == pytest.approx(float(r[bh]) * HEIGHT_CM, abs=0.01)
                checked += 1
    assert checked >= len(rows)
    summary = json.loads((out / "summary.json").read_text())
    med = summary["metrics_cm"]["bounce_cm"]["median"]
    assert med == pytest.approx(summary["metrics"]["bounce_bh"]["median"] * HEIGHT_CM, rel=1e-3)


def test_the_log_is_lines_not_a_progress_bar_and_says_why_no_cue_came(named_run):
    _, err = named_run
    assert "\r" not in err  # a log file, not a terminal: no redrawn bar
    assert "it/s" not in err and "frame/s" not in err
    lines = [line for line in err.splitlines() if line.startswith("posecoach: No cues")]
    assert len(lines) == 1 and "warm-up of 20 steps and 20 s of running" in lines[0], err


def test_frames_dropped_by_a_slow_computer_are_said_at_the_end(capsys):
    from cues.config import load_cues_config
    from live.loop import _closing_notes, _Inputs

    # The source is a stand-in (a camera that delivered 300 frames, 60 of which the loop never saw).
    source = SimpleNamespace(dropped=60, info=SimpleNamespace(fps=30.0))
    pipeline = SimpleNamespace(gait=SimpleNamespace(landings=[(t / 3.0, t, "near") for t in range(120)]))
    session = SimpleNamespace(frames=240, cues=2)
    _closing_notes(_Inputs(None, load_cues_config(None), None), pipeline, source, session)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["posecoach: 60 of 300 frames (20%) were dropped: this computer processed fewer frames per second "
                   "than the source's 30; the measurements rest on the frames kept."]
