"""Property tests on the cue-file and profile loaders: whatever document they are given, they either
load it into a config that keeps its own invariants, or raise the project's error (BadInputError)
with one line of text. Never another exception, which would reach the user as a traceback.

Documents are drawn near the real schema (known sections, keys and fault names, mixed with
unknown ones) so that most examples reach the value checks, not just the first unknown key.
"""
from __future__ import annotations

import json
import math
import string
import tempfile
from datetime import date, datetime, time, timezone
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calibration.profile import PROFILE_VERSION, RunnerProfile, load_profile, resolve_profile_arg
from cues.config import _COACH_KEYS, _RULE_KEYS, _SPEECH_KEYS, CuesConfig, load_cues_config
from live.errors import BadInputError, PosecoachError
from live.types import STEP_METRICS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DIR = Path(tempfile.mkdtemp(prefix="posecoach-loader-props-"))

# ---- values: every type a TOML or JSON document can hold, with the awkward ones weighted in ----
NASTY_FLOATS = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, -1e308, 5e-324, 1e-9])
NUMBERS = st.one_of(
    NASTY_FLOATS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.integers(min_value=10**18, max_value=10**400),  # beyond int64 and beyond any float
    st.integers(max_value=-(10**18), min_value=-(10**400)),
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
KEY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
SCALARS = st.one_of(NUMBERS, st.booleans(), TEXT, st.sampled_from(["above", "below", "knee_deg", "praise", "left"]))
TOML_SCALARS = st.one_of(SCALARS, st.sampled_from([datetime(1979, 5, 27, 7, 32, tzinfo=timezone.utc),
                                                   date(2024, 1, 1), time(7, 32)]))


def _nested(scalars):
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(KEY_TEXT, inner, max_size=3)), max_leaves=6)


# ---- TOML: a small writer (the project reads TOML but has no writer) ----
def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a TOML basic string (no surrogates are drawn)
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict) -> str:
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items())


def _table(keys, values):
    return st.dictionaries(st.one_of(st.sampled_from(list(keys)), KEY_TEXT), values, max_size=5)


RULE_VALUES = st.one_of(SCALARS, _nested(TOML_SCALARS))
FAULT_NAMES = st.sampled_from(["overstride", "reaching", "pushing", "low_cadence", "upright", "new_rule"])
CUE_DOCS = st.dictionaries(
    st.one_of(st.sampled_from(["coach", "speech", "phrases", "faults"]), KEY_TEXT),
    st.one_of(
        _table(_COACH_KEYS, st.one_of(SCALARS, _nested(TOML_SCALARS))),
        _table(_SPEECH_KEYS, SCALARS),
        _table(["stay_low", "praise", "quicker_feet", "land_under_hips"], st.one_of(TEXT, SCALARS)),
        st.dictionaries(st.one_of(FAULT_NAMES, KEY_TEXT), st.one_of(_table(_RULE_KEYS, RULE_VALUES), SCALARS), max_size=3),
        _nested(TOML_SCALARS),
    ),
    max_size=4,
)


def _one_line(err: PosecoachError) -> None:
    text = str(err)
    assert type(err) is BadInputError, type(err)
    assert text and "\n" not in text and "\r" not in text, repr(text)


def _load_cues(text: str | bytes):
    path = _DIR / "cues.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        return load_cues_config(path)
    except PosecoachError as err:
        _one_line(err)
        return None


def _check_cues(cfg: CuesConfig) -> None:
    """A loaded config holds only finite, in-range numbers and consistent two-threshold rules."""
    for group, spec in ((cfg.coach, _COACH_KEYS), (cfg.speech, _SPEECH_KEYS)):
        for name, (kind, lo, hi) in spec.items():
            v = getattr(group, name)
            assert type(v) is kind, (name, v)
            if lo is not None:
                assert math.isfinite(v) and lo <= v <= hi, (name, v)
    assert cfg.coach.persist_steps <= cfg.coach.window_steps
    for rule in cfg.faults:
        assert math.isfinite(rule.on) and math.isfinite(rule.off) and math.isfinite(rule.weight)
        assert (rule.off < rule.on) if rule.direction == "above" else (rule.off > rule.on)
        assert rule.cue in cfg.phrases and 1 <= rule.persist_steps <= rule.window_steps
    assert all(isinstance(p, str) and p.strip() for p in cfg.phrases.values())


@SETTINGS
@given(doc=CUE_DOCS)
def test_any_toml_document_loads_or_is_one_sentence(doc):
    cfg = _load_cues(to_toml(doc))
    if cfg is not None:
        _check_cues(cfg)


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=300), TEXT, st.text(string.printable, max_size=300)))
def test_any_bytes_as_a_cue_file_load_or_are_one_sentence(raw):
    cfg = _load_cues(raw)
    if cfg is not None:
        _check_cues(cfg)


@SETTINGS
@given(rate=st.one_of(st.integers(), st.none()), voice=st.one_of(st.none(), TEXT))
def test_command_line_speech_over_a_cue_config(rate, voice):
    try:
        cfg = load_cues_config(None).with_speech(voice, rate)
    except PosecoachError as err:
        _one_line(err)
        assert rate is not None and not 80 <= rate <= 450
        return
    _check_cues(cfg)


# ---- profiles ----
GOOD_PROFILE = RunnerProfile(PROFILE_VERSION, "left", "side", 600.0, 1200.0, 30.0, height_cm=178.0, name="ana",
                             baseline={"trunk_deg": 3.0}, camera_tilt_deg=1.0, image_width_px=720,
                             image_height_px=1280).to_dict()
JSON_SCALARS = st.one_of(SCALARS, st.none())
PROFILE_KEYS = list(GOOD_PROFILE) + ["body_hieght_px", "extra"]


@st.composite
def profile_docs(draw):
    """A good profile with some fields replaced by arbitrary JSON, some dropped, some added."""
    doc = dict(GOOD_PROFILE)
    for key in draw(st.lists(st.sampled_from(PROFILE_KEYS), max_size=4)):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            doc.pop(key, None)
        elif choice == 1 and key == "baseline":
            doc[key] = draw(st.dictionaries(st.one_of(st.sampled_from(STEP_METRICS), KEY_TEXT), JSON_SCALARS, max_size=3))
        else:
            doc[key] = draw(st.one_of(JSON_SCALARS, _nested(JSON_SCALARS)))
    return draw(st.one_of(st.just(doc), st.just(doc), _nested(JSON_SCALARS)))


def _load_profile(text: str | bytes):
    path = _DIR / "profile.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        return load_profile(path)
    except PosecoachError as err:
        _one_line(err)
        return None


def _check_profile(p: RunnerProfile) -> None:
    for name in ("body_height_px", "floor_y_px", "fps"):
        v = getattr(p, name)
        assert math.isfinite(v) and v > 0, (name, v)
    assert p.facing in ("left", "right") and p.view in ("side", "front")
    assert p.height_cm is None or 100 <= p.height_cm <= 230
    assert p.camera_tilt_deg is None or abs(p.camera_tilt_deg) <= 45
    assert all(k in STEP_METRICS and math.isfinite(v) for k, v in p.baseline.items())
    json.dumps(p.to_dict(), allow_nan=False)  # what save_profile writes: strict JSON


@SETTINGS
@given(doc=profile_docs())
def test_any_json_profile_loads_or_is_one_sentence(doc):
    p = _load_profile(json.dumps(doc, allow_nan=True))
    if p is not None:
        _check_profile(p)


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=300), TEXT, st.text(string.printable, max_size=300)))
def test_any_bytes_as_a_profile_load_or_are_one_sentence(raw):
    p = _load_profile(raw)
    if p is not None:
        _check_profile(p)


@SETTINGS
@given(arg=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40))
def test_any_profile_argument_is_a_file_or_one_sentence(arg):
    """What --profile may hold (the command line has no NUL): a file, a saved runner's, or an error.
    Only reads: a name is looked up in the user's config folder, never written there."""
    assume(arg.strip())
    try:
        path = resolve_profile_arg(arg)
    except PosecoachError as err:
        _one_line(err)
        return
    assert path.is_file()
