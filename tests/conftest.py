"""Shared fixtures: the real clips, the derived versions of male_side, and the real model's poses on each.

Poses are computed once per test session per clip (the real YOLO model on the real footage) and
shared by every test that needs them; nothing here mocks the model.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from footage import (DERIVED_KINDS, FOOTAGE, MODEL, SOURCE_CLIP, Clip, derived_clip, original_clip, real_clips,
                     start_interpolation, stop_interpolations)

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_AUTOINSTALL", "0")

pytest_plugins = ["own_process"]

# CI runs the property tests on a fixed set of examples, so a red run can be reproduced; local runs
# keep exploring new random ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_POSES: dict[str, list] = {}


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.is_file():
        pytest.skip(f"pose weights not found at {MODEL} (set POSECOACH_MODEL or place ../shared/models)")
    return MODEL


@pytest.fixture(scope="session")
def clip() -> Clip:
    """The real clip the derived versions are made from (male_side)."""
    c = original_clip()
    if c is None:
        pytest.skip(f"real footage not found: {FOOTAGE / SOURCE_CLIP} (../shared/footage or $POSECOACH_FOOTAGE) is absent")
    return c


INTERPOLATED_KINDS = ("fps25", "fps50", "fps60")


@pytest.fixture(scope="session", autouse=True)
def derived_dir(request, tmp_path_factory) -> Path:
    """The folder of the derived clips. The interpolated copies that collected tests name
    (test_x[fps50]) start in the background at the first test, at the lowest CPU priority: they are
    most of what the derived cases cost, and the tests before them leave idle CPU time."""
    folder = tmp_path_factory.mktemp("derived")
    src = original_clip()
    on_footage = [i for i in request.session.items if {"clip_of", "make_derived"} & set(getattr(i, "fixturenames", ()))]
    named = {k for item in on_footage for k in INTERPOLATED_KINDS if f"[{k}]" in item.nodeid}
    request.addfinalizer(stop_interpolations)
    if src is not None and shutil.which("ffmpeg"):
        for kind in sorted(named):
            start_interpolation(src, kind, folder)
    return folder


_DERIVED: dict[str, Clip] = {}


@pytest.fixture(scope="session")
def make_derived(request, derived_dir):
    """`make_derived(kind) -> Clip`, made once per session from male_side ("original": the clip
    itself); skips when male_side is absent."""

    def make(kind: str) -> Clip:
        src = request.getfixturevalue("clip")
        if kind == "original":
            return src
        if kind not in _DERIVED:
            _DERIVED[kind] = derived_clip(src, kind, derived_dir)
        return _DERIVED[kind]

    return make


@pytest.fixture(scope="session")
def clip_of(make_derived):
    """`clip_of(case) -> Clip`: a real clip by its folder name under the footage root, or a derived
    kind (DERIVED_KINDS) made from male_side; skips when the footage is absent."""
    real = {c.name: c for c in real_clips()}

    def get(case: str) -> Clip:
        if case in real:
            return real[case]
        if case in DERIVED_KINDS or case in ("original", SOURCE_CLIP):
            return make_derived("original" if case == SOURCE_CLIP else case)
        pytest.skip(f"real footage not found: {FOOTAGE / case} (../shared/footage or $POSECOACH_FOOTAGE) is absent")

    return get


@pytest.fixture(scope="session")
def estimator(model_path):
    from live.pose import PoseEstimator

    return PoseEstimator(model_path)


_ESTIMATORS: dict = {}


@pytest.fixture(scope="session")
def poses_of(estimator, model_path):
    """`poses_of(clip, backend=None) -> list[PoseFrame]`: the real model over every frame of a clip,
    cached; on the session's estimator (the backend this machine picks), or on the named backend."""
    from live.pose import PoseEstimator
    from live.sources import open_source

    def run(c: Clip, backend: str | None = None) -> list:
        key = (str(c.path), backend)
        if key not in _POSES:
            if backend is None:
                est = estimator
            else:
                est = _ESTIMATORS.get(backend) or _ESTIMATORS.setdefault(backend, PoseEstimator(model_path, backend=backend))
            est.reset()
            with open_source(c.path) as src:
                _POSES[key] = [est.estimate(f) for f in src]
        return _POSES[key]

    return run



# A coach that speaks early (2 s, 4 steps) and often: the shared clip is 12 s long.
FAST_CUES = "[coach]\nwarmup_s = 2.0\nwarmup_steps = 4\nmin_gap_s = 2.0\nrepeat_gap_s = 4.0\n"


@dataclass(frozen=True)
class Run:
    folder: Path  # the session folder
    wall_s: float  # how long the command took, start to exit
    stderr: str


def _posecoach_once(clip: Clip, model_path: Path, base: Path, command: list[str]) -> Run:
    """`posecoach COMMAND... --out BASE/session` on the clip with its own user data folder (BASE/data);
    it must succeed."""
    env = dict(os.environ, POSECOACH_MODEL=str(model_path), XDG_DATA_HOME=str(base / "data"))
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "live", *command, "--out", str(base / "session")],
                            capture_output=True, text=True, env=env, timeout=600)
    wall_s = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    return Run(base / "session", wall_s, result.stderr)


@pytest.fixture(scope="session")
def analyzed_clip(clip, model_path, tmp_path_factory) -> Path:
    """A plain `posecoach analyze` of the shared clip, run once for every test of what such a run
    writes (8 s each time it was run per module). Read-only: a test that changes files copies it."""
    return _posecoach_once(clip, model_path, tmp_path_factory.mktemp("analyzed"), ["analyze", str(clip.path)]).folder


@pytest.fixture(scope="session")
def cued_session(clip, model_path, tmp_path_factory) -> Path:
    """`analyze` of the shared clip with FAST_CUES, so that the session has cues to show (the report
    and browser tests). Read-only, like analyzed_clip."""
    base = tmp_path_factory.mktemp("cued")
    (base / "fast.toml").write_text(FAST_CUES)
    return _posecoach_once(clip, model_path, base, ["analyze", str(clip.path), "--cues", str(base / "fast.toml")]).folder


@pytest.fixture(scope="session")
def rehearsed_clip(clip, model_path, tmp_path_factory) -> Run:
    """`posecoach live --source CLIP --realtime` (no window, no voice), run once: it takes the clip's
    own duration. Read-only, like analyzed_clip."""
    return _posecoach_once(clip, model_path, tmp_path_factory.mktemp("rehearsed"),
                           ["live", "--source", str(clip.path), "--realtime", "--no-display", "--no-speech"])
