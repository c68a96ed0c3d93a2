"""The session report: report.html, one self-contained page written from a session folder.

    write_report(folder)  ->  folder/report.html
    report_command(folder, cues)  ->  exit code, for `posecoach report`
"""
from __future__ import annotations

import errno
from pathlib import Path

from cues.config import CuesConfig, load_cues_config
from live.errors import BadInputError, DiskError
from live.report.data import SessionData, load_session
from live.report.page import render_page
from live.report.plots import plot_panels
from live.report.targets import front_plot_targets, headline_targets
from live.session import DISK_FULL, is_disk_error, write_private

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
    """Write folder/report.html from the session files; BadInputError when it is not a session,
    OSError when the page cannot be written."""
    return _write(load_session(folder), config, cues)


def _write(data: SessionData, config: CuesConfig | None, cues: str | Path | None) -> Path:
    config = config if config is not None else _config_for(data.summary, cues)
    targets = headline_targets(config, (data.profile or {}).get("baseline"))
    front = (data.summary or {}).get("view") == "front"
    panels = plot_panels(data, front_plot_targets(config) if front else targets, config.coach.window_steps)
    path = data.folder / REPORT_NAME
    # Atomic (an open browser tab never reloads half a page) and owner-only, like the session folder.
    write_private(path, render_page(data, targets, config, panels))
    return path


def report_command(folder: str | Path, cues: str | Path | None = None) -> int:
    """`posecoach report DIR`: what the folder lacks is said first (the page says it too), then the
    page is written; a folder whose disk is full or read-only is exit 6, in one sentence."""
    import sys

    data = load_session(folder)
    for note in data.notes:
        print(f"posecoach: {note}", file=sys.stderr)
    try:
        path = _write(data, None, cues)
    except OSError as err:
        why = "its disk is full" if err.errno in DISK_FULL else "its disk is read-only" if err.errno == errno.EROFS \
            else "it is not writable"
        error = DiskError if is_disk_error(err) else BadInputError
        raise error(f"report.html cannot be written in {folder}: {why} ({err.strerror}).") from None
    print(f"posecoach: report written: {path}")
    return 0
