"""`python -m bench soak [--minutes M]`: an accelerated long session through the live loop's own
code path, the real model on the real clip looped, and whether memory or per-frame time grew.

The parent (`soak_command`) runs the soak in a child process (`python -m bench.soak_run CLIP MODEL
SECONDS OUTDIR BACKEND`), as the bench runs every measured program, and prints one table. The child
opens the model and calls the loop the way `live/loop.py:run` does, but with a LoopingVideoSource
wrapped in the Probe, and writes a real session folder.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.clips import DEFAULT_CLIP, DEFAULT_MODEL
from bench.proc import run_child
from bench.report import format_soak
from bench.soak import LoopingVideoSource, Probe
from bench.soak_figures import bounds_for, per_frame_ms, series, soak_figures, verdict

PROBE_FILE = "probe.npz"  # the probe's raw per-frame arrays, beside the session folder
CHILD_FILE = "child.json"  # what else the child knew: its exit code, passes, the pose backend
PROGRESS_EVERY_S = 60.0  # a progress line per minute of video, for watching a long soak


def run_soak(clip: str, model: str, seconds: str, outdir: str, backend: str) -> dict:
    """The child: one session over `seconds` of looped video (rounded up to whole passes of the
    clip); writes OUTDIR/session/ and OUTDIR/probe.npz, returns what the arrays do not hold."""
    from live.loop import RunOptions, _check_inputs, _run_session  # private: the loop's own session code
    from live.pose import PoseEstimator, resolve_model_path

    out = Path(outdir)
    opts = RunOptions(source=clip, out=out / "session", model=model, display=False, speech=False,
                      analysis=True, backend=backend)
    inputs = _check_inputs(opts)
    fps, clip_frames = _probe(clip)
    # Whole passes: the end window then holds whole passes, like the start window (soak_figures).
    passes = max(1, math.ceil(float(seconds) * fps / clip_frames)) if clip_frames > 0 else 0
    total = passes * clip_frames if passes else round(float(seconds) * fps)
    with LoopingVideoSource(clip, total) as source:
        # As live/loop.py:run does: the model is loaded and prepared before the session starts.
        estimator = PoseEstimator(resolve_model_path(opts.model), backend=opts.backend, imgsz=opts.imgsz,
                                  precision=opts.precision)
        estimator.prepare((source.info.width, source.info.height))
        with (out / "progress.log").open("w", buffering=1) as log:
            probe = Probe(source, log, PROGRESS_EVERY_S)
            t0 = time.perf_counter()
            rc = _run_session(opts, inputs, probe.timed(estimator), probe)
            session_wall_s = time.perf_counter() - t0
    probe.save(out / PROBE_FILE, fps=source.info.fps, period=clip_frames)
    child = {"rc": rc, "session_wall_s": session_wall_s, "passes": source.passes, "describe": estimator.describe()}
    (out / CHILD_FILE).write_text(json.dumps(child) + "\n")
    return child


def figures(outdir: Path) -> dict:
    """The soak's figures and series from OUTDIR/probe.npz (see bench/soak_figures.py)."""
    with np.load(outdir / PROBE_FILE) as z:
        a = {k: z[k] for k in z.files}
    frames, fps, every = int(a["frames"]), float(a["fps"]), int(a["every"])
    ms = per_frame_ms(a["loop_ms"], a["pose_ms"], a["loop_cpu_ms"], a["pose_cpu_ms"])
    args = (ms, a["rss_mib"], a["ref_ms"], every, fps)
    wall = float(a["loop_wall_s"])
    return {**soak_figures(*args, frames, period=int(a["period"])), "loop_wall_s": wall,
            "fps": frames / wall if wall > 0 else math.nan, "series": series(*args, frames)}


def _probe(clip: str) -> tuple[float, int]:
    """The clip's fps and frame count (0 when the container does not say)."""
    import cv2

    cap = cv2.VideoCapture(clip)
    try:
        return float(cap.get(cv2.CAP_PROP_FPS) or 30.0), max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
    finally:
        cap.release()


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m bench soak", description="posecoach soak: memory and per-frame time over a long session")
    p.add_argument("--minutes", type=float, default=60.0, help="minutes of video (the clip looped, whole passes; default 60)")
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help="video (default: the shared treadmill clip)")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="pose weights .pt")
    p.add_argument("--backend", default="auto", help="pose backend (default auto, as `analyze`)")
    p.add_argument("--out", type=Path, help="keep the session folder and progress.log here (a new folder; default: a temporary one)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--figures-of", type=Path, metavar="DIR", help="no new soak: the figures of the one kept in DIR (its --out)")
    return p.parse_args(argv)


def soak_command(argv: list[str]) -> int:
    args = _parse(argv)
    if args.figures_of:  # figures again from a kept soak, with the code as it is now
        return _report(args, figures(args.figures_of), json.loads((args.figures_of / CHILD_FILE).read_text()), None)
    with tempfile.TemporaryDirectory(prefix="posecoach-soak-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        video_s = args.minutes * 60.0
        run = run_child(["-m", "bench.soak_run", str(args.clip), str(args.model), str(video_s), str(out), args.backend],
                        timeout_s=max(600.0, 3 * video_s))  # 3x real time: far slower than any machine the bench ran on
        fig = figures(out) if (out / PROBE_FILE).is_file() else {}
    return _report(args, fig, run.report, run)


def _report(args, fig: dict, child: dict, run) -> int:
    row = {"name": f"soak {args.minutes:g} min", "backend": args.backend, **child, **fig}
    if run is not None:
        row.update(child_rc=run.rc, wall_s=run.wall_s, peak_rss_mb=run.peak_rss_mb,
                   cpu_pct=100 * run.cpu_s / max(run.wall_s, 1e-9))
    row["verdict"] = verdict(row, bounds_for(fig["video_s"])) if fig else {"ok": False, "broken": ["no figures"]}
    failed = run is not None and (not run.ok or child.get("rc") != 0)
    if failed:
        row["error"] = run.stderr_tail
    result = {"clip": str(args.clip), "short": False, "frames": row.get("frames"), "fps": row.get("fps"), "rows": [row]}
    print(format_soak(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    if failed:
        print(f"bench soak: the soak failed (rc {child.get('rc', run.rc)}):\n{run.stderr_tail}", file=sys.stderr)
        return 1
    return 0 if row["verdict"]["ok"] else 1


def main(argv: list[str]) -> int:
    print(json.dumps(run_soak(*argv), default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
