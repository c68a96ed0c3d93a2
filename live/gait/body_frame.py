"""The runner's body frame: facing direction, body height in pixels, floor level.

forward = the facing direction in the image (+1 = right, -1 = left); lengths are divided by the body
height so metrics compare across cameras and resolutions.
"""
from __future__ import annotations

import math

import numpy as np

from calibration.profile import RunnerProfile
from live.keypoints import Kp
from live.types import PoseFrame

# Segment lengths as fractions of standing height (Winter, Biomechanics and Motor Control of Human
# Movement, 4th ed., fig. 4.1): thigh (hip-knee) 0.245, shank (knee-ankle) 0.246, trunk
# (hip-shoulder) 0.288; with the ankle at 0.039 and the head top at 1.0 the rest is
# 1 - 0.818 - 0.039 = 0.143 (shoulder to head top) + 0.039 (ankle to floor).
THIGH_SHANK_TRUNK_FRAC = 0.245 + 0.246 + 0.288
ANKLE_HEIGHT_FRAC = 0.039

# Facing evidence per frame: the nose and eyes are ahead of the ears (by ~0.1 m, ~0.05 of body
# height, on an adult head), so their x minus the ears' x, in units of the person box height (so a
# zoom changes nothing), votes for the facing side. A vote is clipped at 0.05 (one wild frame is
# one vote); a total of 0.15 (three clear frames, or more hesitant ones) decides. Later evidence keeps
# accumulating and can flip a wrong early decision only by outweighing it.
FACE_VOTE_CLIP = 0.05
FACING_DECIDE = 0.15


def _mid(pose: PoseFrame, a: Kp, b: Kp, min_conf: float) -> np.ndarray:
    pts = [pose.xy[k] for k in (a, b) if pose.conf[k] >= min_conf and np.isfinite(pose.xy[k]).all()]
    return np.mean(pts, axis=0) if pts else np.array([math.nan, math.nan])


class BodyFrame:
    """Accumulates facing, body height and floor level from PoseFrames (or takes them from a profile
    or an override), and converts image points into forward / up coordinates."""

    def __init__(self, min_conf: float, warmup_s: float, profile: RunnerProfile | None = None,
                 facing: str | None = None) -> None:
        if facing not in (None, "left", "right"):
            raise ValueError(f"facing must be 'left', 'right' or None, got {facing!r}")
        self.min_conf = min_conf
        self.warmup_s = warmup_s
        self._override = facing or (profile.facing if profile and profile.facing in ("left", "right") else None)
        self._profile_bh = profile.body_height_px if profile and profile.body_height_px > 0 else None
        self._profile_floor = profile.floor_y_px if profile and profile.floor_y_px > 0 else None
        self.reset()

    def reset(self) -> None:
        self._face_votes = 0.0
        self._segments: list[float] = []
        self._ankle_y: list[float] = []
        self._t0: float | None = None
        self._bh_est: float | None = None

    # ---- facing ----
    @property
    def facing(self) -> str | None:
        if self._override:
            return self._override
        if abs(self._face_votes) < FACING_DECIDE:
            return None
        return "right" if self._face_votes > 0 else "left"

    @property
    def sign(self) -> float:
        """+1 when forward is image +x, -1 when it is -x (left); +1 until facing is known."""
        return -1.0 if self.facing == "left" else 1.0

    # ---- sizes ----
    @property
    def body_height_px(self) -> float | None:
        return self._profile_bh or self._bh_est

    @property
    def floor_y_px(self) -> float | None:
        if self._profile_floor:
            return self._profile_floor
        bh = self.body_height_px
        if bh is None or len(self._ankle_y) < 10:
            return None
        # The ankle at foot-flat is its lowest point (largest y) in the stride; the 90th percentile
        # ignores the few frames where a point is drawn below the foot. The floor lies one ankle
        # height below it.
        return float(np.percentile(self._ankle_y, 90)) + ANKLE_HEIGHT_FRAC * bh

    def update(self, pose: PoseFrame) -> None:
        if not pose.found:
            return
        if self._t0 is None:
            self._t0 = pose.t
        self._vote_facing(pose)
        self._measure(pose)

    def _vote_facing(self, pose: PoseFrame) -> None:
        c = self.min_conf
        ears = [k for k in (Kp.LEFT_EAR, Kp.RIGHT_EAR) if pose.conf[k] >= c]
        face = [k for k in (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE) if pose.conf[k] >= c]
        if not ears or not face:
            return
        ex = np.mean([pose.xy[k][0] for k in ears])
        fx = np.mean([pose.xy[k][0] for k in face])
        w = min(np.mean([pose.conf[k] for k in ears]), np.mean([pose.conf[k] for k in face]))
        size = pose.box[3] - pose.box[1]
        if np.isfinite(ex) and np.isfinite(fx) and size > 0:
            self._face_votes += float(w * np.clip((fx - ex) / size, -FACE_VOTE_CLIP, FACE_VOTE_CLIP))

    def _measure(self, pose: PoseFrame) -> None:
        c = self.min_conf
        for ankle in (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE):
            if pose.conf[ankle] >= c and np.isfinite(pose.xy[ankle][1]):
                self._ankle_y.append(float(pose.xy[ankle][1]))
        del self._ankle_y[:-600]  # a few seconds at any frame rate is plenty for a percentile
        if self._profile_bh or self._bh_est is not None:
            return
        shoulder = _mid(pose, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER, c)
        hip = _mid(pose, Kp.LEFT_HIP, Kp.RIGHT_HIP, c)
        for h, k, a in ((Kp.LEFT_HIP, Kp.LEFT_KNEE, Kp.LEFT_ANKLE), (Kp.RIGHT_HIP, Kp.RIGHT_KNEE, Kp.RIGHT_ANKLE)):
            if min(pose.conf[h], pose.conf[k], pose.conf[a]) < c:
                continue
            leg = np.linalg.norm(pose.xy[h] - pose.xy[k]) + np.linalg.norm(pose.xy[k] - pose.xy[a])
            trunk = np.linalg.norm(shoulder - hip)
            if np.isfinite(leg) and np.isfinite(trunk):
                self._segments.append(float(leg + trunk) / THIGH_SHANK_TRUNK_FRAC)
        if pose.t - self._t0 >= self.warmup_s and len(self._segments) >= 10:
            # Segment lengths do not depend on the pose in a side view; the upper quartile resists
            # frames where a bent or hidden leg is drawn short.
            self._bh_est = float(np.percentile(self._segments, 75))

    def provisional_bh(self) -> float | None:
        """Body height to use before the warm-up ends (scales thresholds from the first frame)."""
        if self.body_height_px is not None:
            return self.body_height_px
        return float(np.percentile(self._segments, 75)) if self._segments else None

    def forward(self, x: float) -> float:
        return self.sign * x
