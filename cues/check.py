"""Are the cues of a session consistent with its steps? For `posecoach analyze` checks and tests.

Independent of the coach's scheduling: the rules are replayed over the steps, and every fault cue
must name a fault that was on in the steps just before it; every praise must follow a cue of that
fault and its switching off; no two cues closer than the configured gap.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from cues.cadence import StepCadence
from cues.coach import PRAISE
from cues.config import CuesConfig, load_cues_config
from cues.rules import Rules
from live.types import STEP_METRICS, StepEvent

LOOKBACK_EXTRA_S = 1.0  # a step is delivered after its landing (toe-off, pull): allow for that lag


def as_step(row: StepEvent | Mapping) -> StepEvent:
    """A StepEvent, or a steps.csv row (strings; an empty cell is NaN)."""
    if isinstance(row, StepEvent):
        return row

    def num(key: str) -> float:
        v = row.get(key, "")
        return math.nan if v in ("", None) else float(v)

    return StepEvent(t_s=num("t_s"), frame=int(num("frame")) if "frame" in row else 0,
                     leg=str(row.get("leg", "near")), side=str(row.get("side", "unknown")),
                     quality=str(row.get("quality", "ok")), **{m: num(m) for m in STEP_METRICS})


def consistent(cue_rows: Sequence[Mapping], steps: Sequence[StepEvent | Mapping],
               config: CuesConfig | None = None, baseline: Mapping[str, float] | None = None) -> list[str]:
    """Violations, one sentence each; empty when the cues agree with the steps."""
    cfg = config or load_cues_config(None)
    steps = sorted((as_step(s) for s in steps), key=lambda s: s.t_s)
    rules, cadence = Rules(cfg.faults, baseline), StepCadence()
    on_at: dict[str, list[tuple[float, bool]]] = {r.cfg.name: [] for r in rules.rules}  # state after each step
    switched_off: dict[str, list[float]] = {name: [] for name in on_at}
    for s in steps:
        spm = cadence.update(s.t_s)
        for tr in rules.update(s, spm):
            if not tr.on:
                switched_off[tr.fault].append(s.t_s)
        for r in rules.rules:
            on_at[r.cfg.name].append((s.t_s, r.active))

    out: list[str] = []
    rows = sorted(cue_rows, key=lambda r: r["t"])
    lookback = cfg.coach.stale_s + LOOKBACK_EXTRA_S
    for prev, row in zip([None] + rows[:-1], rows):
        t, fault = float(row["t"]), row["fault"]
        if prev is not None and t - float(prev["t"]) < cfg.coach.min_gap_s - 1e-6:
            out.append(f"Cue at {t:.2f} s follows the cue at {float(prev['t']):.2f} s by less than "
                       f"min_gap_s = {cfg.coach.min_gap_s}.")
        if fault not in on_at:
            out.append(f"Cue at {t:.2f} s names fault {fault!r}, which no enabled rule has.")
        elif row["cue"] == PRAISE:
            cued_before = any(r["fault"] == fault and r["cue"] != PRAISE and float(r["t"]) < t for r in rows)
            if not cued_before or not any(x <= t for x in switched_off[fault]):
                out.append(f"Praise at {t:.2f} s for {fault!r} without an earlier cue and fix of that fault.")
        elif not any(active for ts, active in on_at[fault] if t - lookback <= ts <= t):
            out.append(f"Cue at {t:.2f} s for {fault!r}, but the steps before it do not show that fault.")
    return out
