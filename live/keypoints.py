"""The 17 COCO keypoints by name, and the skeleton edges drawn by the overlay.

COCO-17 has no foot points (no heel, no ball of the foot, no toe): anything about the foot is
estimated from the ankle and the shank, and the code that does it says so.
"""
from enum import IntEnum


class Kp(IntEnum):
    NOSE = 0
    LEFT_EYE = 1
    RIGHT_EYE = 2
    LEFT_EAR = 3
    RIGHT_EAR = 4
    LEFT_SHOULDER = 5
    RIGHT_SHOULDER = 6
    LEFT_ELBOW = 7
    RIGHT_ELBOW = 8
    LEFT_WRIST = 9
    RIGHT_WRIST = 10
    LEFT_HIP = 11
    RIGHT_HIP = 12
    LEFT_KNEE = 13
    RIGHT_KNEE = 14
    LEFT_ANKLE = 15
    RIGHT_ANKLE = 16


NUM_KEYPOINTS = len(Kp)

SKELETON: tuple[tuple[Kp, Kp], ...] = (
    (Kp.LEFT_SHOULDER, Kp.RIGHT_SHOULDER),
    (Kp.LEFT_SHOULDER, Kp.LEFT_ELBOW),
    (Kp.LEFT_ELBOW, Kp.LEFT_WRIST),
    (Kp.RIGHT_SHOULDER, Kp.RIGHT_ELBOW),
    (Kp.RIGHT_ELBOW, Kp.RIGHT_WRIST),
    (Kp.LEFT_SHOULDER, Kp.LEFT_HIP),
    (Kp.RIGHT_SHOULDER, Kp.RIGHT_HIP),
    (Kp.LEFT_HIP, Kp.RIGHT_HIP),
    (Kp.LEFT_HIP, Kp.LEFT_KNEE),
    (Kp.LEFT_KNEE, Kp.LEFT_ANKLE),
    (Kp.RIGHT_HIP, Kp.RIGHT_KNEE),
    (Kp.RIGHT_KNEE, Kp.RIGHT_ANKLE),
    (Kp.NOSE, Kp.LEFT_EYE),
    (Kp.NOSE, Kp.RIGHT_EYE),
    (Kp.LEFT_EYE, Kp.LEFT_EAR),
    (Kp.RIGHT_EYE, Kp.RIGHT_EAR),
)

# Per leg: (hip, knee, ankle), by the model's labels. The gait tracker re-assigns them to
# near/far legs by continuity because the labels swap in side view.
LEFT_LEG = (Kp.LEFT_HIP, Kp.LEFT_KNEE, Kp.LEFT_ANKLE)
RIGHT_LEG = (Kp.RIGHT_HIP, Kp.RIGHT_KNEE, Kp.RIGHT_ANKLE)
