"""`posecoach say`: a WAV written by the real engine, or spoken; bad input is exit 2 and one sentence;
a phrase that could not be played (no sound card, no engine, playback failed) is exit 5 and one sentence."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave

import numpy as np
import pytest

from cues.say import say_command
from live.errors import EXIT_NO_AUDIO
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
    """Each rate through `posecoach say` in a process of its own, as it is used: two engines in one
    process shared the espeak driver's rate (240 wpm read 1.32 s against 1.66 s at 120 in one CI run)."""
    lengths = []
    for rate in (120, 240):
        out = tmp_path / f"r{rate}.wav"
        done = subprocess.run([sys.executable, "-m", "live", "say", "Quick feet, hot coals", "--wav", str(out),
                               "--voice", "en-us", "--rate", str(rate)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        with wave.open(str(out), "rb") as w:
            lengths.append(w.getnframes() / w.getframerate())
    assert lengths[0] > 1.4 * lengths[1], lengths


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


def test_no_sound_card_is_exit_5_with_one_sentence_saying_what_to_do(fake_audio, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_APLAY_CARDS", "0")  # aplay -l lists no card, playing fails as ALSA does
    assert say_command("Stay low", None, None, None) == EXIT_NO_AUDIO == 5
    out, err = capsys.readouterr()
    assert out == "" and fake_audio.events() == []
    assert err.count("\n") == 1 and err.endswith(".\n") and ". " not in err and "Traceback" not in err
    assert err.startswith("posecoach: No sound output: no sound card was found (aplay -l lists none)")
    assert "install alsa-utils" in err and "shown as text" in err and "--wav" in err


def test_no_sound_card_still_writes_a_wav(fake_audio, monkeypatch, tmp_path):
    monkeypatch.setenv("FAKE_APLAY_CARDS", "0")
    out = tmp_path / "check.wav"
    assert say_command("Stay low", str(out), None, None) == 0
    with wave.open(str(out), "rb") as w:
        assert w.getnframes() / w.getframerate() > 0.3


def cli(args: list[str], path: str, env: dict, no_pyttsx3: bool = False) -> subprocess.CompletedProcess:
    """`posecoach ARGS` in a fresh process with this PATH (optionally without pyttsx3)."""
    block = 'sys.modules["pyttsx3"] = None; ' if no_pyttsx3 else ""
    code = f"import sys; {block}from live.cli import main; sys.exit(main({args!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env, "PATH": path})


def test_cli_without_sound_card_is_exit_5_and_with_wav_exit_0(fake_audio, tmp_path):
    env = {"FAKE_APLAY_CARDS": "0"}
    path = f"{fake_audio.bin_dir}{os.pathsep}{os.environ['PATH']}"
    r = cli(["say", "Stay low"], path, env)
    assert r.returncode == 5 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("posecoach: No sound output:"), r.stderr
    r = cli(["say", "Stay low", "--wav", str(tmp_path / "x.wav")], path, env)
    assert r.returncode == 0 and r.stderr == "" and (tmp_path / "x.wav").stat().st_size > 1000, r.stderr


def test_no_speech_engine_is_exit_5(fake_audio):
    """A sound card, but neither pyttsx3 nor espeak-ng: nothing can say the phrase."""
    r = cli(["say", "Stay low"], str(fake_audio.bin_dir), {}, no_pyttsx3=True)
    assert r.returncode == 5 and fake_audio.events() == []
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith("posecoach: No speech engine (pyttsx3: ") and "install espeak-ng" in r.stderr


def test_playback_that_fails_is_exit_5(fake_audio, monkeypatch):
    """The card is listed but cannot be opened: the espeak-ng program's playback fails, and says so."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = f"{fake_audio.bin_dir}{os.pathsep}{os.environ['PATH']}"
    r = cli(["say", "Stay low"], path, {"FAKE_APLAY_BUSY": "1"}, no_pyttsx3=True)
    assert r.returncode == 5, r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith("posecoach: The phrase could not be played (RuntimeError: aplay could not play it: ")
    assert "Device or resource busy" in r.stderr and "check the sound card" in r.stderr
