"""The RunnerProfile: what calibration measured about the camera and the runner.

Read by the gait tracker (facing, body height, floor) and the coach (the runner's own baseline).
"""
from __future__ import annotations

from dataclasses import dataclass

PROFILE_VERSION = 1


@dataclass(frozen=True)
class RunnerProfile:
    version: int
    facing: str  # "left" | "right": the runner's facing direction in the image
    view: str  # "side" | "front"
    body_height_px: float  # standing height (ankle level to top of head) in image pixels
    floor_y_px: float  # image y of the floor / belt under the feet
    fps: float  # frame rate the camera actually delivered
    height_cm: float | None = None
    name: str = "runner"
