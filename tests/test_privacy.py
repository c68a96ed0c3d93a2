"""Privacy (issue 13): nothing leaves the machine, the session folder is the runner's alone, and no
image of the runner is stored unless asked for.

The network test runs the real `analyze` on the real clip in a process with no network at all
(`unshare -n`: a network namespace with only a loopback that is down) and with a Python audit hook
that logs every socket, name lookup, HTTP, subprocess and fork event, from the process and from
any child it forks (the hook is inherited, and writes each event straight to a file). This found
OpenVINO's own telemetry: `import openvino` sends a Google Analytics event from a forked process
unless CI=true or the user opted out (live/backends.py now imports it with CI=true)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from session_files import env

# Every file type an image or a video of the runner could be stored as, by its first bytes.
MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG": "PNG", b"GIF8": "GIF", b"BM": "BMP", b"RIFF": "RIFF (WebP/AVI)",
         b"\x1aE\xdf\xa3": "Matroska/WebM", b"\x00\x00\x00\x0cjP": "JPEG 2000"}

AUDIT = r'''
import json, os, sys
LOG = sys.argv[1]
WATCH = ("socket.", "http.", "urllib.", "ftplib.", "smtplib.", "imaplib.", "poplib.", "nntplib.", "telnetlib.",
         "webbrowser.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork")
def hook(event, args):
    if event.startswith(WATCH):
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, (json.dumps([os.getpid(), event, repr(args)[:300]]) + "\n").encode())
        os.close(fd)
sys.addaudithook(hook)
from live.cli import main
code = main(sys.argv[2:])
fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
os.write(fd, (json.dumps([os.getpid(), "exit", code]) + "\n").encode())
sys.exit(code)
'''


def _network_free_prefix() -> list[str]:
    """`unshare -n` when this machine allows it (root in CI), else nothing."""
    try:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return ["unshare", "-n"] if ok else []


def _run(model_path: Path, out: Path, log: Path, *extra: str, clip_path: Path) -> tuple[subprocess.CompletedProcess, bool]:
    prefix = _network_free_prefix()
    # Without YOLO_* (the project must set them itself) and without the CI variables OpenVINO's
    # telemetry reads (they would hide a send that a runner's laptop would make).
    clean = {k: v for k, v in env(model_path).items()
             if not k.startswith("YOLO_") and k not in ("CI", "TF_BUILD", "JENKINS_URL")}
    result = subprocess.run([*prefix, sys.executable, "-c", AUDIT, str(log), "analyze", str(clip_path),
                             "--out", str(out), *extra],
                            capture_output=True, text=True, timeout=300, env=clean,
                            preexec_fn=lambda: os.umask(0o022))  # the common default umask: world-readable
    return result, bool(prefix)


@pytest.fixture(scope="module")
def private_run(clip, model_path, tmp_path_factory):
    base = tmp_path_factory.mktemp("private")
    result, unshared = _run(model_path, base / "s", base / "audit.jsonl", clip_path=clip.path)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in (base / "audit.jsonl").read_text().splitlines()]
    return base / "s", events, unshared


def test_a_session_opens_no_socket_and_starts_no_process(private_run):
    _, events, unshared = private_run
    if not unshared:
        pytest.skip("unshare -n is not allowed here (needs root); the audit hook alone is not the whole test")
    assert events[-1][1:] == ["exit", 0], events[-1]
    others = [e for e in events[:-1]]
    assert others == [], f"network, subprocess or fork events during a session: {others}"


def _modes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder.parent)): oct(stat.S_IMODE(p.stat().st_mode))
            for p in [folder, *sorted(folder.rglob("*"))]}


def test_the_session_folder_is_readable_only_by_the_runner(private_run):
    folder, _, _ = private_run
    modes = _modes(folder)
    assert "s/keyframes/typical_landing.jpg" in modes and "s/report.html" in modes
    wrong = {p: m for p, m in modes.items()
             if m != (oct(0o700) if (folder.parent / p).is_dir() else oct(0o600))}
    assert wrong == {}, f"not owner-only under umask 022: {wrong}"


def _stored_images(folder: Path) -> list[str]:
    found = []
    for p in folder.rglob("*"):
        if p.is_file():
            head = p.read_bytes()[:16]
            kind = next((k for magic, k in MAGIC.items() if head.startswith(magic)), None)
            if kind is None and head[4:8] == b"ftyp":
                kind = "MP4/MOV"
            if kind:
                found.append(f"{p.relative_to(folder)} ({kind})")
    return sorted(found)


def test_without_record_only_the_reports_key_frames_are_stored(private_run):
    folder, _, _ = private_run
    images = _stored_images(folder)
    assert images and all(i.startswith("keyframes/") and i.endswith("(JPEG)") for i in images), images
    assert len(images) <= 6


def test_no_keyframes_stores_no_image_at_all_and_the_report_says_why(clip, model_path, tmp_path):
    result, _ = _run(model_path, tmp_path / "s", tmp_path / "audit.jsonl", "--no-keyframes", clip_path=clip.path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "s"
    assert _stored_images(folder) == []
    assert not (folder / "keyframes").exists()
    page = (folder / "report.html").read_text()
    assert "data:image/jpeg" not in page, "no still of the runner is embedded in the page either"
    assert "No key frames: the run was made with --no-keyframes" in page
    assert json.loads((folder / "summary.json").read_text())["keyframes"] is False


def test_runner_data_and_profiles_are_owner_only_whatever_the_umask(tmp_path, monkeypatch, private_run):
    """The runner's history index and calibration profile, in the user's data and config folders."""
    from calibration.profile import default_profile_path, save_profile
    from live.report.history import record_session, runner_folder
    from test_profile import good

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    old = os.umask(0o022)
    try:
        index = record_session("alex", private_run[0])
        profile = save_profile(good(), default_profile_path("alex"))
    finally:
        os.umask(old)
    assert index.parent == runner_folder("alex")
    for path, top in ((index, tmp_path / "data"), (profile, tmp_path / "config")):
        assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(0o600), path
        p = path.parent
        while p != top:  # every folder posecoach made on the way: posecoach/, runners/ (profiles/), NAME/
            assert oct(stat.S_IMODE(p.stat().st_mode)) == oct(0o700), p
            p = p.parent
