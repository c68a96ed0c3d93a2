"""Run-to-run noise of a median, from the quartiles the session files already hold.

For roughly normal step-to-step scatter, sigma ~= IQR / 1.349 and the standard error of a median of
n steps ~= 1.2533 * sigma / sqrt(n). Two medians differ beyond noise when their difference exceeds
two combined standard errors (about 95% for normal errors): a rough but honest guard against
reading meaning into the scatter of a dozen steps.

Two sessions are also two measurements: a metric timed at gait events, or read at one, is known only
to the sub-frame precision of those events, and that does not average out over steps (it is the same
camera and model bias on every step of a session). `resolution` is that bound, added to the two
standard errors: a difference within it could be the measurement alone.
"""
from __future__ import annotations

import math

IQR_PER_SIGMA = 1.349
MEDIAN_SE_FACTOR = 1.2533
Z_BEYOND = 2.0


def median_se(p25: float | None, p75: float | None, n: int | None) -> float | None:
    if p25 is None or p75 is None or not n or n < 2:
        return None
    return MEDIAN_SE_FACTOR * (p75 - p25) / IQR_PER_SIGMA / math.sqrt(n)


def beyond_noise(a: dict | None, b: dict | None, n_a: int | None, n_b: int | None, resolution: float = 0.0) -> bool | None:
    """True/False: the medians of quartile dicts `a` and `b` differ beyond noise (two combined standard
    errors plus the measurement `resolution`, in the metric's unit); None: cannot tell."""
    if not a or not b or a.get("median") is None or b.get("median") is None:
        return None
    se_a, se_b = median_se(a.get("p25"), a.get("p75"), n_a), median_se(b.get("p25"), b.get("p75"), n_b)
    if se_a is None or se_b is None:
        return None
    return abs(a["median"] - b["median"]) > Z_BEYOND * math.hypot(se_a, se_b) + resolution
