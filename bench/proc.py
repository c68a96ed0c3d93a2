"""Run one measured program in a child process: wall time, CPU time, peak RSS, RSS over time."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

RSS_POLL_S = 0.25  # fine enough to see growth over seconds, cheap enough not to disturb the child


@dataclass
class ChildRun:
    rc: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, RSS MB)
    report: dict = field(default_factory=dict)  # the JSON the child printed last on stdout, if any
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_child(args: list[str], env: dict | None = None, timeout_s: float = 3600) -> ChildRun:
    """`python args...` in a child; rusage comes from wait4 on that child alone."""
    cmd = [sys.executable, *args]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=Path(__file__).resolve().parents[1])
    samples: list[tuple[float, float]] = []
    # Drain pipes on threads so a chatty child never blocks on a full pipe while we poll its RSS.
    import threading

    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read()), daemon=True)
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    status = None
    usage = None
    while status is None:
        pid, status_code, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status, usage = status_code, ru
            break
        rss = _rss_mb(proc.pid)
        if rss is not None:
            samples.append((time.monotonic() - start, rss))
        if time.monotonic() - start > timeout_s:
            proc.kill()
        time.sleep(RSS_POLL_S)
    wall = time.monotonic() - start
    for r in readers:
        r.join(timeout=5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = {}
    for line in reversed("".join(out_chunks).strip().splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
            except json.JSONDecodeError:
                pass
            break
    return ChildRun(proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, samples, report,
                    "".join(err_chunks)[-2000:])
