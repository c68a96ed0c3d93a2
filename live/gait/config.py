"""GaitConfig: every tunable of the gait tracker, with its unit in its name and why it has its value."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class GaitConfig:
    # Half width of the zero-phase fits that give velocities and smoothed signals. The hip's vertical
    # oscillation has a period of one step, 270-400 ms at 150-220 spm: +-100 ms spans about half of it,
    # averaging keypoint jitter over 7 frames at 30 fps while a cubic still follows a half-sine.
    fit_half_window_ms: float = 100.0
    # Each side of a fit needs this many samples; at 15 fps the window widens to reach them (two per
    # side is the fewest that lets a cubic average out one bad keypoint).
    fit_min_samples_per_side: int = 2
    # Keypoints under this confidence are ignored. 0.3 drops the points the model marks as guesses
    # (console-hidden far leg, 0.05-0.3) and keeps real ones (0.6-1.0 in side view).
    min_conf: float = 0.3
    # Two ankles closer than this are one foot drawn twice (the hidden far ankle collapses onto the
    # near foot): real feet are at least a foot-width apart in x or y when both are seen in side view.
    collapse_bh: float = 0.03
    # Feet-apart hysteresis: a stride extreme counts once the separation has fallen this far from its
    # maximum (and must rise this far again before the next). Keypoint jitter is ~0.02 bh; the feet
    # separate by 0.25-0.5 bh at every step of a run, so 0.08 bh rejects jitter with a wide margin.
    apart_drop_bh: float = 0.08
    # Shortest possible step: 200 ms is 300 spm, above any sprinter's step rate, so no real step is
    # merged while a jitter double-peak within one step is.
    min_step_ms: float = 200.0
    # Step period assumed before two steps are seen: 170 spm, a typical running cadence.
    default_step_ms: float = 353.0
    # Landing search around the feet-apart maximum, in step periods: the foot's forward extreme comes
    # before contact (late-swing retraction), by 0.1-0.25 of a step in running, and never by more
    # than half a step (by then the other foot is ahead).
    landing_search_before_steps: float = 0.15
    landing_search_after_steps: float = 0.45
    # When the hip has no peak in that window (the widest stride misplaced: legs drawn over or
    # hidden), its peak is looked for within half a step of where this runner's hip peak usually
    # is (its widest stride plus its recent offset): the neighbouring steps' are a whole step away.
    landing_fallback_steps: float = 0.5
    # Initial contact from the landing foot's own motion (events.py): searched from this long before
    # the foot's forward extreme (a foot still moving forward when it lands: no pull-back) to this
    # long after it (the end of a long late-swing pull-back).
    contact_search_before_ext_ms: float = 60.0
    contact_search_after_ext_ms: float = 120.0
    # The fit sees 50 ms of swing before the earliest knot it tries and 40 ms of stance after the
    # latest: from 110 ms before the forward extreme (the end of the swing's forward reach, a
    # parabola) to 160 ms after it, less than the shortest running contacts (about 150 ms,
    # sprinting) after any knot in range, so the line after the knot is stance.
    contact_fit_pre_ms: float = 50.0
    contact_fit_post_ms: float = 40.0
    contact_grid_ms: float = 2.0
    # The delay from the foot's contact to the hip's peak downward speed is measured per runner
    # (median of the last delay_memory_steps steps, once delay_min_steps are measured) and bounded:
    # the hip peaks at contact for a real flight fall and up to about 0.4 step (150 ms at 160 spm)
    # later for a runner whose hip is highest at contact; 200 ms leaves room for slow cadences.
    hip_delay_max_ms: float = 200.0
    delay_min_steps: int = 3
    delay_memory_steps: int = 20
    # Toe-off: the rear foot's backward speed (belt speed on a treadmill) falls below this fraction of
    # its stance speed. Half is where a symmetric zero-phase fit puts an abrupt speed change.
    toe_off_speed_fraction: float = 0.5
    # Toe-off search around the NEXT widest stride, in step periods: the rear foot at that moment is
    # the one whose stance is ending. The window starts after the feet have crossed at mid-stance
    # (the rear foot is then surely the stance foot) and ends once it has stopped going backward
    # (it turns forward about 0.1-0.2 step after the widest stride).
    toe_off_search_before_peak_steps: float = 0.5
    toe_off_search_after_peak_steps: float = 0.35
    # Cadence window (the HUD and the coach read it) and medians of the last N good steps.
    cadence_window_s: float = 10.0
    median_steps: int = 10
    # Body height from keypoints: measured over the first seconds with a person in view.
    body_height_warmup_s: float = 2.0
    # A gap without the runner longer than this restarts the tracker (legs, fits, pending steps).
    max_gap_ms: float = 300.0
    # Seconds of samples kept: enough for one stride plus the look-ahead and toe-off windows.
    history_s: float = 3.0

    def fit_half_window_s(self, frame_s: float) -> float:
        """Half width of the zero-phase fits at this frame interval: fit_half_window_ms, widened so each
        side holds fit_min_samples_per_side samples (1% slack for timestamp jitter). It is also the
        look-ahead of every event and the look-behind: an event earlier than this after the first
        frame cannot be timed."""
        return max(self.fit_half_window_ms / 1000.0, self.fit_min_samples_per_side * frame_s * 1.01)

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and v > 0):
                raise ValueError(f"GaitConfig.{f.name} must be a positive number, got {v!r}")
        if self.landing_search_after_steps >= 1.0:
            raise ValueError(f"landing_search_after_steps must be < 1, got {self.landing_search_after_steps}")
        if not 0 < self.toe_off_speed_fraction < 1:
            raise ValueError(f"toe_off_speed_fraction must be in (0, 1), got {self.toe_off_speed_fraction}")
        if self.toe_off_search_after_peak_steps > self.landing_search_after_steps:
            raise ValueError("toe_off_search_after_peak_steps must not exceed landing_search_after_steps")
