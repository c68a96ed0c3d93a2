"""Shared fixtures: the real clip, its derived versions, and the real model's poses on each.

Poses are computed once per test session per clip (the real YOLO model on the real footage) and
shared by every test that needs them; nothing here mocks the model.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from footage import DERIVED_KINDS, MODEL, Clip, derived_clip, original_clip

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
    c = original_clip()
    if c is None:
        pytest.skip("real footage not found: ../shared/footage/male_side (or $POSECOACH_FOOTAGE) is absent")
    return c


@pytest.fixture(scope="session")
def derived_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("derived")


_DERIVED: dict[str, Clip] = {}


@pytest.fixture(scope="session")
def make_derived(clip, derived_dir):
    """`make_derived(kind) -> Clip`, made once per session."""

    def make(kind: str) -> Clip:
        if kind == "original":
            return clip
        if kind not in _DERIVED:
            _DERIVED[kind] = derived_clip(clip, kind, derived_dir)
        return _DERIVED[kind]

    return make


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


ALL_KINDS = ("original",) + DERIVED_KINDS
