"""Drawing only: skeleton, the Pose line (shoulder - hip - ball of the support foot) and a small HUD.

Used for the live window and for `--record`. Nothing here decides anything; it draws what the
other stages computed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from live.fmt import fixed
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
    view: str = "side"  # "front": the front-view metrics (the medians are a FrontTracker's)


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
    """Shoulder - hip - ball of the support foot (from the gait tracker): vertical at mid-stance
    in a good Pose. Until the tracker knows the facing (and so where the ball is) it ends at the hip."""
    shoulder = _mid(pose, Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER)
    hip = _mid(pose, Kp.LEFT_HIP, Kp.RIGHT_HIP)
    foot = None if foot_xy is None else np.asarray(foot_xy, np.float32)
    pts = [p for p in (shoulder, hip, foot) if p is not None]
    thick = max(1, round(2 * _scale(image)))
    for p, q in zip(pts, pts[1:]):
        cv2.line(image, _pt(p), _pt(q), POSE_LINE_BGR, thick, cv2.LINE_AA)


def _hud_lines(hud: Hud) -> list[str]:
    """Short lines, so the panel stays narrow on a portrait frame shown in a small window."""
    lines = [f"{hud.fps:4.1f} fps" if hud.found else "no runner in view"]
    snap = hud.snapshot
    if snap is not None:
        m = snap.medians

        def fmt(name: str, unit: str, digits: int = 0) -> str:
            v = m.get(name, math.nan)
            return "--" if v is None or not math.isfinite(v) else fixed(v, digits) + unit

        cad = "--" if not math.isfinite(snap.cadence_spm) else f"{snap.cadence_spm:.0f}"
        if hud.view == "front":
            return lines + [f"cadence {cad} spm"] + _front_lines(m, fmt) + [f"steps {snap.steps}"] + (
                [hud.note] if hud.note else [])
        lines += [f"cadence {cad} spm", f"contact {fmt('contact_ms', ' ms')}",
                  f"fall {fmt('fall_deg', ' deg', 1)}", f"trunk {fmt('trunk_deg', ' deg', 1)}",
                  f"lift {fmt('lift_speed_bhps', ' bh/s', 2)}", f"steps {snap.steps}"]
    if hud.note:
        lines.append(hud.note)
    return lines


def _front_lines(m: dict, fmt) -> list[str]:
    """What a front camera measures (fall angle and contact need a side view): the categories from
    the medians of the last good steps, as the summary reports them."""
    from live.gait.front_metrics import arm_category, crossover_category

    def cat(name: str, to_words) -> str:
        v = m.get(name, math.nan)
        return to_words(v if v is not None else math.nan).replace("unknown", "--")

    return [f"bounce {fmt('bounce_bh', ' bh', 3)}", f"L/R steps {fmt('asymmetry_pct', ' %')}",
            f"lean {fmt('lean_deg', ' deg', 1)}", f"feet {cat('midline_bh', crossover_category)}",
            f"arms {cat('arm_cross_bh', arm_category)}"]


# HUD text is sized in pixels of the image it is drawn on (the window's, when shown): capital
# letters 2.2 % of the image height, never under 16 px (a glance at arm's length mid-stride) nor
# over 40 px (a gym monitor).
HUD_CAP_FRAC = 0.022
HUD_CAP_PX = (16, 40)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _cap_height_at_scale_1() -> int:
    """The drawn height of a digit at font scale 1, measured in pixels: getTextSize's height is
    the font's line ascent, which differs between OpenCV's Hershey fonts (4.x) and its 5.x fonts."""
    canvas = np.zeros((120, 120), np.uint8)
    cv2.putText(canvas, "0", (10, 100), _FONT, 1.0, 255, 1, cv2.LINE_AA)
    rows = np.flatnonzero(canvas.max(axis=1) > 127)
    return int(rows[-1] - rows[0] + 1) if rows.size else cv2.getTextSize("0", _FONT, 1.0, 1)[0][1]


_FONT_CAP_PX = _cap_height_at_scale_1()


def hud_cap_px(image: np.ndarray) -> int:
    lo, hi = HUD_CAP_PX
    return int(min(max(round(image.shape[0] * HUD_CAP_FRAC), lo), hi))


def draw_hud(image: np.ndarray, hud: Hud, t: float) -> None:
    """The HUD panel (top left), the cue banner (bottom) and the landing mark (top right)."""
    cap = hud_cap_px(image)
    size, thick = cap / _FONT_CAP_PX, max(1, round(cap / 10))
    pad, line_h = cap // 2, round(cap * 1.7)
    lines = _hud_lines(hud)
    width = max(cv2.getTextSize(line, _FONT, size, thick)[0][0] for line in lines) + 2 * pad
    cv2.rectangle(image, (0, 0), (width, line_h * len(lines) + pad), HUD_BG, -1)
    for i, line in enumerate(lines):
        cv2.putText(image, line, (pad, line_h * (i + 1) - pad // 2), _FONT, size, TEXT_BGR, thick, cv2.LINE_AA)
    if hud.cue_text:
        _draw_cue(image, hud.cue_text, size * 1.5, thick + 1, pad)
    if hud.last_landing_t is not None and 0 <= t - hud.last_landing_t < LANDING_FLASH_S:
        r = cap
        cv2.circle(image, (image.shape[1] - 2 * r, 2 * r), r, LANDING_BGR, -1, cv2.LINE_AA)


def draw_banner(image: np.ndarray, text: str) -> None:
    """A message in large text along the bottom (calibration's prompts), sized like the cue banner."""
    cap = hud_cap_px(image)
    _draw_cue(image, text, 1.5 * cap / _FONT_CAP_PX, max(1, round(cap / 10)) + 1, cap // 2)


def _draw_cue(image: np.ndarray, text: str, size: float, thick: int, pad: int) -> None:
    """The spoken cue, large, in a banner along the bottom; shrunk to fit a narrow frame."""
    h, w = image.shape[:2]
    tw = cv2.getTextSize(text, _FONT, size, thick)[0][0]
    if tw > w - 2 * pad:
        size *= (w - 2 * pad) / tw
    (tw, th), _ = cv2.getTextSize(text, _FONT, size, thick)
    cv2.rectangle(image, (0, h - th - 3 * pad), (tw + 2 * pad, h), HUD_BG, -1)
    cv2.putText(image, text, (pad, h - int(1.5 * pad)), _FONT, size, CUE_BGR, thick, cv2.LINE_AA)


def draw_scene(image: np.ndarray, pose: PoseFrame, hud: Hud) -> None:
    """What belongs to the picture itself (drawn at the frame's own resolution): skeleton and Pose line."""
    if pose.found:
        draw_skeleton(image, pose)
        draw_pose_line(image, pose, hud.support_foot_xy)


def annotate(image: np.ndarray, pose: PoseFrame, hud: Hud) -> np.ndarray:
    """Return a copy of `image` with the skeleton, Pose line and HUD drawn on it."""
    out = image.copy()
    draw_scene(out, pose, hud)
    draw_hud(out, hud, pose.t)
    return out
