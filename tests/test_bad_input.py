"""Bad input everywhere, through the real command: every option that takes a value, and the cue,
profile and video files, fed missing, empty, corrupt, wrong-type, huge and NaN/inf values.

Each case runs `python -m live ...` in a fresh process and checks: the exit code; stderr is exactly
one line, "posecoach: " and one plain sentence; no traceback anywhere; nothing written into the
working folder and no session folder left behind.

Most cases must fail before the pose model is touched. They run with POSECOACH_MODEL pointing at a
file that does not exist, so a case that slips past its check reaches "The pose model given by
POSECOACH_MODEL does not exist" instead of its own sentence and fails here; they also must finish
within PRE_MODEL_S. The few cases that need the real model (a video with no decodable frame) pass
--model and skip without the weights. (tests/test_cli_errors.py holds the first such cases: a
missing or text video, a missing or fake model, a used --out; they are not repeated here.)
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from calibration.profile import RunnerProfile
from cues.config import DEFAULTS_TOML
from footage import MODEL

REPO = Path(__file__).resolve().parents[1]
NO_MODEL = "/nonexistent/posecoach-test/never-loaded.pt"
PRE_MODEL_S = 10.0  # a check that runs before the model: Python start-up and argparse, well under 1 s
LOAD_S = 90.0  # a case that fails while loading a (bad) model file: torch import included
HUGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    argv: object  # Files -> list[str]
    code: int
    words: str  # a fragment the sentence must contain
    stage: str = "pre"  # "pre": before the model; "load": while loading a bad model; "model": needs the weights


class Files:
    """The bad (and a few good) inputs, made once per module under a temporary folder."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = self._dir("a_folder")
        # Not named .bin: FFmpeg opens any *.bin as "binary text" (ANSI art), a 640x400 video.
        self.empty = self._bytes("empty.dat", b"")
        self.rand = self._bytes("random.dat", np.random.default_rng(1).integers(0, 256, 4000, np.uint8).tobytes())
        self.huge = self._bytes("huge.dat", np.random.default_rng(2).integers(0, 256, HUGE_BYTES, np.uint8).tobytes())
        self.text = self._text("notes.txt", "this is not a video, a profile or weights\n")
        self.inside_file = str(self.rand / "sub")  # below a file: can never be a folder
        self.video = self._video("valid.mp4")
        data = self.video.read_bytes()
        self.video_cut = self._bytes("truncated.mp4", data[: len(data) // 3])  # mp4v: the index is at the end
        self.image = root / "still.png"
        cv2.imwrite(str(self.image), np.zeros((32, 32, 3), np.uint8))
        # Enough of a session folder for report and compare to read it without a note.
        self.session = self._dir("session_like")
        for name, text in (("summary.json", "{}"), ("profile.json", "{}"), ("cues.jsonl", ""), ("poses.jsonl", ""),
                           ("steps.csv", "")):
            (self.session / name).write_text(text)
        self._profiles()
        self._cue_files()

    # ---- builders ----
    def _dir(self, name: str) -> Path:
        p = self.root / name
        p.mkdir()
        return p

    def _bytes(self, name: str, data: bytes) -> Path:
        p = self.root / name
        p.write_bytes(data)
        return p

    def _text(self, name: str, text: str) -> Path:
        p = self.root / name
        p.write_text(text, encoding="utf-8")
        return p

    def _video(self, name: str) -> Path:
        p = self.root / name
        w = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 64))
        for i in range(10):
            w.write(np.full((64, 64, 3), 20 * i, np.uint8))
        w.release()
        assert p.stat().st_size > 0
        return p

    def _profiles(self) -> None:
        good = RunnerProfile(1, "left", "side", 600.0, 1200.0, 30.0, height_cm=178.0, name="ana").to_dict()
        text = json.dumps(good)

        def prof(name: str, **changes) -> Path:
            return self._text(name, json.dumps({**good, **changes}, allow_nan=True))

        self.prof_cut = self._text("cut.json", text[: len(text) // 2])
        self.prof_toml = self._text("profile.toml.json", 'version = 1\nfacing = "left"\n')
        self.prof_list = self._text("list.json", "[1, 2, 3]")
        self.prof_nan = prof("nan.json", fps=math.nan)
        self.prof_inf = self._text("inf.json", text.replace('"fps": 30.0', '"fps": 1e999'))
        self.prof_neg_inf = prof("neg_inf.json", floor_y_px=-math.inf)
        self.prof_bigint = self._text("bigint.json", text.replace('"fps": 30.0', '"fps": ' + "9" * 400))
        self.prof_huge_img = prof("huge_img.json", image_height_px=10**12)
        self.prof_zero = prof("zero.json", body_height_px=0)
        self.prof_minus = prof("minus.json", height_cm=-1)
        self.prof_type = prof("type.json", facing=3)
        self.prof_nested = self._text("nested.json", "[" * 200_000 + "]" * 200_000)

    def _cue_files(self) -> None:
        defaults = DEFAULTS_TOML.read_text(encoding="utf-8")
        cut_at = defaults.index("\n[faults.") + len("\n[faul")  # inside a table header

        def cue(name: str, text: str) -> Path:
            return self._text(name, text)

        self.cue_cut = cue("cut.toml", defaults[:cut_at])
        self.cue_json = cue("cues.json.toml", json.dumps({"coach": {"warmup_s": 5}}))
        self.cue_nan = cue("nan.toml", "[faults.overstride]\non = nan\n")
        self.cue_inf = cue("inf.toml", "[coach]\nwarmup_s = inf\n")
        self.cue_minus = cue("minus.toml", "[coach]\nmin_gap_s = -1\n")
        self.cue_zero = cue("zero.toml", "[coach]\nwindow_steps = 0\n")
        self.cue_bigint = cue("bigint.toml", "[coach]\nwarmup_s = " + "9" * 400 + "\n")
        self.cue_type = cue("type.toml", '[coach]\nwarmup_s = "20"\n')
        self.cue_list = cue("list.toml", "[faults.overstride]\ncue = [1, 2]\n")
        self.cue_date = cue("date.toml", "[coach]\nwarmup_s = 1979-05-27T07:32:00Z\n")
        self.cue_newline_key = cue("newline_key.toml", '[coach]\n"warm\\nup_s" = 1.0\n')
        self.cue_nested = cue("nested.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
        self.cue_long_value = cue("long.toml", '[coach]\nwarmup_s = "' + "x" * 100_000 + '"\n')

    def header_only(self, codec: str) -> Path:
        """An mp4 with its index up front and every frame cut off. Made by ffmpeg: from the mp4v
        clip above ("copy"), or an H.264 test pattern ("libx264")."""
        out = self.root / f"header_only_{codec}.mp4"
        if out.exists():
            return out
        if shutil.which("ffmpeg") is None:
            pytest.skip("ffmpeg is not installed")
        fast = self.root / f"faststart_{codec}.mp4"
        src = ["-i", str(self.video), "-c", "copy"] if codec == "copy" else \
            ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=30", "-t", "0.5", "-c:v", codec]
        made = subprocess.run(["ffmpeg", "-v", "error", "-y", *src, "-movflags", "+faststart", str(fast)],
                              capture_output=True, timeout=60)
        if made.returncode != 0:
            pytest.skip(f"ffmpeg could not make the {codec} clip: {made.stderr.decode(errors='replace')[-200:]}")
        data = fast.read_bytes()
        mdat = data.index(b"mdat") - 4  # the box's size field
        out.write_bytes(data[: mdat + 16])
        return out


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Files:
    return Files(tmp_path_factory.mktemp("bad_inputs"))


def _analyze(f: Files, *extra: str) -> list[str]:
    return ["analyze", str(f.video), *extra]


def _live(f: Files, *extra: str) -> list[str]:
    return ["live", "--source", str(f.video), "--no-display", "--no-speech", *extra]


CASES = [
    # ---- the video: analyze VIDEO, live --source, calibrate --source ----
    Case("video empty argument", lambda f: ["analyze", ""], 2, "argument video: must not be empty"),
    Case("video is a folder without images", lambda f: ["analyze", str(f.dir)], 2, "holds no images"),
    Case("video is random bytes", lambda f: ["analyze", str(f.rand)], 2, "could not be opened as a video"),
    Case("video is 10 MB of garbage", lambda f: ["analyze", str(f.huge)], 2, "could not be opened as a video"),
    Case("video truncated", lambda f: ["analyze", str(f.video_cut)], 2, "could not be opened as a video"),
    Case("video is a still image", lambda f: ["analyze", str(f.image)], 2, "is a single image"),
    Case("video header without a stream", lambda f: ["analyze", str(f.header_only("copy"))], 2, "has no readable video stream"),
    Case("live source empty", lambda f: ["live", "--source", "", "--no-display"], 2, "argument --source: must not be empty"),
    Case("live source negative camera", lambda f: ["live", "--source", "-1", "--no-display"], 2, "Camera index must be 0 or more"),
    Case("live source random bytes", lambda f: ["live", "--source", str(f.rand), "--no-display"], 2, "could not be opened"),
    Case("calibrate source empty", lambda f: ["calibrate", "--source", ""], 2, "argument --source: must not be empty"),
    # ---- --out (session folder) ----
    Case("out empty", lambda f: _analyze(f, "--out", ""), 2, "argument --out: must not be empty"),
    Case("out is a file", lambda f: _analyze(f, "--out", str(f.text)), 2, "is a file, not a folder"),
    Case("out inside a file", lambda f: _analyze(f, "--out", f.inside_file), 2, "which is a file, not a folder"),
    Case("live out inside a file", lambda f: _live(f, "--out", f.inside_file), 2, "which is a file, not a folder"),
    # ---- --model ----
    Case("model empty", lambda f: _analyze(f, "--model", ""), 2, "argument --model: must not be empty"),
    Case("model empty file", lambda f: _analyze(f, "--model", str(f.empty)), 2, "could not be loaded", "load"),
    Case("model 10 MB of garbage", lambda f: _analyze(f, "--model", str(f.huge)), 2, "could not be loaded", "load"),
    # ---- --backend, --precision, --facing, --view, --imgsz ----
    Case("backend unknown", lambda f: _analyze(f, "--backend", "cuda"), 2, "argument --backend: invalid choice"),
    Case("backend empty", lambda f: _analyze(f, "--backend", ""), 2, "argument --backend: invalid choice"),
    Case("precision unknown", lambda f: _analyze(f, "--precision", "f16"), 2, "argument --precision: invalid choice"),
    Case("facing unknown", lambda f: _analyze(f, "--facing", "up"), 2, "argument --facing: invalid choice"),
    Case("view unknown", lambda f: _analyze(f, "--view", "top"), 2, "argument --view: invalid choice"),
    Case("view empty", lambda f: _analyze(f, "--view", ""), 2, "argument --view: invalid choice"),
    Case("live view unknown", lambda f: _live(f, "--view", "back"), 2, "argument --view: invalid choice"),
    Case("imgsz 0", lambda f: _analyze(f, "--imgsz", "0"), 2, "argument --imgsz: must be a multiple of 32"),
    Case("imgsz -32", lambda f: _analyze(f, "--imgsz", "-32"), 2, "argument --imgsz: must be a multiple of 32"),
    Case("imgsz not a multiple of 32", lambda f: _analyze(f, "--imgsz", "33"), 2, "must be a multiple of 32"),
    Case("imgsz huge", lambda f: _analyze(f, "--imgsz", str(10**9)), 2, "must be a multiple of 32 from 32 to 3840"),
    Case("imgsz nan", lambda f: _analyze(f, "--imgsz", "nan"), 2, "argument --imgsz: must be a whole number"),
    Case("imgsz text", lambda f: _analyze(f, "--imgsz", "big"), 2, "argument --imgsz: must be a whole number"),
    # ---- --profile ----
    Case("profile empty argument", lambda f: _analyze(f, "--profile", ""), 2, "argument --profile: must not be empty"),
    Case("profile is a folder", lambda f: _analyze(f, "--profile", str(f.dir)), 2, "is a folder, not a profile file"),
    Case("profile empty file", lambda f: _analyze(f, "--profile", str(f.empty)), 2, "is empty"),
    Case("profile random bytes", lambda f: _analyze(f, "--profile", str(f.rand)), 2, "not a text file"),
    Case("profile 10 MB of garbage", lambda f: _analyze(f, "--profile", str(f.huge)), 2, "not a text file"),
    Case("profile truncated", lambda f: _analyze(f, "--profile", str(f.prof_cut)), 2, "is not valid JSON"),
    Case("profile is TOML", lambda f: _analyze(f, "--profile", str(f.prof_toml)), 2, "is not valid JSON"),
    Case("profile is a list", lambda f: _analyze(f, "--profile", str(f.prof_list)), 2, "must hold a JSON object"),
    Case("profile fps NaN", lambda f: _analyze(f, "--profile", str(f.prof_nan)), 2, "fps must be a finite number"),
    Case("profile fps 1e999", lambda f: _analyze(f, "--profile", str(f.prof_inf)), 2, "fps must be a finite number"),
    Case("profile floor -inf", lambda f: _analyze(f, "--profile", str(f.prof_neg_inf)), 2, "floor_y_px must be a finite"),
    Case("profile fps 400 digits", lambda f: _analyze(f, "--profile", str(f.prof_bigint)), 2, "fps must be a finite number"),
    Case("profile image height huge", lambda f: _analyze(f, "--profile", str(f.prof_huge_img)), 2,
         "image_height_px must be at most"),
    Case("profile body height 0", lambda f: _analyze(f, "--profile", str(f.prof_zero)), 2, "must be greater than 0"),
    Case("profile height -1", lambda f: _analyze(f, "--profile", str(f.prof_minus)), 2, "height_cm must be between"),
    Case("profile facing a number", lambda f: _analyze(f, "--profile", str(f.prof_type)), 2, "facing must be"),
    Case("profile of an unknown ~user", lambda f: _analyze(f, "--profile", "~no-such-user-xq/p.json"), 2, "No such profile file"),
    Case("profile name ending in a newline", lambda f: _analyze(f, "--profile", "ana\n"), 2, "No such profile file: ana\\n"),
    Case("profile nested 200000 deep", lambda f: _analyze(f, "--profile", str(f.prof_nested)), 2, "nests lists or objects"),
    # ---- --cues (also report --cues) ----
    Case("cues empty argument", lambda f: _analyze(f, "--cues", ""), 2, "argument --cues: must not be empty"),
    Case("cues missing", lambda f: _analyze(f, "--cues", str(f.root / "nope.toml")), 2, "does not exist"),
    Case("cues is a folder", lambda f: _analyze(f, "--cues", str(f.dir)), 2, "is a folder"),
    Case("cues empty file", lambda f: _analyze(f, "--cues", str(f.empty)), 2, "is empty"),
    Case("cues random bytes", lambda f: _analyze(f, "--cues", str(f.rand)), 2, "is not a text file"),
    Case("cues 10 MB of garbage", lambda f: _analyze(f, "--cues", str(f.huge)), 2, "is not a text file"),
    Case("cues truncated", lambda f: _analyze(f, "--cues", str(f.cue_cut)), 2, "is not valid TOML"),
    Case("cues is JSON", lambda f: _analyze(f, "--cues", str(f.cue_json)), 2, "is not valid TOML"),
    Case("cues threshold NaN", lambda f: _analyze(f, "--cues", str(f.cue_nan)), 2, "faults.overstride.on = nan must be a finite"),
    Case("cues warmup inf", lambda f: _analyze(f, "--cues", str(f.cue_inf)), 2, "coach.warmup_s = inf must be a finite"),
    Case("cues gap -1", lambda f: _analyze(f, "--cues", str(f.cue_minus)), 2, "coach.min_gap_s = -1.0 is out of range"),
    Case("cues window 0", lambda f: _analyze(f, "--cues", str(f.cue_zero)), 2, "coach.window_steps = 0 is out of range"),
    Case("cues 400 digits", lambda f: _analyze(f, "--cues", str(f.cue_bigint)), 2, "coach.warmup_s = 999"),
    Case("cues number as text", lambda f: _analyze(f, "--cues", str(f.cue_type)), 2, "coach.warmup_s = '20' should be a float"),
    Case("cues cue as a list", lambda f: _analyze(f, "--cues", str(f.cue_list)), 2, "faults.overstride.cue = [1, 2] should be a str"),
    Case("cues a date", lambda f: _analyze(f, "--cues", str(f.cue_date)), 2, "should be a float"),
    Case("cues key with a newline", lambda f: _analyze(f, "--cues", str(f.cue_newline_key)), 2, "unknown key coach.warm\\nup_s"),
    Case("cues nested 5000 deep", lambda f: _analyze(f, "--cues", str(f.cue_nested)), 2, "nests arrays or tables too deeply"),
    Case("cues 100000-character value", lambda f: _analyze(f, "--cues", str(f.cue_long_value)), 2, "should be a float"),
    Case("report cues is a folder", lambda f: ["report", str(f.session), "--cues", str(f.dir)], 2, "is a folder"),
    # ---- live: --rate, --metronome, --reconnect-s, --record; analyze --video-out ----
    Case("rate -5", lambda f: _live(f, "--rate", "-5"), 2, "argument --rate: must be from 80 to 450 words per minute"),
    Case("rate 0", lambda f: _live(f, "--rate", "0"), 2, "argument --rate: must be from 80 to 450"),
    Case("rate huge", lambda f: _live(f, "--rate", str(10**30)), 2, "argument --rate: must be from 80 to 450"),
    Case("rate nan", lambda f: _live(f, "--rate", "nan"), 2, "argument --rate: must be a whole number of words per minute"),
    Case("metronome nan", lambda f: _live(f, "--metronome", "nan"), 2, "argument --metronome: must be a finite number"),
    Case("metronome inf", lambda f: _live(f, "--metronome", "inf"), 2, "argument --metronome: must be a finite number"),
    Case("metronome 0", lambda f: _live(f, "--metronome", "0"), 2, "argument --metronome: must be a finite number greater than 0"),
    Case("metronome huge", lambda f: _live(f, "--metronome", "1e9"), 2, "Metronome rate"),
    Case("metronome text", lambda f: _live(f, "--metronome", "fast"), 2, "argument --metronome: must be a number greater than 0"),
    Case("reconnect -1", lambda f: _live(f, "--reconnect-s", "-1"), 2, "argument --reconnect-s: must be a finite number"),
    Case("reconnect inf", lambda f: _live(f, "--reconnect-s", "inf"), 2, "argument --reconnect-s: must be a finite number"),
    Case("reconnect nan", lambda f: _live(f, "--reconnect-s", "nan"), 2, "argument --reconnect-s: must be a finite number"),
    Case("record is a folder", lambda f: _live(f, "--record", str(f.dir)), 2, "argument --record: "),
    Case("record inside a file", lambda f: _live(f, "--record", f.inside_file + ".mp4"), 2, "which is a file, not a folder"),
    Case("video-out is a folder", lambda f: _analyze(f, "--video-out", str(f.dir)), 2, "is a folder: give a file name"),
    Case("video-out empty", lambda f: _analyze(f, "--video-out", ""), 2, "argument --video-out/--record: must not be empty"),
    # ---- calibrate ----
    Case("height nan", lambda f: ["calibrate", "--height-cm", "nan"], 2, "argument --height-cm: must be a finite number"),
    Case("height inf", lambda f: ["calibrate", "--height-cm", "inf"], 2, "argument --height-cm: must be a finite number"),
    Case("height -1", lambda f: ["calibrate", "--height-cm", "-1"], 2, "argument --height-cm: must be a finite number"),
    Case("height text", lambda f: ["calibrate", "--height-cm", "tall"], 2, "argument --height-cm: must be a number greater than 0"),
    Case("height huge", lambda f: ["calibrate", "--height-cm", "1e9"], 2, "--height-cm must be between 100 and 230"),
    Case("height in metres", lambda f: ["calibrate", "--height-cm", "1.78"], 2, "--height-cm must be between 100 and 230"),
    Case("name empty", lambda f: ["calibrate", "--name", ""], 2, "The runner name '' must be"),
    Case("name a path", lambda f: ["calibrate", "--name", "../../etc/x"], 2, "The runner name '../../etc/x' must be"),
    Case("name ending in a newline", lambda f: ["calibrate", "--name", "ana\n"], 2, "The runner name 'ana\\n' must be"),
    Case("name too long", lambda f: ["calibrate", "--name", "a" * 65], 2, "must be 1-64 letters"),
    Case("calibrate out is a folder", lambda f: ["calibrate", "--out", str(f.dir)], 2, "is a folder: give a file name"),
    Case("calibrate out empty", lambda f: ["calibrate", "--out", ""], 2, "argument --out: must not be empty"),
    Case("calibrate out inside a file", lambda f: ["calibrate", "--out", f.inside_file], 2, "which is a file, not a folder"),
    Case("calibrate model empty", lambda f: ["calibrate", "--model", ""], 2, "argument --model: must not be empty"),
    # ---- report, compare, history ----
    Case("report empty argument", lambda f: ["report", ""], 2, "argument session: must not be empty"),
    Case("report missing", lambda f: ["report", str(f.root / "gone")], 2, "does not exist"),
    Case("report a file", lambda f: ["report", str(f.huge)], 2, "is a file"),
    Case("report an empty folder", lambda f: ["report", str(f.dir)], 2, "is not a posecoach session folder"),
    Case("compare A missing", lambda f: ["compare", str(f.root / "gone"), str(f.session)], 2, "does not exist"),
    Case("compare B a file", lambda f: ["compare", str(f.session), str(f.rand)], 2, "is a file"),
    Case("compare B empty argument", lambda f: ["compare", str(f.session), ""], 2, "argument session_b: must not be empty"),
    Case("compare out is a folder", lambda f: ["compare", str(f.session), str(f.session), "--out", str(f.dir)], 2,
         "argument --out: "),
    Case("compare out inside a file", lambda f: ["compare", str(f.session), str(f.session), "--out", f.inside_file], 2,
         "which is a file, not a folder"),
    Case("history name empty", lambda f: ["history", ""], 2, "The runner name '' must be"),
    Case("history name a path", lambda f: ["history", "../x"], 2, "The runner name '../x' must be"),
    Case("history nobody", lambda f: ["history", "nobody"], 2, "No sessions recorded for runner 'nobody'"),
    Case("history out is a folder", lambda f: ["history", "nobody", "--out", str(f.dir)], 2, "argument --out: "),
    # ---- say ----
    Case("say nothing", lambda f: ["say", ""], 2, "argument text: nothing to say"),
    Case("say blanks", lambda f: ["say", "   "], 2, "argument text: nothing to say"),
    Case("say rate 0", lambda f: ["say", "Pull", "--rate", "0"], 2, "argument --rate: must be from 80 to 450"),
    Case("say rate huge", lambda f: ["say", "Pull", "--rate", str(10**9)], 2, "argument --rate: must be from 80 to 450"),
    Case("say rate text", lambda f: ["say", "Pull", "--rate", "inf"], 2, "argument --rate: must be a whole number"),
    Case("say wav is a folder", lambda f: ["say", "Pull", "--wav", str(f.dir)], 2, "argument --wav: "),
    Case("say wav empty", lambda f: ["say", "Pull", "--wav", ""], 2, "argument --wav: must not be empty"),
    Case("say wav in a missing folder", lambda f: ["say", "Pull", "--wav", str(f.root / "gone" / "x.wav")], 2,
         "argument --wav: the folder"),
    Case("say wav inside a file", lambda f: ["say", "Pull", "--wav", f.inside_file + ".wav"], 2, "which is a file"),
    # ---- with the real model: the error is only known once frames are read ----
    Case("video with no decodable frame", lambda f: ["analyze", str(f.header_only("libx264"))], 2,
         "holds no decodable video frames", "model"),
]


def _env(root: Path, stage: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSECOACH_")}
    env.update(YOLO_OFFLINE="1", YOLO_AUTOINSTALL="0", XDG_CONFIG_HOME=str(root / "config"),
               XDG_DATA_HOME=str(root / "data"), PYTHONPATH=str(REPO))
    env["POSECOACH_MODEL"] = str(MODEL) if stage == "model" else NO_MODEL
    return env


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_sentence_and_its_exit_code(case: Case, files: Files, tmp_path):
    if case.stage == "model" and not MODEL.is_file():
        pytest.skip(f"pose weights not found at {MODEL}")
    argv = case.argv(files)
    cwd = tmp_path / "cwd"  # nothing may be written here: no session, page or profile
    cwd.mkdir()
    session = tmp_path / "session"
    if argv[0] in ("live", "analyze") and "--out" not in argv:
        argv += ["--out", str(session)]
    if case.stage == "model":
        argv += ["--model", str(MODEL)]
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "live", *argv], cwd=cwd, env=_env(tmp_path, case.stage),
                            capture_output=True, text=True, timeout=300)
    wall_s = time.monotonic() - start

    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == case.code, result.stderr
    lines = _lines(result.stderr)
    if case.stage == "model":  # the run's own progress lines come first; the error is said once
        assert all(line.startswith("posecoach: ") for line in lines), result.stderr
        said = [line for line in lines if case.words in line]
        assert len(said) == 1, result.stderr
        return
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("posecoach: ") and line.endswith("."), line
    assert case.words in line, line
    assert "POSECOACH_MODEL" not in line, f"the input was not checked before the model: {line}"
    assert len(line) < 400, f"not one short sentence ({len(line)} characters)"
    assert not session.exists(), "bad input known before the run must not leave a session folder"
    assert list(cwd.iterdir()) == [], "bad input must write nothing"
    assert wall_s < (PRE_MODEL_S if case.stage == "pre" else LOAD_S), f"took {wall_s:.1f} s"


def test_say_with_a_voice_that_is_not_installed(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    result = subprocess.run([sys.executable, "-m", "live", "say", "Pull", "--voice", "no-such-voice-xx",
                             "--wav", str(tmp_path / "x.wav")], cwd=tmp_path, env=_env(tmp_path, "pre"),
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = _lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("posecoach: ") and "no-such-voice-xx" in lines[0], result.stderr


def test_the_table_covers_every_option_that_takes_a_value():
    """A new option with a value must get its bad-input cases here: the table names each one."""
    from live.cli import build_parser

    parser = build_parser()
    table = " ".join(" ".join(map(str, c.argv(_NAMES))) for c in CASES if c.stage != "model")
    sub = next(a for a in parser._actions if a.dest == "command")
    missing = []
    for command, p in sub.choices.items():
        for action in p._actions:
            if action.nargs == 0 or action.dest == "help":
                continue
            flag = action.option_strings[0] if action.option_strings else None
            if flag is not None and flag not in table:
                missing.append(f"{command} {flag}")
    # --voice takes any text ("" = the engine's default voice); a voice that is not installed is
    # the say test above; in a session speech degrades to text.
    assert sorted(missing) == ["live --voice", "say --voice"], missing


class _Names:
    """Stands in for Files where only the option names of the table are read."""

    def __getattr__(self, name):
        return Path("/x") / name

    inside_file = "/x/inside"

    def header_only(self, codec):
        return Path("/x/h.mp4")


_NAMES = _Names()
