"""A runner's history: one index line per session run with their profile, and a page of the trends.

    record_session(name, folder)  ->  appends to <user data>/runners/NAME/sessions.jsonl
    history_command(name, out)  ->  exit code, for `posecoach history NAME`

The index is append-only JSON lines, so a run that crashes mid-write costs at most its own line,
which the reader skips with a sentence.
"""
from __future__ import annotations

import base64
import io
import json
import math
import os
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from live.errors import BadInputError
from live.report.data import load_session
from live.report.page import headline_value, num, txt
from live.report.style import CSS
from live.report.targets import DECIMALS, headline_metrics
from live.session import make_private_dir, open_private, write_private

INDEX_NAME = "sessions.jsonl"


def runner_folder(name: str) -> Path:
    """<user data dir>/runners/NAME: one folder per runner name, the name checked as a profile's is."""
    from platformdirs import user_data_dir

    from calibration.profile import _NAME_RE  # the same rule as `calibrate --name`: the name is a folder

    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise BadInputError(f"The runner name {name!r} must be 1-64 letters, digits, spaces, '.', '_' or '-'.")
    return Path(user_data_dir("posecoach")) / "runners" / name


def _finite_or_none(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None  # JSON has no NaN


def index_entry(folder: str | Path, when: datetime | None = None) -> dict:
    """The index line of a finished session folder: time, absolute folder, headline medians."""
    data = load_session(folder)
    metrics = {metric: _finite_or_none(headline_value(data, metric)[1]) for metric, _label, _unit in headline_metrics()}
    return {"time": (when or datetime.now()).isoformat(timespec="seconds"),
            "session": str(data.folder.resolve()), "metrics": metrics}


def record_session(name: str, folder: str | Path, when: datetime | None = None) -> Path:
    """Append the session's line to the runner's index; returns the index file."""
    line = json.dumps(index_entry(folder, when), allow_nan=False)
    index = runner_folder(name) / INDEX_NAME
    make_private_dir(index.parent)  # owner-only (0700), the index 0600: a runner's data is theirs
    # One write of one whole line: a crash leaves at most this line cut short, never an earlier one.
    fd = open_private(index, append=True)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return index


@dataclass(frozen=True)
class History:
    name: str
    index: Path
    entries: tuple[dict, ...]
    notes: tuple[str, ...]  # lines skipped, one sentence each


def read_history(name: str) -> History:
    index = runner_folder(name) / INDEX_NAME
    if not index.is_file():
        raise BadInputError(f"No sessions recorded for runner {name!r} ({index} does not exist): "
                            f"run 'posecoach live --profile {name}' first.")
    entries, bad = [], []
    for i, line in enumerate(index.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            bad.append(i)
            continue
        if isinstance(row, dict) and isinstance(row.get("metrics"), dict):
            entries.append(row)
    return History(name, index, tuple(entries), _damaged_lines_note(bad, index.name))


def _damaged_lines_note(bad: list[int], file: str) -> tuple[str, ...]:
    """One sentence for the damaged lines of the index, however many (a garbage file has thousands)."""
    if not bad:
        return ()
    if len(bad) == 1:
        return (f"Line {bad[0]} of {file} is cut short or damaged (a run that crashed while writing it?): "
                "that session is left out.",)
    shown = ", ".join(map(str, bad[:5])) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    return (f"{len(bad)} lines of {file} are cut short or damaged (lines {shown}): those sessions are left out.",)


def _trend_png(label: str, unit: str, values: list[float | None]) -> str:
    from matplotlib.figure import Figure  # lazy, as in plots.py: Agg canvas, no pyplot

    fig = Figure(figsize=(5.2, 2.9), layout="constrained")
    ax = fig.add_subplot()
    points = [(i + 1, v) for i, v in enumerate(values) if isinstance(v, (int, float)) and math.isfinite(v)]
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color="#1f5fa8")
    ax.set_xlabel("session")
    ax.set_ylabel(unit)
    ax.set_title(label, fontsize=11)
    ax.set_xticks(range(1, len(values) + 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def render_history(h: History) -> str:
    notes = "".join(f"<p>{escape(n)}</p>" for n in h.notes)
    notes = f'<div class="notes"><b>Left out of the index</b>{notes}</div>' if notes else ""
    figs, head, rows = [], [], []
    for metric, label, unit in headline_metrics():
        values = [e["metrics"].get(metric) for e in h.entries]
        figs.append(f'<figure><figcaption>{escape(label)} over sessions</figcaption><img alt="{escape(label)} '
                    f'per session" src="data:image/png;base64,{_trend_png(label, unit, values)}"></figure>')
        head.append(f"<th class='n'>{escape(label)} <span class='unit'>{escape(unit)}</span></th>")
    for i, e in enumerate(h.entries):
        cells = "".join(f"<td class='n'>{num(f'index:{i}:metrics.{m}', e['metrics'].get(m), DECIMALS.get(u, 2))}</td>"
                        for m, _label, u in headline_metrics())
        rows.append(f"<tr><td class='n'>{i + 1}</td><td>{txt(f'index:{i}:time', e.get('time'))}</td>{cells}</tr>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>posecoach history: {escape(h.name)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>History of {escape(h.name)}</h1>
<p class="sub">{num("index:count", len(h.entries), 0)} sessions, from {txt("index:file", h.index)}</p>
{notes}
<h2>Trends</h2>
<p class="sub">Each point is one session's median over its good steps.</p>
<div class="plots">{''.join(figs)}</div>
<h2>Sessions</h2>
<div class='scroll'><table><tr><th class='n'>#</th><th>time</th>{''.join(head)}</tr>{''.join(rows)}</table></div>
<footer>Written by posecoach from the runner's session index; docs/FORMAT.md explains it.</footer>
</main></body></html>
"""


def history_command(name: str, out: str | Path | None = None) -> int:
    import sys

    h = read_history(name)
    for note in h.notes:
        print(f"posecoach: {note}", file=sys.stderr)
    path = Path(out) if out is not None else Path.cwd() / f"history-{name}.html"
    if not path.parent.is_dir():
        raise BadInputError(f"{path.parent} does not exist: give --out a file in an existing folder.")
    write_private(path, render_history(h))  # atomic, owner-only
    print(f"posecoach: history written: {path}")
    return 0
