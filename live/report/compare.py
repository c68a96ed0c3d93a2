"""compare-A-B.html: two sessions side by side, each headline median with its difference and whether
that difference is beyond the run-to-run noise.

    compare_command(a, b, out)  ->  exit code, for `posecoach compare`

Numbers are tagged like report.html's, with the session's side first: `a:summary:cadence_spm`,
`b:steps:waist_bend_median`, `diff:a:summary:...|b:summary:...`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from live.errors import BadInputError
from live.report.data import SessionData, load_session
from live.report.page import dig, headline_value, num, txt
from live.report.stats import beyond_noise
from live.report.style import CSS
from live.report.targets import DECIMALS, headline_metrics
from live.session import write_private

NOISE_WORDS = {True: '<span class="leg-diff">differs</span>', False: "within noise", None: "cannot tell"}


@dataclass(frozen=True)
class Spread:
    """A median with its quartiles and the count it was taken over: what the noise check needs."""

    quartiles: dict | None  # {"median", "p25", "p75"}
    n: int | None


@dataclass(frozen=True)
class CompareRow:
    metric: str
    label: str
    unit: str
    src_a: str
    value_a: float | None
    src_b: str
    value_b: float | None
    beyond: bool | None  # None: cannot tell (a value or its spread is missing)

    @property
    def diff(self) -> float | None:
        if self.value_a is None or self.value_b is None:
            return None
        return self.value_b - self.value_a


def _quartiles(values: list[float]) -> dict | None:
    """Median and quartiles by linear interpolation (numpy's default, as summary.json's)."""
    v = sorted(x for x in values if math.isfinite(x))
    if not v:
        return None

    def q(p: float) -> float:
        k = p * (len(v) - 1)
        lo = math.floor(k)
        return v[lo] + (v[min(lo + 1, len(v) - 1)] - v[lo]) * (k - lo)

    return {"median": q(0.5), "p25": q(0.25), "p75": q(0.75)}


def _cadence_spread(data: SessionData, cadence: float | None) -> Spread:
    """Cadence has no quartiles in summary.json; its noise comes from the landing-to-landing times:
    cadence = 60 / step time, so its standard error is 60 / step^2 times the step time's."""
    times = [e.get("t") for e in dig(data.summary, "landings") or [] if isinstance(e, dict)]
    times = [t for t in times if isinstance(t, (int, float))]
    steps = _quartiles([b - a for a, b in zip(times, times[1:])])
    if cadence is None or steps is None or steps["median"] <= 0:
        return Spread(None, None)
    scale = 60.0 / steps["median"] ** 2  # d(cadence)/d(step time), linearised at the median
    return Spread({"median": cadence, "p25": cadence - scale * (steps["median"] - steps["p25"]),
                   "p75": cadence + scale * (steps["p75"] - steps["median"])}, len(times) - 1)


def _spread(data: SessionData, metric: str, value: float | None) -> Spread:
    if metric == "cadence_spm":
        return _cadence_spread(data, value)
    if metric == "waist_bend_deg":
        bends = [s["trunk_deg"] - s["fall_deg"] for s in data.good_steps]
        return Spread(_quartiles(bends), sum(math.isfinite(b) for b in bends))
    return Spread(dig(data.summary, f"metrics.{metric}"), dig(data.summary, "good_steps"))


# Gait events are timed from keypoints sampled once a frame. The fits refine them below a frame, but
# what two recordings of the same steps can agree on is about half a frame interval: the mirror image
# of the shared clip (the very same steps) reads contact 14.7 ms shorter at 30 fps (0.44 frame) and
# overstride 0.020 bh smaller, each beyond two standard errors of the step-to-step scatter.
EVENT_RESOLUTION_FRAMES = 0.5
# Metrics that are the time between two events (landing to toe-off; toe-off to the foot's highest point).
_EVENT_TIMED_MS = ("contact_ms", "pull_ms")


def _stance_foot_speed_bhps(data: SessionData) -> float | None:
    """How fast the support foot moves back under the hip in stance (the belt's speed on a
    treadmill, the body's overground), from the session's own medians: it travels from overstride
    ahead of the hip at landing to trail behind it at toe-off in one contact time."""
    over, trail, contact = (dig(data.summary, f"metrics.{m}.median") for m in ("overstride_bh", "trail_bh", "contact_ms"))
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (over, trail, contact)) or contact <= 0:
        return None
    return max(0.0, over + trail) / (contact / 1000.0)


def _resolution(data: SessionData, metric: str) -> float:
    """The difference in `metric` that half a frame of event timing alone can make in this session
    (0 for metrics not read at an event, or when the frame rate is not known)."""
    fps = dig(data.summary, "fps")
    if not isinstance(fps, (int, float)) or fps <= 0:
        return 0.0
    half_frame_s = EVENT_RESOLUTION_FRAMES / fps
    if metric in _EVENT_TIMED_MS:
        return 1000.0 * half_frame_s
    if metric == "overstride_bh":  # read at landing: the foot moves on by its stance speed meanwhile
        speed = _stance_foot_speed_bhps(data)
        return speed * half_frame_s if speed is not None else 0.0
    return 0.0


def compare_rows(a: SessionData, b: SessionData) -> tuple[CompareRow, ...]:
    rows = []
    for metric, label, unit in headline_metrics():
        (src_a, va), (src_b, vb) = headline_value(a, metric), headline_value(b, metric)
        sa, sb = _spread(a, metric, va), _spread(b, metric, vb)
        resolution = max(_resolution(a, metric), _resolution(b, metric))  # the coarser session's
        rows.append(CompareRow(metric, label, unit, f"a:{src_a}", va, f"b:{src_b}", vb,
                               beyond_noise(sa.quartiles, sb.quartiles, sa.n, sb.n, resolution)))
    return tuple(rows)


def _table(rows: tuple[CompareRow, ...]) -> str:
    out = []
    for r in rows:
        d = DECIMALS.get(r.unit, 2)
        out.append(f"<tr><td>{escape(r.label)} <span class='unit'>{escape(r.unit)}</span></td>"
                   f"<td class='n'>{num(r.src_a, r.value_a, d)}</td><td class='n'>{num(r.src_b, r.value_b, d)}</td>"
                   f"<td class='n'>{num(f'diff:{r.src_b}|{r.src_a}', r.diff, d)}</td>"
                   f"<td class='noise'>{NOISE_WORDS[r.beyond]}</td></tr>")
    return ("<div class='scroll'><table><tr><th>metric</th><th class='n'>A</th><th class='n'>B</th>"
            f"<th class='n'>B − A</th><th>difference</th></tr>{''.join(out)}</table></div>")


def _setup_rows(a: SessionData, b: SessionData) -> str:
    rows = []
    for key, label, decimals in (("source", "source", None), ("facing", "facing", None), ("fps", "frame rate (fps)", 1),
                                 ("good_steps", "good steps", 0), ("wall_s", "run time (s)", 1)):
        cells = [txt(f"{side}:summary:{key}", dig(d.summary, key)) if decimals is None
                 else num(f"{side}:summary:{key}", dig(d.summary, key), decimals) for side, d in (("a", a), ("b", b))]
        rows.append(f"<tr><td>{escape(label)}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    # Paths wrap (class setup): on a phone the long source path pushed column B off the screen.
    return f"<div class='scroll'><table class='setup'><tr><th>session</th><th>A</th><th>B</th></tr>{''.join(rows)}</table></div>"


def render_compare(a: SessionData, b: SessionData) -> str:
    notes = "".join(f"<p>{side}: {escape(n)}</p>" for side, d in (("A", a), ("B", b)) for n in d.notes)
    notes = f'<div class="notes"><b>Missing from the folders</b>{notes}</div>' if notes else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>posecoach compare: {escape(a.folder.name)} vs {escape(b.folder.name)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>Two runs compared</h1>
<p class="sub">A: {txt("a:folder:name", a.folder.name)} · B: {txt("b:folder:name", b.folder.name)}</p>
{notes}
<h2>Headline numbers</h2>
<p class="sub">Medians over each run's good steps. <i>differs</i>: the gap is more than two standard errors of the
two medians (each estimated from its quartiles and its number of steps), plus, for contact time, pull time and
overstride, what half a frame of event timing can change by itself: it is unlikely to be step-to-step scatter
or the camera's frame rate; <i>within noise</i>: a gap this small could come from those alone.</p>
{_table(compare_rows(a, b))}
<h2>The two sessions</h2>
{_setup_rows(a, b)}
<footer>Written by posecoach from each folder's summary.json (and steps.csv for the waist bend).
docs/FORMAT.md explains every key.</footer>
</main></body></html>
"""


def default_compare_path(a: Path, b: Path) -> Path:
    return Path.cwd() / f"compare-{Path(a).resolve().name}-{Path(b).resolve().name}.html"


def write_compare(a: str | Path, b: str | Path, out: str | Path | None = None) -> Path:
    """Write the comparison page; BadInputError when either folder is not a session."""
    data_a, data_b = load_session(a), load_session(b)
    path = Path(out) if out is not None else default_compare_path(Path(a), Path(b))
    if not path.parent.is_dir():
        raise BadInputError(f"{path.parent} does not exist: give --out a file in an existing folder.")
    write_private(path, render_compare(data_a, data_b))  # atomic, owner-only: two runs' metrics
    return path


def compare_command(a: str | Path, b: str | Path, out: str | Path | None = None) -> int:
    print(f"posecoach: comparison written: {write_compare(a, b, out)}")
    return 0
