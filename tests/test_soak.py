"""The soak, short: `python -m bench soak` for 2 minutes of the real clip looped through the live
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
import pytest

from bench.soak import LoopingVideoSource
from bench.soak_figures import bounds_for, per_frame_ms, soak_figures, verdict

REPO = Path(__file__).resolve().parents[1]
CI_MINUTES = 2.0  # 10 passes of the 12 s clip, 8 after the warm-up: about 50 s on 2 idle cores


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


def _rss(step_at: dict[int, float], leak_mib_per_pass: float, passes: int = 10, period: int = 360, every: int = 30):
    """A soak's RSS samples: a per-pass sawtooth of 4 MiB, allocator steps {pass: MiB} from that pass
    on, and a steady leak."""
    at = np.arange(passes * period // every) * every
    k = at // period
    rss = 390.0 + 4.0 * (at % period) / period + leak_mib_per_pass * at / period
    for p, mib in step_at.items():
        rss = rss + mib * (k >= p)
    return rss, at


@pytest.mark.parametrize("steps, leak, broken", [
    ({}, 0.04, False),  # the kept session data: ~12 MiB/h
    ({4: 2.69, 5: -3.90, 6: -1.29, 7: 2.68}, 0.04, False),  # the allocator's steps seen in one soak
    ({}, 0.30, True),  # one PoseFrame kept a frame: ~90 MiB/h
    ({4: -3.0}, 0.30, True),  # a leak hidden by a step down between the windows
])
def test_rss_trend_sees_a_leak_through_allocator_steps(steps, leak, broken):
    rss, at = _rss(steps, leak)
    flat = np.full(3600, 10.0)  # per-frame times that do not change: only RSS can break a bound
    fig = soak_figures(per_frame_ms(flat, flat / 2, flat, flat / 2), rss, np.ones(len(rss)), 30, 30.0, 3600, period=360)
    v = verdict(fig, bounds_for(fig["video_s"]))
    assert v["broken"] == (["rss_trend_mib_per_h"] if broken else []), fig["rss_trend_mib_per_h"]
