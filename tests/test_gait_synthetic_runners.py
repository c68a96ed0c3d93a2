"""The real gait tracker on synthetic runners that vary what real runners vary (issue 11).

The landing detector was fitted to one runner, whose hip falls fastest ~5 ms after contact; other
runners' hips peak 30-135 ms after contact, and their widest stride comes 50 ms before to 50 ms
after it. Each variant below changes one of those things (or a few, named) from a base runner, so a
failure says which property of a runner the tracker cannot handle. Errors are in milliseconds
against the generator's exact event times. Run with -s for the table of every variant.

Acceptance (issue 11), per variant: landings within +-33 ms (one frame at 30 fps) for >= 75 % and
within +-67 ms for >= 95 %, median signed landing error within +-17 ms (half a frame), toe-offs
within +-67 ms, legs alternating near / far for >= 95 % of consecutive landings, cadence within
+-1 spm. Variants the current tracker fails are in PENDING (strict xfail): one that starts passing
turns the test red and must leave PENDING.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pytest

from gait_accuracy import match
from gait_synth import VariedRunner
from live.gait import GaitConfig, GaitTracker

# Every variant runs 12 s: ~34 landings at 170 spm, enough for a 95 % criterion to mean one miss
# at most, and 0.3-0.6 s of tracker time each.
DURATION_S = 12.0
# Compared from the start of the run, less the tracker's look-behind (its zero-phase fits need
# 100 ms of samples before an event, the rule tests/gait_accuracy.py applies to footage): the
# current tracker times the first landings (0.1 s, before it has measured the runner's body height
# or step period) as well as later ones, so no warm-up is excluded. A detector that needs one must
# earn it here. At the end, events in the last 0.5 s are not compared: a toe-off is decided around
# the next landing (up to half a step later), whose search and fits reach 0.45 step + 133 ms
# further, 0.46 s at 140 spm.
END_MARGIN_S = 0.5
# A detection farther than half a step from a true event is not that event: with a wider match a
# detection could be paired with the neighbouring step of the other foot.
MATCH_STEPS = 0.5

FRAME_30_S = 1 / 30
LAND_WITHIN_1_MIN = 0.75  # fraction within one 30 fps frame (33 ms)
LAND_WITHIN_2_MIN = 0.95  # fraction within two (67 ms)
LAND_MEDIAN_MAX_MS = 1000 * FRAME_30_S / 2  # half a frame: a bias the eye would see in a frame count
TOE_WITHIN_2_MIN = 0.95  # toe-offs within 67 ms (one may be missed)
ALTERNATION_MIN = 0.95
CADENCE_TOL_SPM = 1.0


@dataclass(frozen=True)
class Variant:
    runner: VariedRunner
    fps: float = 30.0
    noise_px: float = 1.0  # keypoint jitter after smoothing in the live loop is ~1 px on a 630 px runner
    seed: int = 0


# The base runner: 170 spm (the shared clip's runner runs 169), contact and belt speed from
# at_cadence, a 60 ms late-swing pull-back, midfoot strike, hip lowest at mid-stance.
BASE = dict(extreme_s=-0.06, catch_s=0.10)


def _r(spm: float = 170.0, **kw) -> VariedRunner:
    return VariedRunner.at_cadence(spm, **{**BASE, **kw})


VARIANTS: dict[str, Variant] = {
    # ---- the foot's forward extreme around contact ----
    "pullback_hip_low": Variant(_r()),
    "pullback_long": Variant(_r(extreme_s=-0.09, catch_s=0.12)),  # widest stride ~80 ms before contact
    "no_pullback": Variant(_r(extreme_s=0.0, catch_s=0.06)),  # forward extreme AT contact
    # Still moving forward when it lands (forward extreme 50 ms after contact); the rear foot is
    # already swinging forward then, so the widest stride still comes just before contact.
    "foot_forward_at_contact": Variant(_r(extreme_s=0.05, catch_s=0.06)),
    # The same foot, and the rear foot still going back 0.13 s after its toe-off (a long heel-off
    # and push): the widest stride comes ~25 ms AFTER contact.
    "widest_stride_after_contact": Variant(_r(extreme_s=0.06, catch_s=0.05, release_s=0.13, heel_off_frac=0.45)),
    # ---- the hip's vertical phase and bounce ----
    "hip_lag_small": Variant(_r(hip_lag_steps=0.1)),  # hip falls fastest 35 ms after contact
    "hip_high_at_contact": Variant(_r(hip_lag_steps=0.25)),  # highest at contact: peak fall +88 ms
    "hip_lag_large": Variant(_r(hip_lag_steps=0.38)),  # peak fall +134 ms
    "hip_high_small_bounce": Variant(_r(hip_lag_steps=0.25, bounce_px=4.0)),
    "small_bounce": Variant(_r(bounce_px=4.0)),
    "big_bounce": Variant(_r(bounce_px=12.0)),
    # ---- strike pattern: the ankle's height over the stance ----
    "heel_strike": Variant(_r(strike_bh=0.025, settle_s=0.05)),
    "forefoot": Variant(_r(strike_bh=0.04, settle_s=0.08)),
    "no_heel_off": Variant(_r(heel_off_frac=0.0, toe_off_bh=0.0)),  # Runner-like flat stance
    # ---- cadence, contact time and belt speed together ----
    "cadence_140": Variant(_r(140.0)),
    "cadence_155": Variant(_r(155.0)),
    "cadence_185": Variant(_r(185.0)),
    "cadence_200": Variant(_r(200.0, extreme_s=-0.05, catch_s=0.06)),  # contact 156 ms: a shorter catch
    # ---- camera ----
    "fps25": Variant(_r(), fps=25.0),
    "fps50": Variant(_r(), fps=50.0),
    "fps60": Variant(_r(), fps=60.0),
    "small_runner": Variant(_r(body_scale=0.5)),  # ~320 px tall: 1 px of noise is 2 px at full size
    "noise_3px": Variant(_r(), noise_px=3.0, seed=1),
    "facing_right": Variant(_r(facing="right")),
    # ---- combinations seen together on real runners ----
    # An overstriding heel striker at a low cadence: the foot lands still moving forward, the hip
    # is highest at contact.
    "overstrider": Variant(_r(150.0, extreme_s=0.04, catch_s=0.06, release_s=0.15, strike_bh=0.03,
                              settle_s=0.05, hip_lag_steps=0.25)),
    # A quick forefoot runner with a long pull-back and a hip that falls through early stance.
    "forefoot_fast_hip_late": Variant(_r(190.0, extreme_s=-0.08, catch_s=0.09, strike_bh=0.04,
                                         settle_s=0.07, hip_lag_steps=0.15), fps=60.0, noise_px=1.5),
}

# Variants the current landing detector fails (the table in the test output says by how much). The
# hip-lag runners (hip_lag_small, hip_high_at_contact, hip_lag_large, hip_high_small_bounce) left
# this set when the hip's delay after contact came to be measured against the foot's own contact
# (hip_delay.runner_hip_delay). Left: two runners whose ankle keypoint does not mark contact where
# the knot between a free swing and the belt line puts it, so the delay is mis-measured:
#   overstrider: the ankle still moves forward 40 ms after contact (rolling over the heel), the
#     knot reads ~55 ms late, the measured delay 43 ms of the true 100: +61 ms.
#   forefoot_fast_hip_late: the heel lowers for 70 ms after a forefoot contact, the knot reads
#     ~40 ms late and the measured delay (+6 ms) is inside the dead zone: +45 ms.
PENDING: set[str] = {"overstrider", "forefoot_fast_hip_late"}


@dataclass(frozen=True)
class Errors:
    """One variant's event errors against its ground truth, over the compared span."""

    n_truth: int
    n_detected: int
    land_median_ms: float  # median signed landing error (detected - truth) of the matched landings
    land_within_1: float  # fraction of true landings detected within one 30 fps frame
    land_within_2: float
    toe_median_ms: float
    toe_within_2: float
    toe_worst_ms: float  # largest |error| of the matched toe-offs
    alternation: float  # fraction of consecutive detected landings with different leg names
    named_right: float  # fraction of matched landings whose near / far name is the true one
    cadence_err_spm: float
    widest_ms: float  # where the variant's widest stride is (the generator's, not the tracker's)

    def row(self, name: str) -> str:
        return (f"{name:28s} {self.widest_ms:+5.0f} {self.n_detected:3d}/{self.n_truth:<3d}"
                f" {self.land_median_ms:+7.1f} {self.land_within_1:5.0%} {self.land_within_2:5.0%}"
                f" {self.toe_median_ms:+7.1f} {self.toe_worst_ms:5.0f} {self.toe_within_2:5.0%} {self.alternation:5.0%}"
                f" {self.named_right:5.0%} {self.cadence_err_spm:+6.2f}")


HEADER = (f"{'variant':28s} {'wide':>5s} {'det/tru':7s} {'land ms':>7s} {'<=33':>5s} {'<=67':>5s}"
          f" {'toe ms':>7s} {'worst':>5s} {'<=67':>5s} {'alt':>5s} {'named':>5s} {'cad':>6s}")


def _within(pairs: list, n: int, tol_s: float) -> float:
    return sum(1 for _, _, o in pairs if abs(o) <= tol_s + 1e-9) / n if n else math.nan


def _median_ms(pairs: list) -> float:
    return 1000 * float(np.median([o for _, _, o in pairs])) if pairs else math.nan


@functools.cache
def measure(name: str) -> Errors:
    v = VARIANTS[name]
    r = v.runner
    tr = GaitTracker()
    steps = []
    for p in r.poses(v.fps, DURATION_S, noise_px=v.noise_px, seed=v.seed):
        steps += tr.update(p)
    steps += tr.finish()
    start = GaitConfig().fit_half_window_s(1 / v.fps)
    span = lambda t: start - 1e-9 <= t <= DURATION_S - END_MARGIN_S  # noqa: E731
    tol = MATCH_STEPS * r.step_s
    lands = [(t, side) for t, side in r.landings(DURATION_S) if span(t)]
    # Detections a little outside the span may belong to a truth inside it: keep them for matching.
    det = [(t, leg) for t, _, leg in tr.landings if start - tol <= t <= DURATION_S - END_MARGIN_S + tol]
    pairs = match([t for t, _ in lands], [t for t, _ in det], tol)
    near = r.facing  # facing left, the camera sees the left side: the left leg is the near one
    named = [det[j][1] == ("near" if lands[i][1] == near else "far") for i, j, _ in pairs]
    legs = [leg for t, leg in det if span(t)]
    toes = [t for t, _ in r.toe_off_events(DURATION_S) if span(t)]
    toe_pairs = match(toes, [t for t, _, _ in tr.toe_offs], tol)
    return Errors(
        n_truth=len(lands), n_detected=sum(1 for t, _ in det if span(t)),
        land_median_ms=_median_ms(pairs), land_within_1=_within(pairs, len(lands), FRAME_30_S),
        land_within_2=_within(pairs, len(lands), 2 * FRAME_30_S),
        toe_median_ms=_median_ms(toe_pairs), toe_within_2=_within(toe_pairs, len(toes), 2 * FRAME_30_S),
        toe_worst_ms=1000 * max((abs(o) for _, _, o in toe_pairs), default=math.nan),
        alternation=float(np.mean([a != b for a, b in zip(legs, legs[1:])])) if len(legs) > 1 else 0.0,
        named_right=float(np.mean(named)) if named else 0.0,
        cadence_err_spm=(tr.summary()["cadence_spm"] or math.nan) - r.cadence_spm,
        widest_ms=1000 * r.widest_stride_s(),
    )


def failures(e: Errors) -> list[str]:
    """The acceptance criteria this variant misses, each as a sentence with the measured value."""
    out = []
    if not e.land_within_1 >= LAND_WITHIN_1_MIN:
        out.append(f"landings within 33 ms: {e.land_within_1:.0%} < {LAND_WITHIN_1_MIN:.0%}")
    if not e.land_within_2 >= LAND_WITHIN_2_MIN:
        out.append(f"landings within 67 ms: {e.land_within_2:.0%} < {LAND_WITHIN_2_MIN:.0%}")
    if not abs(e.land_median_ms) <= LAND_MEDIAN_MAX_MS:
        out.append(f"median landing error {e.land_median_ms:+.1f} ms beyond +-{LAND_MEDIAN_MAX_MS:.1f}")
    if not e.toe_within_2 >= TOE_WITHIN_2_MIN:
        out.append(f"toe-offs within 67 ms: {e.toe_within_2:.0%} < {TOE_WITHIN_2_MIN:.0%}")
    if not e.alternation >= ALTERNATION_MIN:
        out.append(f"leg alternation {e.alternation:.0%} < {ALTERNATION_MIN:.0%}")
    if not abs(e.cadence_err_spm) <= CADENCE_TOL_SPM:
        out.append(f"cadence off by {e.cadence_err_spm:+.2f} spm")
    return out


def test_error_table():
    """Prints every variant's errors (run with -s); asserts nothing but that each variant ran."""
    rows = [HEADER] + [measure(name).row(name) for name in VARIANTS]
    print("\nwide: widest stride from contact (ms); land / toe ms: median signed error (detected - truth);"
          " worst: largest |toe-off error| (ms); <=33 / <=67: fraction of true events within; alt: near/far"
          " alternation; named: true leg name; cad: cadence error (spm)\n" + "\n".join(rows))
    assert all(measure(name).n_truth >= 0.9 * DURATION_S / VARIANTS[name].runner.step_s for name in VARIANTS)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="landing detector rework, issue 11"))
    if n in PENDING else n for n in VARIANTS])
def test_variant_meets_acceptance(name):
    assert failures(measure(name)) == []


def test_pending_names_are_variants():
    assert PENDING <= set(VARIANTS)


# ---- the generator does what the variant names say ----
def test_variants_have_the_timing_their_names_say():
    widest = {name: VARIANTS[name].runner.widest_stride_s() for name in VARIANTS}
    assert widest["pullback_long"] < widest["pullback_hip_low"] < widest["no_pullback"] < -0.02
    assert widest["no_pullback"] < widest["foot_forward_at_contact"] < 0.0
    assert widest["widest_stride_after_contact"] > 0.02 and widest["overstrider"] > 0.02


@pytest.mark.parametrize("lag", [0.0, 0.25])
def test_hip_falls_fastest_lag_steps_after_contact(lag):
    r = VariedRunner(hip_lag_steps=lag)
    ts = r.t0 + 2 * r.step_s + np.arange(0.0, r.step_s, 1e-4)
    y = np.array([r._hip_y(t) for t in ts])
    vy = np.gradient(y, ts)  # image y down: + is falling
    assert ts[np.argmax(vy)] - ts[0] == pytest.approx(lag * r.step_s, abs=1e-3)
    if lag == 0.25:
        assert np.argmin(y) == 0  # highest at contact


@pytest.mark.parametrize("strike_bh, settle_s", [(0.0, 0.05), (0.025, 0.05), (0.04, 0.08)])
def test_ankle_height_over_stance(strike_bh, settle_s):
    """Heel / mid / forefoot: the ankle is strike_bh above foot-flat at contact, flat from settle_s
    to heel-off, and rises to toe_off_bh by toe-off; continuous at contact and toe-off."""
    r = VariedRunner(strike_bh=strike_bh, settle_s=settle_s)
    bh, c = r.body_px, r.contact_s
    height = lambda tau: r.floor_y - r._foot(r.t0 + tau, r.t0)[1]  # noqa: E731
    assert height(0.0) == pytest.approx(strike_bh * bh, abs=1e-6)
    assert height(-1e-6) == pytest.approx(strike_bh * bh, abs=0.01)  # the swing arrives at that height
    assert height(settle_s) == pytest.approx(0.0, abs=1e-6)
    assert height(0.5 * (settle_s + c * (1 - r.heel_off_frac))) == pytest.approx(0.0, abs=1e-6)
    assert height(c - 1e-6) == pytest.approx(r.toe_off_bh * bh, abs=0.01)
    assert height(c + 1e-6) == pytest.approx(r.toe_off_bh * bh, abs=0.01)


@pytest.mark.parametrize("kw", [dict(), dict(extreme_s=0.06, catch_s=0.05, release_s=0.13, heel_off_frac=0.45),
                                dict(extreme_s=-0.09, catch_s=0.12)])
def test_foot_path_is_smooth_and_reaches_reach_px_at_contact(kw):
    """No jumps in the ankle's path (a jump would be an event of its own), the ankle reach_px ahead
    of the hip at contact, and the forward extreme extreme_s from contact."""
    r = VariedRunner(**kw)
    dt = 1e-4
    ts = r.t0 + np.arange(0.0, 2 * r.step_s, dt)
    f = np.array([r._foot(t, r.t0)[0] for t in ts])
    v = np.diff(f) / dt
    assert np.abs(np.diff(v)).max() < r.belt_px_s * 0.02  # speed changes by < 2 % of belt per 0.1 ms
    assert r._foot(r.t0, r.t0)[0] == pytest.approx(r.reach_px)
    t_ext = ts[np.argmax(f)] - r.t0
    ext = t_ext if t_ext < r.step_s else t_ext - 2 * r.step_s
    assert ext == pytest.approx(r.extreme_s, abs=2e-3)


def test_body_scale_scales_the_image_and_not_the_noise():
    a = VariedRunner().pose(0.5, 15)
    b = VariedRunner(body_scale=0.5).pose(0.5, 15)
    assert np.allclose(b.xy, 0.5 * a.xy, equal_nan=True)
    assert b.image_size == (360, 640)


def test_bad_timing_is_refused_by_name():
    with pytest.raises(ValueError, match="heel-off"):
        VariedRunner(extreme_s=0.1, catch_s=0.12)
    with pytest.raises(ValueError, match="settle_s"):
        VariedRunner(settle_s=0.3)
