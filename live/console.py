"""The one way the program talks to the console during a session, and the session's log.

Every sentence said during a session also goes, time-stamped, into the session folder's
session.log, with the traceback of any crash: the record a runner or a developer reads afterwards.
"""
from __future__ import annotations

import os
import sys
import traceback
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from live.errors import one_line

_log = None  # the open session.log while a session runs


def say(sentence: str) -> None:
    """One line on stderr; through tqdm, so a message during `analyze` does not land inside the
    progress bar's line."""
    tqdm.write(f"posecoach: {one_line(sentence)}", file=sys.stderr)
    _write(sentence)


def log_only(text: str) -> None:
    """Into session.log but not on the console (a traceback: the user gets one sentence)."""
    _write(text)


def _write(text: str) -> None:
    global _log
    if _log is None:
        return
    try:
        _log.write(f"{datetime.now().isoformat(timespec='milliseconds')} {text}\n")
    except (OSError, ValueError):  # a full disk must not turn a sentence into a crash
        _log = None


def log_exception(err: BaseException) -> None:
    log_only("".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip())


@contextmanager
def log_to(path: Path):
    """Tee `say` into `path` (line-buffered, owner-only) for the duration of a session."""
    global _log
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _log = os.fdopen(fd, "a", buffering=1)
    except OSError:
        _log = None  # no log is a lesser loss than no session: the data files are written anyway
    try:
        yield
    finally:
        log, _log = _log, None
        if log is not None:
            try:
                log.close()
            except OSError:
                pass
