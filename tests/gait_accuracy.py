"""Accuracy of the gait tracker against a clip's ground truth: landings, toe-offs, cadence, legs.

Used by tests/test_gait_footage.py (real model on real footage) and runnable by hand on pose caches:
    .venv/bin/python tests/gait_accuracy.py /tmp/posecache/male_side.jsonl [truth.json]
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Accuracy:
    cadence_spm: float
    cadence_err_spm: float
    n_truth: int
    n_detected: int
    within_1: float  # fraction of truth landings matched within 1 tolerance unit
    within_2: float
    extra: float  # unmatched detections / truth count
    alternation: float  # fraction of consecutive detected steps whose legs differ
    toe_within_2: float  # fraction of the toe-offs the detector can see (toe_seen) found within 2 frames
    toe_seen: int
    contact_median_ms: float
    facing: str
    mean_offset_ms: float

    def row(self, name: str) -> str:
        return (f"{name:10s} cad {self.cadence_spm:6.2f} ({self.cadence_err_spm:+.2f})  land {self.n_detected}/{self.n_truth}"
                f"  <=1: {self.within_1:4.0%}  <=2: {self.within_2:4.0%}  extra {self.extra:4.0%}"
                f"  alt {self.alternation:4.0%}  toe<=2 {self.toe_within_2:4.0%} of {self.toe_seen}"
                f"  contact {self.contact_median_ms:5.0f} ms  bias {self.mean_offset_ms:+5.1f} ms  facing {self.facing}")


def match(truth: list, det: list[float], tol: float, offset=lambda t, d: d - t) -> list[tuple[int, int, float]]:
    """One-to-one matching, closest pairs first, within tol: (truth i, detection j, offset). The
    offset of a detection from a truth item is det - truth by default."""
    pairs = sorted((abs(o), i, j, o) for i, t in enumerate(truth) for j, d in enumerate(det)
                   if abs(o := offset(t, d)) <= tol)
    used_t, used_d, out = set(), set(), []
    for _, i, j, o in pairs:
        if i not in used_t and j not in used_d:
            used_t.add(i)
            used_d.add(j)
            out.append((i, j, o))
    return out


def _toe_offs(summary: dict, truth: dict, look_behind_s: float) -> tuple[float, int]:
    """Toe-offs compared as frame numbers of the clip, on the annotation's own terms: truth and
    tracker both name the last frame with the foot on the ground. The annotation (frame k at 30 fps)
    says the toe left within ((k)/30, (k+1)/30]; in a copy at r fps the last frame on the ground is
    then any frame from floor(k r/30) to ceil((k+1) r/30) - 1 (one frame at 30 and 15 fps, frame 2k
    or 2k+1 at 60 fps). A detection counts when its frame is within 2 frames at 30 fps (2 r/30 of its
    own) of that range, one-to-one. A toe-off earlier than the detector's look-behind after the first
    frame cannot be timed (its zero-phase fits need samples before it) and is not counted;
    `look_behind_s` is that time (clips start at t = 0)."""
    fps = float(truth["video"]["fps"])
    per_30 = fps / 30.0  # the clip's frames per annotation frame
    ranges = [(math.floor(f + 1e-9), math.ceil(f + per_30 - 1e-9) - 1)
              for f in truth["toe_off_frames"]["frames"] if f / fps >= look_behind_s]
    det_f = [d["frame"] for d in summary["toe_offs"]]
    outside = lambda r, f: min(max(f - r[1], 0), f - r[0])  # noqa: E731  (frames beyond the range, signed)
    m = match(ranges, det_f, 2.0 * per_30 + 1e-6, outside)
    return (len(m) / len(ranges) if ranges else math.nan), len(ranges)


def accuracy(summary: dict, steps, truth: dict, frame_tol_s: float | None = None,
             look_behind_s: float | None = None) -> Accuracy:
    """Compare a tracker summary with ground truth. Times are compared in seconds; the tolerance
    unit is one frame of the ORIGINAL 30 fps clip (33.3 ms) unless frame_tol_s is given.

    The detector times an event from the motion on both sides of it (zero-phase fits over
    `look_behind_s` each way), so an annotated landing later than that before the clip's last frame
    cannot be confirmed and is not counted, as a toe-off earlier than it after the first frame."""
    fps = float(truth["video"]["fps"])
    unit = frame_tol_s if frame_tol_s is not None else 1.0 / 30.0
    if look_behind_s is None:  # the tracker's own look-behind (and look-ahead) at the clip's frame rate
        from live.gait.config import GaitConfig

        look_behind_s = GaitConfig().fit_half_window_s(1.0 / fps)
    t_end = (int(truth["video"]["frames"]) - 1) / fps
    truth_t = [f / fps for f in truth["initial_contact_frames"]["frames"] if f / fps <= t_end - look_behind_s]
    det_t = [d["t"] for d in summary["landings"]]
    m1 = match(truth_t, det_t, 1.0 * unit + 1e-6)
    m2 = match(truth_t, det_t, 2.0 * unit + 1e-6)
    # Extra detections: detected landings within the truth's time span that match no truth landing.
    lo, hi = min(truth_t) - 2 * unit, max(truth_t) + 2 * unit
    matched = {j for _, j, _ in m2}
    extra = sum(1 for j, d in enumerate(det_t) if lo <= d <= hi and j not in matched)
    legs = [d["leg"] for d in summary["landings"]]
    alt = [a != b for a, b in zip(legs, legs[1:])]
    toe_within_2, toe_seen = _toe_offs(summary, truth, look_behind_s)
    contacts = [s.contact_ms for s in steps if math.isfinite(s.contact_ms)]
    cad = summary["cadence_spm"] or math.nan
    return Accuracy(
        cadence_spm=cad, cadence_err_spm=cad - truth["cadence_spm"]["value"], n_truth=len(truth_t),
        n_detected=len(det_t), within_1=len(m1) / len(truth_t), within_2=len(m2) / len(truth_t),
        extra=extra / len(truth_t), alternation=float(np.mean(alt)) if alt else 0.0,
        toe_within_2=toe_within_2, toe_seen=toe_seen, contact_median_ms=float(np.median(contacts)) if contacts else math.nan,
        facing=summary["facing"], mean_offset_ms=1000 * float(np.mean([o for _, _, o in m2])) if m2 else math.nan,
    )


def run_tracker(poses, **kw):
    from live.gait import GaitTracker

    tr = GaitTracker(**kw)
    steps = []
    for p in poses:
        steps += tr.update(p)
    steps += tr.finish()
    return tr, steps


def main(argv: list[str]) -> None:
    from live.types import PoseFrame

    for path in argv[1:]:
        poses = [PoseFrame.from_json(json.loads(line)) for line in open(path)]
        name = path.rsplit("/", 1)[-1].removesuffix(".jsonl")
        kind = name.removeprefix("male_side").lstrip("_") or "original"
        tpath = "/work/shared/footage/male_side/ground_truth.json" if kind == "original" else f"/tmp/derived/{name}.truth.json"
        truth = json.load(open(tpath))
        tr, steps = run_tracker(poses)
        print(accuracy(tr.summary(), steps, truth).row(kind))


if __name__ == "__main__":
    main(sys.argv)
