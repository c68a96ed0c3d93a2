"""Drawing only: skeleton, the Pose line (shoulder - hip - ball of the support foot) and a small HUD.

Used for the live window and for `--record`. Nothing here decides anything; it draws what the
other stages computed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from live.keypoints import SKELETON, Kp
from live.types import GaitSnapshot, PoseFrame

BONE_BGR = (80, 220, 80)
JOINT_BGR = (255, 255, 255)
POSE_LINE_BGR = (0, 215, 255)  # amber: the line the Pose Method wants vertical
LANDING_BGR = (60, 60, 255)
HUD_BG = (25, 25, 25)
TEXT_BGR = (240, 240, 240)
CUE_BGR = (0, 215, 255)
LANDING_FLASH_S = 0.15  # how long a landing mark stays on screen: about one contact phase


@dataclass(frozen=True)
class Hud:
    """What the HUD shows this frame."""

    fps: float
    found: bool
    snapshot: GaitSnapshot | None = None
    cue_text: str = ""
    last_landing_t: float | None = None
    support_foot_xy: tuple[float, float] | None = None  # estimated ball of the support foot
    note: str = ""  # e.g. "front view: cadence only"


def _scale(image: np.ndarray) -> float:
    """Line widths and fonts grow with the image so a 1280-tall portrait frame stays readable."""
    return max(image.shape[:2]) / 720.0


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def draw_skeleton(image: np.ndarray, pose: PoseFrame) -> None:
    s = _scale(image)
    thick = max(1, round(2 * s))
    for a, b in SKELETON:
        pa, pb = pose.xy[a], pose.xy[b]
        if np.isnan(pa).any() or np.isnan(pb).any():
            continue
        cv2.line(image, _pt(pa), _pt(pb), BONE_BGR, thick, cv2.LINE_AA)
    for p in pose.xy:
        if not np.isnan(p).any():
            cv2.circle(image, _pt(p), max(2, round(3 * s)), JOINT_BGR, -1, cv2.LINE_AA)


def _mid(pose: PoseFrame, a: Kp, b: Kp) -> np.ndarray | None:
    pts = pose.xy[[a, b]]
    ok = ~np.isnan(pts).any(axis=1)
    return pts[ok].mean(axis=0) if ok.any() else None


def draw_pose_line(image: np.ndarray, pose: PoseFrame, foot_xy: tuple[float, float] | None) -> None:
    """Shoulder - hip - support foot: vertical at mid-stance in a good Pose."""
    shoulder = _mid(pose, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER)
    hip = _mid(pose, Kp.LEFT_HIP, Kp.RIGHT_HIP)
    if foot_xy is None:
        # Before the gait tracker knows the support foot: the lower ankle is a fair stand-in for a drawing.
        ankles = pose.xy[[Kp.LEFT_ANKLE, Kp.RIGHT_ANKLE]]
        ankles = ankles[~np.isnan(ankles).any(axis=1)]
        foot = ankles[np.argmax(ankles[:, 1])] if len(ankles) else None
    else:
        foot = np.asarray(foot_xy, np.float32)
    pts = [p for p in (shoulder, hip, foot) if p is not None]
    thick = max(1, round(2 * _scale(image)))
    for p, q in zip(pts, pts[1:]):
        cv2.line(image, _pt(p), _pt(q), POSE_LINE_BGR, thick, cv2.LINE_AA)


def _hud_lines(hud: Hud) -> list[str]:
    lines = [f"{hud.fps:4.1f} fps  " + ("runner found" if hud.found else "no runner in view")]
    snap = hud.snapshot
    if snap is not None:
        m = snap.medians

        def fmt(name: str, unit: str, digits: int = 0) -> str:
            v = m.get(name, math.nan)
            return "--" if v is None or not math.isfinite(v) else f"{v:.{digits}f}{unit}"

        cad = "--" if not math.isfinite(snap.cadence_spm) else f"{snap.cadence_spm:.0f}"
        lines.append(f"cadence {cad} spm   contact {fmt('contact_ms', ' ms')}")
        lines.append(f"fall {fmt('fall_deg', ' deg', 1)}   trunk {fmt('trunk_deg', ' deg', 1)}")
        lines.append(f"lift {fmt('lift_speed_bhps', ' bh/s', 2)}   steps {snap.steps}")
    if hud.note:
        lines.append(hud.note)
    return lines


def draw_hud(image: np.ndarray, hud: Hud, t: float) -> None:
    s = _scale(image)
    font, size, thick = cv2.FONT_HERSHEY_SIMPLEX, 0.55 * s, max(1, round(1.2 * s))
    lines = _hud_lines(hud)
    line_h = int(26 * s)
    width = max(cv2.getTextSize(line, font, size, thick)[0][0] for line in lines) + int(16 * s)
    cv2.rectangle(image, (0, 0), (width, line_h * len(lines) + int(10 * s)), HUD_BG, -1)
    for i, line in enumerate(lines):
        cv2.putText(image, line, (int(8 * s), line_h * (i + 1)), font, size, TEXT_BGR, thick, cv2.LINE_AA)
    if hud.cue_text:
        h = image.shape[0]
        (tw, th), _ = cv2.getTextSize(hud.cue_text, font, size * 1.6, thick + 1)
        cv2.rectangle(image, (0, h - th - int(24 * s)), (tw + int(20 * s), h), HUD_BG, -1)
        cv2.putText(image, hud.cue_text, (int(10 * s), h - int(12 * s)), font, size * 1.6, CUE_BGR, thick + 1, cv2.LINE_AA)
    if hud.last_landing_t is not None and 0 <= t - hud.last_landing_t < LANDING_FLASH_S:
        r = int(14 * s)
        cv2.circle(image, (image.shape[1] - 2 * r, 2 * r), r, LANDING_BGR, -1, cv2.LINE_AA)


def annotate(image: np.ndarray, pose: PoseFrame, hud: Hud) -> np.ndarray:
    """Return a copy of `image` with the skeleton, Pose line and HUD drawn on it."""
    out = image.copy()
    if pose.found:
        draw_skeleton(out, pose)
        draw_pose_line(out, pose, hud.support_foot_xy)
    draw_hud(out, hud, pose.t)
    return out
