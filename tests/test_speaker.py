"""The speaker: real synthesis (pyttsx3 / espeak-ng), a fake `aplay` for the missing sound card.

No timed assertions: "the loop never waits" is shown by holding the fake sound card's clip
"playing" (a gate file) while the frame loop runs to completion, then releasing it.
"""
from __future__ import annotations

import math
import subprocess
import sys
import time

import pytest

from cues.coach import Coach
from cues.config import load_cues_config
from cues.speaker import NO_AUDIO, open_speaker
from live.errors import BadInputError
from test_speaker_fakes import fake_audio  # noqa: F401  (fixture)

# Each test in a fresh process: pyttsx3's espeak state is per process (see tests/own_process.py).
pytestmark = pytest.mark.own_process

LONG = "Quick feet, hot coals. Land under your hips, and pull, don't push."
WAIT_S = 30.0  # generous: only guards against a hang, never decides a result


def wait_idle(speaker) -> None:
    deadline = time.monotonic() + WAIT_S
    while speaker.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not speaker.busy, "the speaker never finished"


def test_pyttsx3_speaks_a_real_phrase(fake_audio):
    with open_speaker(True, "en-us", 170) as speaker:
        assert speaker.mode == "pyttsx3" and speaker.reason == ""
        assert speaker.say("Land under your hips") is True
        wait_idle(speaker)
    played = [e for e in fake_audio.events() if e["event"] == "end"]
    assert len(played) == 1
    assert 0.8 < played[0]["duration_s"] < 3.0  # four words at 170 wpm: about 1.4 s
    assert played[0]["rms"] > 500  # speech, not silence (int16 full scale is 32767)


def test_loop_never_waits_on_speech(fake_audio, monkeypatch):
    fake_audio.hold(monkeypatch)  # the long phrase keeps "playing" until released
    coach = Coach(load_cues_config(None))
    frames_while_speaking = 0
    with open_speaker(True, None, None) as speaker:
        t0 = time.perf_counter()
        assert speaker.say(LONG)
        put_s = time.perf_counter() - t0
        deadline = time.monotonic() + WAIT_S
        while not fake_audio.events() and time.monotonic() < deadline:
            time.sleep(0.01)  # until the fake sound card starts playing
        for k in range(300):  # ten seconds of 30 fps frames, each calling the coach and the speaker
            coach.update(k / 30, [], math.nan, speaker_busy=speaker.busy)
            frames_while_speaking += speaker.busy
        still_playing = [e["event"] for e in fake_audio.events()] == ["start"]
        fake_audio.release()
        wait_idle(speaker)
    print(f"speaker.say() put took {put_s * 1e6:.0f} us")
    assert still_playing, "the phrase must still be playing after the whole frame loop ran"
    assert frames_while_speaking == 300
    assert [e["event"] for e in fake_audio.events()] == ["start", "end"]
    assert fake_audio.events()[0]["duration_s"] > 3.0  # the long phrase really was synthesized


def test_stale_phrases_are_dropped_and_the_queue_is_bounded(fake_audio, monkeypatch):
    fake_audio.hold(monkeypatch)
    with open_speaker(True, None, None, stale_s=0.2) as speaker:
        speaker.say("Stay low")
        deadline = time.monotonic() + WAIT_S
        while not fake_audio.events() and time.monotonic() < deadline:
            time.sleep(0.01)
        for text in ("Soft knees", "Fall forward", "Quicker feet"):  # queue holds 2: the oldest goes
            assert speaker.say(text)
        time.sleep(0.5)  # the two queued phrases are now older than stale_s
        fake_audio.release()
        wait_idle(speaker)
        assert speaker.dropped == 3  # one pushed out of the full queue, two stale
    assert [e["event"] for e in fake_audio.events()] == ["start", "end"]


def test_no_sound_card_degrades_to_text_with_one_sentence(fake_audio, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_APLAY_CARDS", "0")
    with open_speaker(True, None, None) as speaker:
        assert speaker.mode == "text"
        assert speaker.say("Stay low") is False
        assert not speaker.busy
    err = capsys.readouterr().err.splitlines()
    assert err == [speaker.reason, "cue: Stay low"]
    assert "no sound card" in speaker.reason and speaker.reason.count(". ") == 0


def test_quiet_speaker_leaves_the_why_to_its_caller(fake_audio, monkeypatch, capsys):
    """announce=False (posecoach say): nothing on stderr, the cause and its clause kept for the caller."""
    monkeypatch.setenv("FAKE_APLAY_CARDS", "0")
    with open_speaker(True, None, None, echo=False, announce=False) as speaker:
        assert speaker.mode == "text" and speaker.silence == NO_AUDIO
        assert speaker.problem == "no sound card was found (aplay -l lists none)"
        assert speaker.say("Stay low") is False
    assert capsys.readouterr().err == ""


def test_no_speech_flag_is_text_without_complaint(capsys):
    with open_speaker(False, None, None, echo=False) as speaker:
        assert speaker.mode == "text" and "--no-speech" in speaker.reason
        assert speaker.say("Stay low") is False
    assert capsys.readouterr().err == ""


def test_unknown_voice_and_bad_rate_are_bad_input(fake_audio):
    with pytest.raises(BadInputError, match="not installed"):
        open_speaker(True, "klingon-xx", None)
    with pytest.raises(BadInputError, match="out of range"):
        open_speaker(True, None, 20)


SCRIPT = """
import math, sys, time
sys.modules["pyttsx3"] = None  # this python has no pyttsx3
from cues.coach import Coach
from cues.config import load_cues_config
from cues.speaker import NO_AUDIO, open_speaker
with open_speaker(True, None, None) as speaker:
    coach = Coach(load_cues_config(None))
    for k in range(60):
        coach.update(k / 30, [], math.nan, speaker_busy=speaker.busy)
    speaker.say("Stay low")
    deadline = time.monotonic() + 30
    while speaker.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    print(speaker.mode)
"""


@pytest.mark.parametrize("espeak_on_path", [True, False])
def test_missing_engine_session_still_runs(fake_audio, tmp_path, espeak_on_path):
    """No pyttsx3: the espeak-ng program speaks; no espeak-ng either: text and one sentence."""
    path = f"{fake_audio.bin_dir}:/usr/bin:/bin" if espeak_on_path else str(fake_audio.bin_dir)
    if espeak_on_path and subprocess.run(["which", "espeak-ng"], capture_output=True).returncode:
        pytest.skip("espeak-ng is not installed")
    env = {"PATH": path, "FAKE_APLAY_LOG": str(fake_audio.log), "FAKE_APLAY_CARDS": "1"}
    r = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    err = r.stderr.splitlines()
    if espeak_on_path:
        assert r.stdout.strip() == "espeak-ng"
        assert len(err) == 1 and err[0].startswith("pyttsx3 could not start")
        played = [e for e in fake_audio.events() if e["event"] == "end"]
        assert len(played) == 1 and played[0]["rms"] > 500 and 0.4 < played[0]["duration_s"] < 2.5
    else:
        assert r.stdout.strip() == "text"
        assert len(err) == 2 and err[0].startswith("No speech engine could start") and err[1] == "cue: Stay low"
