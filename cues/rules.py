"""Fault rules: one named rule per fault, two thresholds and persistence over recent good steps.

A rule switches ON when `persist_steps` of its last `window_steps` measured values are beyond `on`,
and OFF when `persist_steps` of them are back within `off` (see defaults.toml). The two sets are
disjoint, so a rule never wants both at once, and a value hovering at one threshold cannot flicker.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Mapping, Sequence

from cues.config import RuleConfig
from live.types import STEP_METRICS, StepEvent


def check_baseline(baseline: Mapping[str, float] | None) -> dict[str, float]:
    """A runner's neutral values (e.g. trunk_deg standing), by StepEvent metric name."""
    out: dict[str, float] = {}
    for name, value in (baseline or {}).items():
        if name not in STEP_METRICS:
            raise ValueError(f"baseline metric {name!r} is not a StepEvent metric ({', '.join(STEP_METRICS)})")
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"baseline[{name!r}] = {value!r} must be a finite number")
        out[name] = float(value)
    return out


def rule_value(cfg: RuleConfig, step: StepEvent, cadence_spm: float, baseline: Mapping[str, float]) -> float:
    """The value a rule watches for one step; NaN when it was not measured."""
    if cfg.metric == "cadence_spm":
        measured = float(cadence_spm)
    elif cfg.metric == "waist_bend_deg":
        measured = float(step.trunk_deg) - float(step.fall_deg)
    elif cfg.metric == "lean_abs_deg":  # front view: a sideways lean either way
        measured = abs(float(getattr(step, "lean_deg", math.nan)))
    else:
        # A front rule on a side step (or the reverse) has nothing to watch: NaN, skipped.
        measured = float(getattr(step, cfg.metric, math.nan))
    return measured - baseline_offset(cfg, baseline)


def baseline_offset(cfg: RuleConfig, baseline: Mapping[str, float]) -> float:
    """What a rule subtracts from the measured value: the runner's own neutral value when the rule
    is `relative` (cadence has none), else 0."""
    if not cfg.relative or cfg.metric == "cadence_spm":
        return 0.0
    if cfg.metric == "waist_bend_deg":
        return baseline.get("trunk_deg", 0.0) - baseline.get("fall_deg", 0.0)
    return baseline.get(cfg.metric, 0.0)


def metric_unit(metric: str) -> str:
    """The unit a metric's name ends with: "bh" for overstride_bh, "deg" for waist_bend_deg."""
    return metric.rsplit("_", 1)[1]


def median(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    vals = sorted(values)
    mid = len(vals) // 2
    return vals[mid] if len(vals) % 2 else 0.5 * (vals[mid - 1] + vals[mid])


def beyond_on(cfg: RuleConfig, v: float) -> bool:
    return v >= cfg.on if cfg.direction == "above" else v <= cfg.on


def within_off(cfg: RuleConfig, v: float) -> bool:
    return v <= cfg.off if cfg.direction == "above" else v >= cfg.off


@dataclass(frozen=True)
class Evidence:
    """What a rule had seen when it decided: the window of values it compared with on and off.

    Enough to check the decision by hand from steps.csv: the window is the rule's values of the last
    good steps with the metric measured, up to the one landing at `last_step_t_s`.
    """

    rule: RuleConfig
    values: tuple[float, ...]  # oldest first, in the metric's unit, baseline already subtracted
    baseline: float  # subtracted from the measured metric (0 unless the rule is relative)
    last_step_t_s: float  # landing time of the newest step in the window

    @property
    def median_value(self) -> float:
        return median(self.values)

    @property
    def n_beyond_on(self) -> int:
        return sum(beyond_on(self.rule, v) for v in self.values)

    @property
    def n_within_off(self) -> int:
        return sum(within_off(self.rule, v) for v in self.values)

    def to_json(self) -> dict:
        """The fields a cues.jsonl line carries about its rule (rounded like steps.csv)."""
        r = self.rule
        return {"metric": r.metric, "unit": metric_unit(r.metric), "value": round(self.median_value, 4),
                "direction": r.direction, "on": r.on, "off": r.off, "window_steps": r.window_steps,
                "persist_steps": r.persist_steps, "steps_beyond_on": self.n_beyond_on,
                "steps_within_off": self.n_within_off, "window_values": [round(v, 4) for v in self.values],
                "baseline": round(self.baseline, 4), "last_step_t_s": round(self.last_step_t_s, 4)}


@dataclass(frozen=True)
class Transition:
    """A rule switched on or off at the step landing at `t_s`."""

    fault: str
    on: bool
    t_s: float


class Rule:
    """One fault's state over the steps it has seen."""

    def __init__(self, cfg: RuleConfig, baseline: Mapping[str, float]) -> None:
        self.cfg = cfg
        self._baseline = dict(baseline)
        self._values: deque[float] = deque(maxlen=cfg.window_steps)
        self._t_last_value = math.nan
        self.active = False

    def reset(self) -> None:
        self._values.clear()
        self._t_last_value = math.nan
        self.active = False

    def update(self, step: StepEvent, cadence_spm: float) -> Transition | None:
        v = rule_value(self.cfg, step, cadence_spm, self._baseline)
        if math.isnan(v):
            return None  # not measured for this step: it neither confirms nor clears the fault
        self._values.append(v)
        self._t_last_value = step.t_s
        need = self.cfg.persist_steps
        if not self.active and sum(beyond_on(self.cfg, x) for x in self._values) >= need:
            self.active = True
            return Transition(self.cfg.name, True, step.t_s)
        if self.active and sum(within_off(self.cfg, x) for x in self._values) >= need:
            self.active = False
            return Transition(self.cfg.name, False, step.t_s)
        return None

    @property
    def severity(self) -> float:
        """weight * how far the window's median lies beyond `off`, in units of (on - off); >= 0."""
        if not self._values:
            return 0.0
        mid = median(self._values)
        band = abs(self.cfg.on - self.cfg.off)
        past = mid - self.cfg.off if self.cfg.direction == "above" else self.cfg.off - mid
        return self.cfg.weight * max(0.0, past / band)

    def evidence(self) -> Evidence:
        """The window as it is now, for the cue this rule causes (or the praise of its fix)."""
        return Evidence(self.cfg, tuple(self._values), baseline_offset(self.cfg, self._baseline),
                        self._t_last_value)


class Rules:
    """Every enabled rule; only good-quality steps feed them."""

    def __init__(self, faults: Sequence[RuleConfig], baseline: Mapping[str, float] | None = None) -> None:
        base = check_baseline(baseline)
        self.rules = [Rule(cfg, base) for cfg in faults if cfg.enabled]
        self._by_name = {r.cfg.name: r for r in self.rules}

    def reset(self) -> None:
        for r in self.rules:
            r.reset()

    def update(self, step: StepEvent, cadence_spm: float) -> list[Transition]:
        if not step.good:
            return []
        out = [tr for r in self.rules if (tr := r.update(step, cadence_spm)) is not None]
        return out

    def active(self) -> list[Rule]:
        return [r for r in self.rules if r.active]

    def __getitem__(self, name: str) -> Rule:
        return self._by_name[name]
