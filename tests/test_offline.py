"""ultralytics must never phone home or install packages at run time: a run with every socket and
every pip call blocked still works, and nothing tried to use them."""
from __future__ import annotations

import json
import subprocess
import sys

from footage import write_frames

GUARD = r'''
import json, socket, subprocess, sys
attempts = []
def refuse(kind):
    def f(*a, **k):
        attempts.append([kind, repr(a)[:200]])
        raise OSError("network blocked by test")
    return f
socket.getaddrinfo = refuse("getaddrinfo")
socket.create_connection = refuse("create_connection")
socket.socket.connect = refuse("connect")
socket.socket.connect_ex = refuse("connect_ex")
_popen = subprocess.Popen
class GuardedPopen(_popen):
    def __init__(self, args, *a, **k):
        text = " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)
        if "pip" in text or "install" in text:
            attempts.append(["subprocess", text[:200]])
            raise OSError("installs blocked by test")
        super().__init__(args, *a, **k)
subprocess.Popen = GuardedPopen
from live.cli import main
code = main(sys.argv[2:])
open(sys.argv[1], "w").write(json.dumps({"code": code, "attempts": attempts}))
'''


def test_a_run_with_the_network_blocked_never_tries_it(clip, model_path, tmp_path):
    frames = write_frames(clip, tmp_path / "frames", 10)
    report = tmp_path / "report.json"
    env_free = {k: v for k, v in __import__("os").environ.items() if not k.startswith("YOLO_")}
    result = subprocess.run(
        [sys.executable, "-c", GUARD, str(report), "analyze", str(frames), "--out", str(tmp_path / "s"),
         "--model", str(model_path)],
        capture_output=True, text=True, timeout=300, env=env_free)
    assert report.is_file(), result.stderr
    outcome = json.loads(report.read_text())
    assert outcome["code"] == 0, result.stderr
    assert outcome["attempts"] == [], outcome["attempts"]
    assert len((tmp_path / "s" / "poses.jsonl").read_text().splitlines()) == 10
