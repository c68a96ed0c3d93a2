"""The report's "How the run went" for a front view: what a frontal camera measured (hip drop as a
category only: 2D frontal pelvic drop is too weak for a number, ICC 0.59-0.77), with the
categories' confidence, the front cue rules' thresholds, and what it cannot measure. Every number is
tagged with its source, as on the rest of the page (live/report/page.py)."""
from __future__ import annotations

from html import escape

from cues.config import CuesConfig
from live.report.data import SessionData

_NAMES = {"step_ms": ("step time", "ms", 0), "asymmetry_pct": ("step-time asymmetry", "%", 1),
          "bounce_bh": ("bounce", "bh", 3), "lean_deg": ("sideways lean (+ left)", "deg", 1),
          "midline_bh": ("landing foot from the midline", "bh", 3), "arm_cross_bh": ("wrist past the midline", "bh", 3),
          "lift_ms": ("landing to the top of the lift", "ms", 0)}


def front_section(data: SessionData, config: CuesConfig) -> str:
    """"" for a side view (or no summary); else the front view's table."""
    from live.report.page import NA, dig, num, txt

    s = data.summary or {}
    if s.get("view") != "front":
        return ""
    rules = {r.metric: r for r in config.front_faults if r.enabled}
    rows = [f"<tr><td>cadence</td><td class='n'>{num('summary:cadence_spm', s.get('cadence_spm'), 1)} spm</td>"
            f"<td>{_rule(rules.get('cadence_spm'))}</td></tr>"]
    for name, (words, unit, dec) in _NAMES.items():
        med = dig(s, f"metrics.{name}.median")
        rule = rules.get("lean_abs_deg" if name == "lean_deg" else name)
        rows.append(f"<tr><td>{escape(words)}</td><td class='n'>{num(f'summary:metrics.{name}.median', med, dec)} "
                    f"{unit}</td><td>{_rule(rule)}</td></tr>")
    cats = []
    for cat, c in (s.get("categories") or {}).items():
        conf = c.get("confidence")
        share = NA if conf is None else num(f"summary:categories.{cat}.confidence", 100 * conf, 0) + " % of good steps"
        cats.append(f"<tr><td>{escape(cat.replace('_', ' '))}</td><td>{txt(f'summary:categories.{cat}.value', c.get('value'))}"
                    f"</td><td>{share}</td></tr>")
    refused = f'<div class="notes"><b>Not a front view</b><p>{escape(s["refused"])}</p></div>' if s.get("refused") else ""
    missing = ", ".join(s.get("not_measured_in_view") or [])
    return f"""{refused}<p class="sub">Camera in front of the runner: medians over the good steps; left against right
step time {num('summary:asymmetry_pct', s.get('asymmetry_pct'), 1)} %, steps alternating feet
{num('summary:alternation', 100 * s['alternation'] if isinstance(s.get('alternation'), float) else None, 0)} %.</p>
<div class="legs"><table><tr><th>front view</th><th class='n'>median</th><th>coach</th></tr>{''.join(rows)}</table></div>
<div class="legs"><table><tr><th>category</th><th>most steps</th><th>agreeing</th></tr>{''.join(cats)}</table></div>
<p class="sub">Not measured from the front (the depth axis): {escape(missing)}. A side view measures them.</p>"""


def _rule(r) -> str:
    if r is None:
        return "no cue rule"
    op = "above" if r.direction == "above" else "below"
    return f"cues {op} {r.on:g}, fixed past {r.off:g} ([faults.{escape(r.name)}])"
