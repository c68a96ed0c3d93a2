"""`python -m bench [--clip PATH] [--model PATH] [--short] [--json OUT]`: see bench/__init__.py.
`python -m bench soak [--minutes M] [--json OUT] [--out DIR]`: the long-session soak (bench/soak_run.py)."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.clips import DEFAULT_CLIP, DEFAULT_MODEL, prepare
from bench.measure import gait_accuracy, keypoint_error_pct_bh, read_json, read_poses, rss_growth_mb
from bench.proc import run_child
from bench.report import format_table
from live.errors import PosecoachError

SHORT_S = 2.0  # --short: seconds of the clip (CI proves the bench works, not the figures)
LONG_S = 600.0  # 10 minutes of video for RSS growth (the long run)
SHORT_LONG_S = 4.0  # two passes of the short clip: enough to run the long row, not to measure growth
BACKENDS = ("openvino", "onnx", "torch")


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description="posecoach speed and accuracy bench")
    p.add_argument("--clip", type=Path, default=DEFAULT_CLIP, help="video (default: the shared treadmill clip)")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="pose weights .pt")
    p.add_argument("--short", action="store_true", help="a few seconds of everything (CI)")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--backends", default=None, help="comma-separated analyze backends (default: all; --short: auto)")
    return p.parse_args(argv)


def _baseline(clips, model: Path, work: Path) -> dict:
    ref = work / "reference.jsonl"
    run = run_child(["-m", "bench.children", "baseline", str(clips.main), str(model), str(ref)])
    r = run.report
    return {"name": "baseline YOLO(pt).predict", "backend": "torch 640", "rc": run.rc, "frames": r.get("frames"),
            "wall_s": run.wall_s, "fps": (r.get("frames") or 0) / run.wall_s, "ms_per_frame": r.get("predict_ms_median"),
            "startup_s": r.get("load_s"), "peak_rss_mb": run.peak_rss_mb, "cpu_pct": 100 * run.cpu_s / run.wall_s,
            "kp_err_pct_bh": 0.0, "error": None if run.ok else run.stderr_tail}


def _analyze(backend: str, clips, model: Path, work: Path, reference: dict, video: Path | None = None) -> dict:
    video = video or clips.main
    out = work / f"analyze-{backend}-{video.stem}"
    # A failed analyze is a failed row (its rc and error), never measured through a stand-in loop.
    run = run_child(["-m", "live", "analyze", str(video), "--out", str(out), "--backend", backend, "--model", str(model)])
    poses = read_poses(out / "poses.jsonl")
    frames = len(poses)
    row = {"name": f"analyze {backend}", "backend": backend, "rc": run.rc, "frames": frames,
           "wall_s": run.wall_s, "fps": frames / run.wall_s, "ms_per_frame": 1000 * run.wall_s / max(frames, 1),
           "peak_rss_mb": run.peak_rss_mb, "cpu_pct": 100 * run.cpu_s / run.wall_s,
           "kp_err_pct_bh": keypoint_error_pct_bh(poses, reference) if video == clips.main else None,
           "error": None if run.ok else run.stderr_tail, "rss_samples": len(run.rss_mb)}
    row.update(gait_accuracy(read_json(out / "summary.json"), clips.truth if video == clips.main else None, clips.fps, frames))
    if video != clips.main:
        row.update(rss_growth_mb(run.rss_mb))
    return row


def _realtime(label: str, video: Path, video_frames: int, model: Path, work: Path) -> dict:
    out = work / f"live-{video.stem}"
    run = run_child(["-m", "bench.children", "realtime", str(video), str(model), "auto", str(out)])
    r = run.report
    summary = read_json(out / "summary.json") or {}
    dropped = summary.get("dropped_frames")
    if dropped is None and r.get("frames"):  # no summary.json (the run failed at the end): count the gaps
        dropped = video_frames - r["frames"]
    return {"name": f"live --realtime {label}", "backend": (r.get("describe") or "auto").split(" (")[0],
            "rc": r.get("rc", run.rc),
            "frames": r.get("frames"), "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb,
            "cpu_pct": r.get("cpu_pct_of_one_core"), "dropped": dropped,
            "dropped_after_first": r.get("dropped_after_first"), "first_index": r.get("first_index"),
            "lat_p50_ms": r.get("frame_latency_ms_p50"), "lat_p95_ms": r.get("frame_latency_ms_p95"),
            "step_lat_p50_ms": r.get("step_latency_ms_p50"), "step_lat_p95_ms": r.get("step_latency_ms_p95"),
            "landing_to_metrics_ms": r.get("landing_to_metrics_ms_median"), "steps": r.get("steps"),
            "describe": r.get("describe"), "error": None if run.ok and r.get("rc") == 0 else (r.get("error") or run.stderr_tail)}


def run_bench(args) -> dict:
    names = args.backends.split(",") if args.backends else (["auto"] if args.short else list(BACKENDS))
    with tempfile.TemporaryDirectory(prefix="posecoach-bench-") as tmp:
        work = Path(tmp)
        clips = prepare(args.clip, work, SHORT_S if args.short else None, SHORT_LONG_S if args.short else LONG_S)
        rows = [_baseline(clips, args.model, work)]
        reference = read_poses(work / "reference.jsonl")
        rows += [_analyze(b, clips, args.model, work, reference) for b in names]
        rows.append(_realtime(f"@{clips.fps:g} fps", clips.main, clips.frames, args.model, work))
        rows.append(_realtime("@60 fps", clips.at_60fps, round(clips.frames * 60 / clips.fps), args.model, work))
        long = _analyze("auto", clips, args.model, work, reference, video=clips.long)
        long["name"] = f"analyze long ({clips.frames and round(len(read_poses(work / 'analyze-auto-long' / 'poses.jsonl')) / clips.fps)} s video)"
        rows.append(long)
    base_fps = rows[0]["fps"] or float("nan")
    for row in rows:
        if row.get("fps"):
            row["x_baseline"] = row["fps"] / base_fps
    return {"clip": str(args.clip), "short": args.short, "frames": clips.frames, "fps": clips.fps, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["soak"]:  # `python -m bench soak ...`: the long-session soak (bench/soak_run.py)
        from bench.soak_run import soak_command

        return soak_command(argv[1:])
    args = _parse(argv)
    try:
        result = run_bench(args)
    except PosecoachError as err:
        print(f"bench: {err}", file=sys.stderr)
        return err.exit_code
    print(format_table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    failed = [r["name"] for r in result["rows"] if r.get("rc") not in (0, None)]
    if failed:
        print(f"bench: these runs failed: {', '.join(failed)} (see 'error' in the JSON).", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
