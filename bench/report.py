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
