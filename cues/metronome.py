"""`--metronome SPM`: the classic Pose cadence drill, a short click on every step at the target rate.

One `aplay` process reads a raw PCM stream from a pipe; a thread writes clicks and silence into it
with exact sample counts, so the beat is timed by the sound card's clock, not by sleeping. The pipe
fills and blocks only that thread: the frame loop never waits. The speaker's `aplay` plays beside
it (ALSA's default device mixes). Without audio it says so in one sentence and stays silent.
"""
from __future__ import annotations

import math
import subprocess
import sys
import threading

import numpy as np

from cues.audio import audio_output_problem
from live.errors import BadInputError

SPM_RANGE = (100.0, 240.0)  # slower is walking, faster than any runner's step rate
SAMPLE_RATE = 22050  # what espeak uses too; plenty for a click
CLICK_S = 0.015  # short enough to stay a click at 240 spm (a beat every 0.25 s)
CLICK_HZ = 2000.0  # high and sharp: heard over treadmill noise without masking speech
CLICK_AMPLITUDE = 0.4  # of full scale: clear, and leaves headroom when mixed with the voice
STOP_TIMEOUT_S = 2.0


def click_samples(sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(int(CLICK_S * sample_rate)) / sample_rate
    decay = np.exp(-t / (CLICK_S / 4))  # falls to 2% by the end: no pop when it stops
    return (CLICK_AMPLITUDE * 32767 * np.sin(2 * np.pi * CLICK_HZ * t) * decay).astype(np.int16)


class Metronome:
    """Context manager. `mode` is "aplay" while clicking, else "off" with `reason`."""

    def __init__(self, spm: float) -> None:
        if not (isinstance(spm, (int, float)) and math.isfinite(spm) and SPM_RANGE[0] <= spm <= SPM_RANGE[1]):
            raise BadInputError(f"Metronome rate {spm!r} steps per minute is out of range; "
                                f"use {SPM_RANGE[0]:.0f} to {SPM_RANGE[1]:.0f} (Pose drills use about 180).")
        self.spm = float(spm)
        self.mode, self.reason = "off", ""
        self._stop = threading.Event()
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Metronome:
        problem = audio_output_problem()
        if problem is None:
            try:
                self._proc = subprocess.Popen(
                    ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", "1", "-"],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError as e:
                problem = f"aplay could not start ({e})"
        if problem is not None:
            self._off(f"The metronome is off because {problem}.")
            return self
        self.mode = "aplay"
        self._thread = threading.Thread(target=self._run, name="posecoach-metronome", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        click = click_samples().tobytes()
        per_beat = SAMPLE_RATE * 60.0 / self.spm
        written = 0.0  # samples written, kept fractional so the rate does not drift
        beat = 0
        while not self._stop.is_set():
            beat += 1
            n = int(round(beat * per_beat - written))
            chunk = click + bytes(2 * n - len(click))
            try:
                self._proc.stdin.write(chunk)  # blocks while the pipe is full: paced by the card
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                if not self._stop.is_set():
                    self._off("The metronome stopped because its audio player exited.")
                return
            written += n

    def _off(self, reason: str) -> None:
        self.mode, self.reason = "off", reason
        print(reason, file=sys.stderr, flush=True)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._proc is None:
            return
        self._proc.terminate()  # do not wait for the clicks still in the pipe
        try:
            self._proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
        try:
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the player is gone; nothing left to flush
