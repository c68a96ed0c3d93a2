"""The metronome: clicks at exactly the target step rate (counted in samples of the stream the
sound card gets), never in the loop's way, and one sentence when there is no sound card."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from cues.coach import Coach
from cues.config import load_cues_config
from cues.metronome import SAMPLE_RATE, Metronome
from live.errors import BadInputError
from test_speaker_fakes import fake_audio  # noqa: F401  (fixture)

WAIT_S = 30.0  # only guards against a hang


def onsets(raw: bytes) -> np.ndarray:
    x = np.abs(np.frombuffer(raw[: len(raw) // 2 * 2], np.int16).astype(np.int32))
    loud = np.flatnonzero(x > 2000)
    if loud.size == 0:
        return loud
    return loud[np.r_[True, np.diff(loud) > SAMPLE_RATE // 20]]  # first loud sample of each click


@pytest.mark.parametrize("spm", [180, 170.5])
def test_clicks_at_the_target_rate_while_the_loop_runs(fake_audio, spm):
    coach = Coach(load_cues_config(None))
    with Metronome(spm) as metronome:
        assert metronome.mode == "aplay"
        for k in range(300):  # the frame loop goes on while the metronome thread writes
            coach.update(k / 30, [], math.nan)
        deadline = time.monotonic() + WAIT_S
        while len(onsets(fake_audio.raw.read_bytes() if fake_audio.raw.exists() else b"")) < 8:
            assert time.monotonic() < deadline, "no clicks reached the sound card"
            time.sleep(0.05)
    beats = onsets(fake_audio.raw.read_bytes())
    per_beat = SAMPLE_RATE * 60 / spm
    intervals = np.diff(beats)
    assert np.all(np.abs(intervals - per_beat) <= 1.0)  # within one sample, beat after beat
    assert abs((beats[-1] - beats[0]) / (len(beats) - 1) - per_beat) < 0.2  # and no drift


def test_no_sound_card_is_one_sentence(fake_audio, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_APLAY_CARDS", "0")
    with Metronome(180) as metronome:
        assert metronome.mode == "off"
    err = capsys.readouterr().err.splitlines()
    assert err == [metronome.reason] and "no sound card" in metronome.reason


@pytest.mark.parametrize("spm", [0, 60, 400, float("nan")])
def test_rate_out_of_range(spm):
    with pytest.raises(BadInputError, match="out of range"):
        Metronome(spm)
