"""Ctrl-C and `kill` during `analyze` (issue 13; `live` is covered in test_end_to_end.py and
test_report.py): the real run on the real clip, stopped after some steps were written, saves the
whole session folder before exit 130."""
from __future__ import annotations

import json
import signal

import pytest
from session_files import complete_jsonl, line_count, start, wait_for, whole_csv_rows


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_an_interrupted_analysis_saves_the_whole_folder_with_exit_130(clip, model_path, tmp_path, sig):
    out = tmp_path / "s"
    proc = start("analyze", str(clip.path), "--out", str(out), model_path=model_path)
    wait_for(proc, lambda: line_count(out / "steps.csv") >= 3)  # the header and two steps: mid-run
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Interrupted: saving the session." in stderr

    summary = json.loads((out / "summary.json").read_text())
    poses = complete_jsonl(out / "poses.jsonl")
    assert (out / "poses.jsonl").read_bytes().endswith(b"\n")
    assert len(poses) == summary["frames"]
    assert 0 < summary["frames"] < clip.truth["video"]["frames"], "stopped mid-run"
    _, rows = whole_csv_rows(out / "steps.csv")
    assert len(rows) == summary["steps_emitted"] >= 2
    assert len(complete_jsonl(out / "cues.jsonl")) == summary["cues"]
    assert isinstance(json.loads((out / "profile.json").read_text()), dict)
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert f'data-src="poses:lines">{summary["frames"]}<' in page
    assert "Missing from this folder" not in page, "nothing is missing"
