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
    offsets_ms: tuple[float, ...] = ()  # signed error (detected - truth) of each landing matched within 2 units

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


def annotated_fps(truth: dict, key: str) -> float:
    """The frame rate the events under `key` were annotated at: the clip's own, unless the clip was
    resampled from the annotated one (then the truth says so: derived clips in tests/footage.py)."""
    return float(truth[key].get("annotated_fps", truth["video"]["fps"]))


def _toe_offs(summary: dict, truth: dict, look_behind_s: float) -> tuple[float, int]:
    """Toe-offs compared as frame numbers, on the annotation's own terms and at its own frame rate a:
    truth and tracker both name the last frame with the foot on the ground. The annotation's frame k
    says the toe left within (k/a, (k+1)/a]; a detection at frame j of a copy at r fps says it left
    within (j/r, (j+1)/r], which is within annotation frames floor(j a/r) to ceil((j+1) a/r) - 1
    (the same mapping that puts annotation frame k on copy frames floor(k r/a) to
    ceil((k+1) r/a) - 1). A detection counts when one of its annotation frames is within 2 of k,
    one-to-one: +-2 frames at the annotation's rate, whatever the copy's. At integer ratios (15 and
    60 fps from 30) this is the copy's range of k widened by 2 r/a of its frames; at 25 and 50 fps
    that would compare whole frames with 1.67 and 3.33 and allow only 1 frame (40 ms) and 3 (60 ms),
    while a toe-off timed 2 annotation frames late (a pass at 30 fps) lands 2 frames late at 25.
    A toe-off earlier than the detector's look-behind after the first frame cannot be timed (its
    zero-phase fits need samples before it) and is not counted, nor one later than that (its
    look-ahead) before the last frame; `look_behind_s` is that time (clips start at t = 0). (nan, 0)
    when the truth has no toe-offs."""
    if "toe_off_frames" not in truth:
        return math.nan, 0
    fps = float(truth["video"]["fps"])
    t_end = (int(truth["video"]["frames"]) - 1) / fps
    per_clip = annotated_fps(truth, "toe_off_frames") / fps  # annotation frames per frame of the clip
    truth_k = [f * per_clip for f in truth["toe_off_frames"]["frames"] if look_behind_s <= f / fps <= t_end - look_behind_s]
    det = [(math.floor(j * per_clip + 1e-9), math.ceil((j + 1) * per_clip - 1e-9) - 1) for j in (d["frame"] for d in summary["toe_offs"])]
    outside = lambda k, r: min(max(r[0] - k, 0), r[1] - k)  # noqa: E731  (annotation frames from k to the range, signed)
    m = match(truth_k, det, 2.0 + 1e-6, outside)
    return (len(m) / len(truth_k) if truth_k else math.nan), len(truth_k)


def accuracy(summary: dict, steps, truth: dict, frame_tol_s: float | None = None,
             look_behind_s: float | None = None) -> Accuracy:
    """Compare a tracker summary with ground truth. Times are compared in seconds; the tolerance
    unit is one frame of the clip the landings were annotated at (33.3 ms for a 30 fps original and
    every copy resampled from it) unless frame_tol_s is given. A truth without a cadence or toe-offs
    gives nan for those figures.

    The detector times an event from the motion on both sides of it (zero-phase fits over
    `look_behind_s` each way), so an annotated landing later than that before the clip's last frame
    cannot be confirmed and is not counted, as a toe-off earlier than it after the first frame."""
    fps = float(truth["video"]["fps"])
    unit = frame_tol_s if frame_tol_s is not None else 1.0 / annotated_fps(truth, "initial_contact_frames")
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
    cad_truth = truth["cadence_spm"]["value"] if "cadence_spm" in truth else math.nan
    return Accuracy(
        cadence_spm=cad, cadence_err_spm=cad - cad_truth, n_truth=len(truth_t),
        n_detected=len(det_t), within_1=len(m1) / len(truth_t), within_2=len(m2) / len(truth_t),
        extra=extra / len(truth_t), alternation=float(np.mean(alt)) if alt else 0.0,
        toe_within_2=toe_within_2, toe_seen=toe_seen, contact_median_ms=float(np.median(contacts)) if contacts else math.nan,
        facing=summary["facing"], mean_offset_ms=1000 * float(np.mean([o for _, _, o in m2])) if m2 else math.nan,
        offsets_ms=tuple(1000 * o for _, _, o in m2),
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
