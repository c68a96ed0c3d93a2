"""cues.check.consistent: the coach's own cues pass; a cue without its fault, or too close, fails."""
from __future__ import annotations

import math

from cues.check import consistent
from cues.coach import Coach
from test_cues_coach import EMIT_DELAY_S, FPS, config, stream


def cues_of(steps, t_end, cfg):
    coach, rows, i = Coach(cfg), [], 0
    for k in range(int(t_end * FPS) + 1):
        new = [s for s in steps[i:] if s.t_s + EMIT_DELAY_S <= k / FPS]
        i += len(new)
        rows += [c.to_json(spoken=False) for c in coach.update(k / FPS, new, math.nan)]
    return rows


def test_coach_output_is_consistent_and_tampering_is_caught():
    cfg = config()
    steps = (stream(0, 8, overstride_bh=0.15, bounce_bh=0.08) + stream(8.05, 12.25, bounce_bh=0.08)
             + stream(12.25, 40))
    rows = cues_of(steps, 40, cfg)
    assert [r["cue"] for r in rows] == ["land_under_hips", "stay_low", "praise"]
    assert consistent(rows, steps, cfg) == []
    csv_like = [{k: ("" if isinstance(v, float) and math.isnan(v) else str(v)) for k, v in vars(s).items()}
                for s in steps]
    assert consistent(rows, csv_like, cfg) == []
    late = [*rows, {"t": 30.0, "cue": "stay_low", "text": "Stay low", "fault": "bounce", "spoken": False}]
    assert consistent(late, steps, cfg) == ["Cue at 30.00 s for 'bounce', but the steps before it do not show that fault."]
    close = [rows[0], {**rows[1], "t": rows[0]["t"] + 1.0}]
    assert any("less than min_gap_s" in v for v in consistent(close, steps, cfg))
