"""The RunnerProfile: what calibration measured about the camera and the runner.

Read by the gait tracker (facing, body height, floor) and the coach (the runner's own baseline).
Stored as one versioned JSON object; `load_profile` checks every field and turns each kind of
corruption into one plain sentence (`BadInputError`, exit code 2), never a traceback.
"""
from __future__ import annotations

import json
import math
import os
import re
import shlex
from dataclasses import dataclass, field, fields
from pathlib import Path

from live.errors import BadInputError, one_line
from live.types import STEP_METRICS

PROFILE_VERSION = 1

FACINGS = ("left", "right", "camera")  # "camera": a front view, the runner facing the camera
VIEWS = ("side", "front")
MEASURED_FROM = ("standing", "running")
# Adult runners are 100-230 cm tall; anything outside is a typo (e.g. metres or inches).
HEIGHT_CM_RANGE = (100.0, 230.0)
# A camera tilted more than this is not "roughly level" by any stretch; the calibration asks for
# level within a few degrees, so a stored value beyond this is corruption, not a measurement.
MAX_TILT_DEG = 45.0
# A delivered frame rate above this is no webcam or phone we know of (240 fps slow motion at most).
MAX_FPS = 1000.0
# No camera delivers a frame wider or taller than this (8K is 7680 px): a larger stored size is corruption.
MAX_IMAGE_PX = 65536
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}\Z")  # \Z: "$" also matches before a final newline

# The keys every profile file must hold; the rest have defaults.
REQUIRED_KEYS = ("version", "facing", "view", "body_height_px", "floor_y_px", "fps", "height_cm")


def _finite(name: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {_show(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # a JSON whole number beyond any float
        finite = False
    if not finite:
        raise ValueError(f"{name} must be a finite number, got {value if isinstance(value, float) else _show(value)}")


def _show(value) -> str:
    """A value as the user wrote it in JSON, with its JSON type, for error messages."""
    kind = {str: "text", bool: "true/false", list: "a list", dict: "an object", type(None): "null"}.get(type(value))
    shown = json.dumps(value, allow_nan=True)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}" if kind in ("text", "true/false") else (kind if kind else shown)


@dataclass(frozen=True)
class RunnerProfile:
    version: int
    facing: str  # "left" | "right": the runner's facing direction in the image
    view: str  # "side" | "front"
    body_height_px: float  # standing height (sole to top of head) in image pixels
    floor_y_px: float  # image y of the floor / belt under the feet
    fps: float  # frame rate the camera actually delivered
    height_cm: float | None = None
    name: str = "runner"
    # The runner's own neutral value per StepEvent metric (e.g. trunk_deg standing tall), so cues
    # are relative to the runner; empty when there was no standing phase to measure it from.
    baseline: dict[str, float] = field(default_factory=dict)
    # Camera roll from the standing body line, + = image turned clockwise; None when the runner was
    # already running (no standing body line to measure it from).
    camera_tilt_deg: float | None = None
    measured_from: str = "standing"  # "standing" (calibrate) | "running" (first seconds of a run)
    image_width_px: int | None = None
    image_height_px: int | None = None
    source: str = ""  # camera or file the measurements came from
    created: str = ""  # ISO 8601 time of the calibration

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError(f"version must be a whole number, got {_show(self.version)}")
        if self.version != PROFILE_VERSION:
            raise ValueError(f"version is {_show(self.version)} but this posecoach reads version {PROFILE_VERSION} profiles")
        self._check_choices()
        self._check_numbers()
        self._check_texts()
        self._check_baseline()
        # A private copy: the dataclass is frozen, its baseline must not change behind its back.
        object.__setattr__(self, "baseline", {k: float(v) for k, v in self.baseline.items()})

    def _check_choices(self) -> None:
        for name, allowed in (("facing", FACINGS), ("view", VIEWS), ("measured_from", MEASURED_FROM)):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be {' or '.join(repr(a) for a in allowed)}, got {_show(value)}")
        if self.facing == "camera" and self.view != "front":
            raise ValueError(f"facing 'camera' is a front view's, but view is {_show(self.view)}")

    def _check_numbers(self) -> None:
        for name in ("body_height_px", "floor_y_px", "fps"):
            _finite(name, getattr(self, name))
        _finite("height_cm", self.height_cm, allow_none=True)
        _finite("camera_tilt_deg", self.camera_tilt_deg, allow_none=True)
        for name in ("body_height_px", "floor_y_px", "fps"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be greater than 0, got {getattr(self, name)}")
        if self.fps > MAX_FPS:
            raise ValueError(f"fps must be at most {MAX_FPS:.0f}, got {self.fps}")
        if self.camera_tilt_deg is not None and abs(self.camera_tilt_deg) > MAX_TILT_DEG:
            raise ValueError(f"camera_tilt_deg must be within +-{MAX_TILT_DEG:.0f}, got {self.camera_tilt_deg}")
        if self.height_cm is not None and not HEIGHT_CM_RANGE[0] <= self.height_cm <= HEIGHT_CM_RANGE[1]:
            lo, hi = HEIGHT_CM_RANGE
            raise ValueError(f"height_cm must be between {lo:.0f} and {hi:.0f} (centimetres), got {self.height_cm}")
        self._check_image_size()

    def _check_image_size(self) -> None:
        for name in ("image_width_px", "image_height_px"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise ValueError(f"{name} must be a positive whole number or null, got {_show(value)}")
            if value is not None and value > MAX_IMAGE_PX:
                raise ValueError(f"{name} must be at most {MAX_IMAGE_PX} pixels, got {_show(value)}")
        if self.image_height_px is not None:
            # A body taller than the image, or a floor far below its bottom edge, was not measured
            # on this image: the runner must be in frame to be calibrated.
            if self.body_height_px > self.image_height_px:
                raise ValueError(f"body_height_px {self.body_height_px} is taller than the image ({self.image_height_px} px)")
            if self.floor_y_px > 1.25 * self.image_height_px:
                raise ValueError(f"floor_y_px {self.floor_y_px} lies far below the image ({self.image_height_px} px high)")

    def _check_texts(self) -> None:
        for name in ("name", "source", "created"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be text, got {_show(getattr(self, name))}")
        if not _NAME_RE.match(self.name):
            raise ValueError(f"name must be 1-64 letters, digits, spaces, '.', '_' or '-', got {_show(self.name)}")

    def _check_baseline(self) -> None:
        if not isinstance(self.baseline, dict):
            raise ValueError(f"baseline must be an object of metric -> number, got {_show(self.baseline)}")
        for key, value in self.baseline.items():
            if key not in STEP_METRICS:
                raise ValueError(f"baseline has {key!r}, which is not a step metric ({', '.join(STEP_METRICS)})")
            _finite(f"baseline[{key!r}]", value)

    @property
    def px_per_cm(self) -> float | None:
        """Image scale at the runner's distance, known only when the runner's height was given."""
        return None if self.height_cm is None else self.body_height_px / self.height_cm

    def to_dict(self) -> dict:
        return {f.name: (dict(getattr(self, f.name)) if f.name == "baseline" else getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, d) -> RunnerProfile:
        """A validated profile from a parsed JSON object; ValueError names the first bad field."""
        if not isinstance(d, dict):
            raise ValueError(f"it must hold a JSON object, got {_show(d)}")
        known = {f.name for f in fields(cls)}
        if "version" not in d:
            raise ValueError("the field 'version' is missing")
        if d["version"] != PROFILE_VERSION:  # before anything else: another version has other fields
            cls._check_version_only(d["version"])
        for key in REQUIRED_KEYS:
            if key not in d:
                raise ValueError(f"the field {key!r} is missing")
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"the field {unknown[0]!r} is unknown (a typo, or a profile from another program?)")
        return cls(**d)

    @staticmethod
    def _check_version_only(version) -> None:
        if isinstance(version, bool) or not isinstance(version, int):
            raise ValueError(f"version must be a whole number, got {_show(version)}")
        raise ValueError(f"version is {_show(version)} but this posecoach reads version {PROFILE_VERSION} profiles")


def default_profile_path(name: str) -> Path:
    """Where `posecoach calibrate --name NAME` keeps a runner's profile: the user's config folder."""
    from platformdirs import user_config_dir

    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise BadInputError(f"The runner name {name!r} must be 1-64 letters, digits, spaces, '.', '_' or '-'.")
    return Path(user_config_dir("posecoach")) / "profiles" / f"{name}.json"


def resolve_profile_arg(arg: str | os.PathLike) -> Path:
    """The profile file a `--profile` value means: the path itself when it is a file, else the
    profile `posecoach calibrate --name ARG` saved for a runner of that name; BadInputError when
    neither exists, naming both places looked at and how to make a profile."""
    try:
        return _resolve_profile_arg(arg)
    except BadInputError as err:  # a newline in the argument must not split the sentence
        raise BadInputError(one_line(str(err))) from None


def _resolve_profile_arg(arg: str | os.PathLike) -> Path:
    try:
        p = Path(arg).expanduser()
    except RuntimeError:  # "~user" for a user this system does not know: the path as written
        p = Path(arg)
    if p.is_file():
        return p
    name = str(arg)
    folder = f"The profile {p} is a folder, not a profile file: give the .json file inside it"
    if not _NAME_RE.match(name):  # a path, not a runner name: there is no saved profile to try
        if p.is_dir():
            raise BadInputError(f"{folder}.")
        raise BadInputError(f"No such profile file: {p} (make one with 'posecoach calibrate --name NAME', "
                            "then pass --profile NAME or the file's path).")
    saved = default_profile_path(name)
    if saved.is_file():
        return saved
    if p.is_dir():
        raise BadInputError(f"{folder} (and no runner named {name!r} has a saved profile).")
    raise BadInputError(f"No profile file {p} and no saved profile for a runner named {name!r} at {saved}: "
                        f"make one with 'posecoach calibrate --name {shlex.quote(name)}'.")


def load_profile(path: str | os.PathLike) -> RunnerProfile:
    """Read and validate a profile; every problem is one sentence in a BadInputError (exit code 2)."""
    try:
        return _load_profile(path)
    except BadInputError as err:  # a newline in the file name or in a field must not split the sentence
        raise BadInputError(one_line(str(err))) from None


def _load_profile(path: str | os.PathLike) -> RunnerProfile:
    p = Path(path)
    if not p.exists():
        raise BadInputError(f"No such profile file: {p} (make one with 'posecoach calibrate').")
    if p.is_dir():
        raise BadInputError(f"The profile {p} is a folder, not a profile file.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInputError(f"The profile {p} is not a text file (it is not UTF-8).") from None
    except OSError as err:
        raise BadInputError(f"The profile {p} could not be read ({err.strerror or err}).") from None
    if not text.strip():
        raise BadInputError(f"The profile {p} is empty.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInputError(f"The profile {p} is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}).") from None
    except RecursionError:  # json recurses into nested lists and objects
        raise BadInputError(f"The profile {p} nests lists or objects too deeply to be a profile; run 'posecoach calibrate' again.") from None
    try:
        return RunnerProfile.from_dict(data)
    except (ValueError, TypeError) as err:
        raise BadInputError(f"The profile {p} is not usable: {err}; run 'posecoach calibrate' again.") from None


def save_profile(profile: RunnerProfile, path: str | os.PathLike) -> Path:
    """Write the profile as JSON (through a temporary file, so a crash never leaves half a profile)."""
    from live.session import make_private_dir, write_private  # owner-only folder and file, whatever the umask

    p = Path(path)
    text = json.dumps(profile.to_dict(), indent=2, allow_nan=False) + "\n"
    try:
        make_private_dir(p.parent)
        write_private(p, text)  # through a synced temporary file, renamed
    except OSError as err:
        raise BadInputError(f"Could not write the profile to {p} ({err.strerror or err}).") from None
    return p
