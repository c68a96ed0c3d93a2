"""`posecoach analyze` on the real clip: the cues it gives agree with the steps it measured.

The clip is 12 s long, shorter than the default 20 s warm-up, so the run uses a user cue file (the
`--cues` override a coach would write) with a short warm-up and gap; the rules and phrases are the
shipped defaults.
"""
from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys

import pytest

from cues.check import LOOKBACK_EXTRA_S, consistent
from cues.coach import CUE_JSON_KEYS, PRAISE
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
        assert tuple(row) == CUE_JSON_KEYS
        assert row["text"] in phrases
        assert row["spoken"] is False  # analysis never speaks


def test_each_cue_line_carries_the_values_its_rule_saw_in_steps_csv(coached):
    """Recomputed here from steps.csv alone, the way the rule builds its window: the rule's value
    for each good step with the metric measured, the last window_steps of them up to the newest
    step the line names; a fault cue needs persist_steps of them beyond `on`, a praise within `off`."""
    config, cues, steps = coached
    rules = {f.name: f for f in config.faults}
    for row in cues:
        rule = rules[row["fault"]]
        assert (row["metric"], row["direction"]) == (rule.metric, rule.direction)
        assert (row["on"], row["off"]) == (rule.on, rule.off)
        assert (row["window_steps"], row["persist_steps"]) == (rule.window_steps, rule.persist_steps)
        assert row["unit"] == rule.metric.rsplit("_", 1)[1] and row["baseline"] == 0.0  # no profile: no baseline
        assert row["last_step_t_s"] <= row["t"]
        before = [s for s in steps if float(s["t_s"]) <= row["last_step_t_s"] + 1e-4]
        assert abs(float(before[-1]["t_s"]) - row["last_step_t_s"]) <= 1e-4, "last_step_t_s is a landing in steps.csv"
        if rule.metric == "cadence_spm":
            continue  # the tracker's rolling cadence at each step's frame; steps.csv has no column for it
        measured = [v for s in before if s["quality"] == "ok" and (v := rule_value(rule.metric, s)) is not None]
        window = measured[-rule.window_steps:]
        # The newest evidence, not an old snapshot: a step is delivered within LOOKBACK_EXTRA_S of its
        # landing, so every good measured step landing that long before the cue is in the window.
        delivered = [float(s["t_s"]) for s in steps if s["quality"] == "ok" and rule_value(rule.metric, s) is not None
                     and float(s["t_s"]) <= row["t"] - LOOKBACK_EXTRA_S]
        assert not delivered or delivered[-1] <= row["last_step_t_s"] + 1e-4, row
        assert row["window_values"] == pytest.approx(window, abs=3e-4), row
        assert row["value"] == pytest.approx(statistics.median(window), abs=3e-4), row
        above = rule.direction == "above"
        beyond = sum((v >= rule.on) if above else (v <= rule.on) for v in window)
        within = sum((v <= rule.off) if above else (v >= rule.off) for v in window)
        assert (row["steps_beyond_on"], row["steps_within_off"]) == (beyond, within), row
        if row["cue"] == PRAISE:
            assert within >= rule.persist_steps, row
            continue
        # A fault is said while it is on: it switched on when persist_steps of a window were beyond
        # `on`, and stays on (hysteresis) until persist_steps of a window are back within `off`.
        assert within < rule.persist_steps, row
        switched_on = any(sum((v >= rule.on) if above else (v <= rule.on) for v in measured[max(0, j - rule.window_steps):j])
                          >= rule.persist_steps for j in range(1, len(measured) + 1))
        assert switched_on, row


def rule_value(metric: str, step_row: dict) -> float | None:
    """A rule's value from one steps.csv row (no baseline); None when a cell is empty."""
    names = ("trunk_deg", "fall_deg") if metric == "waist_bend_deg" else (metric,)
    cells = [step_row[n] for n in names]
    if "" in cells:
        return None
    return float(cells[0]) - float(cells[1]) if len(cells) == 2 else float(cells[0])


def test_no_two_cues_closer_than_the_configured_gap(coached):
    config, cues, _ = coached
    times = [row["t"] for row in cues]
    assert times == sorted(times)
    assert all(b - a >= config.coach.min_gap_s - 1e-6 for a, b in zip(times, times[1:]))
