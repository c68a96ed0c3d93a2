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

    def metric(name: str) -> float:
        v = float(getattr(step, name))
        return v - baseline.get(name, 0.0) if cfg.relative else v

    if cfg.metric == "cadence_spm":
        return float(cadence_spm)
    if cfg.metric == "waist_bend_deg":
        return metric("trunk_deg") - metric("fall_deg")
    return metric(cfg.metric)


def beyond_on(cfg: RuleConfig, v: float) -> bool:
    return v >= cfg.on if cfg.direction == "above" else v <= cfg.on


def within_off(cfg: RuleConfig, v: float) -> bool:
    return v <= cfg.off if cfg.direction == "above" else v >= cfg.off


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
        self.active = False

    def reset(self) -> None:
        self._values.clear()
        self.active = False

    def update(self, step: StepEvent, cadence_spm: float) -> Transition | None:
        v = rule_value(self.cfg, step, cadence_spm, self._baseline)
        if math.isnan(v):
            return None  # not measured for this step: it neither confirms nor clears the fault
        self._values.append(v)
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
        vals = sorted(self._values)
        mid = len(vals) // 2
        median = vals[mid] if len(vals) % 2 else 0.5 * (vals[mid - 1] + vals[mid])
        band = abs(self.cfg.on - self.cfg.off)
        past = median - self.cfg.off if self.cfg.direction == "above" else self.cfg.off - median
        return self.cfg.weight * max(0.0, past / band)


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
