"""A fake `aplay` that stands in for the sound card (this machine and CI have none).

Only the audio device is faked: the WAV it is handed was synthesized by the real engine. It
answers `aplay -l` with one card, logs every clip it plays (duration, loudness) to $FAKE_APLAY_LOG
as JSON lines, and takes as long as the clip lasts, like a sound card. $FAKE_APLAY_CARDS=0: no card,
listed or played, with ALSA's messages and exit status; $FAKE_APLAY_BUSY=1: the card is listed but
cannot be opened. With $FAKE_APLAY_GATE set it holds the clip "playing" until that file exists,
so a test controls when the phrase ends instead of relying on timing. Raw PCM on stdin (the
metronome) is consumed at the sample rate and copied to $FAKE_APLAY_RAW.
This module holds no tests; test modules import the `fake_audio` fixture from it.
"""
from __future__ import annotations

import gc
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

FAKE_APLAY = r'''#!{python}
import json, os, sys, time, wave
import numpy as np

args = sys.argv[1:]
if "-l" in args:
    if os.environ.get("FAKE_APLAY_CARDS", "1") == "1":
        print("**** List of PLAYBACK Hardware Devices ****")
        print("card 0: Fake [Fake sound card], device 0: Fake PCM [Fake PCM]")
    else:
        print("aplay: device_list:274: no soundcards found...", file=sys.stderr)
    sys.exit(0)
if "-L" in args:
    print("null\n    Discard all samples (playback) or generate zero samples (capture)")
    sys.exit(0)

if os.environ.get("FAKE_APLAY_CARDS", "1") != "1":  # what ALSA says with no card (abridged)
    print("ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default", file=sys.stderr)
    print("aplay: main:831: audio open error: No such file or directory", file=sys.stderr)
    sys.exit(1)
if os.environ.get("FAKE_APLAY_BUSY") == "1":  # a card that is listed but cannot be opened
    print("aplay: main:831: audio open error: Device or resource busy", file=sys.stderr)
    sys.exit(1)

opts, files, it = {}, [], iter(args)
for a in it:
    if a in ("-t", "-f", "-r", "-c", "-D"):
        opts[a] = next(it)
    elif a == "-" or not a.startswith("-"):
        files.append(a)


def note(**kw):
    with open(os.environ["FAKE_APLAY_LOG"], "a") as f:
        f.write(json.dumps(kw) + "\n")


if files == ["-"]:  # raw PCM from stdin, consumed at the sample rate
    rate = int(opts.get("-r", "8000"))
    with open(os.environ["FAKE_APLAY_RAW"], "ab") as out:
        while chunk := sys.stdin.buffer.read(2048):
            out.write(chunk)
            out.flush()
            time.sleep(len(chunk) / 2 / rate)
    sys.exit(0)

for path in files:
    with wave.open(path, "rb") as w:
        rate, n = w.getframerate(), w.getnframes()
        samples = np.frombuffer(w.readframes(n), dtype=np.int16).astype(np.float64)
    duration = n / rate
    rms = float(np.sqrt(np.mean(samples ** 2))) if n else 0.0
    note(event="start", duration_s=duration, rms=rms)
    gate = os.environ.get("FAKE_APLAY_GATE")
    if gate:
        deadline = time.monotonic() + 60
        while not os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        time.sleep(duration)
    note(event="end", duration_s=duration, rms=rms)
'''


@dataclass
class FakeAudio:
    bin_dir: Path
    log: Path
    raw: Path
    gate: Path

    def events(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def hold(self, monkeypatch) -> None:
        """Keep every clip playing until `release()`."""
        monkeypatch.setenv("FAKE_APLAY_GATE", str(self.gate))

    def release(self) -> None:
        self.gate.touch()


@pytest.fixture
def fake_audio(tmp_path, monkeypatch) -> FakeAudio:
    """A sound card for this test: a fake `aplay` first on PATH (the real espeak-ng stays on PATH)."""
    # Engines of earlier tests are collected now, not mid-phrase in this one: pyttsx3 clears the
    # espeak callback of whichever engine speaks when any engine is collected (see
    # cues.speaker.own_espeak_callback, which guards the product against the same bug).
    gc.collect()
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    aplay = bin_dir / "aplay"
    aplay.write_text(FAKE_APLAY.replace("{python}", sys.executable))
    aplay.chmod(0o755)
    fake = FakeAudio(bin_dir, tmp_path / "aplay.log", tmp_path / "aplay.raw", tmp_path / "gate")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_APLAY_LOG", str(fake.log))
    monkeypatch.setenv("FAKE_APLAY_RAW", str(fake.raw))
    monkeypatch.delenv("FAKE_APLAY_GATE", raising=False)
    monkeypatch.setenv("FAKE_APLAY_CARDS", "1")
    monkeypatch.delenv("FAKE_APLAY_BUSY", raising=False)
    return fake
