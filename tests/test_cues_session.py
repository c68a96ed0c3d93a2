"""`posecoach analyze` on the real clip: the cues it gives agree with the steps it measured.

The clip is 12 s long, shorter than the default 20 s warm-up, so the run uses a user cue file (the
`--cues` override a coach would write) with a short warm-up and gap; the rules and phrases are the
shipped defaults.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from cues.check import consistent
from cues.config import load_cues_config

SHORT_SESSION_TOML = """
[coach]
warmup_s = 2.0
warmup_steps = 6
min_gap_s = 3.0
repeat_gap_s = 6.0
"""


@pytest.fixture(scope="module")
def coached(clip, model_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("coached")
    cues_file = folder / "short.toml"
    cues_file.write_text(SHORT_SESSION_TOML)
    out = folder / "session"
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    result = subprocess.run([sys.executable, "-m", "live", "analyze", str(clip.path), "--out", str(out),
                             "--cues", str(cues_file)], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    cues = [json.loads(line) for line in (out / "cues.jsonl").read_text().splitlines()]
    with open(out / "steps.csv", newline="") as f:
        steps = list(csv.DictReader(f))
    return load_cues_config(cues_file), cues, steps


def test_cues_are_given_and_each_names_a_fault_seen_in_the_steps_before_it(coached):
    config, cues, steps = coached
    assert cues, "a 12 s run at 168 spm with a 2 s warm-up gives at least one cue"
    assert consistent(cues, steps, config) == []
    phrases = set(config.phrases.values())
    for row in cues:
        assert set(row) == {"t", "cue", "text", "fault", "spoken"}
        assert row["text"] in phrases
        assert row["spoken"] is False  # analysis never speaks


def test_no_two_cues_closer_than_the_configured_gap(coached):
    config, cues, _ = coached
    times = [row["t"] for row in cues]
    assert times == sorted(times)
    assert all(b - a >= config.coach.min_gap_s - 1e-6 for a, b in zip(times, times[1:]))
