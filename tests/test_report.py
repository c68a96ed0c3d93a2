"""report.html on the real clip: written by `analyze`, `live` and Ctrl-C, self-contained, and every
number on it equal to the session files' value as rounded on the page."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
from live_run import interrupt_live
from report_page import DATA_URI, SessionFiles, as_shown, parse

# A short rehearsal: the 12 s clip is inside the default 20 s warm-up, so lower it to get cues.
def _posecoach(*args: str, model_path=None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, **({"POSECOACH_MODEL": str(model_path)} if model_path else {}))
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture
def analyzed(cued_session):
    """`analyze` on the real clip with a short warm-up, so that the page has cues to show."""
    return cued_session


def test_analyze_writes_report_html(analyzed):
    page = (analyzed / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert len(SessionFiles(analyzed).cues) >= 2, "the fixture is meant to have cues on the page"


def test_live_rehearsal_writes_report_html(rehearsed_clip):
    assert "report.html" in rehearsed_clip.stderr
    assert parse((rehearsed_clip.folder / "report.html").read_text()).tagged


def test_interrupted_live_session_still_writes_report_html(clip, model_path, tmp_path):
    out = tmp_path / "session"
    code, stderr = interrupt_live(clip.path, model_path, out, signal.SIGINT, 120)  # 4 s: a few steps to plot
    assert code == 130, stderr
    assert "Traceback" not in stderr
    _check_numbers(out)


def test_page_references_nothing_outside_itself(analyzed):
    page = (analyzed / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 5, "the plots are embedded"
    bare = DATA_URI.sub("", page)  # base64 may contain "//"
    for forbidden in ("http:", "https:", "//", "<script", "<link", "url(", "@import", "<iframe"):
        assert forbidden not in bare.lower(), forbidden
    assert re.findall(r"(?<![-\w])(?:src|href)=\"(?!data:)", page) == []


def _check_numbers(folder):
    page, files = parse((folder / "report.html").read_text()), SessionFiles(folder)
    assert len(page.tagged) > 50
    for src, shown in page.tagged:
        assert shown == as_shown(files.resolve(src), shown), f"{src}: page shows {shown}"
    # A number the page shows but did not tag would escape this check: there must be none.
    untagged = " ".join(page.untagged)
    assert not re.search(r"\d", untagged), re.findall(r".{20}\d.{20}", untagged)


def test_every_number_on_the_page_equals_the_files(analyzed):
    _check_numbers(analyzed)


def test_page_uses_the_coach_thresholds_and_the_run_setup(analyzed):
    srcs = {src for src, _ in parse((analyzed / "report.html").read_text()).tagged}
    for needed in ("config:faults.low_cadence.on", "config:faults.upright.on", "config:faults.waist_bend.on",
                   "config:faults.slow_pull.on", "config:faults.long_contact.on", "config:faults.overstride.on",
                   "config:faults.bounce.on", "pose:min_cadence_spm", "pose:max_fall_deg", "summary:cadence_spm",
                   "summary:backend", "summary:fps", "summary:dropped_frames", "profile:body_height_px",
                   "summary:metrics_by_leg.near.contact_ms.median", "cues:0:value", "cues:0:t"):
        assert needed in srcs, needed


def test_report_command_regenerates_an_old_folder(analyzed, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(analyzed, old)
    (old / "report.html").unlink()
    summary = json.loads((old / "summary.json").read_text())
    for key in ("backend", "cues_config", "metrics_by_leg", "good_steps_by_leg", "lag_ms", "dropped_frames"):
        summary.pop(key)  # keys an older posecoach did not write
    (old / "summary.json").write_text(json.dumps(summary))
    result = _posecoach("report", str(old))
    assert result.returncode == 0, result.stderr
    page = (old / "report.html").read_text()
    assert "No per-leg numbers" in page and "not recorded" in page
    _check_numbers(old)


def test_report_command_on_a_killed_run_says_what_is_missing(analyzed, tmp_path):
    killed = tmp_path / "killed"
    killed.mkdir()
    for name in ("poses.jsonl", "cues.jsonl"):  # what a killed run leaves: the line-by-line files only
        shutil.copy(analyzed / name, killed / name)
    data = (killed / "poses.jsonl").read_bytes()
    (killed / "poses.jsonl").write_bytes(data[: len(data) - 300])  # cut inside the last line
    result = _posecoach("report", str(killed))
    assert result.returncode == 0, result.stderr
    page = (killed / "report.html").read_text()
    for said in ("Missing from this folder", "summary.json is missing", "steps.csv is missing", "partial line"):
        assert said in page, said
    lines = data[: len(data) - 300].splitlines()
    assert f'data-src="poses:lines">{len(lines) - 1}<' in page


def test_damaged_files_are_said_in_one_sentence_each(analyzed, tmp_path):
    """A summary.json cut short and a cues.jsonl with a thousand damaged lines: the page is still
    written, and each file is one sentence on stderr, not one per line."""
    damaged = tmp_path / "damaged"
    shutil.copytree(analyzed, damaged)
    summary = (damaged / "summary.json").read_text()
    (damaged / "summary.json").write_text(summary[: len(summary) // 2])
    with open(damaged / "cues.jsonl", "a") as f:
        f.write("{not json\n" * 1000)
    result = _posecoach("report", str(damaged))
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("posecoach: ") and "report written" not in line]
    assert len(said) == 2, said
    assert "summary.json cannot be read" in said[0] and "1000 lines of cues.jsonl" in said[1], said
    page = (damaged / "report.html").read_text()
    assert "summary.json cannot be read" in page and "1000 lines of cues.jsonl" in page
    shown = [src for src, _ in parse(page).tagged if src.startswith("cues:") and src.endswith(":text")]
    assert len(shown) == len(SessionFiles(analyzed).cues) >= 2  # every whole cue line is still on the page


@pytest.mark.parametrize("make", ["empty_folder", "no_such_folder", "a_file"])
def test_report_command_refuses_what_is_not_a_session(tmp_path, make):
    target = tmp_path / "x"
    if make == "empty_folder":
        target.mkdir()
    elif make == "a_file":
        target.write_text("hello")
    result = _posecoach("report", str(target))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "x" / "report.html").exists() if make == "empty_folder" else True
