"""The coach: which cue to say, and when, from the rules' faults and the clock of the frames.

Every decision uses the frame timestamps passed to `update`, never the wall clock, so analysing a
file produces the same cues as running live. "At most one cue in flight" is kept two ways:
- the coach estimates how long its last cue takes to say (words / speech.rate_wpm + a pause) and
  starts no cue before then: deterministic, the same in analysis and live mode;
- the live loop may also pass `speaker_busy=speaker.busy`, so a slow real voice still holds the
  next cue back. Analysis passes nothing (False) and gets the estimate alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from cues.cadence import StepCadence
from cues.config import CuesConfig
from cues.rules import Evidence, Rules
from live.types import StepEvent

PRAISE = "praise"  # cue id of the praise phrase in [phrases]
# Added to words / rate: espeak's end-of-sentence pause plus the audio device starting, ~0.5 s.
SPEECH_OVERHEAD_S = 0.5


@dataclass(frozen=True)
class Cue:
    """A phrase the coach decided to say at frame time `t` (seconds)."""

    t: float
    cue: str  # phrase id, e.g. "land_under_hips" or "praise"
    text: str
    fault: str  # the rule that caused it (for praise: the fault that was fixed)
    severity: float  # 0 for praise
    evidence: Evidence  # the rule's window when it last showed the fault (for praise: at the fix)

    def to_json(self, spoken: bool) -> dict:
        """One line of cues.jsonl: the cue, then the rule's evidence (see CUE_JSON_KEYS)."""
        return {"t": round(self.t, 3), "cue": self.cue, "text": self.text, "fault": self.fault, "spoken": spoken,
                "severity": self.severity, **self.evidence.to_json()}


# Every cues.jsonl line has exactly these keys, in this order (null where a number is not finite).
# value: median of window_values, in `unit` (what severity measures); window_values: each good
# step's value the rule compared with on/off, oldest first, the newest landing at last_step_t_s;
# a fault cue has steps_beyond_on >= persist_steps, a praise steps_within_off >= persist_steps;
# baseline: subtracted from the steps.csv metric first (relative rules with a profile).
CUE_JSON_KEYS = ("t", "cue", "text", "fault", "spoken", "severity", "metric", "unit", "value", "direction",
                 "on", "off", "window_steps", "persist_steps", "steps_beyond_on", "steps_within_off",
                 "window_values", "baseline", "last_step_t_s")


@dataclass
class _Candidate:
    cue: str
    fault: str
    severity: float
    t_evidence: float  # frame time of the newest step that still supports this cue
    order: int  # rule order in the config: a deterministic tie-break
    evidence: Evidence
    deadline: float = math.inf  # praise only: too long after the fix, it would sound random


class Coach:
    def __init__(self, config: CuesConfig, baseline: Mapping[str, float] | None = None) -> None:
        """`baseline`: the runner's neutral value per StepEvent metric (e.g. trunk_deg standing),
        subtracted before the rules marked `relative` compare it with their thresholds."""
        self.config = config
        self._rules = Rules(config.faults, baseline)
        self._order = {r.cfg.name: i for i, r in enumerate(self._rules.rules)}
        self._cadence = StepCadence()
        self.reset()

    def reset(self) -> None:
        self._rules.reset()
        self._cadence.reset()
        self._t_last = -math.inf
        self._t_step_last = -math.inf
        self._t_first_step: float | None = None
        self._n_steps = 0
        self._candidates: dict[str, _Candidate] = {}  # fault name or "praise:<fault>" -> candidate
        self._t_last_cue = -math.inf
        self._in_flight_until = -math.inf
        self._t_said: dict[str, float] = {}  # cue id -> last time said
        # Per cue id, since the runner hears the phrase, not the rule: cues said since one of its
        # faults last switched off, and the time until which that cue stays quiet.
        self._unfixed: dict[str, int] = {}
        self._quiet_until: dict[str, float] = {}
        self._t_cued: dict[str, float] = {}  # fault -> last cue time in its current spell
        self.dropped_stale = 0

    def pause(self) -> None:
        """The runner left the view or the camera was lost: forget the open spells and the cues
        waiting to be said (their evidence is from a run that stopped), keep what was said and
        when (no repeat right after the return) and the warm-up already run."""
        self._rules.reset()
        self._cadence.reset()
        self._candidates.clear()
        self._t_cued.clear()

    @property
    def in_flight_until(self) -> float:
        """Frame time until which the last cue is estimated to be still playing."""
        return self._in_flight_until

    def speech_s(self, text: str) -> float:
        return len(text.split()) * 60.0 / self.config.speech.rate_wpm + SPEECH_OVERHEAD_S

    def update(self, t: float, new_steps: Sequence[StepEvent], cadence_spm: float = math.nan,
               speaker_busy: bool = False) -> list[Cue]:
        """Call every frame. `cadence_spm` NaN: the coach uses its own estimate from the step times.
        Returns the cue to say now (at most one)."""
        if t < self._t_last:
            raise ValueError(f"update time {t} is before the previous update {self._t_last}")
        self._t_last = t
        for step in new_steps:
            self._observe(t, step, cadence_spm)
        if not self._free(t, speaker_busy):
            return []
        cue = self._pick(t)
        return [] if cue is None else [self._say(cue)]

    def _observe(self, t: float, step: StepEvent, cadence_spm: float) -> None:
        if step.t_s < self._t_step_last:
            raise ValueError(f"step at {step.t_s} s arrived after a step at {self._t_step_last} s")
        self._t_step_last = step.t_s
        own = self._cadence.update(step.t_s)
        cadence = cadence_spm if math.isfinite(cadence_spm) else own
        if self._t_first_step is None:
            self._t_first_step = step.t_s
        self._n_steps += 1
        for tr in self._rules.update(step, cadence):
            if tr.on:
                self._candidates.pop(f"{PRAISE}:{tr.fault}", None)
            else:
                self._switched_off(t, tr.fault)
        if not step.good:
            return
        for rule in self._rules.active():
            name = rule.cfg.name
            self._candidates[name] = _Candidate(rule.cfg.cue, name, rule.severity, t, self._order[name],
                                                rule.evidence())
        for key, c in list(self._candidates.items()):
            if key.startswith(f"{PRAISE}:"):
                c.t_evidence = t  # still fixed on this good step

    def _switched_off(self, t: float, fault: str) -> None:
        self._candidates.pop(fault, None)
        self._unfixed[self._rules[fault].cfg.cue] = 0
        t_cued = self._t_cued.pop(fault, None)
        c = self.config.coach
        if c.praise and t_cued is not None and t - t_cued <= c.praise_within_s:
            self._candidates[f"{PRAISE}:{fault}"] = _Candidate(
                PRAISE, fault, 0.0, t, self._order[fault], self._rules[fault].evidence(),
                deadline=t + c.praise_within_s)

    def _free(self, t: float, speaker_busy: bool) -> bool:
        c = self.config.coach
        warm = (self._t_first_step is not None and self._n_steps >= c.warmup_steps
                and t - self._t_first_step >= c.warmup_s)
        return (warm and not speaker_busy and t >= self._in_flight_until
                and t - self._t_last_cue >= c.min_gap_s)

    def _pick(self, t: float) -> _Candidate | None:
        c = self.config.coach
        for key, cand in list(self._candidates.items()):
            if t - cand.t_evidence > c.stale_s or t > cand.deadline:
                del self._candidates[key]  # its turn came too late: it no longer describes this stride
                self.dropped_stale += 1
        ready = [
            cand for cand in self._candidates.values()
            if t - self._t_said.get(cand.cue, -math.inf) >= c.repeat_gap_s
            and t >= self._quiet_until.get(cand.cue, -math.inf)
        ]
        if not ready:
            return None
        return max(ready, key=lambda cand: (cand.severity, -cand.order))

    def _say(self, cand: _Candidate) -> Cue:
        t = self._t_last
        c = self.config.coach
        text = self.config.phrase(cand.cue)
        self._t_last_cue = t
        self._in_flight_until = t + self.speech_s(text)
        self._t_said[cand.cue] = t
        if cand.cue == PRAISE:
            del self._candidates[f"{PRAISE}:{cand.fault}"]
        else:
            del self._candidates[cand.fault]
            self._t_cued[cand.fault] = t
            self._unfixed[cand.cue] = self._unfixed.get(cand.cue, 0) + 1
            if self._unfixed[cand.cue] >= c.quiet_after_cues:
                self._quiet_until[cand.cue] = t + c.quiet_s  # not fixed after N cues: stop nagging
                self._unfixed[cand.cue] = 0
        return Cue(t, cand.cue, text, cand.fault, round(cand.severity, 3), cand.evidence)
