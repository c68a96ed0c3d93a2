"""Is there somewhere to play sound? Shared by the speaker, the metronome and `posecoach say`.

On Linux both pyttsx3 2.99 (its espeak driver runs `aplay FILE`) and our espeak-ng fallback play
through ALSA's `aplay`, so `aplay -l` (hardware cards) or `aplay -L` (a sound server such as
PulseAudio or PipeWire) tells whether speech can be heard at all.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

PROBE_TIMEOUT_S = 5.0  # aplay -l answers in milliseconds; a hung ALSA config must not hang startup
SOUND_SERVERS = ("pulse", "pipewire")


def audio_output_problem() -> str | None:
    """None when an audio output looks usable, else why not: a clause to put in a sentence."""
    if sys.platform == "darwin":
        return None if shutil.which("afplay") else "afplay is missing"
    if not sys.platform.startswith("linux"):
        return None  # pyttsx3 uses the system's own speech service (SAPI5) there
    aplay = shutil.which("aplay")
    if aplay is None:
        return "aplay (package alsa-utils) is not installed"
    try:
        cards = subprocess.run([aplay, "-l"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
        if "card " in cards.stdout:
            return None
        devices = subprocess.run([aplay, "-L"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as e:
        return f"aplay could not list the sound devices ({e})"
    if any(line.strip() in SOUND_SERVERS for line in devices.stdout.splitlines()):
        return None
    return "no sound card was found (aplay -l lists none)"


def play_command(wav_path: str) -> list[str]:
    """The command that plays a WAV file to the end and then exits."""
    if sys.platform == "darwin":
        return ["afplay", wav_path]
    return ["aplay", "-q", wav_path]
