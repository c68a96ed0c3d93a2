"""RunnerProfile: round trip, and a table of corrupt profiles each with its own plain sentence."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from calibration.profile import (
    PROFILE_VERSION,
    REQUIRED_KEYS,
    RunnerProfile,
    default_profile_path,
    load_profile,
    resolve_profile_arg,
    save_profile,
)
from live.errors import EXIT_BAD_INPUT, BadInputError

REPO = Path(__file__).resolve().parents[1]


def good() -> RunnerProfile:
    return RunnerProfile(
        version=PROFILE_VERSION, facing="left", view="side", body_height_px=612.5, floor_y_px=1221.0,
        fps=29.97, height_cm=178.0, name="ana", baseline={"trunk_deg": 3.5}, camera_tilt_deg=-1.25,
        measured_from="standing", image_width_px=720, image_height_px=1280, source="camera 0",
        created="2025-01-01T10:00:00+00:00",
    )


def test_round_trip_through_a_file(tmp_path):
    p = good()
    path = save_profile(p, tmp_path / "sub" / "ana.json")
    back = load_profile(path)
    assert back == p
    assert back.baseline == {"trunk_deg": 3.5}
    data = json.loads(path.read_text())
    for key in REQUIRED_KEYS + ("name", "baseline", "camera_tilt_deg", "created", "source"):
        assert key in data
    assert data["height_cm"] == 178.0 and data["version"] == PROFILE_VERSION


def test_round_trip_without_optional_values(tmp_path):
    p = RunnerProfile(PROFILE_VERSION, "right", "front", 400.0, 700.0, 15.0)
    assert load_profile(save_profile(p, tmp_path / "p.json")) == p
    assert json.loads((tmp_path / "p.json").read_text())["height_cm"] is None
    assert p.px_per_cm is None
    assert good().px_per_cm == pytest.approx(612.5 / 178.0)


def test_profile_is_frozen_and_keeps_its_own_baseline():
    src = {"trunk_deg": 2.0}
    p = RunnerProfile(PROFILE_VERSION, "left", "side", 600.0, 1200.0, 30.0, baseline=src)
    src["trunk_deg"] = 40.0
    assert p.baseline == {"trunk_deg": 2.0}
    with pytest.raises(AttributeError):
        p.fps = 60.0  # type: ignore[misc]


def test_default_profile_path_is_per_runner_in_the_config_dir():
    a, b = default_profile_path("ana"), default_profile_path("ben")
    assert a != b and a.parent == b.parent and a.name == "ana.json"
    assert "posecoach" in str(a)
    with pytest.raises(BadInputError, match="runner name"):
        default_profile_path("../../etc/passwd")


@pytest.fixture
def config_dir(tmp_path, monkeypatch) -> Path:
    """A temporary user config folder: default_profile_path asks platformdirs for it."""
    import platformdirs

    folder = tmp_path / "config"
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda appname=None, *a, **k: str(folder / appname))
    return folder


def test_profile_arg_is_a_file_or_a_saved_runner_name(config_dir, tmp_path, monkeypatch):
    """issue 10: `--profile alex` finds the profile `calibrate --name alex` saved."""
    saved = save_profile(good(), default_profile_path("alex"))
    assert saved.is_relative_to(config_dir)
    assert resolve_profile_arg("alex") == saved
    assert load_profile(resolve_profile_arg("alex")) == good()
    own = save_profile(good(), tmp_path / "mine.json")
    assert resolve_profile_arg(own) == own and resolve_profile_arg(str(own)) == own
    monkeypatch.chdir(tmp_path)
    (tmp_path / "alex").write_text("{}")  # a file of that name here is the file meant
    assert resolve_profile_arg("alex") == Path("alex")


def test_profile_arg_that_is_neither_says_where_it_looked_and_how_to_make_one(config_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadInputError) as info:
        resolve_profile_arg("ben")
    msg = str(info.value)
    assert "No profile file ben" in msg and str(config_dir / "posecoach" / "profiles" / "ben.json") in msg
    assert "posecoach calibrate --name ben" in msg
    assert msg.endswith(".") and "\n" not in msg
    with pytest.raises(BadInputError, match="--name 'ana lee'"):
        resolve_profile_arg("ana lee")
    with pytest.raises(BadInputError, match=r"No such profile file: .*nope.*calibrate --name NAME"):
        resolve_profile_arg(tmp_path / "sub" / "nope.json")


def _with(**changes) -> dict:
    d = good().to_dict()
    for k, v in changes.items():
        if v is _DROP:
            d.pop(k)
        else:
            d[k] = v
    return d


_DROP = object()

# (case, file text or dict, a fragment that only this case's message contains)
BAD = [
    ("not json", "{facing: left", "not valid JSON"),
    ("empty file", "", "is empty"),
    ("a list", [1, 2], "must hold a JSON object"),
    ("no version", _with(version=_DROP), "'version' is missing"),
    ("future version", _with(version=PROFILE_VERSION + 1), f"version is {PROFILE_VERSION + 1}"),
    ("version as text", _with(version="1"), "version must be a whole number"),
    ("missing body height", _with(body_height_px=_DROP), "'body_height_px' is missing"),
    ("missing height_cm key", _with(height_cm=_DROP), "'height_cm' is missing"),
    ("unknown field", _with(body_hieght_px=600), "'body_hieght_px' is unknown"),
    ("height as text", _with(body_height_px="600"), 'body_height_px must be a number, got text "600"'),
    ("height true", _with(body_height_px=True), "body_height_px must be a number, got true/false"),
    ("negative height", _with(body_height_px=-600.0), "body_height_px must be greater than 0"),
    ("zero height", _with(body_height_px=0), "body_height_px must be greater than 0, got 0"),
    ("NaN height", _with(body_height_px=math.nan), "body_height_px must be a finite number, got nan"),
    ("infinite floor", _with(floor_y_px=math.inf), "floor_y_px must be a finite number"),
    ("negative floor", _with(floor_y_px=-5.0), "floor_y_px must be greater than 0"),
    ("floor far below image", _with(floor_y_px=5000.0), "floor_y_px 5000.0 lies far below the image"),
    ("body taller than image", _with(body_height_px=2000.0), "taller than the image"),
    ("facing up", _with(facing="up"), "facing must be 'left' or 'right'"),
    ("facing null", _with(facing=None), "facing must be 'left' or 'right' or 'camera', got null"),
    ("view oblique", _with(view="oblique"), "view must be 'side' or 'front'"),
    ("zero fps", _with(fps=0), "fps must be greater than 0"),
    ("absurd fps", _with(fps=100000.0), "fps must be at most"),
    ("height in metres", _with(height_cm=1.78), "height_cm must be between 100 and 230"),
    ("height cm as text", _with(height_cm="178"), "height_cm must be a number"),
    ("tilt absurd", _with(camera_tilt_deg=80.0), "camera_tilt_deg must be within"),
    ("baseline list", _with(baseline=[1, 2]), "baseline must be an object"),
    ("baseline unknown metric", _with(baseline={"slouch": 1.0}), "'slouch', which is not a step metric"),
    ("baseline NaN", _with(baseline={"trunk_deg": math.nan}), "baseline['trunk_deg'] must be a finite number"),
    ("bad name", _with(name="a/b"), "name must be 1-64 letters"),
    ("name as number", _with(name=7), "name must be text"),
    ("measured_from other", _with(measured_from="guess"), "measured_from must be"),
    ("image width zero", _with(image_width_px=0), "image_width_px must be a positive whole number"),
]


@pytest.mark.parametrize("case,content,fragment", BAD, ids=[c[0] for c in BAD])
def test_bad_profile_gets_its_own_sentence(tmp_path, case, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(BadInputError) as info:
        load_profile(path)
    msg = str(info.value)
    assert fragment in msg, msg
    assert str(path) in msg
    assert "\n" not in msg and msg.endswith(".")


def test_every_bad_case_has_a_different_message(tmp_path):
    messages = set()
    for case, content, _ in BAD:
        path = tmp_path / "bad.json"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        with pytest.raises(BadInputError) as info:
            load_profile(path)
        messages.add(str(info.value))
    assert len(messages) == len(BAD)


def test_missing_file_folder_and_binary(tmp_path):
    with pytest.raises(BadInputError, match="No such profile file"):
        load_profile(tmp_path / "nope.json")
    with pytest.raises(BadInputError, match="is a folder"):
        load_profile(tmp_path)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(BadInputError, match="not a text file"):
        load_profile(tmp_path / "bin.json")


def test_save_to_an_unwritable_place_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BadInputError, match="Could not write the profile"):
        save_profile(good(), blocker / "p.json")


def test_constructor_names_the_bad_value():
    with pytest.raises(ValueError, match="body_height_px must be greater than 0, got -1"):
        RunnerProfile(PROFILE_VERSION, "left", "side", -1.0, 100.0, 30.0)
    with pytest.raises(ValueError, match="version is 0"):
        RunnerProfile(0, "left", "side", 600.0, 100.0, 30.0)


def test_cli_rejects_a_corrupt_profile_with_exit_2_and_no_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_with(body_height_px=-600.0)))
    video = tmp_path / "v.mp4"
    video.write_bytes(b"not read: the profile is checked first")
    r = subprocess.run([sys.executable, "-m", "live", "analyze", str(video), "--profile", str(path),
                        "--out", str(tmp_path / "s")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == EXIT_BAD_INPUT, r.stderr
    assert "body_height_px must be greater than 0" in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
