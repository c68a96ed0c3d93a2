"""Read a session folder for the report, tolerating what a killed or older run left behind.

The report shows only what the files say. Whatever is missing or cut short is not guessed: it is
named in `SessionData.notes`, one plain sentence each, and the page shows those sentences.
"""
from __future__ import annotations

import base64
import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from live.errors import BadInputError

SESSION_FILES = ("poses.jsonl", "steps.csv", "cues.jsonl", "summary.json", "profile.json")
_TEXT_COLUMNS = ("leg", "side", "quality", "hip_drop", "crossover", "arm_crossover")  # the rest are numbers


@dataclass(frozen=True)
class SessionData:
    """One session folder, parsed. `summary`/`profile` are None when the file is missing or broken;
    `steps` rows map each steps.csv column to a float (NaN = empty cell) or, for leg/side/quality,
    to its text."""

    folder: Path
    summary: dict | None
    steps: tuple[dict, ...] | None
    cues: tuple[dict, ...]
    profile: dict | None
    pose_lines: int  # complete lines in poses.jsonl (frames recorded)
    notes: tuple[str, ...]  # what is missing or cut short, one sentence each
    keyframes: dict | None = None  # keyframes/keyframes.json, each frame with its JPEG as "jpeg_base64"
    front_steps: tuple[dict, ...] | None = None  # front_steps.csv of a front view, parsed like `steps`

    @property
    def good_steps(self) -> tuple[dict, ...]:
        return tuple(s for s in self.steps or () if s.get("quality") == "ok")


def load_session(folder: str | Path) -> SessionData:
    """Parse a session folder; BadInputError (exit 2) when it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise BadInputError(f"{folder} {what}: give a session folder written by 'posecoach live' or 'analyze'.")
    if not any((folder / name).is_file() for name in SESSION_FILES):
        raise BadInputError(f"{folder} is not a posecoach session folder (it has none of {', '.join(SESSION_FILES)}).")
    notes: list[str] = []
    summary = _read_json(folder / "summary.json", notes,
                         "the run ended before it could write it (killed, or its disk full): no headline numbers or per-leg table")
    profile = _read_json(folder / "profile.json", notes, "the body frame the run used is not known")
    steps = _read_steps(folder / "steps.csv", notes)
    cues = _read_jsonl(folder / "cues.jsonl", notes)
    pose_lines = _count_pose_lines(folder / "poses.jsonl", notes)
    front = folder / "front_steps.csv"
    is_front = (summary or {}).get("view") == "front"
    front_steps = _read_steps(front, notes) if is_front or front.is_file() else None
    return SessionData(folder, summary, steps, cues, profile, pose_lines, tuple(notes), _read_keyframes(folder),
                       front_steps)


def _read_keyframes(folder: Path) -> dict | None:
    """keyframes.json with each listed image read in (the page embeds them); None when the run kept
    none (an older run, or no step good enough). A listed image that is gone is left out."""
    index = folder / "keyframes" / "keyframes.json"
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    frames = []
    for i, e in enumerate(data.get("frames") or [] if isinstance(data, dict) else []):
        path = folder / "keyframes" / Path(str(e.get("file", ""))).name
        if isinstance(e, dict) and path.is_file():
            frames.append(dict(e, index=i, jpeg_base64=base64.b64encode(path.read_bytes()).decode("ascii")))
    return {"main_fault": data.get("main_fault"), "frames": frames} if frames else None


def _read_json(path: Path, notes: list[str], consequence: str) -> dict | None:
    if not path.is_file():
        notes.append(f"{path.name} is missing: {consequence}.")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        notes.append(f"{path.name} cannot be read (cut short or damaged): {consequence}.")
        return None
    if not isinstance(data, dict):
        notes.append(f"{path.name} does not hold a JSON object: {consequence}.")
        return None
    return data


def _number(text: str) -> float:
    try:
        return float(text) if text not in ("", None) else math.nan
    except ValueError:
        return math.nan


def _read_steps(path: Path, notes: list[str]) -> tuple[dict, ...] | None:
    """steps.csv (or front_steps.csv) rows; None, said in `notes`, when the file is missing or unreadable."""
    if not path.is_file():
        notes.append(f"{path.name} is missing (the run was killed before it ended): no plots over time.")
        return None
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        notes.append(f"{path.name} cannot be read: no plots over time.")
        return None
    steps = []
    for row in rows:
        if row.get("t_s") in (None, "") or None in row.values():  # a row cut short
            notes.append(f"{path.name} ends in a partial row, left out.")
            continue
        steps.append({k: (v if k in _TEXT_COLUMNS else _number(v)) for k, v in row.items()})
    return tuple(steps)


def _read_jsonl(path: Path, notes: list[str]) -> tuple[dict, ...]:
    if not path.is_file():
        notes.append("cues.jsonl is missing: the cues given are not known.")
        return ()
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    cues, bad = [], 0
    for line in lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if isinstance(row, dict) and isinstance(row.get("t"), (int, float)):
            cues.append(row)
    if bad:  # one sentence however many: a damaged file must not bury the page in notes
        notes.append("A line of cues.jsonl is cut short or damaged: that cue is left out." if bad == 1 else
                     f"{bad} lines of cues.jsonl are cut short or damaged: those cues are left out.")
    return tuple(cues)


def _count_pose_lines(path: Path, notes: list[str]) -> int:
    """Complete frames in poses.jsonl; a killed run may leave a last line cut in the middle."""
    if not path.is_file():
        notes.append("poses.jsonl is missing: the frame-by-frame keypoints are not in this folder.")
        return 0
    with open(path, "rb") as f:
        lines = f.read().splitlines()
    if not lines:
        return 0
    try:
        json.loads(lines[-1])
    except (json.JSONDecodeError, UnicodeDecodeError):
        notes.append("poses.jsonl ends in a partial line (the run was killed while writing it); "
                     "the complete frames before it are counted.")
        return len(lines) - 1
    return len(lines)
