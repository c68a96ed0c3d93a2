"""Every default phrase, synthesized to WAV by the real engine, is real speech that a recogniser
restricted to the phrase list hears back (pocketsphinx with a JSGF grammar of the phrases).

Run with -s to see the table of durations and what was recognised.
"""
from __future__ import annotations

import math
import re
import wave

import numpy as np
import pytest

from cues.config import load_cues_config
from cues.say import synthesize_wav

# Each test in a fresh process: pyttsx3's espeak state is per process (see tests/own_process.py).
pytestmark = pytest.mark.own_process

SPS_RATE = 16000  # pocketsphinx's en-us acoustic model is trained on 16 kHz audio
MIN_RECOGNISED = 0.90
# espeak-ng does not say a phrase the same way twice (its samples differ from one synthesis to the
# next by a few ms): each phrase is said this many times, the rate is over all of them, and every
# phrase must be heard at least once.
REPEATS = 2
# A microphone never hears digital silence: with exact zeros around the speech the recogniser's
# log-energy features hit the floor and it cut phrases short or missed them (2-13 of 15-60 phrases,
# varying with the synthesis); with the hiss of a quiet room added (-60 dBFS) it missed none of 60.
ROOM_NOISE_RMS = 30.0  # of 32768


def words(text: str) -> str:
    """The phrase as the recogniser's dictionary spells it: lower case, no punctuation."""
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def read_wav(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


@pytest.fixture(scope="module")
def phrase_wavs(tmp_path_factory):
    cfg = load_cues_config(None)
    out = tmp_path_factory.mktemp("phrases")
    wavs: dict[str, list] = {}
    for cue_id, text in cfg.phrases.items():
        for k in range(REPEATS):
            path = out / f"{cue_id}_{k}.wav"
            synthesize_wav(text, path, cfg.speech.voice or None, cfg.speech.rate_wpm)
            wavs.setdefault(text, []).append(path)
    return wavs


def test_every_default_phrase_is_plausible_speech(phrase_wavs):
    rate_wpm = load_cues_config(None).speech.rate_wpm
    for text, path in ((t, p) for t, paths in phrase_wavs.items() for p in paths):
        x, sr = read_wav(path)
        duration = len(x) / sr
        n_words = len(text.split())
        expected = n_words * 60 / rate_wpm
        window = sr // 50  # 20 ms
        frames = x[: len(x) // window * window].astype(np.float64).reshape(-1, window)
        voiced = float(np.mean(np.sqrt(np.mean(frames ** 2, axis=1)) > 300))
        rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
        print(f"{text!r:26} {duration:.2f} s ({expected:.2f} s at {rate_wpm} wpm)  rms {rms:5.0f}  voiced {voiced:.0%}")
        # espeak adds a short end-of-sentence pause; a word takes 0.2-0.7 s at this rate
        assert 0.5 * expected < duration < 2.0 * expected + 0.6, text
        assert rms > 500 and int(np.abs(x).max()) > 5000, f"{text!r} is (nearly) silent"
        assert voiced > 0.4, f"{text!r} is mostly silence"


def test_recogniser_restricted_to_the_phrases_hears_them_back(phrase_wavs):
    pocketsphinx = pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed (pip install pocketsphinx)")
    from scipy.signal import resample_poly

    grammar = "#JSGF V1.0;\ngrammar cues;\npublic <cue> = " + " | ".join(
        f"( {words(t)} )" for t in phrase_wavs) + ";\n"
    decoder = pocketsphinx.Decoder(samprate=SPS_RATE, loglevel="FATAL")  # default model and weights
    decoder.add_jsgf_string("cues", grammar)
    decoder.activate_search("cues")
    rng = np.random.default_rng(0)
    pause = np.zeros(SPS_RATE // 2)  # 0.5 s either side, as a microphone would hear it

    def clip16k(path) -> np.ndarray:
        x, sr = read_wav(path)
        g = math.gcd(SPS_RATE, sr)
        y = np.concatenate([pause, resample_poly(x.astype(np.float64), SPS_RATE // g, sr // g), pause])
        y += rng.normal(0.0, ROOM_NOISE_RMS, len(y))
        return np.clip(y, -32768, 32767).astype(np.int16)

    def decode(audio: np.ndarray) -> str:
        decoder.start_utt()
        decoder.process_raw(audio.tobytes(), full_utt=False)
        decoder.end_utt()
        return decoder.hyp().hypstr if decoder.hyp() else ""

    clips = {t: [clip16k(p) for p in paths] for t, paths in phrase_wavs.items()}
    # pocketsphinx normalises features with a running cepstral mean that starts from a generic
    # microphone; one pass over all the audio settles it on this voice, as a live session would.
    decode(np.concatenate([a for audio in clips.values() for a in audio]))
    heard = {t: [decode(a) for a in audio] for t, audio in clips.items()}
    for t, hs in heard.items():
        print(f"{t!r:26} -> {' | '.join(repr(h) for h in hs)}")
    right = {t: sum(words(t) == h for h in hs) for t, hs in heard.items()}
    rate = sum(right.values()) / (REPEATS * len(heard))
    print(f"recognised {rate:.0%} of {REPEATS} x {len(heard)} phrases")
    assert rate >= MIN_RECOGNISED
    assert all(right.values()), f"never heard: {[t for t, n in right.items() if not n]}"
