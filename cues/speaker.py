"""Speech on its own thread: the frame loop only puts a phrase into a small queue and goes on.

One thread creates and owns the pyttsx3 engine (pyttsx3 is not thread-safe) and speaks one phrase
per `say()` + `runAndWait()`, then waits on the engine's finished-utterance event. pyttsx3 2.99 on
Linux has known bugs this design steps around: `stop()` hangs mid-utterance (never called here),
two queued `say()` calls speak only the last (one phrase per runAndWait), and runAndWait blocks for
the whole playback (harmless on this thread). A phrase that waited in the queue longer than
`stale_s` is dropped: it would describe a stride long gone.

Degrade chain, each step with one sentence on stderr: pyttsx3 -> espeak-ng subprocess -> text
(the cue is printed, and the HUD shows it).
"""
from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

from cues.audio import audio_output_problem, play_command
from live.errors import BadInputError

# voice=None means this one when installed (the [speech] default in defaults.toml): espeak's
# clearest English; "" means the engine's own default (British English for espeak-ng).
DEFAULT_VOICE = "en-us"
DEFAULT_RATE_WPM = 170  # espeak's own default is 175; a touch slower is clearer over footsteps
RATE_RANGE_WPM = (80, 450)
STALE_S = 2.0
QUEUE_SIZE = 2  # the coach has at most one cue in flight; one spare so a put never blocks
INIT_TIMEOUT_S = 10.0  # pyttsx3 + libespeak-ng start in well under a second
CLOSE_TIMEOUT_S = 10.0  # let the phrase being said finish (never stop() it), then give up
SUBPROCESS_TIMEOUT_S = 30.0
# Why a speaker shows its cues as text (Speaker.silence; "" while it speaks). `posecoach say`
# turns each into its own advice.
SPEECH_OFF = "speech off"  # --no-speech
NO_AUDIO = "no audio output"  # nothing to play sound through
NO_ENGINE = "no speech engine"  # neither pyttsx3 nor the espeak-ng program could start
SPEECH_BROKE = "speech broke"  # playing a phrase failed mid-session


class _Voice(Protocol):
    def open(self) -> None: ...
    def speak(self, text: str) -> None: ...


class _Pyttsx3Voice:
    def __init__(self, voice: str | None, rate_wpm: int) -> None:
        self.voice, self.rate_wpm = voice, rate_wpm
        self._engine = None
        self._done = threading.Event()

    def open(self) -> None:
        import pyttsx3  # optional part: imported on the thread that owns the engine

        # A fresh Engine, not pyttsx3.init(): init() hands back a cached engine that another
        # thread may own.
        engine = pyttsx3.Engine()
        set_voice(engine, self.voice, self.rate_wpm)
        engine.connect("finished-utterance", lambda name, completed: self._done.set())
        self._engine = engine

    def speak(self, text: str) -> None:
        self._done.clear()
        own_espeak_callback(self._engine)
        self._engine.say(text)
        self._engine.runAndWait()
        if not self._done.wait(SUBPROCESS_TIMEOUT_S):
            raise RuntimeError("pyttsx3 never reported the end of the utterance")


def own_espeak_callback(engine) -> None:
    """Point espeak's synth callback at this engine before it speaks.

    pyttsx3 2.99's espeak driver keeps one process-wide callback, and the garbage collection of
    any other engine clears it (EspeakDriver.destroy is a staticmethod): a phrase synthesized after
    that comes out silent, as an empty WAV. Seen in about 1 of 3 runs of the cue tests, where
    engines of earlier tests were collected while the next test's engine spoke.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    on_synth = getattr(driver, "_onSynth", None)
    if on_synth is None:
        return  # not the espeak driver (macOS and Windows engines have no such callback)
    from pyttsx3.drivers import _espeak

    _espeak.SetSynthCallback(on_synth)


def set_voice(engine, voice: str | None, rate_wpm: int) -> None:
    """Choose the voice and rate of a pyttsx3 engine; an unknown voice is a BadInputError.

    Checked against the engine's voice list because pyttsx3 queues setProperty and swallows the
    espeak error for an unknown name. espeak accepts an id ("gmw/en-us"), its last part ("en-us"),
    a name ("German") or a language, optionally with a variant ("en-us+f3").
    """
    if voice is None or voice:
        known = set()
        for v in engine.getProperty("voices"):
            known |= {v.id.lower(), v.id.lower().rsplit("/", 1)[-1], (v.name or "").lower()}
            known |= {lang.lower() for lang in (v.languages or []) if isinstance(lang, str)}
        if voice is None:
            voice = DEFAULT_VOICE if DEFAULT_VOICE in known else ""
        elif voice.split("+", 1)[0].lower() not in known:
            raise BadInputError(f"Voice {voice!r} is not installed (espeak-ng --voices lists them).")
    if voice:
        engine.setProperty("voice", voice)
    engine.setProperty("rate", rate_wpm)
    # pyttsx3 queues setProperty until the next runAndWait; with several engines in one process a
    # later one was measured speaking at the driver's 200 wpm instead. Apply the settings now.
    engine.runAndWait()


class _EspeakVoice:
    """espeak-ng writes a WAV, the audio player plays it: the same path pyttsx3 takes on Linux."""

    def __init__(self, voice: str | None, rate_wpm: int) -> None:
        self.exe = shutil.which("espeak-ng")
        self.voice, self.rate_wpm = voice, rate_wpm

    def open(self) -> None:
        if self.exe is None:
            raise RuntimeError("espeak-ng is not installed")
        if self.voice is None:
            default_ok = espeak_wav(self.exe, "ok", None, DEFAULT_VOICE, self.rate_wpm) is not None
            self.voice = DEFAULT_VOICE if default_ok else ""
        if self.voice and espeak_wav(self.exe, "ok", None, self.voice, self.rate_wpm) is None:
            raise BadInputError(f"Voice {self.voice!r} is not installed (espeak-ng --voices lists them).")

    def speak(self, text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="posecoach-say-") as d:
            wav = espeak_wav(self.exe, text, Path(d) / "cue.wav", self.voice, self.rate_wpm)
            if wav is None:
                raise RuntimeError("espeak-ng failed to synthesize")
            cmd = play_command(str(wav))
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
            if r.returncode != 0:
                said = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
                raise RuntimeError(f"{cmd[0]} could not play it: {said}")


def espeak_wav(exe: str, text: str, wav: Path | None, voice: str | None, rate_wpm: int) -> Path | None:
    """Synthesize `text` with the espeak-ng program into `wav` (None: synthesize and discard)."""
    cmd = [exe, "-s", str(rate_wpm), "--stdin", "-w", str(wav) if wav else "/dev/null"]
    if voice:
        cmd[1:1] = ["-v", voice]
    try:
        r = subprocess.run(cmd, input=text, text=True, capture_output=True, timeout=SUBPROCESS_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return None if r.returncode != 0 else (wav or Path("/dev/null"))


class Speaker:
    """Use `open_speaker(...)`. `mode` is "pyttsx3", "espeak-ng" or "text".

    `reason`: the sentence saying why speech is off or degraded; `silence`: why cues are text (one
    of the constants above, "" while speaking); `problem`: the clause behind it (e.g. "no sound card
    was found (aplay -l lists none)")."""

    def __init__(self, mode: str, reason: str, voice: _Voice | None, stale_s: float, echo: bool,
                 silence: str = "", problem: str = "", announce: bool = True) -> None:
        self.mode, self.reason = mode, reason
        self.silence, self.problem = silence, problem
        self.stale_s = stale_s
        self.dropped = 0  # phrases dropped as stale or pushed out of the full queue
        self._echo = echo
        self._announce = announce
        self._voice = voice
        self._queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._lock = threading.Lock()
        self._pending = 0  # queued or being said
        self._closed = False
        self._started: queue.Queue = queue.Queue(1)
        self._thread: threading.Thread | None = None

    # --- the loop's side: never blocks -------------------------------------------------------
    def say(self, text: str) -> bool:
        """Queue `text` to be spoken; True if it was queued for speech, False if shown as text."""
        if self.mode == "text" or self._closed:
            self._show(text)
            return False
        with self._lock:
            while True:
                try:
                    self._queue.put_nowait((text, time.monotonic()))
                    self._pending += 1
                    return True
                except queue.Full:
                    self._discard_oldest()

    def _show(self, text: str) -> None:
        if self._echo:
            print(f"cue: {text}", file=sys.stderr, flush=True)

    def _discard_oldest(self) -> None:
        try:
            self._queue.get_nowait()
        except queue.Empty:
            return
        self._pending -= 1
        self.dropped += 1

    @property
    def busy(self) -> bool:
        """True while a phrase is queued or being said."""
        with self._lock:
            return self._pending > 0

    # --- the speech thread ---------------------------------------------------------------------
    def _start(self) -> str | None:
        """Start the thread; None when the voice is ready, else why not."""
        self._thread = threading.Thread(target=self._run, name="posecoach-speech", daemon=True)
        self._thread.start()
        try:
            err = self._started.get(timeout=INIT_TIMEOUT_S)
        except queue.Empty:
            err = f"the {self.mode} engine did not start within {INIT_TIMEOUT_S:.0f} s"
        if isinstance(err, BadInputError):
            self.close()
            raise err
        return err

    def _run(self) -> None:
        try:
            self._voice.open()
        except (ImportError, OSError, RuntimeError, ValueError, BadInputError, subprocess.SubprocessError) as e:
            self._started.put(e if isinstance(e, BadInputError) else f"{type(e).__name__}: {e}")
            return
        self._started.put(None)
        while True:
            item = self._queue.get()
            if item is None:
                return
            text, t_put = item
            try:
                if time.monotonic() - t_put > self.stale_s:
                    self.dropped += 1
                elif self.mode == "text":  # speech broke earlier in this session
                    self._show(text)
                else:
                    self._voice.speak(text)
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                self._fail(text, e)
            finally:
                with self._lock:
                    self._pending -= 1

    def _fail(self, text: str, err: Exception) -> None:
        """Speech broke mid-session: say why once, and show every later cue as text."""
        self.problem = f"{type(err).__name__}: {err}"
        self.reason = f"Speech stopped working ({self.problem}), so cues are shown as text only."
        self.silence = SPEECH_BROKE
        self.mode = "text"
        if self._announce:
            print(self.reason, file=sys.stderr, flush=True)
        self._show(text)

    # --- context manager -------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread is None or not self._thread.is_alive():
            return
        with self._lock:
            while not self._queue.empty():
                self._discard_oldest()
        self._queue.put(None)  # after the phrase being said: stop() would hang pyttsx3
        self._thread.join(CLOSE_TIMEOUT_S)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_speaker(enabled: bool, voice: str | None, rate_wpm: int | None, *, stale_s: float = STALE_S,
                 echo: bool = True, announce: bool = True) -> Speaker:
    """The best voice available: pyttsx3, else espeak-ng, else text (one sentence on stderr why).

    `echo`: print text-mode cues to stderr (False: the HUD alone shows them).
    `announce`: print the speaker's own sentences (why text, a fallback, a failure) to stderr; False
    leaves `reason` / `silence` / `problem` for the caller to report.
    Raises BadInputError for a rate out of range or a voice that is not installed.
    """
    rate = DEFAULT_RATE_WPM if rate_wpm is None else rate_wpm
    if not RATE_RANGE_WPM[0] <= rate <= RATE_RANGE_WPM[1]:
        raise BadInputError(f"Speech rate {rate} wpm is out of range; use {RATE_RANGE_WPM[0]} to {RATE_RANGE_WPM[1]}.")
    if not stale_s > 0:
        raise ValueError(f"stale_s = {stale_s!r} must be positive")
    if not enabled:
        return Speaker("text", "Speech is off (--no-speech), so cues are shown as text only.", None, stale_s, echo,
                       SPEECH_OFF, "--no-speech", announce)
    problem = audio_output_problem()
    if problem is not None:
        return _text(f"Speech is off because {problem}, so cues are shown as text only.", stale_s, echo,
                     NO_AUDIO, problem, announce)
    failures = []
    for mode, voice in (("pyttsx3", _Pyttsx3Voice(voice, rate)), ("espeak-ng", _EspeakVoice(voice, rate))):
        speaker = Speaker(mode, "", voice, stale_s, echo, announce=announce)
        err = speaker._start()
        if err is None:
            if failures:
                speaker.reason = f"pyttsx3 could not start ({failures[0]}), so speech uses the espeak-ng program."
                if announce:
                    print(speaker.reason, file=sys.stderr, flush=True)
            return speaker
        speaker.close()
        failures.append(err)
    problem = f"pyttsx3: {failures[0]}; espeak-ng: {failures[1]}"
    return _text(f"No speech engine could start ({problem}), so cues are shown as text only.", stale_s, echo,
                 NO_ENGINE, problem, announce)


def _text(reason: str, stale_s: float, echo: bool, silence: str, problem: str, announce: bool) -> Speaker:
    if announce:
        print(reason, file=sys.stderr, flush=True)
    return Speaker("text", reason, None, stale_s, echo, silence, problem, announce)
