"""The soak, short: `python -m bench soak` for 2.4 minutes of the real clip looped through the live
loop's own code path with the real model. It passes when memory and the loop's per-frame CPU time
did not grow beyond bench/soak_figures.py's bounds (ratios and MiB, no timed assert), and the session
folder it wrote is complete. The 60-minute soak is `python -m bench soak --minutes 60`."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from bench.soak import LoopingVideoSource

REPO = Path(__file__).resolve().parents[1]
CI_MINUTES = 2.4  # 12 passes of the 12 s clip: about 60 s on 2 idle cores


def _frame_count(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def test_looping_source_plays_the_clip_again_with_time_going_on(clip):
    per_pass = _frame_count(clip.path)
    n = per_pass + 40  # into the second pass
    with LoopingVideoSource(clip.path, n) as src:
        frames = list(src)
        assert src.passes == 2 and src.info.frame_count == n
    assert [f.index for f in frames] == list(range(n))
    assert np.allclose([f.t for f in frames], np.arange(n) / src.info.fps)
    # A fresh decode per pass: the second pass shows the clip's own first frames again.
    assert all(np.array_equal(frames[i].image, frames[per_pass + i].image) for i in (0, 1, 39))


def test_soak_short_no_growth_and_a_complete_session(clip, model_path, tmp_path):
    out, report = tmp_path / "soak", tmp_path / "soak.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "soak", "--minutes", str(CI_MINUTES), "--clip", str(clip.path),
         "--model", str(model_path), "--out", str(out), "--json", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    print(proc.stdout)  # the soak's table: pytest -s shows it
    assert report.is_file(), proc.stderr[-3000:]
    row = json.loads(report.read_text())["rows"][0]
    assert row["rc"] == 0, proc.stderr[-3000:]
    assert row["frames"] == row["passes"] * _frame_count(clip.path)
    v = row["verdict"]
    assert v["ok"], f"growth beyond the bounds: {v['broken']} (bounds {v['bounds']}):\n{proc.stdout}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    _assert_session_complete(out / "session", row["frames"])


def _assert_session_complete(session: Path, frames: int) -> None:
    for name in ("poses.jsonl", "steps.csv", "summary.json", "report.html", "profile.json"):
        assert (session / name).is_file(), f"{name} missing from the soak's session folder"
    with (session / "poses.jsonl").open() as f:
        assert sum(1 for line in f if line.strip()) == frames
    summary = json.loads((session / "summary.json").read_text())
    assert summary["frames"] == frames and summary["dropped_frames"] == 0
    with (session / "steps.csv").open() as f:
        steps = list(csv.DictReader(f))
    # ~170 steps/min over the whole soak: every pass's steps were found, not only the first.
    assert len(steps) > 100 * frames / (30 * 60), len(steps)
