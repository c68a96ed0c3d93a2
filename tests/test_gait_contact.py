"""The landing foot's own contact (signals.contact_kink) and the runner's hip delay measured from it
(hip_delay.runner_hip_delay): what each accepts and what it refuses (issue 11)."""
import math

import numpy as np
import pytest

from live.gait import GaitConfig
from live.gait.hip_delay import DELAY_CLUSTER_S, DELAY_DEAD_ZONE_S, runner_hip_delay
from live.gait.signals import contact_kink


def _foot(tc: float = 0.5):
    """A foot sampled at 30 fps that swings forward, reaches its forward extreme 40 ms before
    contact and pulls back (a parabola whose slope at contact is -0.5 bh/s, slower than the belt),
    then moves back with the belt at 1.5 bh/s at floor height; it is still descending at contact."""
    t = np.arange(0.25, 0.70, 1 / 30)
    d = t - tc
    x = np.where(d < 0, -0.5 * d - 7.8 * d * d, -1.5 * d)
    y = np.where(d < 0, 0.6 * d * d - 0.3 * d, 0.0)
    return t, x, y


@pytest.mark.parametrize("belt, level", [(None, None), (1.5, None), (1.5, 0.0)])
def test_contact_kink_finds_where_a_free_swing_meets_the_belt_line(belt, level):
    t, x, y = _foot()
    assert contact_kink(t, x, y, (0.40, 0.62), 0.002, belt, level) == pytest.approx(0.5, abs=0.004)


def test_contact_kink_is_nan_when_the_contact_is_outside_its_range():
    t, x, y = _foot()
    assert math.isnan(contact_kink(t, x, y, (0.30, 0.42), 0.002, 1.5, 0.0))


def _delay(delays_s) -> float:
    return runner_hip_delay(list(delays_s), GaitConfig())


def test_one_clear_delay_is_used():
    """A runner whose hip falls fastest 90 ms after contact, read with 10 ms of scatter."""
    rng = np.random.default_rng(0)
    d = 0.09 + rng.normal(0, 0.01, 20)
    assert _delay(d) == pytest.approx(float(np.median(d)))


def test_two_clusters_are_not_one_delay():
    """The slow-shutter case: the ankle's contact falls on one of two places, 0 and ~80 ms before
    the hip's peak, half the steps each. Their median (~40 ms) is neither: no delay is applied."""
    rng = np.random.default_rng(1)
    d = np.concatenate([rng.normal(0.0, 0.01, 10), rng.normal(0.08, 0.01, 10)])
    assert 0.02 < float(np.median(d)) < 0.07
    assert _delay(d) == 0.0


def test_a_scattered_set_is_not_one_delay():
    d = np.linspace(-0.03, 0.13, 15)  # drawn-over legs: flat from -30 to +130 ms
    assert _delay(d) == 0.0


def test_a_scattered_set_of_long_delays_gives_its_low_end():
    """A hip that falls fastest 100 ms after contact, the foot read up to 80 ms early on half the
    steps (smeared or drawn over): not one delay, and not none either: its low end."""
    rng = np.random.default_rng(2)
    d = np.concatenate([0.10 + rng.normal(0, 0.008, 10), 0.10 + rng.uniform(0.02, 0.08, 10)])
    assert np.mean(np.abs(d - np.median(d)) <= DELAY_CLUSTER_S) < 0.75  # it does scatter
    assert _delay(d) == pytest.approx(float(np.percentile(d, 15)))
    assert 0.085 < _delay(d) < 0.105


def test_a_delay_inside_the_foot_contacts_own_bias_is_not_applied():
    d = np.full(20, 0.8 * DELAY_DEAD_ZONE_S) + np.linspace(-0.002, 0.002, 20)
    assert _delay(d) == 0.0


def test_the_delay_is_bounded_and_needs_a_few_steps():
    cfg = GaitConfig()
    assert _delay([0.3] * 20) == pytest.approx(cfg.hip_delay_max_ms / 1000.0)
    assert _delay([0.09] * (cfg.delay_min_steps - 1)) == 0.0
    assert DELAY_CLUSTER_S < 1 / 30  # the cluster is narrower than a frame at 30 fps
