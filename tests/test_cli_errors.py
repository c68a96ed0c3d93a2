"""Bad input through the real command: exit code, one plain sentence on stderr, no traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest

from footage import FOOTAGE, MODEL


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True, timeout=timeout)


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
    return {"empty": empty, "text": text, "fake_model": fake_model}


CLIP = FOOTAGE / "male_side" / "male_side.mp4"

CASES = [
    # (name, argv builder, exit code, words the sentence must contain)
    ("missing file", lambda f: ["analyze", "/no/such/run.mp4"], 2, "No such video file"),
    ("zero-byte file", lambda f: ["analyze", str(f["empty"])], 2, "empty"),
    ("text renamed .mp4", lambda f: ["analyze", str(f["text"])], 2, "could not be opened as a video"),
    ("camera that does not exist", lambda f: ["live", "--source", "57", "--no-display", "--no-speech"], 3, "Could not open camera 57"),
    ("model path that does not exist", lambda f: ["analyze", str(CLIP), "--model", "/no/such/model.pt"], 2, "does not exist"),
    ("model file that is not weights", lambda f: ["analyze", str(CLIP), "--model", str(f["fake_model"])], 2, "could not be loaded"),
    ("unknown option", lambda f: ["live", "--bogus"], 2, "unrecognized arguments"),
]


@pytest.mark.parametrize("name, argv, code, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_exit_code_and_one_sentence(name, argv, code, words, tmp_path):
    if "CLIP" in name or "model" in name:
        if not CLIP.is_file():
            pytest.skip(f"real footage not found at {CLIP}")
    files = _bad_files(tmp_path)
    out = tmp_path / "session"
    result = _run(*argv(files), "--out", str(out)) if argv(files)[0] == "analyze" else _run(*argv(files))
    line = _one_sentence(result.stderr)
    assert result.returncode == code, result.stderr
    assert words in line
    assert line.endswith(".") or line.endswith(")."), line
    assert not out.exists(), "bad input must not leave a half session folder behind"
