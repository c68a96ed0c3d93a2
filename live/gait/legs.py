"""Two legs tracked as continuous trajectories (A and B), not by the model's left/right labels.

In a side view the model's labels swap, and the hidden far ankle is often drawn onto the near foot
(both labels on one foot, "collapse"), mostly around mid-stance. Each frame the ankle detections are
assigned to the two tracks by the assignment that moves them least, measured against each track's
prediction in units of its uncertainty, which grows while a track goes unseen. So a label swap costs
nothing, and a collapsed pair feeds only the track it belongs to while the other coasts.

The tracks feed each step's metrics (the track ahead at the widest stride is the stepping leg).
Naming a step's leg is LegPhase's job: tracks can still exchange feet when both are hidden for long,
and the names must alternate whatever happens to the tracks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from live.keypoints import Kp
from live.types import PoseFrame

NAN2 = (math.nan, math.nan)

# Uncertainty of a track's prediction: a base of 0.04 bh (keypoint jitter plus frame-to-frame
# motion error) that grows by 2 bh/s while unseen (a swinging foot reaches ~2 bh/s relative to the
# camera, so after a hidden swing of 0.15 s any place within 0.3 bh is plausible).
SIGMA_BASE_BH = 0.04
SIGMA_GROWTH_BHPS = 2.0
# A coasting track keeps its velocity for at most 0.1 s: beyond that a swinging foot has turned.
MAX_EXTRAPOLATE_S = 0.1


@dataclass(frozen=True)
class LegSample:
    """One leg in one frame: ankle and knee in image pixels (NaN when not seen), `seen` is False when
    the track is coasting (no detection of its own this frame), `label` the model's side for it."""

    ankle: tuple[float, float]
    knee: tuple[float, float]
    conf: float
    seen: bool
    label: str  # "left" | "right" | "" when not seen


class _Track:
    def __init__(self) -> None:
        self.pos: np.ndarray | None = None
        self.vel = np.zeros(2)
        self.t_seen: float | None = None

    def predict(self, t: float) -> np.ndarray:
        dt = min(t - self.t_seen, MAX_EXTRAPOLATE_S)
        return self.pos + self.vel * dt

    def sigma(self, t: float, bh: float) -> float:
        return bh * (SIGMA_BASE_BH + SIGMA_GROWTH_BHPS * (t - self.t_seen))

    def observe(self, p: np.ndarray, t: float) -> None:
        if self.pos is not None:
            dt = t - self.t_seen
            v = (p - self.pos) / dt
            # Fresh observation after a short gap: trust it; after a long gap, the old velocity is
            # meaningless, so take the new one alone.
            self.vel = v if dt > MAX_EXTRAPOLATE_S else 0.5 * v + 0.5 * self.vel
        self.pos = p
        self.t_seen = t


class LegTracker:
    def __init__(self, min_conf: float, collapse_bh: float) -> None:
        self.min_conf = min_conf
        self.collapse_bh = collapse_bh
        self.reset()

    def reset(self) -> None:
        self._tracks = (_Track(), _Track())

    def _detections(self, pose: PoseFrame, bh: float) -> list[tuple[np.ndarray, np.ndarray, float, str]]:
        dets = []
        for side, ankle, knee in (("left", Kp.LEFT_ANKLE, Kp.LEFT_KNEE), ("right", Kp.RIGHT_ANKLE, Kp.RIGHT_KNEE)):
            p = pose.xy[ankle]
            if pose.conf[ankle] >= self.min_conf and np.isfinite(p).all():
                k = pose.xy[knee] if pose.conf[knee] >= self.min_conf else np.array(NAN2)
                dets.append((p.astype(np.float64), np.asarray(k, np.float64), float(pose.conf[ankle]), side))
        if len(dets) == 2 and np.linalg.norm(dets[0][0] - dets[1][0]) < self.collapse_bh * bh:
            # One foot drawn twice: keep the more confident copy.
            dets = [max(dets, key=lambda d: d[2])]
        return dets

    def update(self, pose: PoseFrame, bh: float) -> tuple[LegSample, LegSample]:
        """Assign this frame's ankles to the two tracks; returns (A, B)."""
        t = pose.t
        dets = self._detections(pose, bh) if pose.found else []
        tracks = self._tracks
        assign: list[int | None] = [None, None]  # detection index per track
        if tracks[0].pos is None or tracks[1].pos is None:
            # Start: tracks take the labels' order, the cheapest guess; continuity fixes it later.
            for i, d in enumerate(dets):
                ti = 0 if d[3] == "left" else 1
                if tracks[ti].pos is None or len(dets) == 2:
                    assign[ti] = i
        elif len(dets) == 2:
            costs = [[self._cost(tr, d[0], t, bh) for d in dets] for tr in tracks]
            same = costs[0][0] + costs[1][1]
            swap = costs[0][1] + costs[1][0]
            assign = [0, 1] if same <= swap else [1, 0]
        elif len(dets) == 1:
            c = [self._cost(tr, dets[0][0], t, bh) for tr in tracks]
            assign[int(np.argmin(c))] = 0
        out = []
        for ti, tr in enumerate(tracks):
            di = assign[ti]
            if di is None:
                out.append(LegSample(NAN2, NAN2, 0.0, False, ""))
                continue
            p, k, conf, side = dets[di]
            tr.observe(p, t)
            out.append(LegSample((float(p[0]), float(p[1])), (float(k[0]), float(k[1])), conf, True, side))
        return out[0], out[1]

    def _cost(self, tr: _Track, p: np.ndarray, t: float, bh: float) -> float:
        d = np.linalg.norm(p - tr.predict(t))
        s = tr.sigma(t, bh)
        return float((d / s) ** 2 + 2.0 * math.log(s))  # negative log-likelihood of a 2-D Gaussian


class LegPhase:
    """Names the leg of each step: legs alternate in running, so the side of step k follows from
    step k-1 and the number of step periods between them (a missed step keeps the parity right).
    Which parity is "left" is a vote: at the widest stride the feet are far apart, where the model's
    left/right labels are right most of the time, so each step votes with the label of its forward
    ankle. The votes of the last MEMORY_STEPS steps are summed with equal weight and the naming
    changes only when that sum stands FLIP_VOTES against it, so a wrong label on one step never
    renames it, and a swapped leg track never breaks alternation. When the model's labels follow
    position instead of anatomy (it calls the forward ankle "right" whichever leg it is), the votes
    of the two parities cancel in the sum: the naming then stays as first decided, alternating,
    instead of swinging with each vote. The tracker names a step when it emits it, 1-2 steps after
    its landing, so the first steps of a run are named with the votes of the steps after them too."""

    # Sixteen steps (about 5 s of running): long enough that labels which follow position cancel
    # out and a few wrong labels are outvoted, short enough to recover within seconds after the
    # runner is lost and found with a different phase.
    MEMORY_STEPS = 16
    # A vote weighs at most 1 (the weaker ankle's confidence); renaming takes a net of about two
    # clear steps against the current naming.
    FLIP_VOTES = 1.5

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._parity = 0
        self._last_t: float | None = None
        self._votes: list[float] = []  # each step's vote times its parity's sign, newest last
        self._naming = 0.0  # +1: parity 0 is the left leg, -1: the right leg, 0: not decided

    def update(self, t: float, period_s: float, vote: float) -> int:
        """Parity (0 or 1) of the step landing at t, counting from the previous step by the step
        periods between them; vote > 0 if the model calls its forward ankle left, < 0 right, 0
        unknown (weight = its confidence). Name it with side(parity), now or later: a later call
        has heard more votes."""
        if self._last_t is not None:
            n = max(1, round((t - self._last_t) / period_s))
            self._parity = (self._parity + n) % 2
        self._last_t = t
        sign = 1.0 if self._parity == 0 else -1.0
        self._votes = (self._votes + [sign * vote])[-self.MEMORY_STEPS:]
        score = sum(self._votes)
        if self._naming == 0.0 and score != 0.0:
            self._naming = math.copysign(1.0, score)
        elif score * self._naming <= -self.FLIP_VOTES:
            self._naming = -self._naming
        return self._parity

    def side(self, parity: int) -> str:
        """"left" | "right" | "unknown": the side the votes so far give to steps of this parity."""
        if self._naming == 0.0 or parity not in (0, 1):
            return "unknown"
        sign = 1.0 if parity == 0 else -1.0
        return "left" if self._naming * sign > 0 else "right"
