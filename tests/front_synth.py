"""A synthetic treadmill runner seen from the front, by a camera on the console (issue 14).

The runner moves in 3D and is projected through a pinhole camera, so what a frontal camera shows
follows from geometry, not from the detector's own idea of it: a landing foot stops descending and
then drifts up the image and shrinks as the belt carries it away from the camera.

World (metres): X lateral, + to the runner's left; Y up from the belt; Z forward, toward the camera.
The runner faces the camera, so their left appears on image right (as the model labels a person
facing it). Segment heights are fractions of stature (Winter, fig. 4.1, as DESIGN.md cites).

Known events: left landings at t0 + 2kT, right at t0 + (2k+1)T + asym*T (asymmetry: the left
foot's step, left landing to right landing, lasts T(1 + asym), the right's T(1 - asym)).
Known faults: `cross_m` moves each landing foot toward (and past, when larger than `step_half_m`)
the midline; `bounce_m` is the hip's vertical amplitude; `arm_cross_m` swings the wrists past the
midline; `hip_drop_deg` drops the swing side's hip in stance; `lean_deg` tilts the trunk.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from live.keypoints import Kp
from live.types import PoseFrame

ANKLE_H, KNEE_H, HIP_H, SHOULDER_H, EYE_H = 0.039, 0.285, 0.53, 0.818, 0.936
# Contact fraction and step length against cadence, as tests/gait_synth.py's anchors.
CADENCE_ANCHORS_SPM = (140.0, 200.0)
CONTACT_FRAC_ANCHORS = (0.68, 0.52)
STEP_LEN_ANCHORS_H = (0.50, 0.80)  # step length in statures


def _lerp(spm: float, pair: tuple[float, float]) -> float:
    lo, hi = CADENCE_ANCHORS_SPM
    u = (spm - lo) / (hi - lo)
    return pair[0] + (pair[1] - pair[0]) * u


@dataclass(frozen=True)
class FrontRunner:
    cadence_spm: float = 170.0
    stature_m: float = 1.75
    asym: float = 0.0
    bounce_m: float = 0.04  # hip amplitude (range = 2x): 8 cm range, a typical 6-10 cm
    step_half_m: float = 0.04  # each foot lands this far out from the midline (8 cm step width)
    cross_m: float = 0.0  # landing foot moved toward the midline by this much
    arm_cross_m: float = 0.0
    hip_drop_deg: float = 3.0
    lean_deg: float = 0.0
    lift_frac: float = 0.20  # swing lift of the ankle, of stature
    reach_frac: float = 0.08  # ankle ahead of the hip at contact, of stature
    t0: float = 0.15
    # Camera: on the console `cam_dist_m` in front of the hip plane, `cam_height_m` above the belt,
    # pitched to look at the runner's middle; image 1280x720 (a laptop webcam), focal `f_px`.
    cam_dist_m: float = 1.6
    cam_height_m: float = 1.2
    f_px: float = 500.0
    width: int = 1280
    height: int = 720

    @property
    def step_s(self) -> float:
        return 60.0 / self.cadence_spm

    @property
    def contact_s(self) -> float:
        return _lerp(self.cadence_spm, CONTACT_FRAC_ANCHORS) * self.step_s

    @property
    def belt_mps(self) -> float:
        return _lerp(self.cadence_spm, STEP_LEN_ANCHORS_H) * self.stature_m / self.step_s

    def first_landing(self, leg: str) -> float:
        return self.t0 if leg == "left" else self.t0 + self.step_s * (1 + self.asym)

    def landings(self, duration_s: float) -> list[tuple[float, str]]:
        out = []
        for leg in ("left", "right"):
            t = self.first_landing(leg)
            while t < duration_s:
                out.append((t, leg))
                t += 2 * self.step_s
        return sorted(out)

    # ---- 3D kinematics ----
    def _foot(self, t: float, leg: str) -> tuple[float, float, float]:
        """(lateral own-side offset, forward offset from the hip, height) of one ankle, metres."""
        H, T = self.stature_m, self.step_s
        stride, contact = 2 * T, self.contact_s
        ph = (t - self.first_landing(leg)) % stride
        reach = self.reach_frac * H
        rear = reach - self.belt_mps * contact
        lateral = self.step_half_m - self.cross_m
        if ph < contact:
            return lateral, reach - self.belt_mps * ph, ANKLE_H * H
        u = (ph - contact) / (stride - contact)
        front, k = reach + 0.03 * H, 0.85
        if u < k:
            z = rear + (front - rear) * 0.5 * (1 - math.cos(math.pi * u / k))
        else:
            z = front - 0.03 * H * 0.5 * (1 - math.cos(math.pi * (u - k) / (1 - k)))
        # The swing foot passes under the body nearer the midline than where it lands.
        lat = lateral * (0.6 + 0.4 * abs(math.cos(math.pi * u)))
        return lat, z, ANKLE_H * H + self.lift_frac * H * math.sin(math.pi * u)

    def _stance_leg(self, t: float) -> tuple[str, float]:
        """The leg on the ground now (or that last landed) and the fraction of its step gone."""
        best = None
        for leg in ("left", "right"):
            since = (t - self.first_landing(leg)) % (2 * self.step_s)
            if best is None or since < best[1]:
                best = (leg, since)
        return best[0], best[1] / self.step_s

    def points_3d(self, t: float) -> dict[Kp, np.ndarray]:
        H = self.stature_m
        stance, frac = self._stance_leg(t)
        hip_y = HIP_H * H - self.bounce_m * math.sin(2 * math.pi * (t - self.t0) / self.step_s)
        side = {"left": 1.0, "right": -1.0}
        hip_half = 0.065 * H  # COCO hip points ~23 cm apart on a 1.75 m runner
        # Pelvic drop: the swing side's hip lowers over stance, most at a third of the step.
        drop = math.tan(math.radians(self.hip_drop_deg)) * 2 * hip_half * max(0.0, math.sin(math.pi * min(frac / 0.66, 1.0)))
        P: dict[Kp, np.ndarray] = {}
        for leg, hip_kp in (("left", Kp.LEFT_HIP), ("right", Kp.RIGHT_HIP)):
            P[hip_kp] = np.array([side[leg] * hip_half, hip_y - (drop if leg != stance else 0.0), 0.0])
        lean = math.radians(self.lean_deg)
        trunk = (SHOULDER_H - HIP_H) * H
        sh_c = np.array([trunk * math.sin(lean), hip_y + trunk * math.cos(lean), 0.02])
        head = np.array([(EYE_H - HIP_H) * H * math.sin(lean), hip_y + (EYE_H - HIP_H) * H * math.cos(lean), 0.06])
        for leg, sh_kp in (("left", Kp.LEFT_SHOULDER), ("right", Kp.RIGHT_SHOULDER)):
            P[sh_kp] = sh_c + np.array([side[leg] * 0.10 * H, 0.0, 0.0])  # ~35 cm apart
        P[Kp.NOSE] = head + np.array([0.0, -0.03, 0.08])
        for leg, eye, ear in (("left", Kp.LEFT_EYE, Kp.LEFT_EAR), ("right", Kp.RIGHT_EYE, Kp.RIGHT_EAR)):
            P[eye] = head + np.array([side[leg] * 0.033, 0.0, 0.07])
            P[ear] = head + np.array([side[leg] * 0.075, 0.0, -0.02])
        for leg, (knee, ankle) in (("left", (Kp.LEFT_KNEE, Kp.LEFT_ANKLE)), ("right", (Kp.RIGHT_KNEE, Kp.RIGHT_ANKLE))):
            lat, z, y = self._foot(t, leg)
            a = np.array([side[leg] * lat, y, z])
            P[ankle] = a
            hp = P[Kp.LEFT_HIP if leg == "left" else Kp.RIGHT_HIP]
            P[knee] = 0.5 * (hp + a) + np.array([0.0, 0.0, 0.06 * H])
        self._arms(t, P, sh_c, side)
        return P

    def _arms(self, t: float, P: dict, sh_c: np.ndarray, side: dict) -> None:
        """Arms bent, swinging fore and aft opposite to the same side's leg; at its forward extreme a
        wrist comes in toward (and with arm_cross_m past) the midline."""
        H = self.stature_m
        for leg, elbow, wrist, sh_kp in (("left", Kp.LEFT_ELBOW, Kp.LEFT_WRIST, Kp.LEFT_SHOULDER),
                                         ("right", Kp.RIGHT_ELBOW, Kp.RIGHT_WRIST, Kp.RIGHT_SHOULDER)):
            other = "right" if leg == "left" else "left"
            phase = 2 * math.pi * (t - self.first_landing(other)) / (2 * self.step_s)
            fwd = math.cos(phase)  # 1: this arm forward (the other leg landing)
            sh = P[sh_kp]
            P[elbow] = sh + np.array([side[leg] * 0.02, -0.17 * H, -0.08 * fwd])
            inward = 0.08 * H * max(fwd, 0.0) + self.arm_cross_m * max(fwd, 0.0) ** 4
            # At rest 3/4 of the shoulder's half width out from the midline (~17 cm).
            P[wrist] = np.array([sh_c[0] + side[leg] * (0.0975 * H - inward), sh[1] - 0.13 * H,
                                 0.12 + 0.15 * fwd])

    # ---- the camera ----
    def project(self, p: np.ndarray) -> np.ndarray:
        cam = np.array([0.0, self.cam_height_m, self.cam_dist_m])
        pitch = math.atan2(self.cam_height_m - 0.5 * self.stature_m, self.cam_dist_m)
        fwd = np.array([0.0, -math.sin(pitch), -math.cos(pitch)])
        up = np.array([0.0, math.cos(pitch), -math.sin(pitch)])
        d = p - cam
        z = float(d @ fwd)
        return np.array([self.width / 2 + self.f_px * d[0] / z, self.height / 2 - self.f_px * float(d @ up) / z])

    def pose(self, t: float, index: int, rng: np.random.Generator | None = None, noise_px: float = 0.0) -> PoseFrame:
        xy = np.full((17, 2), np.nan)
        for kp, p in self.points_3d(t).items():
            xy[kp] = self.project(p)
        if rng is not None and noise_px > 0:
            xy = xy + rng.normal(0.0, noise_px, xy.shape)
        conf = np.full(17, 0.95, np.float32)
        box = (float(xy[:, 0].min()) - 15, float(xy[:, 1].min()) - 40, float(xy[:, 0].max()) + 15,
               float(xy[:, 1].max()) + 20)
        return PoseFrame(t, index, xy.astype(np.float32), conf, box, (self.width, self.height))

    def poses(self, fps: float, duration_s: float, noise_px: float = 0.0, seed: int = 0) -> list[PoseFrame]:
        rng = np.random.default_rng(seed)
        return [self.pose(i / fps, i, rng, noise_px) for i in range(int(duration_s * fps))]
