"""The session folder: everything a run produced, written as it goes and completed on any exit.

poses.jsonl and cues.jsonl are appended line by line (flushed each line), so even a killed process
leaves usable data; steps.csv, summary.json and profile.json are written by `close()`, which the loop
calls from a `finally` (Ctrl-C included).
"""
from __future__ import annotations

import json
import math
import time
from datetime import datetime
from pathlib import Path

from live.errors import BadInputError
from live.gait.output import write_steps_csv
from live.types import PoseFrame, StepEvent


def default_session_dir() -> Path:
    """A new folder named after the start time; a second session in the same second gets -2, -3..."""
    base = Path(f"posecoach-session-{datetime.now():%Y%m%d-%H%M%S}")
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def check_out_folder(folder: str | Path | None) -> None:
    """Refuse, before anything runs, a --out that would overwrite files or cannot be a folder."""
    if folder is None:
        return
    p = Path(folder)
    if p.exists() and not p.is_dir():
        raise BadInputError(f"--out {p} is a file, not a folder: give a new folder name for the session.")
    if p.is_dir() and any(p.iterdir()):
        raise BadInputError(f"--out {p} already holds files: give a new folder name (nothing was overwritten).")


def _clean(value):
    """JSON has no NaN: unmeasured numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_clean(data), indent=1) + "\n")
    tmp.replace(path)  # atomic: a reader never sees half a file


class Session:
    """Owns the session folder. Context manager: `close()` always runs."""

    def __init__(self, folder: str | Path | None, height_cm: float | None = None):
        self.folder = Path(folder) if folder else default_session_dir()
        self.height_cm = height_cm  # the runner's height, for centimetre columns next to body heights
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._poses = (self.folder / "poses.jsonl").open("w", buffering=1)
            self._cues = (self.folder / "cues.jsonl").open("w", buffering=1)
        except OSError as err:
            raise BadInputError(f"Cannot write the session folder {self.folder}: {err.strerror}.") from None
        self.steps: list[StepEvent] = []
        self.frames = 0
        self.frames_with_runner = 0
        self.cues = 0
        self.started = time.monotonic()
        self._closed = False

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        if not self._closed:
            self.close({})

    def add_pose(self, pose: PoseFrame) -> None:
        self._poses.write(json.dumps(pose.to_json(), separators=(",", ":")) + "\n")
        self.frames += 1
        self.frames_with_runner += pose.found

    def add_steps(self, steps: list[StepEvent]) -> None:
        self.steps.extend(steps)

    def add_cue(self, row: dict) -> None:
        self._cues.write(json.dumps(_clean(row)) + "\n")
        self.cues += 1

    def close(self, summary: dict, profile: dict | None = None) -> None:
        """Write the end-of-session files. Safe to call once, from a finally block."""
        if self._closed:
            return
        self._closed = True
        self._poses.close()
        self._cues.close()
        write_steps_csv(self.folder / "steps.csv", self.steps, self.height_cm)
        full = {
            "frames": self.frames,
            "frames_with_runner": self.frames_with_runner,
            "cues": self.cues,
            "wall_s": round(time.monotonic() - self.started, 3),
            **summary,
        }
        write_json(self.folder / "summary.json", full)
        if profile is not None:
            write_json(self.folder / "profile.json", profile)
