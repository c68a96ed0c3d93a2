"""Front view in the whole program (issue 14): the view decision, the side path left as it was, front
cue rules through the real coach, calibration of a console camera, the HUD, and the loop: analysis
and a realtime-paced live run give the same front numbers; the real side clip is no front view.
"""
from __future__ import annotations

import json
import re
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from calibration.checks import check_frames
from cues.coach import Coach
from cues.config import load_cues_config
from front_synth import FrontRunner
from gait_synth import Runner
from live.gait import GaitTracker
from live.gait.front import FrontTracker
from live.gait.output import steps_csv_row
from live.gait.view import ViewedGait, decide_view
from live.keypoints import Kp
from live.types import FRONT_METRICS, PoseFrame

FRONT = FrontRunner()


def _hide(poses, kps, conf=0.05):
    out = []
    for p in poses:
        xy, c = p.xy.copy(), p.conf.copy()
        xy[list(kps)], c[list(kps)] = np.nan, conf
        out.append(PoseFrame(p.t, p.index, xy, c, p.box, p.image_size))
    return out


# ---- the view decision ----

def test_the_view_is_read_from_the_pose():
    front = FRONT.poses(30, 1.0, 1.0)
    assert decide_view(front).view == "front"
    assert decide_view(Runner().poses(30, 1.0, 1.0)).view == "side"
    back = _hide(front, (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE))  # from behind the face is not seen
    assert decide_view(back).view == "back"
    assert decide_view([]).view is None


def _side_rows(tracker_steps) -> list[list]:
    return [steps_csv_row(s) + [f"{s.t_emit_s:.6f}"] for s in tracker_steps]


@pytest.mark.parametrize("mode", ["auto", "side"])
def test_a_side_view_runs_the_side_tracker_exactly_as_before(mode):
    """Auto (decided from the first half second) or --view side: the same steps, emitted on the same
    frames, as a bare GaitTracker gives."""
    poses = Runner().poses(30, 8.0, 1.0, seed=2)
    bare, viewed = GaitTracker(), ViewedGait(GaitTracker(), FrontTracker(), mode, say=lambda s: None)
    got_bare, got_viewed = [], []
    for p in poses:
        got_bare.append(_side_rows(bare.update(p)))
        got_viewed.append(_side_rows(viewed.update(p)))
    assert got_viewed == got_bare and sum(map(len, got_bare)) >= 15
    assert _side_rows(viewed.finish()) == _side_rows(bare.finish())
    s = viewed.summary()
    assert s["view"] == "side" and s["cadence_spm"] == bare.summary()["cadence_spm"]
    assert "fall_deg" in s["metrics"] and "fall_deg" in s["view_metrics"]


def test_auto_switches_a_front_view_to_the_front_tracker():
    said = []
    viewed = ViewedGait(GaitTracker(), FrontTracker(), "auto", say=said.append)
    steps = [s for p in FRONT.poses(30, 8.0, 1.0) for s in viewed.update(p)] + viewed.finish()
    assert viewed.view == "front" and len(said) == 1 and "from the front" in said[0]
    assert len(steps) == len(viewed.landings) >= 20 and all(hasattr(s, "midline_bh") for s in steps)
    assert [s.t_s for s in steps] == sorted(s.t_s for s in steps)  # the coach needs them in order
    s = viewed.summary()
    assert s["view"] == "front" and s["view_check"]["view"] == "front" and set(s["metrics"]) == set(FRONT_METRICS)


def test_view_front_on_a_side_view_refuses_front_metrics():
    said = []
    viewed = ViewedGait(GaitTracker(), FrontTracker(), "front", say=said.append)
    steps = [s for p in Runner().poses(30, 8.0, 1.0) for s in viewed.update(p)] + viewed.finish()
    assert len(said) == 1 and "--view front, but the camera sees the runner from the side" in said[0]
    assert "no front-view metric is reported" in said[0]
    assert all("not_front_view" in s.quality for s in steps)
    s = viewed.summary()
    assert s["refused"] == said[0] and s["good_steps"] == 0
    assert all(v["median"] is None for v in s["metrics"].values())
    assert not set(s["metrics"]) & {"fall_deg", "overstride_bh", "contact_ms"}


# ---- cue rules ----

def test_front_rules_are_loaded_checked_and_kept_apart(tmp_path):
    cfg = load_cues_config(None)
    assert all(f.view == "side" for f in cfg.faults) and cfg.front_faults
    front = cfg.for_view("front")
    assert {f.metric for f in front.faults} >= {"cadence_spm", "bounce_bh", "midline_bh", "asymmetry_pct"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[faults.front_crossover]\nmetric = "fall_deg"\n')
    with pytest.raises(Exception, match="fall_deg' is not measured from the front"):
        load_cues_config(bad)
    bad.write_text('[faults.front_bounce]\nview = "top"\n')
    with pytest.raises(Exception, match='view = .top. must be "side" or "front"'):
        load_cues_config(bad)


def test_the_coach_cues_a_crossover_from_front_steps_and_ignores_flagged_ones(tmp_path):
    short = tmp_path / "short.toml"
    short.write_text("[coach]\nwarmup_s = 3.0\nwarmup_steps = 6\n")
    cfg = load_cues_config(short).for_view("front")
    runner = replace(FRONT, cross_m=0.06)
    tracker, coach, cues = FrontTracker(), Coach(cfg), []
    for p in runner.poses(30, 12.0, 1.0):
        steps = tracker.update(p)
        cues += coach.update(p.t, steps, tracker.snapshot().cadence_spm)
    assert [c.cue for c in cues][:1] == ["step_under_hip"], [c.cue for c in cues]
    flagged = [replace(s, quality="ankle_hidden") for s in tracker.steps]
    quiet = Coach(cfg)
    assert not [c for i, s in enumerate(flagged) for c in quiet.update(s.t_s + 0.5, [s])]


# ---- calibration ----

def test_calibration_accepts_a_front_view_and_checks_feet_face_and_camera_height():
    ok = check_frames(FRONT.poses(30, 3.0, 1.0))
    assert ok.view == "front" and ok.ok, ok.problems
    p = ok.to_profile()
    assert p.view == "front" and p.facing == "camera" and p.baseline == {}
    cut = check_frames(_hide(FRONT.poses(30, 3.0, 1.0), (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)))
    assert any("both feet must be in the frame" in x for x in cut.problems)
    back = check_frames(_hide(FRONT.poses(30, 3.0, 1.0), (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE)))
    assert any("from behind" in x for x in back.problems)
    high = check_frames(replace(FRONT, cam_height_m=1.5, cam_dist_m=1.0, f_px=330.0).poses(30, 3.0, 1.0))
    assert any("looks down on you from close" in x for x in high.warnings), high.warnings
    assert not any("looks" in x for x in ok.warnings + check_frames(
        replace(FRONT, cam_height_m=0.9).poses(30, 3.0, 1.0)).warnings)


def test_calibrate_explains_the_console_placement():
    from calibration import calibrate
    from calibration.checks import CONSOLE_PLACEMENT

    assert "console" in calibrate.PROMPT_START
    assert "tilt the screen" in CONSOLE_PLACEMENT and "hip height" in CONSOLE_PLACEMENT
    assert "CONSOLE_PLACEMENT" in Path(calibrate.__file__).read_text()  # said by calibrate_command


# ---- the HUD ----

def test_the_hud_shows_the_front_metrics_and_no_side_one(tmp_path):
    from live.overlay import Hud, _hud_lines, annotate

    tracker = FrontTracker()
    poses = replace(FRONT, cross_m=0.06).poses(30, 6.0, 1.0)
    for p in poses:
        tracker.update(p)
    hud = Hud(fps=30.0, found=True, snapshot=tracker.snapshot(), note="front view", view="front")
    text = " ".join(_hud_lines(hud))
    assert "bounce 0.0" in text and "feet crossover" in text and "arms none" in text and "front view" in text
    assert "fall" not in text and "contact" not in text
    assert "lean 0.0 deg" in text, text  # the synthetic runner leans a hair to one side: no "-0.0"
    image = annotate(np.full((720, 1280, 3), 60, np.uint8), poses[-1], hud)
    cv2.imwrite(str(tmp_path / "front_hud.png"), image)  # the screenshot in the note is this image
    assert image.std() > 5


# ---- the loop ----

class _Replay:
    """Synthetic poses by frame number, for the real loop on a real (tiny) video file."""

    def __init__(self, poses):
        self._by_index = {p.index: p for p in poses}

    def estimate(self, frame):
        p = self._by_index[frame.index]
        return PoseFrame(frame.t, frame.index, p.xy.copy(), p.conf.copy(), p.box, p.image_size)

    def describe(self) -> str:
        return "replayed synthetic front-view poses"


def _session(video: Path, poses, out: Path, cues: Path, analysis: bool) -> dict:
    from live.loop import RunOptions, _check_inputs, _run_session
    from live.sources import open_source

    opts = RunOptions(source=str(video), out=out, analysis=analysis, display=False, speech=False,
                      realtime=not analysis, cues=cues)
    with open_source(str(video), realtime=not analysis) as src:
        assert _run_session(opts, _check_inputs(opts), _Replay(poses), src) == 0
    return json.loads((out / "summary.json").read_text())


RUNNER = replace(FRONT, cross_m=0.06, asym=0.06)  # feet across the midline, one leg's steps longer


@pytest.fixture(scope="module")
def front_sessions(tmp_path_factory) -> Path:
    """One front-view session through `analyze` and one through `live --realtime` (folders "analyze"
    and "live"). The pose model is replaced by the synthetic runner's poses (no front-view clip
    exists that the model detects); everything after it is the real loop: the file source paced at
    30 fps, the view decision, the front tracker, the coach, the session files, the report."""
    tmp_path = tmp_path_factory.mktemp("front_sessions")
    fps, duration = 30, 8.0  # 4 s of warm-up, 4 s coached
    poses = RUNNER.poses(fps, duration, 1.0)
    video = tmp_path / "tiny.mp4"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 36))
    for i in range(len(poses)):
        w.write(np.full((36, 64, 3), i % 250, np.uint8))
    w.release()
    cues = tmp_path / "cues.toml"
    cues.write_text("[coach]\nwarmup_s = 4.0\nwarmup_steps = 10\n")
    _session(video, poses, tmp_path / "analyze", cues, analysis=True)
    _session(video, poses, tmp_path / "live", cues, analysis=False)
    return tmp_path


def test_live_realtime_and_analyze_give_the_same_front_numbers(front_sessions):
    tmp_path, runner = front_sessions, RUNNER
    a, b = (json.loads((tmp_path / name / "summary.json").read_text()) for name in ("analyze", "live"))
    assert a["view"] == b["view"] == "front"
    assert abs(a["cadence_spm"] - runner.cadence_spm) <= 3.0
    assert a["categories"]["crossover"]["value"] == "crossover"
    cues_a = [json.loads(x)["cue"] for x in (tmp_path / "analyze" / "cues.jsonl").read_text().splitlines()]
    assert "step_under_hip" in cues_a
    front_csv = (tmp_path / "analyze" / "front_steps.csv").read_text().splitlines()
    assert len(front_csv) == a["steps_emitted"] + 1 and front_csv[0].startswith("t_s,frame,leg,quality,step_ms")
    if b["dropped_frames"] == 0:  # every frame seen: the very same numbers
        for key in ("cadence_spm", "landings", "metrics", "categories", "asymmetry_pct", "alternation"):
            assert a[key] == b[key], key
        assert (tmp_path / "analyze" / "front_steps.csv").read_text() == (tmp_path / "live" / "front_steps.csv").read_text()
        assert (tmp_path / "analyze" / "cues.jsonl").read_text() == (tmp_path / "live" / "cues.jsonl").read_text()
    else:  # a loaded machine dropped frames: the numbers agree within what a frame moves them
        assert abs(a["cadence_spm"] - b["cadence_spm"]) <= 1.0
        assert a["categories"] == b["categories"] or a["categories"]["crossover"] == b["categories"]["crossover"]


# ---- the real side clip is not a front view ----

def test_the_real_side_clip_is_not_a_front_view(clip, poses_of):
    poses = poses_of(clip)
    assert decide_view(poses[:15]).view == "side"  # what auto decides from its first half second
    whole = decide_view(poses)
    assert whole.view == "side" and whole.width_ratio < 0.22
    said = []
    viewed = ViewedGait(GaitTracker(), FrontTracker(), "front", say=said.append)
    steps = [s for p in poses for s in viewed.update(p)] + viewed.finish()
    assert len(said) == 1 and "sees the runner from the side" in said[0]
    assert steps and not any(s.good for s in steps)


def test_analyze_view_front_on_the_side_clip_refuses_front_metrics(clip, model_path, tmp_path):
    import os

    out = tmp_path / "s"
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    r = subprocess.run([sys.executable, "-m", "live", "analyze", str(clip.path), "--view", "front", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("--view front, but the camera sees the runner from the side") == 1, r.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["view"] == "front" and s["view_mode"] == "front" and s["view_check"]["view"] == "side"
    assert "no front-view metric is reported" in s["refused"] and s["good_steps"] == 0
    assert all(v["median"] is None for v in s["metrics"].values())
    assert not set(s["metrics"]) & {"fall_deg", "overstride_bh"}
    assert (out / "cues.jsonl").read_text() == ""
    rows = (out / "steps.csv").read_text().splitlines()[1:]
    assert rows and all("not_front_view" in row for row in rows)
    fall = rows[0].split(",")[11]
    assert fall == ""  # steps.csv's fall_deg column is empty: never reported in a front view


@pytest.mark.parametrize("view, advice", [("front", "face the camera"), ("side", "stand side on"), (None, "stand side on")])
def test_the_runner_gone_message_fits_the_view(view, advice, capsys):
    """A runner who steps off a console camera's view is asked to face it, not to stand side on."""
    from live.loop import RUNNER_LOST_S, _RunnerWatch

    watch = _RunnerWatch(lambda: view)
    seen = FRONT.poses(fps=30.0, duration_s=0.5)[-1]
    assert not watch.update(seen)
    gone = [PoseFrame.empty(seen.t + dt, seen.index + 1, seen.image_size) for dt in (0.5, RUNNER_LOST_S + 0.01)]
    assert [watch.update(p) for p in gone] == [False, True]
    err = capsys.readouterr().err
    assert err.count("No runner in view") == 1 and advice in err, err


def test_the_front_report_plots_what_a_front_camera_measures(front_sessions):
    """report.html of a front session: plots over time of the front metrics from front_steps.csv
    (the side view's contact, fall or overstride never), the series the values of that file, and
    sentences that say why there are no key frames and no near/far table, not that the run is old."""
    from live.report.data import load_session
    from live.report.plots import series
    from live.report.targets import front_plot_targets

    folder = front_sessions / "analyze"
    page = (folder / "report.html").read_text()
    captions = re.findall(r"<figcaption>([^<]*) over time</figcaption>", page)
    assert captions == [t.label for t in front_plot_targets(load_cues_config(None))]
    assert not {"Ground contact", "Fall angle", "Overstride", "Lift speed"} & set(captions)
    assert "cannot time (the depth axis)" in page and "names the legs left and right" in page
    assert "an older" not in page
    data = load_session(folder)
    rows = sorted(data.front_steps, key=lambda r: r["t_s"])
    lean = series(data.front_steps, "lean_abs_deg")
    assert lean.value == tuple(abs(r["lean_deg"]) for r in rows if math.isfinite(r["lean_deg"]))
    bounce = series(data.front_steps, "bounce_bh")
    assert len(bounce.value) >= 10 and bounce.ok == tuple(r["quality"] == "ok" for r in rows
                                                           if math.isfinite(r["bounce_bh"]))
