"""The session folder: everything a run produced, written as it goes and completed on any exit.

poses.jsonl, cues.jsonl and steps.csv are appended as the run goes, one whole line (row) per
write, so a killed process or a power cut leaves files whose every complete line parses;
summary.json and profile.json are written by `close()`, which the loop calls from a `finally`
(Ctrl-C included). When a write fails (the disk full, the folder made read-only) the file is cut
back to its last whole line and `DiskError` (exit 6) ends the run; the session then writes what
still fits.

Privacy: the folder is owner-only (0700) and every file in it 0600, whatever the umask.
"""
from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import time
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from live.errors import BadInputError, DiskError
from live.gait.output import steps_csv_header, steps_csv_row
from live.types import PoseFrame, StepEvent

PRIVATE_DIR = 0o700  # the runner's body, filmed: nobody else on the machine reads it
PRIVATE_FILE = 0o600
# What a session needs free on its disk before it starts (measured on the 12 s male_side clip at
# 30 fps, yolo11n-pose): a minute of running writes 0.80 MB of poses.jsonl (442 bytes a frame),
# 0.02 MB of steps.csv and at most 0.01 MB of cues; at the end summary.json (~35 kB a minute: every
# landing and toe-off), the key frames (0.1 MB) and report.html (0.34 MB, the key frames embedded
# again) follow. So one minute at 30 fps and its end files take 1.3 MB; 2 MB leaves room for a
# 60 fps camera's first minute. Less than that is refused before the run: a session that cannot
# hold one minute and its report is not worth starting.
MIN_FREE_BYTES = 2_000_000
BYTES_PER_FRAME = 460  # poses.jsonl plus the steps and cues a frame brings, rounded up
END_FILES_BYTES = 600_000  # summary.json, key frames and report.html of a short run, with margin


def default_session_dir() -> Path:
    """A new folder named after the start time; a second session in the same second gets -2, -3..."""
    base = Path(f"posecoach-session-{datetime.now():%Y%m%d-%H%M%S}")
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def _existing_ancestor(p: Path) -> Path:
    p = p.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_out_folder(folder: str | Path | None) -> None:
    """Refuse, before anything runs (the model included), a --out that would overwrite files, cannot
    be a folder, cannot be written or sits on a disk too full for a session. None: the default
    folder, a new one in the current folder."""
    p = Path(folder) if folder is not None else Path.cwd()
    name = f"--out {p}" if folder is not None else f"The current folder {p} (where the session folder goes)"
    if folder is not None:
        if p.exists() and not p.is_dir():
            raise BadInputError(f"--out {p} is a file, not a folder: give a new folder name for the session.")
        if p.is_dir() and any(p.iterdir()):
            raise BadInputError(f"--out {p} already holds files: give a new folder name (nothing was overwritten).")
    base = _existing_ancestor(p)
    if not base.is_dir():
        raise BadInputError(f"{name} cannot be made: {base} is a file, not a folder.")
    try:
        fs = os.statvfs(base)
    except OSError:
        fs = None
    if fs is not None and fs.f_flag & os.ST_RDONLY:
        raise BadInputError(f"{name} is on a read-only disk ({base}): give a folder on a disk you can write to.")
    if not os.access(base, os.W_OK | os.X_OK):
        raise BadInputError(f"{name} cannot be written: {base} is not writable by you; give a folder you can write to.")
    if fs is not None:
        check_room(base, fs.f_bavail * fs.f_frsize)


def check_room(folder: str | Path, free_bytes: int | None = None, frames: int | None = None) -> None:
    """DiskError when the disk of `folder` has less room than a session needs: MIN_FREE_BYTES, or,
    for a recording of known length, its `frames` at BYTES_PER_FRAME plus the end files."""
    base = _existing_ancestor(Path(folder))
    if free_bytes is None:
        fs = os.statvfs(base)
        free_bytes = fs.f_bavail * fs.f_frsize
    need = MIN_FREE_BYTES if frames is None else max(MIN_FREE_BYTES, frames * BYTES_PER_FRAME + END_FILES_BYTES)
    if free_bytes < need:
        what = "a session needs" if frames is None or need == MIN_FREE_BYTES else f"a session of this video's {frames} frames needs"
        raise DiskError(f"Only {free_bytes / 1e6:.1f} MB is free on the disk of {base}, and {what} "
                        f"{need / 1e6:.1f} MB (a minute of running writes about 0.8 MB, its report and key frames "
                        "0.5 MB): free some space or give --out a folder on another disk.")


def make_private_dir(path: str | Path) -> Path:
    """Create `path` and any missing parent as owner-only (0700) folders; folders that exist already
    are left as they are. mkdir's mode is masked by the umask, so each new level is chmod'ed."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for p in reversed(missing):
        with suppress(FileExistsError):  # made meanwhile by another process: left as it is
            p.mkdir(mode=PRIVATE_DIR)
            os.chmod(p, PRIVATE_DIR)
    return path


def open_private(path: str | Path, append: bool = False) -> int:
    """A file descriptor on `path` for writing, created 0600 whatever the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except OSError:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_private(path: str | Path, data: str | bytes) -> None:
    """Write a whole owner-only file atomically (a temporary file, synced, then renamed): a reader,
    a crash or a power cut never sees half of it. A failed write leaves no temporary file behind."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = open_private(tmp)
        try:
            _write_all(fd, data.encode("utf-8") if isinstance(data, str) else data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            tmp.unlink()
        raise


def make_private_tree(folder: str | Path) -> None:
    """chmod a folder written by someone else (keyframes/) to 0700, its files to 0600."""
    folder = Path(folder)
    os.chmod(folder, PRIVATE_DIR)
    for p in folder.iterdir():
        os.chmod(p, PRIVATE_DIR if p.is_dir() else PRIVATE_FILE)


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
    write_private(path, json.dumps(_clean(data), indent=1) + "\n")


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def is_disk_error(err: OSError) -> bool:
    """A write refused by the disk itself (full, over quota, read-only), not by a bad name."""
    return err.errno in DISK_FULL + (errno.EROFS,)


class _Lines:
    """An append-only owner-only file, one whole line per write(2). After a failed write the file
    is cut back to its last whole line (which frees what the failed write took), so every line in
    it stays complete."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = open_private(path)
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        try:
            _write_all(self._fd, data)
        except OSError:
            with suppress(OSError):
                os.ftruncate(self._fd, self.size)
            raise
        self.size += len(data)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with suppress(OSError):
                os.close(fd)


class Session:
    """Owns the session folder. Context manager: `close()` always runs.

    After a write has failed, `disk_error` holds the DiskError raised for it; later records stay
    in memory only (the counts match the files) and raise nothing more, so the end of the session
    still writes what fits. `unwritten` lists the end files that could not be written."""

    def __init__(self, folder: str | Path | None, height_cm: float | None = None):
        self.folder = Path(folder) if folder else default_session_dir()
        self.height_cm = height_cm  # the runner's height, for centimetre columns next to body heights
        self.steps: list[StepEvent] = []
        self.frames = 0  # lines in poses.jsonl
        self.frames_with_runner = 0
        self.cues = 0
        self.disk_error: DiskError | None = None
        self.unwritten: list[str] = []
        self._end_error: OSError | None = None
        self.started = time.monotonic()
        self._closed = False
        self._files: list[_Lines] = []
        try:
            make_private_dir(self.folder)
            os.chmod(self.folder, PRIVATE_DIR)  # also an empty --out the user made beforehand
            self._poses = self._open("poses.jsonl")
            self._cues = self._open("cues.jsonl")
            self._steps = self._open("steps.csv")
            self._steps.write(self._csv_line(steps_csv_header(height_cm)))
        except OSError as err:
            self.close_files()
            if is_disk_error(err):
                raise DiskError(self._stopped_sentence(err)) from None
            raise BadInputError(f"Cannot write the session folder {self.folder}: {err.strerror}.") from None

    def _open(self, name: str) -> _Lines:
        f = _Lines(self.folder / name)
        self._files.append(f)
        return f

    @staticmethod
    def _csv_line(row: list) -> str:
        buf = io.StringIO()
        csv.writer(buf).writerow(row)  # the same dialect as write_steps_csv: byte-identical rows
        return buf.getvalue()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        if not self._closed:
            self.close({})

    @staticmethod
    def _what_happened(err: OSError) -> str:
        if err.errno in DISK_FULL:
            return f"is full ({err.strerror})"
        if err.errno == errno.EROFS:
            return f"became read-only ({err.strerror})"
        return f"refused a write ({err.strerror})"

    def _stopped_sentence(self, err: OSError) -> str:
        where = f"after {self.frames} frames" if self.frames else "before the first frame"
        again = (f"; once there is space, 'posecoach report {self.folder}' writes its report from what is kept"
                 if err.errno in DISK_FULL else "")
        return f"The disk holding {self.folder} {self._what_happened(err)}: the session stopped {where}{again}."

    def _write(self, f: _Lines, text: str) -> bool:
        """True when written; after the first failure nothing more is written and False returned."""
        if self.disk_error is not None:
            return False
        try:
            f.write(text)
        except OSError as err:
            self.disk_error = DiskError(self._stopped_sentence(err))
            raise self.disk_error from None
        return True

    def add_pose(self, pose: PoseFrame) -> None:
        if self._write(self._poses, json.dumps(pose.to_json(), separators=(",", ":")) + "\n"):
            self.frames += 1
            self.frames_with_runner += pose.found

    def add_steps(self, steps: list[StepEvent]) -> None:
        self.steps.extend(steps)  # kept for the summary even when the disk is full
        for s in steps:
            self._write(self._steps, self._csv_line(steps_csv_row(s, self.height_cm)))

    def add_cue(self, row: dict) -> None:
        if self._write(self._cues, json.dumps(_clean(row)) + "\n"):
            self.cues += 1

    def write_end_file(self, name: str, write) -> bool:
        """Run `write()` for one end-of-session file; a failure is recorded (`unwritten`, and
        `disk_error` when it is the first), never raised: the files already written are what counts."""
        try:
            write()
            return True
        except OSError as err:
            self.end_file_failed(name, err)
            return False

    def end_file_failed(self, name: str, err: OSError) -> None:
        """Record an end-of-session file that could not be written."""
        self.unwritten.append(name)
        self._end_error = self._end_error or err
        if self.disk_error is None:
            self.disk_error = DiskError(self._stopped_sentence(err))

    def end_failure_sentence(self) -> str:
        """The one sentence for a disk that failed only at the end of the session, naming what is
        missing (the DiskError of a failure mid-run already said its own)."""
        names = self.unwritten or ["the last steps"]
        missing = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        what = self._what_happened(self._end_error) if self._end_error else "refused a write"
        again = "" if "report.html" not in names else f"; once there is space, 'posecoach report {self.folder}' writes the report"
        return (f"The disk holding {self.folder} {what} at the end of the session: {missing} could not be written; "
                f"poses.jsonl and steps.csv keep every frame and step before that{again}.")

    def close_files(self) -> None:
        for f in self._files:
            f.close()

    def close(self, summary: dict, profile: dict | None = None) -> None:
        """Write the end-of-session files. Safe to call once, from a finally block; a file that cannot
        be written is recorded in `unwritten`, not raised."""
        if self._closed:
            return
        self._closed = True
        self.close_files()
        full = {
            "frames": self.frames,
            "frames_with_runner": self.frames_with_runner,
            "cues": self.cues,
            "wall_s": round(time.monotonic() - self.started, 3),
            **summary,
        }
        self.write_end_file("summary.json", lambda: write_json(self.folder / "summary.json", full))
        if profile is not None:
            self.write_end_file("profile.json", lambda: write_json(self.folder / "profile.json", profile))
