"""A synthetic side-view treadmill runner with known events, for the gait tracker's unit tests.

Kinematics (image pixels, y down), deliberately simple so every answer is known in closed form:
- landings of the left foot at t0 + 2kT, of the right at t0 + (2k+1)T (T = step period);
- stance (contact_frac * T): the ankle on the floor moves backward at belt speed from `reach_px`
  ahead of the hip; swing: it rises and returns forward with a cosine ease (zero speed at toe-off,
  so its speed drops at toe-off), reaches `reach_px + retract_px` ahead, and retracts to `reach_px`
  at the next landing;
- hip height y = hip_y + bounce_px * sin(2 pi (t - t0) / T): its downward speed peaks at landings;
- knee half-way between hip and ankle, pushed `knee_bend_px` forward; shoulders `lean_px` ahead of
  the hip; the nose and eyes ahead of the ears (facing).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from live.keypoints import Kp
from live.types import PoseFrame


@dataclass(frozen=True)
class Runner:
    step_s: float = 0.355
    contact_frac: float = 0.62
    facing: str = "left"
    belt_px_s: float = 800.0
    reach_px: float = 60.0
    retract_px: float = 25.0
    lift_px: float = 80.0
    bounce_px: float = 8.0
    hip_x: float = 300.0
    hip_y: float = 880.0
    floor_y: float = 1185.0
    knee_bend_px: float = 25.0
    lean_px: float = 20.0
    t0: float = 0.1
    width: int = 720
    height: int = 1280

    @property
    def sign(self) -> float:
        return -1.0 if self.facing == "left" else 1.0

    def landings(self, duration_s: float) -> list[tuple[float, str]]:
        out, k = [], 0
        while self.t0 + k * self.step_s < duration_s:
            out.append((self.t0 + k * self.step_s, "left" if k % 2 == 0 else "right"))
            k += 1
        return out

    def toe_offs(self, duration_s: float) -> list[float]:
        return [t + self.contact_frac * self.step_s for t, _ in self.landings(duration_s)]

    def _foot(self, t: float, first_landing: float) -> tuple[float, float]:
        """Forward offset from the hip (px) and image y of one foot."""
        stride = 2 * self.step_s
        ph = (t - first_landing) % stride
        contact = self.contact_frac * self.step_s
        rear = self.reach_px - self.belt_px_s * contact
        if ph < contact:
            return self.reach_px - self.belt_px_s * ph, self.floor_y
        swing = stride - contact
        u = (ph - contact) / swing  # 0 at toe-off, 1 at the next landing
        front = self.reach_px + self.retract_px
        k = 0.85  # forward extreme at 85% of the swing, then the retraction
        if u < k:
            f = rear + (front - rear) * 0.5 * (1 - math.cos(math.pi * u / k))
        else:
            f = front - self.retract_px * 0.5 * (1 - math.cos(math.pi * (u - k) / (1 - k)))
        return f, self.floor_y - self.lift_px * math.sin(math.pi * u)

    def pose(self, t: float, index: int, rng: np.random.Generator | None = None, noise_px: float = 0.0) -> PoseFrame:
        s = self.sign
        hy = self.hip_y + self.bounce_px * math.sin(2 * math.pi * (t - self.t0) / self.step_s)
        hx = self.hip_x
        xy = np.full((17, 2), np.nan)
        xy[Kp.LEFT_HIP] = xy[Kp.RIGHT_HIP] = (hx, hy)
        xy[Kp.LEFT_SHOULDER] = xy[Kp.RIGHT_SHOULDER] = (hx + s * self.lean_px, hy - 190.0)
        xy[Kp.LEFT_EAR] = xy[Kp.RIGHT_EAR] = (hx + s * self.lean_px, hy - 250.0)
        xy[Kp.NOSE] = (hx + s * (self.lean_px + 22.0), hy - 245.0)
        xy[Kp.LEFT_EYE] = xy[Kp.RIGHT_EYE] = (hx + s * (self.lean_px + 18.0), hy - 255.0)
        for (ankle, knee), first in (((Kp.LEFT_ANKLE, Kp.LEFT_KNEE), self.t0),
                                     ((Kp.RIGHT_ANKLE, Kp.RIGHT_KNEE), self.t0 + self.step_s)):
            f, y = self._foot(t, first)
            xy[ankle] = (hx + s * f, y)
            xy[knee] = (hx + s * (0.5 * f + self.knee_bend_px), 0.5 * (hy + y))
        if rng is not None and noise_px > 0:
            xy = xy + rng.normal(0.0, noise_px, xy.shape)
        conf = np.full(17, 0.95, np.float32)
        conf[[Kp.RIGHT_EYE, Kp.RIGHT_EAR]] = 0.2  # the far side of the face: not seen
        xy[[Kp.RIGHT_EYE, Kp.RIGHT_EAR]] = np.nan
        box = (float(np.nanmin(xy[:, 0])) - 20, hy - 300.0, float(np.nanmax(xy[:, 0])) + 20, self.floor_y + 20)
        return PoseFrame(t, index, xy.astype(np.float32), conf, box, (self.width, self.height))

    def poses(self, fps: float, duration_s: float, noise_px: float = 0.0, seed: int = 0) -> list[PoseFrame]:
        rng = np.random.default_rng(seed)
        n = int(duration_s * fps)
        return [self.pose(i / fps, i, rng, noise_px) for i in range(n)]


def mirror(p: PoseFrame) -> PoseFrame:
    """The same frame seen in a mirror: x -> width - x, and the model's left/right labels swap (a
    mirrored left leg looks like a right leg)."""
    w = p.image_size[0]
    xy = p.xy.copy()
    xy[:, 0] = w - xy[:, 0]
    conf = p.conf.copy()
    pairs = [(Kp.LEFT_EYE, Kp.RIGHT_EYE), (Kp.LEFT_EAR, Kp.RIGHT_EAR), (Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER),
             (Kp.LEFT_ELBOW, Kp.RIGHT_ELBOW), (Kp.LEFT_WRIST, Kp.RIGHT_WRIST), (Kp.LEFT_HIP, Kp.RIGHT_HIP),
             (Kp.LEFT_KNEE, Kp.RIGHT_KNEE), (Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE)]
    for a, b in pairs:
        xy[[a, b]] = xy[[b, a]]
        conf[[a, b]] = conf[[b, a]]
    box = None if p.box is None else (w - p.box[2], p.box[1], w - p.box[0], p.box[3])
    return PoseFrame(p.t, p.index, xy, conf, box, p.image_size)
