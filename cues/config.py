"""Typed cue configuration: the packaged commented TOML, overridden key by key by a user file.

Unknown keys and out-of-range values raise `BadInputError` with one sentence naming the key, so a
typo in `--cues FILE` is a clear error, never a silently ignored setting.
"""
from __future__ import annotations

import difflib
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from live.errors import BadInputError, one_line
from live.types import FRONT_METRICS, STEP_METRICS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pyproject pulls in tomli for 3.10
    import tomli as tomllib

# Values a rule can watch: every StepEvent metric, the cadence (from the tracker or the coach's
# own estimate) and one derived angle, the trunk leaning more than the body line.
DERIVED_METRICS = ("cadence_spm", "waist_bend_deg")
RULE_METRICS = STEP_METRICS + DERIVED_METRICS
# A rule is for one camera view (`view = "side"`, the default, or "front"): a front camera measures
# other things (FrontStepEvent), plus the trunk's sideways lean as a size either way (lean_abs_deg).
FRONT_DERIVED_METRICS = ("cadence_spm", "lean_abs_deg")
FRONT_RULE_METRICS = FRONT_METRICS + FRONT_DERIVED_METRICS
RULE_VIEWS = ("side", "front")
DIRECTIONS = ("above", "below")
# Next to this module, as package data (a plain path: importlib.resources trips over the editable
# install's namespace path hook).
DEFAULTS_TOML = Path(__file__).with_name("defaults.toml")
MAX_PHRASE_CHARS = 80  # a cue is a few words said mid-stride; a sentence this long is a mistake


@dataclass(frozen=True)
class CoachConfig:
    warmup_s: float
    warmup_steps: int
    min_gap_s: float
    repeat_gap_s: float
    stale_s: float
    quiet_after_cues: int
    quiet_s: float
    praise: bool
    praise_within_s: float
    window_steps: int
    persist_steps: int


@dataclass(frozen=True)
class SpeechConfig:
    voice: str  # "" = the engine's default voice
    rate_wpm: int


@dataclass(frozen=True)
class RuleConfig:
    name: str
    cue: str
    metric: str
    direction: str
    on: float
    off: float
    weight: float
    relative: bool
    enabled: bool
    window_steps: int
    persist_steps: int
    view: str = "side"


@dataclass(frozen=True)
class CuesConfig:
    coach: CoachConfig
    speech: SpeechConfig
    phrases: Mapping[str, str]  # read-only mapping: cue id -> words
    faults: tuple[RuleConfig, ...]  # the side view's rules: what every consumer reads by default
    source: str = "defaults"
    front_faults: tuple[RuleConfig, ...] = ()  # the rules with view = "front"

    def for_view(self, view: str) -> CuesConfig:
        """This config with the given view's rules as its `faults` (the coach, the key frames and the
        report read `faults`)."""
        if view not in RULE_VIEWS:
            raise ValueError(f"view must be one of {', '.join(RULE_VIEWS)}, got {view!r}")
        return self if view == "side" else replace(self, faults=self.front_faults, front_faults=())

    def phrase(self, cue_id: str) -> str:
        return self.phrases[cue_id]

    def with_speech(self, voice: str | None, rate_wpm: int | None) -> CuesConfig:
        """This config with the command line's --voice / --rate (None keeps the file's value)."""
        speech = SpeechConfig(self.speech.voice if voice is None else voice,
                              self.speech.rate_wpm if rate_wpm is None else rate_wpm)
        _value(self.source, "speech.rate_wpm", speech.rate_wpm, _SPEECH_KEYS)
        return replace(self, speech=speech)


# key -> (type, low, high); None = no bound. Ranges say what a sane coach could want.
_COACH_KEYS: dict[str, tuple[type, Any, Any]] = {
    "warmup_s": (float, 0.0, 600.0),
    "warmup_steps": (int, 0, 1000),
    "min_gap_s": (float, 0.5, 120.0),
    "repeat_gap_s": (float, 0.5, 3600.0),
    "stale_s": (float, 0.1, 30.0),
    "quiet_after_cues": (int, 1, 100),
    "quiet_s": (float, 0.0, 3600.0),
    "praise": (bool, None, None),
    "praise_within_s": (float, 0.0, 600.0),
    "window_steps": (int, 1, 50),
    "persist_steps": (int, 1, 50),
}
_SPEECH_KEYS: dict[str, tuple[type, Any, Any]] = {
    "voice": (str, None, None),
    "rate_wpm": (int, 80, 450),  # below 80 words run apart, above 450 espeak is unintelligible
}
_RULE_KEYS: dict[str, tuple[type, Any, Any]] = {
    "cue": (str, None, None),
    "metric": (str, None, None),
    "direction": (str, None, None),
    "on": (float, -1e6, 1e6),
    "off": (float, -1e6, 1e6),
    "weight": (float, 0.01, 100.0),
    "relative": (bool, None, None),
    "enabled": (bool, None, None),
    "window_steps": (int, 1, 50),
    "persist_steps": (int, 1, 50),
    "view": (str, None, None),
}
_RULE_REQUIRED = ("cue", "metric", "direction", "on", "off", "weight")


def load_cues_config(path: str | Path | None) -> CuesConfig:
    """The packaged defaults, overridden by the TOML at `path` when given."""
    try:
        return _load_cues_config(path)
    except BadInputError as err:  # a newline in the file name must not split the sentence
        raise BadInputError(one_line(str(err))) from None


def _load_cues_config(path: str | Path | None) -> CuesConfig:
    defaults = tomllib.loads(DEFAULTS_TOML.read_text(encoding="utf-8"))
    if path is None:
        return cues_config_from_dict(defaults, {}, "defaults")
    p = Path(path)
    if p.is_dir():
        raise BadInputError(f"Cue file {p} is a folder: give the TOML file inside it.")
    try:
        text = p.read_text(encoding="utf-8")
        user = tomllib.loads(text)
    except FileNotFoundError:
        raise BadInputError(f"Cue file {p} does not exist.") from None
    except UnicodeDecodeError:
        raise BadInputError(f"Cue file {p} is not a text file (it is not UTF-8): give a TOML file like cues/defaults.toml.") from None
    except OSError as e:
        raise BadInputError(f"Cue file {p} cannot be read ({e.strerror or e}).") from None
    except tomllib.TOMLDecodeError as e:
        raise BadInputError(f"Cue file {p} is not valid TOML ({e}).") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise BadInputError(f"Cue file {p} nests arrays or tables too deeply to be a cue file.") from None
    # A 0-byte file is valid TOML that changes nothing: most likely a truncated copy or a wrong
    # redirect, so it is refused rather than silently run on the defaults (comments alone are fine).
    if not text.strip():
        raise BadInputError(f"Cue file {p} is empty: copy the keys to change from cues/defaults.toml, or leave out --cues.")
    return cues_config_from_dict(defaults, user, str(p))


def cues_config_from_dict(defaults: Mapping, user: Mapping, source: str = "cue file") -> CuesConfig:
    """Merge `user` over `defaults` (both parsed TOML) and check every value."""
    for key in user:
        if key not in ("coach", "speech", "phrases", "faults"):
            _bad(source, f"unknown section [{key}]; the sections are [coach], [speech], [phrases] and [faults.NAME]")
    coach_raw = {**defaults.get("coach", {}), **_table(user, "coach", source)}
    speech_raw = {**defaults.get("speech", {}), **_table(user, "speech", source)}
    phrases_raw = {**defaults.get("phrases", {}), **_table(user, "phrases", source)}
    faults_raw = {name: dict(t) for name, t in defaults.get("faults", {}).items()}
    for name, table in _table(user, "faults", source).items():
        if not isinstance(table, dict):
            _bad(source, f"faults.{name} must be a table like [faults.{name}]")
        faults_raw.setdefault(name, {}).update(table)

    coach = CoachConfig(**{k: _value(source, f"coach.{k}", v, _COACH_KEYS) for k, v in _known(
        coach_raw, _COACH_KEYS, "coach", source).items()})
    _check_coach(coach, source)
    speech = SpeechConfig(**{k: _value(source, f"speech.{k}", v, _SPEECH_KEYS) for k, v in _known(
        speech_raw, _SPEECH_KEYS, "speech", source).items()})
    phrases = _check_phrases(phrases_raw, source)
    _check_phrase_ids(_table(user, "phrases", source), defaults.get("phrases", {}), faults_raw, source)
    if coach.praise and "praise" not in phrases:
        _bad(source, 'praise is on but [phrases] has no "praise" entry')
    rules = tuple(_rule(source, name, t, coach, phrases) for name, t in faults_raw.items())
    return CuesConfig(coach, speech, MappingProxyType(phrases), tuple(r for r in rules if r.view == "side"), source,
                      tuple(r for r in rules if r.view == "front"))


def _table(d: Mapping, key: str, source: str) -> dict:
    t = d.get(key, {})
    if not isinstance(t, dict):
        _bad(source, f"{key} must be a table like [{key}]")
    return t


def _known(raw: dict, spec: dict, where: str, source: str, required=None) -> dict:
    """`raw` with only keys of `spec` and every `required` one (default: all of spec)."""
    for k in raw:
        if k not in spec:
            _bad(source, f"unknown key {where}.{k}; the known keys are {', '.join(spec)}")
    missing = [k for k in (spec if required is None else required) if k not in raw]
    if missing:
        _bad(source, f"{where} is missing {', '.join(missing)}")
    return raw


def _value(source: str, key: str, v: Any, spec: dict) -> Any:
    kind, lo, hi = spec[key.rsplit(".", 1)[1]]
    if kind is float and isinstance(v, int) and not isinstance(v, bool):
        try:
            v = float(v)
        except OverflowError:  # a whole number beyond any float: out of every range
            _bad(source, f"{key} = {_shown(v)} is out of range; use a value from {lo} to {hi}")
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        _bad(source, f"{key} = {_shown(v)} should be a {kind.__name__}")
    if kind is float and not math.isfinite(v):
        _bad(source, f"{key} = {v!r} must be a finite number")
    if lo is not None and not lo <= v <= hi:
        _bad(source, f"{key} = {_shown(v)} is out of range; use a value from {lo} to {hi}")
    return v


def _shown(v: Any, limit: int = 40) -> str:
    """A value for a message: its repr, cut short (a pasted megabyte must not become the sentence)."""
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_coach(c: CoachConfig, source: str) -> None:
    if c.repeat_gap_s < c.min_gap_s:
        _bad(source, f"coach.repeat_gap_s = {c.repeat_gap_s} must not be shorter than coach.min_gap_s = {c.min_gap_s}")
    if c.persist_steps > c.window_steps:
        _bad(source, f"coach.persist_steps = {c.persist_steps} must not exceed coach.window_steps = {c.window_steps}")


def _check_phrases(raw: dict, source: str) -> dict[str, str]:
    for cue_id, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            _bad(source, f"phrases.{cue_id} must be a non-empty string")
        if len(text) > MAX_PHRASE_CHARS:
            _bad(source, f"phrases.{cue_id} is {len(text)} characters; keep a cue under {MAX_PHRASE_CHARS}")
    return {k: v.strip() for k, v in raw.items()}


def _check_phrase_ids(user_phrases: Mapping, default_phrases: Mapping, faults_raw: Mapping, source: str) -> None:
    """Each user phrase id must be a packaged one or the cue of some rule: anything else is a typo
    that would otherwise leave the default words in place without a word of warning."""
    rule_cues = {t.get("cue") for t in faults_raw.values() if isinstance(t.get("cue"), str)}
    for cue_id in user_phrases:
        if cue_id in default_phrases or cue_id in rule_cues:
            continue
        close = difflib.get_close_matches(cue_id, list(default_phrases), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        _bad(source, f"phrases.{cue_id} is not a known phrase id{hint}; the known ids are "
                     f"{', '.join(default_phrases)}; to add a new cue, also add a [faults.NAME] rule "
                     f'whose cue = "{cue_id}"')


def _rule(source: str, name: str, raw: dict, coach: CoachConfig, phrases: dict) -> RuleConfig:
    where = f"faults.{name}"
    _known(raw, _RULE_KEYS, where, source, _RULE_REQUIRED)
    v = {k: _value(source, f"{where}.{k}", x, _RULE_KEYS) for k, x in raw.items()}
    v.setdefault("relative", False)
    v.setdefault("enabled", True)
    v.setdefault("window_steps", coach.window_steps)
    v.setdefault("persist_steps", coach.persist_steps)
    v.setdefault("view", "side")
    if v["cue"] not in phrases:
        _bad(source, f"{where}.cue = {v['cue']!r} is not in [phrases]")
    if v["view"] not in RULE_VIEWS:
        _bad(source, f'{where}.view = {v["view"]!r} must be "side" or "front"')
    if v["view"] == "side" and v["metric"] not in RULE_METRICS:
        _bad(source, f"{where}.metric = {v['metric']!r} is unknown; use one of {', '.join(RULE_METRICS)}")
    if v["view"] == "front" and v["metric"] not in FRONT_RULE_METRICS:
        _bad(source, f"{where}.metric = {v['metric']!r} is not measured from the front; a view = \"front\" "
                     f"rule uses one of {', '.join(FRONT_RULE_METRICS)}")
    if v["direction"] not in DIRECTIONS:
        _bad(source, f'{where}.direction = {v["direction"]!r} must be "above" or "below"')
    above = v["direction"] == "above"
    if (above and not v["off"] < v["on"]) or (not above and not v["off"] > v["on"]):
        rel = "below" if above else "above"
        _bad(source, f"{where}: off = {v['off']} must be {rel} on = {v['on']} for a fault {v['direction']} on")
    if v["persist_steps"] > v["window_steps"]:
        _bad(source, f"{where}.persist_steps = {v['persist_steps']} must not exceed window_steps = {v['window_steps']}")
    return RuleConfig(name=name, **v)


def _bad(source: str, what: str) -> None:
    # TOML allows any character in a quoted key: a newline in one must not split the sentence.
    raise BadInputError(one_line(f"Cue settings ({source}): {what}."))
