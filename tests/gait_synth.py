"""A synthetic side-view treadmill runner with known events, for the gait tracker's unit tests.

Runner is the original, fitted-to-one-runner shape; VariedRunner (below) varies what real runners
vary (pull-back, hip phase, strike pattern, heel-off, cadence, body size) for
tests/test_gait_synthetic_runners.py, with the same ground truth.

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

from live.gait.body_frame import THIGH_SHANK_TRUNK_FRAC
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

    def toe_off_events(self, duration_s: float) -> list[tuple[float, str]]:
        """(time, anatomical side) of each toe-off: the foot that landed contact_frac steps earlier."""
        return [(t + self.contact_frac * self.step_s, side) for t, side in self.landings(duration_s)]

    @property
    def cadence_spm(self) -> float:
        return 60.0 / self.step_s

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

    def _hip_y(self, t: float) -> float:
        """Image y of the hip midpoint: lowest (largest y) at mid-stance, falling fastest at landings."""
        return self.hip_y + self.bounce_px * math.sin(2 * math.pi * (t - self.t0) / self.step_s)

    def pose(self, t: float, index: int, rng: np.random.Generator | None = None, noise_px: float = 0.0) -> PoseFrame:
        s = self.sign
        hy = self._hip_y(t)
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


# The keypoints that bounce with the hip: trunk, arms and head.
UPPER_BODY = (Kp.NOSE, Kp.LEFT_EYE, Kp.RIGHT_EYE, Kp.LEFT_EAR, Kp.RIGHT_EAR, Kp.LEFT_SHOULDER,
              Kp.RIGHT_SHOULDER, Kp.LEFT_ELBOW, Kp.RIGHT_ELBOW, Kp.LEFT_WRIST, Kp.RIGHT_WRIST,
              Kp.LEFT_HIP, Kp.RIGHT_HIP)


def hip_late(poses: list[PoseFrame], lag_s: float, fps: float) -> list[PoseFrame]:
    """The same runner with a hip that bounces lag_s later: every upper-body keypoint moved up or
    down by the hip's height change since round(lag_s * fps) frames before, legs and every x left
    as they are. Its hip then falls fastest lag_s later in each stance, as for the runners whose hip
    is highest at contact (+30 to +135 ms after contact, issue 11), while its feet, and so its
    landings and toe-offs, stay where the clip's ground truth has them."""
    k = round(lag_s * fps)
    hips = [Kp.LEFT_HIP, Kp.RIGHT_HIP]
    out = []
    hip_y = [float(np.mean(y[np.isfinite(y)])) if np.isfinite(y).any() else math.nan for y in (p.xy[hips, 1] for p in poses)]
    for i, p in enumerate(poses):
        dy = hip_y[max(i - k, 0)] - hip_y[i]
        xy = p.xy.copy()
        if math.isfinite(dy):
            xy[list(UPPER_BODY), 1] += dy
        out.append(PoseFrame(p.t, p.index, xy, p.conf, p.box, p.image_size))
    return out


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


# ---- runners that vary what real runners vary (issue 11) ----

# The reference runner (Runner's default geometry) is drawn with a straight leg of 305 px (hip to
# ankle) and a trunk of 190 px; the tracker turns those into a body height with the same segment
# fractions (thigh + shank + trunk = 0.779 of standing height), so ~635 px is the body height the
# tracker measures at body_scale 1. Heights below are in that unit (body heights, bh).
TRUNK_PX = 190.0

# Cadence-consistent gait for VariedRunner.at_cadence, between two anchors of treadmill running
# (adults, 2-5 m/s): at 140 spm (a slow jog) contact lasts ~0.68 of a step (0.29 s) and a step is
# ~0.50 body heights; at 200 spm (fast) contact is ~0.52 of a step (0.16 s) and a step ~0.80 bh.
# In between both are linear in cadence; 169 spm gives 0.60 and 0.64 bh (3.1 m/s for 1.7 m).
CADENCE_ANCHORS_SPM = (140.0, 200.0)
CONTACT_FRAC_ANCHORS = (0.68, 0.52)
STEP_BH_ANCHORS = (0.50, 0.80)


def _ease(x: float) -> float:
    """0 -> 1 over x in [0, 1] with zero slope at both ends (half a cosine)."""
    return 0.5 * (1.0 - math.cos(math.pi * x))


def _ease_area(x: float) -> float:
    """Integral of _ease from 0 to x (0.5 at x = 1)."""
    return 0.5 * (x - math.sin(math.pi * x) / math.pi)


@dataclass(frozen=True)
class VariedRunner(Runner):
    """Runner whose foot, hip and ankle-height timing vary as between real runners, with the same
    ground truth (landings at t0 + kT, alternating left / right, toe-offs contact_frac steps later).

    Horizontal foot motion (relative to the hip), given by its speed so that there are no jumps:
    - the swing foot reaches its forward extreme `extreme_s` from its contact (negative: before it,
      then the foot is pulled back, late-swing retraction; 0: at contact; positive: the foot is
      still moving forward when it lands); from that extreme its backward speed grows smoothly to
      the belt's over `catch_s` (pull-back, then the belt carrying the foot);
    - the belt carries it at belt speed until heel-off; from heel-off (the last `heel_off_frac` of
      contact) the ankle rotates forward about the ball of the foot and its backward speed eases to
      zero `release_s` after toe-off (the rear-most point; the foot keeps going back after it leaves
      the belt); release_s = None makes the ease symmetric about toe-off (speed halved at toe-off);
    - then a half-cosine swing forward to the next forward extreme.
    `reach_px` is the ankle's offset ahead of the hip AT contact, whatever the timing around it;
    `retract_px` is not used (the pull-back distance follows from extreme_s and catch_s).

    Ankle height over stance (strike pattern): `strike_bh` above foot-flat at contact (0 midfoot,
    ~0.025 heel strike, ~0.04 forefoot: the heel is up), dropping to foot-flat over `settle_s`
    (foot slap, or the heel lowering); rising again from heel-off to `toe_off_bh` at toe-off. The
    swing arc of `lift_px` joins the two heights.

    Hip: the bounce is delayed by `hip_lag_steps`: 0 is Runner's (lowest at mid-stance, falling
    fastest at contact), 0.25 puts the hip highest at contact, falling through early stance with its
    peak downward speed a quarter step after contact.

    `body_scale` scales the whole image (a camera farther away or zoomed out): every *_px field is
    in reference pixels (a ~635 px runner); keypoint noise is added after scaling, in image pixels.
    """

    extreme_s: float = -0.06
    catch_s: float = 0.10
    release_s: float | None = None
    heel_off_frac: float = 0.3
    strike_bh: float = 0.0
    settle_s: float = 0.05
    toe_off_bh: float = 0.04
    hip_lag_steps: float = 0.0
    body_scale: float = 1.0

    def __post_init__(self) -> None:
        c, h = self.contact_s, self.heel_off_frac * self.contact_s
        if not 0 <= self.heel_off_frac < 1:
            raise ValueError(f"heel_off_frac must be in [0, 1), got {self.heel_off_frac}")
        if self.catch_s < 0 or self.extreme_s + self.catch_s > c - h:
            raise ValueError(f"extreme_s + catch_s ({self.extreme_s + self.catch_s:.3f} s) must end before "
                             f"heel-off ({c - h:.3f} s after contact)")
        if not 0 <= self.settle_s <= c - h:
            raise ValueError(f"settle_s must be in [0, {c - h:.3f}] (before heel-off), got {self.settle_s}")
        if self.release < 0 or self._rear_s >= 2 * self.step_s + self.extreme_s:
            raise ValueError(f"release_s {self.release:.3f} leaves no forward swing before the next extreme")
        if self.body_scale <= 0:
            raise ValueError(f"body_scale must be > 0, got {self.body_scale}")

    @classmethod
    def at_cadence(cls, spm: float, **kw) -> VariedRunner:
        """A runner at this cadence with a contact time and belt speed that go with it (see
        CADENCE_ANCHORS_SPM); any field can still be given."""
        x = (spm - CADENCE_ANCHORS_SPM[0]) / (CADENCE_ANCHORS_SPM[1] - CADENCE_ANCHORS_SPM[0])
        lerp = lambda ab: ab[0] + (ab[1] - ab[0]) * x  # noqa: E731
        step_s = 60.0 / spm
        ref_bh = (Runner.floor_y - Runner.hip_y + TRUNK_PX) / THIGH_SHANK_TRUNK_FRAC
        kw = {"contact_frac": lerp(CONTACT_FRAC_ANCHORS), "belt_px_s": lerp(STEP_BH_ANCHORS) * ref_bh / step_s, **kw}
        return cls(step_s=step_s, **kw)

    # ---- derived timing ----
    @property
    def contact_s(self) -> float:
        return self.contact_frac * self.step_s

    @property
    def release(self) -> float:
        return self.heel_off_frac * self.contact_s if self.release_s is None else self.release_s

    @property
    def _rear_s(self) -> float:
        """Time of the rear-most point after contact."""
        return self.contact_s + self.release

    @property
    def body_px(self) -> float:
        """Body height in reference pixels (see TRUNK_PX)."""
        return (self.floor_y - self.hip_y + TRUNK_PX) / THIGH_SHANK_TRUNK_FRAC

    # ---- kinematics ----
    def _hip_y(self, t: float) -> float:
        return super()._hip_y(t - self.hip_lag_steps * self.step_s)

    def _back(self, s: float) -> float:
        """How far (px) the foot is behind its forward extreme, s seconds after it (0 <= s < stride)."""
        b, g = self.belt_px_s, self.catch_s
        heel_off = self.contact_s * (1 - self.heel_off_frac) - self.extreme_s  # since the extreme
        ease_s = self._rear_s - self.contact_s * (1 - self.heel_off_frac)
        rear = heel_off + ease_s  # the rear-most point, since the extreme
        travel = b * (g / 2 + (heel_off - g) + ease_s / 2)  # extreme to rear-most point
        if s < g:  # speeding up to the belt's
            return b * g * _ease_area(s / g)
        if s < heel_off:  # on the belt
            return b * (g / 2 + s - g)
        if s < rear:  # heel-off and the rearward end of the motion after toe-off
            x = (s - heel_off) / ease_s
            return b * (g / 2 + heel_off - g + ease_s * (x - _ease_area(x)))
        return travel * (1 - _ease((s - rear) / (2 * self.step_s - rear)))  # swing forward

    def _foot(self, t: float, first_landing: float) -> tuple[float, float]:
        stride = 2 * self.step_s
        tau = (t - first_landing) % stride  # since this foot's contact
        front = self.reach_px + self._back((-self.extreme_s) % stride)  # reach_px ahead at contact
        f = front - self._back((tau - self.extreme_s) % stride)
        return f, self.floor_y - self._ankle_height_px(tau)

    def _ankle_height_px(self, tau: float) -> float:
        """Ankle height above its foot-flat level, tau seconds after this foot's contact."""
        c, bh = self.contact_s, self.body_px
        strike, toe = self.strike_bh * bh, self.toe_off_bh * bh
        if tau >= c:  # swing: from the toe-off height to the strike height, over the swing arc
            u = (tau - c) / (2 * self.step_s - c)
            return toe * (1 - u) + strike * u + self.lift_px * math.sin(math.pi * u)
        h = 0.0
        if tau < self.settle_s:  # foot slap / heel lowering: fastest at contact, flat at the end
            h += strike * (1 - tau / self.settle_s) ** 2
        heel = c * self.heel_off_frac
        if heel > 0 and tau > c - heel:  # heel-off: slow at first, fastest at toe-off
            h += toe * ((tau - (c - heel)) / heel) ** 2
        return h

    def pose(self, t: float, index: int, rng: np.random.Generator | None = None, noise_px: float = 0.0) -> PoseFrame:
        p = super().pose(t, index)
        k = self.body_scale
        xy = p.xy.astype(np.float64) * k
        if rng is not None and noise_px > 0:
            xy = xy + rng.normal(0.0, noise_px, xy.shape)
        box = tuple(v * k for v in p.box)
        size = (round(p.image_size[0] * k), round(p.image_size[1] * k))
        return PoseFrame(t, index, xy.astype(np.float32), p.conf, box, size)

    # ---- what a variant really does, measured on its noise-free keypoints ----
    def widest_stride_s(self, fps: float = 1000.0) -> float:
        """Median time of the feet-apart maximum (the widest stride) from the nearest contact."""
        ts = self.t0 + 2 * self.step_s + np.arange(0.0, 8 * self.step_s, 1 / fps)
        apart = np.array([abs(self._foot(t, self.t0)[0] - self._foot(t, self.t0 + self.step_s)[0]) for t in ts])
        peaks = [i for i in range(1, len(ts) - 1) if apart[i - 1] < apart[i] >= apart[i + 1]]
        offs = [(ts[i] - self.t0 + 0.5 * self.step_s) % self.step_s - 0.5 * self.step_s for i in peaks]
        return float(np.median(offs))
