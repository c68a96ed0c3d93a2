"""Accuracy and memory figures from what the measured programs wrote."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


def read_poses(path: Path) -> dict[int, dict]:
    out = {}
    if path.is_file():
        with path.open() as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    out[int(d["index"])] = d
    return out


def _xy(d: dict) -> np.ndarray:
    return np.array([[np.nan, np.nan] if p is None else p for p in d["xy"]], float)


def keypoint_error_pct_bh(poses: dict[int, dict], reference: dict[int, dict]) -> float | None:
    """Median distance between matching keypoints, in % of body height (the reference's median box
    height: the runner stands on a treadmill, so it barely changes)."""
    heights = [d["box"][3] - d["box"][1] for d in reference.values() if d["box"]]
    common = [i for i in reference if i in poses]
    if not heights or not common:
        return None
    errs = np.concatenate([np.linalg.norm(_xy(poses[i]) - _xy(reference[i]), axis=1) for i in common])
    errs = errs[np.isfinite(errs)]
    return float(np.median(errs) / np.median(heights) * 100) if errs.size else None


def gait_accuracy(summary: dict | None, truth: dict | None, fps: float, frames: int) -> dict:
    """Cadence error against the ground truth and how many true landings were found within the
    truth's tolerance (in frames), plus the median timing error of those found."""
    if not summary or not truth or "landings" not in summary:
        return {"cadence_spm": None, "cadence_err_spm": None, "landings_hit": None, "landing_err_frames_median": None}
    tol = float(truth["initial_contact_frames"].get("tolerance_frames", 1))
    true_frames = [f for f in truth["initial_contact_frames"]["frames"] if f < frames]
    found = np.array([lm["t"] * fps for lm in summary["landings"] if lm.get("t") is not None], float)
    hits, errs = 0, []
    for f in true_frames:
        if found.size:
            d = float(np.min(np.abs(found - f)))
            if d <= tol + 0.5:  # sub-frame times: within the tolerance once rounded to a frame
                hits += 1
                errs.append(d)
    cadence = summary.get("cadence_spm")
    true_cadence = truth.get("cadence_spm", {}).get("value")
    ok = cadence is not None and true_cadence is not None and math.isfinite(cadence)
    return {
        "cadence_spm": cadence,
        "cadence_err_spm": abs(cadence - true_cadence) if ok else None,
        "landings_hit": f"{hits}/{len(true_frames)}" if true_frames else None,
        "landings_detected": int(found.size),
        "landing_err_frames_median": float(np.median(errs)) if errs else None,
    }


def rss_growth_mb(samples: list[tuple[float, float]]) -> dict:
    """RSS after warm-up (median of the second tenth of the run) against the end (median of the last
    tenth): growth that a long session would keep adding."""
    if len(samples) < 40:  # under ~10 s the "warm-up" tenth is still the model loading
        return {"rss_start_mb": None, "rss_end_mb": None, "rss_growth_mb": None}
    rss = np.array([s[1] for s in samples])
    n = len(rss)
    start = float(np.median(rss[n // 10 : max(n // 5, n // 10 + 1)]))
    end = float(np.median(rss[-max(n // 10, 1):]))
    return {"rss_start_mb": start, "rss_end_mb": end, "rss_growth_mb": end - start}


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
