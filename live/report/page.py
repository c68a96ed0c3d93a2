"""report.html: one self-contained page (inline CSS, plots as data: PNGs, no script, no URL).

Every number on the page is wrapped in `<span class="v" data-src="...">` naming where it comes
from (`summary:metrics.fall_deg.median`, `cues:2:value`, `config:faults.upright.on`, ...), so a
reader, and the tests, can trace each one back to the session files or the cue rules.
"""
from __future__ import annotations

import math
from html import escape
from pathlib import Path

from cues.config import CuesConfig
from live.fmt import fixed
from live.report.data import SessionData
from live.report.plots import Panel
from live.report.stats import beyond_noise
from live.report.style import CSS
from live.report.targets import DECIMALS, POSE_SOURCES, Target, verdict

NA = '<span class="na">not recorded</span>'
LEG_METRICS = {"contact_ms": "contact", "flight_ms": "flight", "fall_deg": "fall angle", "trunk_deg": "trunk angle",
               "lift_speed_bhps": "lift speed", "pull_ms": "pull time", "overstride_bh": "overstride",
               "shank_deg": "shank at landing", "knee_deg": "knee at landing", "trail_bh": "trail at toe-off",
               "bounce_bh": "bounce"}


def num(src: str, value, decimals: int) -> str:
    """A number, rounded for the page, tagged with its source; `not recorded` when absent."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return NA
    return f'<span class="v" data-src="{escape(src)}">{fixed(value, decimals)}</span>'


def exact_decimals(value: float, most: int = 4) -> int:
    """Decimals that show a threshold as written in the cue file: 160, 1.2, 0.12, 22.5."""
    text = f"{value:.{most}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def txt(src: str, value) -> str:
    if value is None or value == "":
        return NA
    return f'<span class="t" data-src="{escape(src)}">{escape(str(value))}</span>'


def dig(d: dict | None, path: str):
    """d["a"]["b"]... for a dotted path; None when any part is missing."""
    for part in path.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    return d


def waist_bend_median(data: SessionData) -> float | None:
    """Median over the ok steps of trunk_deg - fall_deg: what the waist_bend rule compares."""
    v = sorted(s["trunk_deg"] - s["fall_deg"] for s in data.good_steps
               if math.isfinite(s.get("trunk_deg", math.nan) - s.get("fall_deg", math.nan)))
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def headline_value(data: SessionData, metric: str) -> tuple[str, float | None]:
    if metric == "cadence_spm":
        return "summary:cadence_spm", dig(data.summary, "cadence_spm")
    if metric == "waist_bend_deg":
        return "steps:waist_bend_median", waist_bend_median(data)
    src = f"metrics.{metric}.median"
    return f"summary:{src}", dig(data.summary, src)


def _target_line(t: Target, config: CuesConfig) -> str:
    parts, unit = [], escape(t.unit)
    if t.pose_low:
        low = POSE_SOURCES[t.pose_low]
        parts.append(f"Pose Method minimum {num('pose:' + t.pose_low, low, exact_decimals(low))} {unit}.")
    if t.pose_high:
        high = POSE_SOURCES[t.pose_high]
        parts.append(f"Pose Method upper bound {num('pose:' + t.pose_high, high, exact_decimals(high))} {unit}.")
    if t.rule is not None:
        r, where = t.rule, f"faults.{t.rule.name}"
        worse, better = ("above", "below") if r.direction == "above" else ("below", "above")
        parts.append(f"The coach cues {worse} {num(f'config:{where}.on', r.on, exact_decimals(r.on))} and counts it fixed {better} "
                     f"{num(f'config:{where}.off', r.off, exact_decimals(r.off))} {unit} "
                     f"(<code>[{escape(where)}]</code> in {_config_name(config)}).")
        if t.offset:
            parts.append("Thresholds shifted by the runner's standing baseline (profile.json).")
    return " ".join(parts) or "No target: no cue rule uses this metric."


def _config_name(config: CuesConfig) -> str:
    """Where the thresholds come from (HTML): the defaults, or the run's --cues file over them."""
    if config.source == "defaults":
        return "cues/defaults.toml"
    return f"{txt('config:source', Path(config.source).resolve())} over cues/defaults.toml"


_BADGE = {"good": "good", "borderline": "borderline", "fault": "fault", "unknown": "no target", "missing": "not measured"}


def _card(data: SessionData, t: Target, config: CuesConfig) -> str:
    src, value = headline_value(data, t.metric)
    v = verdict(t, value)
    spread = ""
    if t.metric not in ("cadence_spm", "waist_bend_deg"):
        q = f"metrics.{t.metric}"
        spread = (f'<p class="target">middle half of the steps: {num(f"summary:{q}.p25", dig(data.summary, q + ".p25"), t.decimals)}'
                  f' to {num(f"summary:{q}.p75", dig(data.summary, q + ".p75"), t.decimals)} {escape(t.unit)}</p>')
    if t.metric == "waist_bend_deg":
        spread = (f'<p class="target">trunk {num("summary:metrics.trunk_deg.median", dig(data.summary, "metrics.trunk_deg.median"), 1)}'
                  f' deg, fall {num("summary:metrics.fall_deg.median", dig(data.summary, "metrics.fall_deg.median"), 1)} deg (medians)</p>')
    return (f'<div class="card {v.level}"><h3>{escape(t.label)} <span class="badge">{_BADGE[v.level]}</span></h3>'
            f'<div class="big">{num(src, value, t.decimals)} <span class="unit">{escape(t.unit)}</span></div>'
            f'<p><b>{escape(v.words)}</b></p>{spread}<p class="meaning">{escape(t.meaning)}.</p>'
            f'<p class="target">{_target_line(t, config)}</p></div>')


def _legs_table(data: SessionData) -> str:
    if (data.summary or {}).get("view") == "front":
        return ("<p>A front view names the legs left and right: their step times are compared above "
                "(step-time asymmetry).</p>")
    by_leg, n = dig(data.summary, "metrics_by_leg"), dig(data.summary, "good_steps_by_leg") or {}
    if not isinstance(by_leg, dict) or not by_leg.get("near") or not by_leg.get("far"):
        return "<p>No per-leg numbers in summary.json (an older or unfinished session).</p>"
    rows = []
    for m, label in LEG_METRICS.items():
        a, b = dig(by_leg, f"near.{m}"), dig(by_leg, f"far.{m}")
        if not a or not b:
            continue
        unit = m.rsplit("_", 1)[-1]
        d = DECIMALS.get(unit, 2)
        beyond = beyond_noise(a, b, n.get("near"), n.get("far"))
        word = {True: '<span class="leg-diff">differs</span>', False: "within noise", None: "cannot tell"}[beyond]
        diff = (a["median"] - b["median"]) if a.get("median") is not None and b.get("median") is not None else None
        rows.append(f"<tr><td title='{m}'>{escape(label)} <span class='unit'>{unit}</span></td><td class='n'>{num(f'summary:metrics_by_leg.near.{m}.median', a.get('median'), d)}</td>"
                    f"<td class='n'>{num(f'summary:metrics_by_leg.far.{m}.median', b.get('median'), d)}</td>"
                    f"<td class='n'>{num(f'diff:summary:metrics_by_leg.near.{m}.median|summary:metrics_by_leg.far.{m}.median', diff, d)}</td>"
                    f"<td>{word}</td></tr>")
    steps = (f"<p class='sub'>Medians over the good steps: {num('summary:good_steps_by_leg.near', n.get('near'), 0)} near, "
             f"{num('summary:good_steps_by_leg.far', n.get('far'), 0)} far. <i>differs</i>: the gap is more than two standard "
             "errors of the medians (estimated from each leg's quartiles), so it is unlikely to be step-to-step scatter.</p>")
    return (f"{steps}<div class='scroll'><table><tr><th>metric</th><th class='n'>near</th><th class='n'>far</th>"
            f"<th class='n'>near − far</th><th>gap</th></tr>{''.join(rows)}</table></div>")


def _cue_table(data: SessionData) -> str:
    if not data.cues:
        return "<p>No cues were given in this run.</p>"
    rows = []
    for i, c in enumerate(data.cues):
        d = DECIMALS.get(str(c.get("unit")), 2) + (1 if c.get("unit") in ("bh", "bhps") else 0)
        praise = c.get("cue") == "praise"
        count_key, limit = ("steps_within_off", "off") if praise else ("steps_beyond_on", "on")
        rows.append(f"<tr><td class='n'>{num(f'cues:{i}:#', i + 1, 0)}</td><td class='n'>{num(f'cues:{i}:t', c.get('t'), 1)}</td>"
                    f"<td>{txt(f'cues:{i}:text', c.get('text'))}</td><td class='wide'>{txt(f'cues:{i}:fault', c.get('fault'))}</td>"
                    f"<td class='wide'>{txt(f'cues:{i}:metric', c.get('metric'))}</td>"
                    f"<td class='n'>{num(f'cues:{i}:value', c.get('value'), d)} {escape(str(c.get('unit') or ''))}</td>"
                    f"<td class='n'>{num(f'cues:{i}:{limit}', c.get(limit), exact_decimals(c.get(limit) or 0))}</td>"
                    f"<td class='n'>{num(f'cues:{i}:{count_key}', c.get(count_key), 0)} of "
                    f"{num(f'cues:{i}:window_steps', c.get('window_steps'), 0)}</td>"
                    f"<td class='wide'>{'spoken' if c.get('spoken') else 'shown as text'}</td></tr>")
    return ("<p class='sub'>value: the median of the rule's window of good steps, the number the coach compared with "
            "the threshold; steps: how many of the window were beyond it (for a praise, back within it).</p>"
            "<div class='scroll'><table><tr><th class='n'>#</th><th class='n'>time s</th><th>cue</th><th class='wide'>rule</th>"
            "<th class='wide'>metric</th><th class='n'>value</th><th class='n'>threshold</th><th class='n'>steps</th><th class='wide'>how</th></tr>"
            f"{''.join(rows)}</table></div>")


_PHASE_WORDS = {"landing": "landing", "midstance": "mid-stance", "toe_off": "toe-off"}


def _keyframe_row(frames: list[dict], caption: str) -> str:
    figs = []
    for e in frames:
        phase, src = str(e.get("phase")), f"keyframes:frames.{e['index']}.frame"
        figs.append(f'<figure><figcaption>{escape(_PHASE_WORDS.get(phase, phase))}, frame {num(src, e.get("frame"), 0)}'
                    f'</figcaption><img alt="{escape(str(e.get("kind")))} step, {escape(phase)}" '
                    f'src="data:image/jpeg;base64,{e["jpeg_base64"]}"></figure>')
    return f'<p>{caption}</p><div class="keyframes">{"".join(figs)}</div>'


def _step_words(e: dict) -> str:
    """'near leg, landing at 8.40 s' for a key frame's step, tagged to keyframes.json."""
    at = f"keyframes:frames.{e['index']}"
    return f"{txt(at + '.leg', e.get('leg'))} leg, landing at {num(at + '.step_t_s', e.get('step_t_s'), 2)} s"


def _keyframes(data: SessionData) -> str:
    """The stills the run kept: a typical step, and the worst step of the session's main fault."""
    kf = data.keyframes
    if not kf and (data.summary or {}).get("keyframes") is False:
        return "<p>No key frames: the run was made with --no-keyframes (no image of the runner was stored).</p>"
    if not kf and (data.summary or {}).get("view") == "front":
        return ("<p>No key frames: they show a step's landing, mid-stance and toe-off, which a camera in front "
                "of the runner cannot time (the depth axis).</p>")
    if not kf:
        return ("<p>No key frames in this folder (an older run, or no good step was complete "
                "while its frames were still held).</p>")
    typical = [e for e in kf["frames"] if e.get("kind") == "typical"]
    worst = [e for e in kf["frames"] if e.get("kind") == "worst"]
    out = ["<p class='sub'>Drawn on the camera's own frames: the skeleton (green) and the Pose line (amber: "
           "shoulder, hip, ball of the support foot), which the Pose Method wants vertical at mid-stance.</p>"]
    if typical:
        out.append(_keyframe_row(typical, f"A typical step: the good step closest to the running medians "
                                          f"({_step_words(typical[0])})."))
    main = kf.get("main_fault") or {}
    if worst:
        e = worst[0]
        at = f"keyframes:frames.{e['index']}"
        unit = escape(str(e.get("metric", "")).rsplit("_", 1)[-1])
        word = "above" if e.get("direction") == "above" else "below"
        on = num(at + ".on", e.get("on"), exact_decimals(e.get("on") or 0))
        out.append(_keyframe_row(worst, f"The worst step for the session's main fault, "
                                        f"{txt('keyframes:main_fault.fault', main.get('fault'))} (the rule with the "
                                        f"largest severity over the run): {txt(at + '.metric', e.get('metric'))} "
                                        f"{num(at + '.value', e.get('value'), 2)} {unit}, where the coach cues "
                                        f"{word} {on} ({_step_words(e)})."))
    elif not main:
        out.append("<p>No fault: no rule's median over the run is beyond the level where the coach counts it fixed.</p>")
    return "".join(out)


def _plots(panels: tuple[Panel, ...], window_steps: int) -> str:
    if not panels:
        return "<p>No steps to plot (the steps file, steps.csv or front_steps.csv, is missing or has too few steps).</p>"
    legend = ('<div class="legend"><span><span class="sw dot"></span>good step</span>'
              '<span><span class="sw ring"></span>step not ok (recorded, not used by the coach)</span>'
              '<span><span class="sw goodband"></span>target</span>'
              '<span><span class="sw faultband"></span>where the coach cues</span>'
              '<span><span class="sw cue"></span>a cue, numbered as in the cue log</span>'
              f'<span>line: median of the last {num("config:coach.window_steps", window_steps, 0)} good steps</span></div>')
    figs = "".join(f'<figure><figcaption>{escape(p.title)} over time</figcaption>'
                   f'<img alt="{escape(p.title)} per step over the run" src="data:image/png;base64,{p.png_base64}">'
                   "</figure>" for p in panels)
    return legend + f'<div class="plots">{figs}</div>'


_SETUP_SUMMARY = (  # key, label, decimals (None = text)
    ("source", "source", None), ("backend", "pose model runtime", None), ("fps", "frame rate (fps)", 1),
    ("frames", "frames read", 0), ("frames_with_runner", "frames with the runner", 0),
    ("dropped_frames", "frames dropped (processing too slow)", 0), ("wall_s", "run time (s)", 1),
    ("steps", "steps", 0), ("good_steps", "good steps", 0), ("facing", "facing", None),
    ("lag_ms", "step lag (ms)", 0), ("cues_config", "cue rules", None),
)
_SETUP_PROFILE = (
    ("measured_from", "profile measured from", None), ("name", "runner", None), ("view", "camera view", None),
    ("body_height_px", "body height (px)", 0), ("height_cm", "runner height (cm)", 0),
    ("floor_y_px", "floor line y (px)", 0), ("camera_tilt_deg", "camera tilt (deg)", 1), ("created", "profile made", None),
)


def _dl_rows(prefix: str, d: dict | None, fields) -> list[str]:
    out = []
    for key, label, decimals in fields:
        value = dig(d, key)
        shown = txt(f"{prefix}:{key}", value) if decimals is None else num(f"{prefix}:{key}", value, decimals)
        out.append(f"<dt>{escape(label)}</dt><dd>{shown}</dd>")
    return out


def _setup(data: SessionData) -> str:
    rows = _dl_rows("summary", data.summary, _SETUP_SUMMARY)
    rows.append(f"<dt>frames in poses.jsonl</dt><dd>{num('poses:lines', data.pose_lines, 0)}</dd>")
    rows += _dl_rows("profile", data.profile, _SETUP_PROFILE)
    for name, value in (dig(data.profile, "baseline") or {}).items():
        rows.append(f"<dt>standing baseline {escape(name)}</dt><dd>{num(f'profile:baseline.{name}', value, 1)}</dd>")
    for i, problem in enumerate(dig(data.profile, "problems") or []):
        rows.append(f"<dt>profile problem</dt><dd>{txt(f'profile:problems.{i}', problem)}</dd>")
    return f'<dl class="setup">{"".join(rows)}</dl>'


def render_page(data: SessionData, targets: tuple[Target, ...], config: CuesConfig, panels: tuple[Panel, ...]) -> str:
    notes = "".join(f"<p>{escape(n)}</p>" for n in data.notes)
    notes = f'<div class="notes"><b>Missing from this folder</b>{notes}</div>' if notes else ""
    from live.report.front import front_section

    front = front_section(data, config)  # a front view: its own metrics instead of the side view's cards
    cards = front or f'<div class="cards">{"".join(_card(data, t, config) for t in targets)}</div>'
    window = config.coach.window_steps
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>posecoach session report: {escape(data.folder.name)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>Run report</h1>
<p class="sub">{txt("folder:name", data.folder.name)} · {txt("summary:source", dig(data.summary, "source"))}</p>
{notes}
<h2>How the run went</h2>
<p class="sub">Each number is the median over the good steps (quality ok) of the whole run; the verdict compares it
with the Pose Method's numbers and with the thresholds the coach uses to cue.</p>
{cards}
<h2>Key frames</h2>
{_keyframes(data)}
<h2>Near leg and far leg</h2>
{_legs_table(data)}
<h2>Over time</h2>
{_plots(panels, window)}
<h2>Cue log</h2>
{_cue_table(data)}
<h2>What the session used</h2>
{_setup(data)}
<footer>Written by posecoach from the files in this folder (summary.json, steps.csv, cues.jsonl, profile.json);
the thresholds are the cue rules in {_config_name(config)}. docs/FORMAT.md explains every key.</footer>
</main></body></html>
"""
