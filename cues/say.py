"""`posecoach say TEXT [--wav FILE]`: the voice check a runner does before a session.

With --wav the phrase is written to a WAV by the real engine (pyttsx3's save_to_file, else the
espeak-ng program); without it the phrase is spoken through the same speaker the session uses.
A phrase that could not be played (no sound output, no speech engine, playback failed) is exit 5
with one sentence saying why and what to do: a session would show its cues as text, but this
command exists to check the voice, so it must not pass as a success.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import sys
import time
import wave
from pathlib import Path

from cues.speaker import (DEFAULT_RATE_WPM, DEFAULT_VOICE, NO_AUDIO, NO_ENGINE, RATE_RANGE_WPM, Speaker,
                          espeak_wav, open_speaker, own_espeak_callback, set_voice)
from live.errors import EXIT_NO_AUDIO, EXIT_OK, BadInputError, PosecoachError, one_line

SPEAK_TIMEOUT_S = 60.0  # the longest phrase a cue file allows takes under 10 s to say
# The end of every "not played" sentence: what still works without a voice.
TEXT_MODE = ("in a session the cues will be shown as text, and say --wav FILE still writes the speech "
             "to a file")


class NoAudioError(PosecoachError):
    """The phrase could not be played."""

    exit_code = EXIT_NO_AUDIO


def say_command(text: str, wav: str | None = None, voice: str | None = None, rate_wpm: int | None = None) -> int:
    """Speak `text` or write it to `wav`; returns the exit code (0 ok, 2 bad input, 5 not played)."""
    try:
        if not text or not text.strip():
            raise BadInputError('Nothing to say: give the words, e.g. posecoach say "Land under your hips".')
        rate = DEFAULT_RATE_WPM if rate_wpm is None else rate_wpm
        if not RATE_RANGE_WPM[0] <= rate <= RATE_RANGE_WPM[1]:
            raise BadInputError(f"Speech rate {rate} wpm is out of range; use {RATE_RANGE_WPM[0]} to {RATE_RANGE_WPM[1]}.")
        if wav is not None:
            seconds = synthesize_wav(text.strip(), Path(wav), voice, rate)
            print(f"Wrote {wav} ({seconds:.2f} s of speech).")
        else:
            _speak(text.strip(), voice, rate)
    except PosecoachError as e:
        print(f"posecoach: {one_line(str(e))}", file=sys.stderr)
        return e.exit_code
    return EXIT_OK


def synthesize_wav(text: str, path: Path, voice: str | None, rate_wpm: int) -> float:
    """Write `text` as speech to the WAV at `path`; returns its duration in seconds."""
    if not path.parent.is_dir():
        raise BadInputError(f"Cannot write {path}: folder {path.parent} does not exist.")
    why = _pyttsx3_wav(text, path, voice, rate_wpm)
    if why is not None:
        exe = shutil.which("espeak-ng")
        if voice is None and exe is not None and espeak_wav(exe, "ok", None, DEFAULT_VOICE, rate_wpm) is not None:
            voice = DEFAULT_VOICE
        if exe is None or espeak_wav(exe, text, path, voice, rate_wpm) is None:
            if voice and exe is not None and espeak_wav(exe, "ok", None, None, rate_wpm) is not None:
                raise BadInputError(f"Voice {voice!r} is not installed (espeak-ng --voices lists them).")
            raise BadInputError(f"No speech engine could write {path} (pyttsx3: {why}; espeak-ng: "
                                f"{'not installed' if exe is None else 'failed'}).")
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error) as e:
        raise BadInputError(f"The speech engine wrote no usable WAV to {path} ({e}).") from None


def _pyttsx3_wav(text: str, path: Path, voice: str | None, rate_wpm: int) -> str | None:
    """None on success, else why pyttsx3 could not write it."""
    try:
        import pyttsx3

        engine = pyttsx3.Engine()  # fresh: save_to_file leaves its file name set on the driver
    except (ImportError, OSError, RuntimeError) as e:
        return f"{type(e).__name__}: {e}"
    set_voice(engine, voice, rate_wpm)
    own_espeak_callback(engine)
    engine.save_to_file(text, str(path))
    with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 2.99 prints "Audio saved to ..."
        engine.runAndWait()
    return None if path.is_file() and path.stat().st_size > 44 else "it wrote no audio"


def _speak(text: str, voice: str | None, rate: int) -> None:
    # announce=False: this command says itself, in one sentence, why the phrase was not heard.
    with open_speaker(True, voice, rate, echo=False, announce=False) as speaker:
        if speaker.mode == "text":
            raise NoAudioError(_not_played(speaker))
        speaker.say(text)
        deadline = time.monotonic() + SPEAK_TIMEOUT_S
        while speaker.busy and time.monotonic() < deadline:
            time.sleep(0.05)  # this command exists to speak: waiting here is its whole job
        if speaker.mode == "text":  # playing it failed on the speech thread
            raise NoAudioError(_not_played(speaker))
        if speaker.busy:
            raise NoAudioError(f"The phrase did not finish playing within {SPEAK_TIMEOUT_S:.0f} s, so the sound "
                               f"output looks stuck: check the sound card with aplay -l; {TEXT_MODE}.")
        if speaker.reason:
            print(speaker.reason, file=sys.stderr)  # spoken by the fallback engine: worth knowing


def _not_played(speaker: Speaker) -> str:
    """One sentence: why the phrase was not played, and what to do."""
    if speaker.silence == NO_AUDIO:
        return (f"No sound output: {speaker.problem}, so the phrase was not played; install alsa-utils and "
                f"check the sound card or sound server (aplay -l should list it); {TEXT_MODE}.")
    if speaker.silence == NO_ENGINE:
        return (f"No speech engine ({speaker.problem}), so the phrase was not played; install espeak-ng "
                f"(apt install espeak-ng) and pyttsx3 (pip install pyttsx3); {TEXT_MODE}.")
    return (f"The phrase could not be played ({speaker.problem}); check the sound card (aplay -l should "
            f"list it, and aplay should play a WAV); {TEXT_MODE}.")
