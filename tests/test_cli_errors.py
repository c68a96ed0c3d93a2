"""Bad input through the real command: exit code, one plain sentence on stderr, no traceback.

Run as the README's test command runs them: with no POSECOACH_MODEL in the environment (cases that
need the model pass --model), so the input is checked on its own terms first."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from footage import FOOTAGE, MODEL


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "POSECOACH_MODEL"}
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True, timeout=timeout, env=env)


def _one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def _bad_files(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 20)
    fake_model = tmp_path / "model.pt"
    fake_model.write_text("not weights")
    readme = tmp_path / "README.md"
    readme.write_text("# not weights\n")
    used = tmp_path / "used"
    used.mkdir()
    (used / "steps.csv").write_text("t_s\n1.0\n")
    return {"empty": empty, "text": text, "fake_model": fake_model, "readme": readme, "used": used}


CLIP = FOOTAGE / "male_side" / "male_side.mp4"

CASES = [
    # (name, argv builder, exit code, words the sentence must contain)
    ("missing file", lambda f: ["analyze", "/no/such/run.mp4"], 2, "No such video file"),
    ("zero-byte file", lambda f: ["analyze", str(f["empty"])], 2, "empty"),
    ("text renamed .mp4", lambda f: ["analyze", str(f["text"])], 2, "could not be opened as a video"),
    ("camera that does not exist", lambda f: ["live", "--source", "57", "--no-display", "--no-speech"], 3, "Could not open camera 57"),
    ("model path that does not exist", lambda f: ["analyze", str(CLIP), "--model", "/no/such/model.pt"], 2, "does not exist"),
    ("model file that is not weights", lambda f: ["analyze", str(CLIP), "--model", str(f["fake_model"])], 2, "could not be loaded"),
    ("model that is a text file", lambda f: ["analyze", str(CLIP), "--model", str(f["readme"])], 2, "not a PyTorch .pt weights file"),
    ("out folder that holds files", lambda f: ["analyze", str(CLIP), "--model", str(MODEL), "--out", str(f["used"])], 2,
     "already holds files"),
    ("profile that is neither a file nor a saved name", lambda f: ["analyze", str(CLIP), "--profile", "nobody-x"], 2,
     "posecoach calibrate --name"),
    ("unknown option", lambda f: ["live", "--bogus"], 2, "unrecognized arguments"),
]


@pytest.mark.parametrize("name, argv, code, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_exit_code_and_one_sentence(name, argv, code, words, tmp_path):
    files = _bad_files(tmp_path)
    needs = [p for p in (CLIP, MODEL) if str(p) in argv(files)]
    if any(not p.is_file() for p in needs):
        pytest.skip(f"real footage or weights not found: {', '.join(map(str, needs))}")
    out = tmp_path / "session"
    args = argv(files)
    result = _run(*args, "--out", str(out)) if args[0] == "analyze" and "--out" not in args else _run(*args)
    line = _one_sentence(result.stderr)
    assert result.returncode == code, result.stderr
    assert words in line
    assert line.endswith(".") or line.endswith(")."), line
    assert not out.exists(), "bad input must not leave a half session folder behind"


def test_an_existing_session_folder_is_left_as_it_was(tmp_path):
    if not (CLIP.is_file() and MODEL.is_file()):
        pytest.skip("real footage or weights not found")
    files = _bad_files(tmp_path)
    result = _run("analyze", str(CLIP), "--model", str(MODEL), "--out", str(files["used"]))
    assert result.returncode == 2
    assert [p.name for p in files["used"].iterdir()] == ["steps.csv"]
    assert (files["used"] / "steps.csv").read_text() == "t_s\n1.0\n"


def test_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("posecoach ") and result.stdout.split()[1][0].isdigit()
