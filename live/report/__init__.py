"""The session report: report.html, one self-contained page written from a session folder.

    write_report(folder)  ->  folder/report.html
    report_command(folder, cues)  ->  exit code, for `posecoach report`
"""
from __future__ import annotations

from pathlib import Path

from cues.config import CuesConfig, load_cues_config
from live.report.data import load_session
from live.report.page import render_page
from live.report.plots import plot_panels
from live.report.targets import headline_targets

REPORT_NAME = "report.html"


def _config_for(summary: dict | None, cues: str | Path | None) -> CuesConfig:
    """The cue rules the run used: --cues when given, else the file summary.json names (if it is still
    there), else the defaults."""
    if cues is not None:
        return load_cues_config(cues)
    used = (summary or {}).get("cues_config")
    if used and used != "defaults" and Path(used).is_file():
        return load_cues_config(used)
    return load_cues_config(None)


def write_report(folder: str | Path, config: CuesConfig | None = None, cues: str | Path | None = None) -> Path:
    """Write folder/report.html from the session files; BadInputError when it is not a session."""
    data = load_session(folder)
    config = config if config is not None else _config_for(data.summary, cues)
    targets = headline_targets(config, (data.profile or {}).get("baseline"))
    panels = plot_panels(data, targets, config.coach.window_steps)
    path = data.folder / REPORT_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_page(data, targets, config, panels), encoding="utf-8")
    tmp.replace(path)  # atomic: an open browser tab never reloads half a page
    return path


def report_command(folder: str | Path, cues: str | Path | None = None) -> int:
    path = write_report(folder, cues=cues)
    print(f"posecoach: report written: {path}")
    return 0
