"""The soak's figures from the probe's per-frame arrays: RSS and per-frame times at the start (after
the warm-up) and at the end, their ratios, and a verdict against bounds.

Times are medians over a window of video, not single frames: one frame can wait on a garbage
collection or another process, a window's median cannot. RSS is compared as a difference (MiB):
a leak adds bytes, whatever the process started at.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

# The first 20 s of video fill every buffer the loop keeps at a bounded size (gait history 3 s,
# key-frame ring 1.5 s, cadence window 10 s, the coach's 20 s warm-up, auto-calibration) and let the
# backend's allocator reach its working size for both the crop and the full-frame input.
WARMUP_S = 20.0  # RSS reached its per-pass sawtooth by 20 s on every dev soak
# start = [warm-up, warm-up + 30 s]; end = the last 30 s: ~900 frames each at 30 fps. All three are
# rounded up to whole passes of the clip (24 s warm-up, 36 s windows for the shared 12 s clip).
WINDOW_S = 30.0


@dataclass(frozen=True)
class Bounds:
    """What the soak tolerates between its start and end windows (see bounds_for for why)."""

    rss_trend_mib_per_h: float  # RSS growth that went on pass after pass (see _trend_per_h)
    frame_cpu_ratio: float  # the loop thread's CPU time per frame, end / start
    rest_norm_ratio: float  # the same without the pose model, read against the reference work


# Why these bounds (dev soaks of 1.5-2.5 min on a 2-core machine shared with other jobs):
# - RSS: a session keeps its data (every StepEvent for steps.csv, the landing and toe-off logs): ~1 KiB
#   a step by tracemalloc, ~10 MiB an hour at 170 steps/min; per-pass medians rose 0.02-0.06 MiB a
#   pass (6-18 MiB/h) on the shared clip. On top of that the allocator moves in steps of 2-4 MiB, up
#   and back down, at random passes (seen: +2.69, -3.90, -1.29, +2.68 MiB in one 2.4-minute soak): that
#   broke a bound on the difference of two windows (+2.00 MiB against 1.64). The median change from
#   one pass to the next ignores a few such steps and still sees a leak, which adds to every pass:
#   keeping one PoseFrame a frame (injected) read +89 MiB/h on a 2-minute soak, clean ones +10 to +13.
#   30 MiB/h: the kept data's ~16 MiB/h with pymalloc's partly used arenas, plus the per-pass noise.
# - Times are judged in CPU time of the loop's thread, not wall time: wall medians moved 0.47-1.08x
#   between the windows of one soak as other jobs came and went; the loop thread's CPU time per
#   frame moved 0.98-1.19x (the pose model's threads spin longer on a busy machine), the other
#   stages' (rest) 0.98-1.42x raw but 1.02-1.05x against the reference work. A per-step list scanned
#   every frame (medians of all steps at every frame, injected) gave rest_norm 1.39x on a 2-minute
#   soak, and grows without bound on a longer one.
RSS_TREND_MIB_PER_H = 30.0
FRAME_CPU_RATIO = 1.3
REST_NORM_RATIO = 1.25
TREND_CHUNK_S = 12.0  # the per-"pass" chunk of a soak that is not a looped clip


def bounds_for(video_s: float) -> Bounds:
    """The same bounds for any length: RSS is judged as a rate, times as ratios."""
    return Bounds(RSS_TREND_MIB_PER_H, FRAME_CPU_RATIO, REST_NORM_RATIO)


def _median(a: np.ndarray) -> float:
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else math.nan


def _window(n: int, fps: float, warmup_s: float, window_s: float, period: int) -> tuple[slice, slice]:
    """Frame slices of the start and end windows. Both are whole passes of the clip (`period`
    frames) when the soak is: RSS and frame times follow the clip (the sawtooth of one pass is
    ~6 MiB on the shared clip), so windows at different phases of it would differ by that alone.
    On a soak too short for both, the start window moves toward the warm-up's start; the two never
    overlap."""
    whole = lambda frames: math.ceil(frames / period) * period if period > 0 else max(1, round(frames))  # noqa: E731
    w = whole(window_s * fps)
    start0 = min(whole(warmup_s * fps), max(n - 2 * w, 0))
    return slice(start0, min(start0 + w, n)), slice(max(n - w, start0 + 1), n)


def _ratio(end: float, start: float) -> float:
    return end / start if start > 0 and math.isfinite(end) else math.nan


def per_frame_ms(loop_ms, pose_ms, loop_cpu_ms, pose_cpu_ms) -> dict[str, np.ndarray]:
    """The per-frame series the figures are taken of: wall time of the whole loop (frame), of the
    pose model (pose), of every other stage (rest), and the same in the loop thread's CPU time."""
    return {"frame": loop_ms, "pose": pose_ms, "rest": loop_ms - pose_ms,
            "frame_cpu": loop_cpu_ms, "rest_cpu": loop_cpu_ms - pose_cpu_ms}


def soak_figures(ms: dict[str, np.ndarray], rss_mib: np.ndarray, ref_ms: np.ndarray, every: int, fps: float,
                 frames: int, period: int = 0, warmup_s: float = WARMUP_S, window_s: float = WINDOW_S) -> dict:
    """`ms`: per_frame_ms(); `rss_mib`, `ref_ms` (the probe's reference work): one sample every
    `every` frames; `period`: frames in one pass of the clip (0: not looped, windows not aligned)."""
    first, last = _window(frames, fps, warmup_s, window_s, period)
    rss_at = np.arange(len(rss_mib)) * every  # frame index of each RSS sample
    in_first, in_last = (rss_at >= first.start) & (rss_at < first.stop), (rss_at >= last.start) & (rss_at < last.stop)
    rss_first, rss_last = rss_mib[in_first], rss_mib[in_last]
    fig = {"frames": frames, "video_s": frames / fps, "warmup_s": first.start / fps, "window_s": (first.stop - first.start) / fps,
           "rss_start_mib": _median(rss_first), "rss_end_mib": _median(rss_last),
           "rss_peak_mib": float(np.nanmax(rss_mib)) if np.isfinite(rss_mib).any() else math.nan,
           "rss_trend_mib_per_h": _trend_per_h(rss_mib, rss_at, first.start, frames, fps, period)}
    for name, a in ms.items():
        a = a[:frames]
        fig[f"{name}_ms_start"], fig[f"{name}_ms_end"] = _median(a[first]), _median(a[last])
        fig[f"{name}_ratio"] = _ratio(fig[f"{name}_ms_end"], fig[f"{name}_ms_start"])
    fig["ref_ms_start"], fig["ref_ms_end"] = _median(ref_ms[in_first]), _median(ref_ms[in_last])
    fig["ref_ratio"] = _ratio(fig["ref_ms_end"], fig["ref_ms_start"])
    # The loop's own CPU time read against the reference work's: a slower machine moment cancels.
    fig["rest_norm_ratio"] = fig["rest_cpu_ratio"] / fig["ref_ratio"]
    fig["rss_growth_mib"] = fig["rss_end_mib"] - fig["rss_start_mib"]
    fig["rss_ratio"] = _ratio(fig["rss_end_mib"], fig["rss_start_mib"])
    return fig


def _trend_per_h(rss: np.ndarray, at: np.ndarray, from_frame: int, frames: int, fps: float, period: int) -> float:
    """RSS growth that goes on pass after pass, MiB per hour of video: the median RSS of each whole
    pass of the clip after the warm-up (chunks of TREND_CHUNK_S when not looped), and the median of
    the changes from one pass to the next. A few allocator steps up or down change a few of those
    changes, not their median; a leak changes every one. NaN with fewer than three passes."""
    chunk = period if period > 0 else max(1, round(TREND_CHUNK_S * fps))
    ok = np.isfinite(rss) & (at >= from_frame)
    inside = [ok & (at >= a) & (at < a + chunk) for a in range(from_frame, frames - chunk + 1, chunk)]
    medians = [np.median(rss[m]) for m in inside if m.any()]
    if len(medians) < 3:
        return math.nan
    return float(np.median(np.diff(medians))) * 3600.0 * fps / chunk


def series(ms: dict[str, np.ndarray], rss_mib: np.ndarray, ref_ms: np.ndarray, every: int, fps: float,
           frames: int, points: int = 60) -> list[dict]:
    """The soak over time in about `points` rows (video minute, RSS, median of each per-frame
    series), for the JSON and the note: a plateau and a slow climb look alike at two ends, not over time."""
    step = max(every, math.ceil(frames / points / every) * every)
    rows = []
    for a in range(0, frames, step):
        b = min(a + step, frames)
        samples = slice(a // every, max(b // every, a // every + 1))
        row = {"video_min": round(b / fps / 60, 3), "rss_mib": round(_median(rss_mib[samples]), 1),
               "ref_ms": round(_median(ref_ms[samples]), 3)}
        row.update({f"{name}_ms": round(_median(v[a:b]), 3) for name, v in ms.items()})
        rows.append(row)
    return rows


def verdict(fig: dict, bounds: Bounds) -> dict:
    """Which bound the soak broke, if any; `ok` is True when none."""
    checks = {name: fig[name] <= limit for name, limit in asdict(bounds).items()}
    broken = [k for k, ok in checks.items() if not ok]  # a NaN figure compares False: broken, not passed
    return {"ok": not broken, "broken": broken, "bounds": asdict(bounds)}
