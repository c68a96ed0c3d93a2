"""The bench's one table."""
from __future__ import annotations

COLUMNS = (  # (header, key, format)
    ("run", "name", "{}"),
    ("backend", "backend", "{}"),
    ("frames", "frames", "{}"),
    ("fps", "fps", "{:.1f}"),
    ("x base", "x_baseline", "{:.2f}"),
    ("ms/f", "ms_per_frame", "{:.1f}"),
    ("CPU%", "cpu_pct", "{:.0f}"),
    ("RSS MB", "peak_rss_mb", "{:.0f}"),
    ("RSS +MB", "rss_growth_mb", "{:.1f}"),
    ("kp err %bh", "kp_err_pct_bh", "{:.2f}"),
    ("cad err", "cadence_err_spm", "{:.2f}"),
    ("landings", "landings_hit", "{}"),
    ("dropped", "dropped", "{}"),
    ("drop steady", "dropped_after_first", "{}"),
    ("lat p50", "lat_p50_ms", "{:.1f}"),
    ("lat p95", "lat_p95_ms", "{:.1f}"),
    ("step p95", "step_lat_p95_ms", "{:.1f}"),
)

NOTES = """\
fps, x base: frames / wall time of the whole child process (start-up included), ratio to the baseline
ms/f: baseline = median predict() time; analyze = wall time per frame, start-up included
kp err: median keypoint distance to the baseline's torch 640 poses, % of body height
cad err: |cadence - truth| spm; landings: true landings found within the truth's tolerance
dropped: frames the source dropped (start-up included); drop steady: dropped after the first frame was posed
lat: frame timestamp to its pose (ms, from the second frame on); step p95: frame timestamp to the step metrics it completed
RSS +MB: growth from warm-up to the end of the long run"""


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    if value is None or value == "":
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def format_table(result: dict) -> str:
    rows = result["rows"]
    cells = [[h for h, _, _ in COLUMNS]] + [[_cell(r, k, f) for _, k, f in COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "-" * len(lines[0]))
    head = f"posecoach bench: {result['clip']} ({result['frames']} frames at {result['fps']:g} fps{', short' if result['short'] else ''})"
    describes = sorted({r["describe"] for r in rows if r.get("describe")})
    return "\n".join([head, *lines, "", *describes, NOTES])


SOAK_COLUMNS = (
    ("run", "name", "{}"),
    ("frames", "frames", "{}"),
    ("wall s", "loop_wall_s", "{:.0f}"),
    ("fps", "fps", "{:.1f}"),
    ("RSS start", "rss_start_mib", "{:.1f}"),
    ("RSS end", "rss_end_mib", "{:.1f}"),
    ("RSS +MiB", "rss_growth_mib", "{:+.2f}"),
    ("MiB/h", "rss_trend_mib_per_h", "{:+.1f}"),
    ("ms/f start", "frame_ms_start", "{:.2f}"),
    ("ms/f end", "frame_ms_end", "{:.2f}"),
    ("x", "frame_ratio", "{:.3f}"),
    ("cpu start", "frame_cpu_ms_start", "{:.2f}"),
    ("cpu end", "frame_cpu_ms_end", "{:.2f}"),
    ("x cpu", "frame_cpu_ratio", "{:.3f}"),
    ("rest start", "rest_cpu_ms_start", "{:.2f}"),
    ("rest end", "rest_cpu_ms_end", "{:.2f}"),
    ("x rest", "rest_cpu_ratio", "{:.3f}"),
    ("x rest/ref", "rest_norm_ratio", "{:.3f}"),
)

SOAK_NOTES = """\
RSS start / end: median RSS (MiB, read in-process once per second of video) over whole passes of the clip
after the warm-up and at the end (the window sizes are in the JSON); RSS +MiB = end - start;
MiB/h: the median change in RSS from one pass of the clip to the next after the warm-up, per hour of video
ms/f: median wall time per frame of the loop (Pipeline.process: pose, gait, session, coach, key frames); x = end / start
cpu: the same in CPU time of the loop's thread (other jobs on the machine move wall time, much less this);
rest: cpu minus the pose model's; x rest/ref: x rest over the change in a fixed reference work's CPU time
verdict: on MiB/h, x cpu and x rest/ref (bench/soak_figures.py says why these bounds)"""


def format_soak(result: dict) -> str:
    """The soak's table, its verdict and the bounds it was judged by."""
    rows = result["rows"]
    cells = [[h for h, _, _ in SOAK_COLUMNS]] + [[_cell(r, k, f) for _, k, f in SOAK_COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(SOAK_COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "-" * len(lines[0]))
    out = [f"posecoach soak: {result['clip']} looped", *lines, ""]
    for r in rows:
        v = r.get("verdict", {})
        said = "no growth beyond the bounds" if v.get("ok") else f"BROKEN: {', '.join(v.get('broken', ['?']))}"
        bounds = ", ".join(f"{k} <= {b:.3g}" for k, b in (v.get("bounds") or {}).items())
        out.append(f"{r['name']}: {said} ({bounds}); {r.get('passes', '?')} passes of the clip; "
                   f"pose {r.get('describe', '?')}")
    return "\n".join([*out, SOAK_NOTES])
