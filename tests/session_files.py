"""Helpers for the reliability tests: a real small disk (tmpfs), a real `posecoach` process to
start and stop, and checks that what a session folder holds parses line by line."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(where: Path, size: str, read_only: bool = False):
    """A real tmpfs of `size` (e.g. "1m") mounted at `where` for the block; skips the test when this
    machine cannot mount one (not root, no mount namespace rights)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    where.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill_disk(path: Path) -> int:
    """Write `path` until its disk is full (ENOSPC, down to the last byte); returns the bytes written."""
    total = 0
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            chunk = b"\0" * size
            while True:
                try:
                    total += f.write(chunk)
                except OSError:
                    break
    return total


def env(model_path: Path, **extra) -> dict:
    return dict(os.environ, POSECOACH_MODEL=str(model_path), **extra)


def posecoach(*args: str, model_path: Path, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True,
                          env=env(model_path), timeout=timeout, **kw)


def start(*args: str, model_path: Path) -> subprocess.Popen:
    """A real posecoach process, SIGINT at its default (a shell's Ctrl-C reaches it)."""
    return subprocess.Popen([sys.executable, "-m", "live", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env(model_path),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(proc: subprocess.Popen, ready, timeout_s: float = 120) -> None:
    """Poll `ready()` every 20 ms until true; fail when the process ends first."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before the moment to test:\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run did not get there in time")
        time.sleep(0.02)


def line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def complete_jsonl(path: Path) -> list[dict]:
    """Every complete line (ended by a newline) of a JSON-lines file, each asserted to parse."""
    data = path.read_bytes()
    lines = data.split(b"\n")[:-1]  # what follows the last newline is a line cut short, if anything
    rows = []
    for i, line in enumerate(lines):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as err:
            pytest.fail(f"{path.name} line {i} is not valid JSON ({err}): {line[:80]!r}")
    return rows


def whole_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """steps.csv's header and rows, each asserted to have the header's column count."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows, f"{path} has no header"
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body):
        assert len(row) == len(header), f"{path.name} row {i + 1} has {len(row)} cells, the header {len(header)}"
    return header, body
