"""Measured programs that need instrumentation, run as `python -m bench.children MODE ...`:

- `baseline CLIP MODEL OUT.jsonl`: the newcomer's loop, `YOLO(pt)` + `predict(frame)` at defaults;
  its poses are also the PyTorch 640 full-frame reference the others are compared with.
- `realtime CLIP MODEL BACKEND OUTDIR`: `posecoach live --realtime --no-display --no-speech` in
  process, with the estimator and gait tracker subclassed to record when each frame was seen,
  posed and turned into steps (measurement only: the real classes do all the work).
Each prints one JSON line on stdout.
"""
from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np


def baseline(clip: str, model: str, out_jsonl: str) -> dict:
    import cv2

    from live.pose import pose_frame_from_result, quiet_ultralytics
    from live.runner import RunnerSelector
    from live.types import Frame

    t0 = time.monotonic()
    quiet_ultralytics()
    from ultralytics import YOLO

    yolo = YOLO(model)
    t_loaded = time.monotonic()
    cap = cv2.VideoCapture(clip)
    fps = cap.get(cv2.CAP_PROP_FPS)
    selector = RunnerSelector()
    ms = []
    with open(out_jsonl, "w") as out:
        i = 0
        while True:
            ok, image = cap.read()
            if not ok:
                break
            t = time.perf_counter()
            result = yolo.predict(image, verbose=False)[0]  # defaults: imgsz 640, conf 0.25
            ms.append((time.perf_counter() - t) * 1000)
            frame = Frame(image, i / fps, i)
            out.write(json.dumps(pose_frame_from_result(result, frame, selector).to_json()) + "\n")
            i += 1
    cap.release()
    end = time.monotonic()
    return {"frames": len(ms), "load_s": t_loaded - t0, "loop_s": end - t_loaded, "total_s": end - t0,
            "predict_ms_median": float(np.median(ms)) if ms else None}


def realtime(clip: str, model: str, backend: str, outdir: str) -> dict:
    import live.gait
    import live.pose
    from live.cli import main

    seen: list[tuple[int, float, float, float]] = []  # index, frame t, wall seen, wall posed
    emits: list[tuple[float, float, float]] = []  # step t_emit_s, step t_s (landing), wall emitted
    usage: list = []
    described: list[str] = []

    class TimedEstimator(live.pose.PoseEstimator):
        def estimate(self, frame):
            wall = time.monotonic()
            if not usage:
                usage.append(resource.getrusage(resource.RUSAGE_SELF))
                described.append(self.describe())
            pose = super().estimate(frame)
            seen.append((frame.index, frame.t, wall, time.monotonic()))
            return pose

    class TimedGait(live.gait.GaitTracker):
        def update(self, pose):
            steps = super().update(pose)
            now = time.monotonic()
            emits.extend((s.t_emit_s, s.t_s, now) for s in steps)
            return steps

    live.pose.PoseEstimator = TimedEstimator
    live.gait.GaitTracker = TimedGait
    error = None
    try:
        rc = main(["live", "--source", clip, "--realtime", "--no-display", "--no-speech", "--out", outdir,
                   "--backend", backend, "--model", model])
    except Exception as err:  # a failure after the frames still leaves figures worth reporting
        rc, error = 1, f"{type(err).__name__}: {err}"
    if not seen:
        return {"rc": rc, "error": error, "frames": 0}
    ru_end = resource.getrusage(resource.RUSAGE_SELF)
    idx = np.array([s[0] for s in seen])
    t = np.array([s[1] for s in seen])
    wall_seen = np.array([s[2] for s in seen])
    wall_posed = np.array([s[3] for s in seen])
    # Frame i is decoded at start + t_i: it cannot be seen earlier, and when the loop keeps up it is
    # seen right then, so the smallest (seen - t) is the pacing start (a slight overestimate of latency).
    start = float(np.min(wall_seen - t))
    # The first frame pays for loading the full-frame model (the loop does not warm it up yet):
    # latency and drops are reported from the second frame on; the total drop count keeps it.
    frame_lat = (wall_posed - (start + t))[1:] * 1000
    step_lat = np.array([(w - (start + te)) * 1000 for te, _, w in emits if np.isfinite(te) and te > t[0]])
    cpu = (ru_end.ru_utime + ru_end.ru_stime) - (usage[0].ru_utime + usage[0].ru_stime)
    span = float(wall_posed[-1] - wall_seen[0])
    pct = lambda a, q: float(np.percentile(a, q)) if len(a) else None  # noqa: E731
    return {
        "rc": rc, "error": error, "describe": described[0], "frames": int(len(idx)), "first_index": int(idx[0]), "last_index": int(idx[-1]),
        "dropped_after_first": int(idx[-1] - idx[1] + 1 - (len(idx) - 1)) if len(idx) > 1 else 0,
        "frame_latency_ms_p50": pct(frame_lat, 50), "frame_latency_ms_p95": pct(frame_lat, 95),
        "step_latency_ms_p50": pct(step_lat, 50), "step_latency_ms_p95": pct(step_lat, 95), "steps": len(emits),
        "landing_to_metrics_ms_median": float(np.median([(te - ts) * 1000 for te, ts, _ in emits])) if emits else None,
        "cpu_pct_of_one_core": 100 * cpu / span if span > 0 else None,
    }


def main(argv: list[str]) -> int:
    mode, *rest = argv
    report = {"baseline": baseline, "realtime": realtime}[mode](*rest)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
