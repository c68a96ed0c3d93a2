"""`posecoach say`: a WAV written by the real engine, or spoken; bad input is exit 2 and one sentence."""
from __future__ import annotations

import wave

import numpy as np
import pytest

from cues.say import say_command
from test_speaker_fakes import fake_audio  # noqa: F401  (fixture)

# Each test in a fresh process: pyttsx3's espeak state is per process (see tests/own_process.py).
pytestmark = pytest.mark.own_process


def test_writes_a_wav_with_real_speech(tmp_path, capsys):
    out = tmp_path / "check.wav"
    assert say_command("Land under your hips", str(out), None, None) == 0
    with wave.open(str(out), "rb") as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16)
        seconds = w.getnframes() / w.getframerate()
    assert 0.8 < seconds < 3.0 and np.sqrt(np.mean(x.astype(float) ** 2)) > 500
    assert capsys.readouterr().out.startswith(f"Wrote {out}")


def test_slower_rate_is_longer(tmp_path):
    lengths = []
    for rate in (120, 240):
        out = tmp_path / f"r{rate}.wav"
        assert say_command("Quick feet, hot coals", str(out), "en-us", rate) == 0
        with wave.open(str(out), "rb") as w:
            lengths.append(w.getnframes() / w.getframerate())
    assert lengths[0] > 1.4 * lengths[1]


def test_speaks_through_the_sound_card(fake_audio):
    assert say_command("Stay low", None, None, None) == 0
    assert [e["event"] for e in fake_audio.events()] == ["start", "end"]


def test_bad_input_is_exit_2_with_one_sentence(tmp_path, capsys):
    cases = [("  ", None, None, None, "Nothing to say"),
             ("hi", str(tmp_path / "no" / "x.wav"), None, None, "does not exist"),
             ("hi", str(tmp_path / "x.wav"), "klingon-xx", None, "not installed"),
             ("hi", str(tmp_path / "x.wav"), None, 5, "out of range")]
    for text, wav, voice, rate, words in cases:
        assert say_command(text, wav, voice, rate) == 2
        err = capsys.readouterr().err.strip()
        assert words in err and "\n" not in err and "Traceback" not in err
