"""A real `posecoach live --realtime` on a clip, interrupted once it has processed some frames."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def interrupt_live(clip_path: Path, model_path: Path, out: Path, sig: int, min_frames: int) -> tuple[int, str]:
    """Start the live loop on `clip_path` (paced like a camera), send `sig` once poses.jsonl holds
    `min_frames` lines; returns (exit code, stderr)."""
    env = dict(os.environ, POSECOACH_MODEL=str(model_path))
    proc = subprocess.Popen([sys.executable, "-m", "live", "live", "--source", str(clip_path), "--realtime",
                             "--no-display", "--no-speech", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    poses, deadline = out / "poses.jsonl", time.monotonic() + 120
    while time.monotonic() < deadline and (not poses.is_file() or len(poses.read_text().splitlines()) < min_frames):
        time.sleep(0.1)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr
