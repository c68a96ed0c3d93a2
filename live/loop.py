"""The frame loop: the one place that knows every stage.

source ─Frame─▶ pose ─PoseFrame─▶ gait ─StepEvent─▶ coach ─Cue─▶ speaker
                  └──────────────▶ session (poses.jsonl, steps.csv, cues.jsonl, summary.json)
                  └──────────────▶ overlay ─▶ window / recording

The loop only hands off: capture and speech run on their own threads; nothing here waits on them.
"""
from __future__ import annotations

import signal
import sys
import time
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from live.console import log_exception, log_to, say
from live.display import Recorder, Window, display_available
from live.errors import EXIT_CRASH, EXIT_DISK, EXIT_INTERRUPTED, EXIT_NO_RUNNER, EXIT_OK, PosecoachError
from live.overlay import Hud, draw_hud, draw_scene
from live.session import Session, check_out_folder, check_room
from live.session_end import closing_notes as _closing_notes
from live.session_end import finish as _finish
from live.session_end import record_history as _record_history  # noqa: F401 - tests call it here
from live.smoothing import PoseSmoother
from live.types import Frame, PoseFrame, SourceEvent, StepEvent

RUNNER_LOST_S = 2.0  # say "not in view" only after this long: a blink of missing detections is normal
FPS_WINDOW = 30  # frames over which the HUD's processing rate is averaged


@dataclass(frozen=True)
class RunOptions:
    """Everything a `live` or `analyze` run needs, already parsed from the command line."""

    source: str
    out: Path | None = None
    model: str | None = None
    display: bool = True
    speech: bool = True
    record: Path | None = None
    realtime: bool = False
    analysis: bool = False  # `analyze`: as fast as possible, progress bar, no display, no speech
    backend: str = "auto"
    imgsz: int | None = None
    precision: str = "auto"
    profile: str | Path | None = None  # a profile file, or a runner name calibrate saved
    cues: Path | None = None
    voice: str | None = None
    rate_wpm: int | None = None
    metronome_spm: float | None = None
    facing: str | None = None
    reconnect_s: float = 30.0  # a lost camera or stream is retried this long before the session ends
    keyframes: bool = True  # the report's six stills; off: no image of the runner is stored at all
    view: str = "auto"  # "side" | "front" | "auto": --view; auto takes the profile's view, else the poses'


@contextmanager
def _sigterm_as_interrupt():
    """A `kill` ends the session like Ctrl-C: data saved, exit code 130."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. called from a test thread): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _RunnerWatch:
    """Says once when the runner leaves the view for a while, and once when they are back."""

    def __init__(self, view_of=lambda: None):
        self.last_seen: float | None = None
        self.announced_lost = False
        self._view_of = view_of  # the session's view ("front" or "side"), known once the view is decided

    def update(self, pose: PoseFrame) -> bool:
        """True on the frame the runner is declared gone (the coach then forgets the spell)."""
        if pose.found:
            if self.announced_lost:
                say("Runner back in view.")
            self.last_seen, self.announced_lost = pose.t, False
            return False
        since = pose.t - (self.last_seen if self.last_seen is not None else 0.0)
        if not self.announced_lost and since >= RUNNER_LOST_S:
            where = "face the camera" if self._view_of() == "front" else "stand side on to the camera"
            say(f"No runner in view: {where} with the whole body, feet included, in the frame.")
            self.announced_lost = True
            return True
        return False


class _Rate:
    """Frames per second actually processed, on the monotonic wall clock."""

    def __init__(self):
        self._times: deque[float] = deque(maxlen=FPS_WINDOW)

    def tick(self) -> float:
        self._times.append(time.monotonic())
        if len(self._times) < 2:
            return 0.0
        return (len(self._times) - 1) / max(self._times[-1] - self._times[0], 1e-9)


def _progress(total: int, enabled: bool):
    """The analysis progress bar, on a terminal only: in a log file its redraws are thousands of
    lines (the end-of-session line says how many frames were read)."""
    return tqdm(total=total or None, unit="frame", desc="analyze", file=sys.stderr,
                disable=not (enabled and sys.stderr.isatty()), leave=True)


class _ViewGuard:
    """The Pose metrics need a side view. Once the view is known (from the profile, or when
    auto-calibration has seen its first seconds), a front or angled view is said once, shown on the
    HUD, and its steps are marked so that they feed no cues (they are still recorded)."""

    def __init__(self, auto, profile_view: str | None, gait=None):
        self._auto = auto
        self._gait = gait  # live.gait.view.ViewedGait: a front view is coached there, not guarded here
        self.view = profile_view
        self.note = ""
        if self.view is not None:
            self._announce()

    def update(self, steps: list[StepEvent]) -> list[StepEvent]:
        if self._gait is not None and self._gait.view == "front":
            self.note = "front view: not a front view, no cues" if self._gait.refusal else "front view"
            return steps
        if self.view is None and self._auto is not None and self._auto.done:
            self.view = self._auto.report().view or "unknown"
            self._announce()
        if self.view in (None, "side"):
            return steps
        flag = f"{self.view}_view"
        return [replace(s, quality=flag if s.good else f"{s.quality};{flag}") for s in steps]

    def _announce(self) -> None:
        if self.view == "side":
            return
        seen = "from the front" if self.view == "front" else "at an angle" if self.view == "angled" else "unclearly"
        say(f"The camera sees the runner {seen}: steps are recorded but no cues are given; put the camera "
            "beside the treadmill at hip height, looking straight at the runner's side.")
        self.note = f"{self.view} view: no cues"


class Pipeline:
    """The per-frame work, in order. Built by `run`; `process(frame)` is the hot path."""

    def __init__(self, estimator, gait, coach, speaker, session: Session, display, recorder, auto, view,
                 keyframes=None, front_coach=None):
        self.estimator = estimator
        self.auto = auto  # AutoCalibrator when no profile was given: records what the run measured
        self.view = view
        self.gait = gait
        self._side_coach = coach
        self._front_coach = front_coach  # the front view's rules (cues/defaults.toml, view = "front")
        self.speaker = speaker
        self.session = session
        self.display = display
        self.recorder = recorder
        self.keyframes = keyframes  # KeyFrames: the report's stills, picked as steps come out
        self.rate = _Rate()
        # The skeleton on screen is drawn from smoothed keypoints (no jitter); the gait tracker
        # keeps the raw ones, whose event times its zero-phase fits read without lag.
        self.smoother = PoseSmoother()
        self.watch = _RunnerWatch(lambda: getattr(self.gait, "view", None))
        self.cue_text = ""
        self.source_note = ""  # "camera lost: reconnecting" while a live source is away
        self._last_scene = None  # the last frame drawn, without its HUD, for redraws while the source is away
        self._last_hud: Hud | None = None

    @property
    def coach(self):
        """The coach of the session's view: a front view has its own rules."""
        if self._front_coach is not None and getattr(self.gait, "view", None) == "front":
            return self._front_coach
        return self._side_coach

    def process(self, frame: Frame) -> bool:
        """Run one frame through every stage; False when the user asked to quit."""
        pose = self.estimator.estimate(frame)
        self.session.add_pose(pose)
        if self.watch.update(pose):
            self.coach.pause()  # the runner stepped off: no cue may come from the last spell's evidence
        if self.auto is not None:
            self.auto.update(pose)
        steps = self.view.update(self.gait.update(pose))
        self.session.add_steps(steps)
        snapshot = self.gait.snapshot()
        if self.keyframes is not None:
            # By reference: the ring holds ~1.5 s of the source's frames; only a step that beats
            # the current candidate is drawn and downscaled.
            self.keyframes.add(frame.index, frame.image, pose, self.gait.support_foot_xy)
            for step in steps:
                self.keyframes.offer(step, snapshot.medians, self.gait.toe_offs)
        # With nobody in view no cue is said (the coach still takes the steps the gait tracker closed):
        # a cue is for a runner who can hear it about a stride they just ran.
        hold = self.speaker.busy or not pose.found
        for cue in self.coach.update(frame.t, steps, snapshot.cadence_spm, speaker_busy=hold):
            spoken = self.speaker.say(cue.text)
            self.cue_text = cue.text
            self.session.add_cue(cue.to_json(spoken))
        fps = self.rate.tick()
        if self.display is None and self.recorder is None:
            return True
        hud = Hud(fps=fps, found=pose.found, snapshot=snapshot, cue_text=self.cue_text,
                  last_landing_t=self.gait.last_landing_t, support_foot_xy=self.gait.support_foot_xy,
                  note=self.view.note, view=getattr(self.gait, "view", None) or "side")
        scene = frame.image.copy()
        draw_scene(scene, self.smoother.update(pose), hud)
        self._last_scene, self._last_hud = scene, hud
        if self.recorder is not None:
            full = scene.copy() if self.display is not None else scene
            draw_hud(full, hud, pose.t)
            self.recorder.write(full)
        if self.display is None:
            return True
        # The HUD is drawn on the frame at the size it is shown, so its text stays readable
        # whatever the camera's resolution and the window's size.
        shown = self.display.fit(scene)
        draw_hud(shown, hud, pose.t)
        return self.display.show(shown)

    def source_event(self, event: SourceEvent) -> bool:
        """The camera or stream went away or came back: say it once (console and voice), pause the
        coach, and keep the window showing the last frame with the news; False when the user quits."""
        if event.kind == "lost":
            say(event.message)
            self.speaker.say("Camera lost.")
            self.coach.pause()
            self.source_note = "camera lost: reconnecting"
        elif event.kind == "back":
            say(event.message)
            self.speaker.say("Camera back.")
            self.source_note = ""
        if self.display is None or self._last_scene is None:
            return True
        shown = self.display.fit(self._last_scene)
        note = f"{self.source_note} ({event.lost_s:.0f} s)" if self.source_note else self._last_hud.note
        draw_hud(shown, replace(self._last_hud, note=note, cue_text=""), event.t)
        return self.display.show(shown)


@dataclass(frozen=True)
class _Inputs:
    """Everything checked before a session folder is created, so bad input leaves nothing behind."""

    profile: object | None
    cues_config: object
    metronome: object | None


def _check_inputs(opts: RunOptions) -> _Inputs:
    """The files and options a session reads, checked before the source or the model is opened."""
    # Imported here so `posecoach --help` and bad-input errors stay fast (no torch import).
    from cues.config import load_cues_config

    check_out_folder(opts.out)
    profile = None
    if opts.profile is not None:
        from calibration.profile import load_profile, resolve_profile_arg

        profile = load_profile(resolve_profile_arg(opts.profile))  # a file, or a name calibrate saved
    cues_config = load_cues_config(opts.cues).with_speech(opts.voice, opts.rate_wpm)
    metronome = None
    if opts.metronome_spm and not opts.analysis:
        from cues.metronome import Metronome

        metronome = Metronome(opts.metronome_spm)  # checks the rate; clicks start in the session
    return _Inputs(profile, cues_config, metronome)


def _build(opts: RunOptions, inputs: _Inputs, estimator, stack: ExitStack, source, session: Session) -> Pipeline:
    from cues.coach import Coach
    from cues.speaker import open_speaker
    from live.gait import GaitTracker
    from live.gait.front import FrontTracker
    from live.gait.view import ViewedGait

    # --view wins; else the profile's view; else the poses of the first half second decide.
    mode = opts.view if opts.view != "auto" else (inputs.profile.view if inputs.profile is not None else "auto")
    gait = ViewedGait(GaitTracker(profile=inputs.profile, facing=opts.facing), FrontTracker(profile=inputs.profile),
                      mode, say=say)
    from calibration.checks import AutoCalibrator

    baseline = inputs.profile.baseline if inputs.profile is not None else None
    coach = Coach(inputs.cues_config, baseline=baseline)
    # The profile's baseline is a side view's standing posture: no front rule is relative to it.
    front_coach = None if mode == "side" else Coach(inputs.cues_config.for_view("front"))
    auto = AutoCalibrator() if inputs.profile is None else None
    speech = inputs.cues_config.speech  # the --cues file's [speech], with --voice / --rate over it
    # In analysis the cues go to cues.jsonl; echoing each one over the progress bar helps nobody.
    speaker = stack.enter_context(open_speaker(opts.speech and not opts.analysis, speech.voice, speech.rate_wpm,
                                               echo=not opts.analysis))
    if inputs.metronome is not None:
        stack.enter_context(inputs.metronome)
    display = None
    if opts.display and not opts.analysis:
        ok, why = display_available()
        if ok:
            display = stack.enter_context(Window((source.info.width, source.info.height)))
        else:
            say(why)
    recorder = stack.enter_context(Recorder(opts.record, source.info.fps)) if opts.record else None
    view = _ViewGuard(auto, None if mode in ("auto", "front") else mode, gait)
    from live.keyframes import KeyFrames

    keyframes = KeyFrames(source.info.fps, inputs.cues_config.faults, baseline) if opts.keyframes else None
    return Pipeline(estimator, gait, coach, speaker, session, display, recorder, auto, view, keyframes, front_coach)


def run(opts: RunOptions) -> int:
    """Run a live or analysis session; the session folder is always completed, Ctrl-C included."""
    from live.pose import PoseEstimator, resolve_model_path
    from live.sources import open_source

    # Cheapest first, and the input before the model: a mistyped video name is reported as that,
    # whatever else is missing.
    inputs = _check_inputs(opts)
    source = open_source(opts.source, realtime=opts.realtime, reconnect_s=opts.reconnect_s)
    with source:
        if source.info.frame_count > 0:  # a video of known length: what its session writes is known too
            check_room(opts.out if opts.out is not None else Path.cwd(), frames=source.info.frame_count)
        # The model loads before the session folder exists: a bad model file leaves nothing behind.
        estimator = PoseEstimator(resolve_model_path(opts.model), backend=opts.backend, imgsz=opts.imgsz,
                                precision=opts.precision)
        estimator.prepare((source.info.width, source.info.height))  # export/load now, not on frame 1
        say(f"pose: {estimator.describe()}")
        return _run_session(opts, inputs, estimator, source)


def _run_session(opts: RunOptions, inputs: _Inputs, estimator, source) -> int:
    height_cm = inputs.profile.height_cm if inputs.profile is not None else None
    with Session(opts.out, height_cm) as session, log_to(session.folder / "session.log"), ExitStack() as stack, \
            _sigterm_as_interrupt():
        pipeline = None
        code, ending = EXIT_OK, ""
        try:
            pipeline = _build(opts, inputs, estimator, stack, source, session)
            say(f"{source.info.kind} {source.info.name}: {source.info.width}x{source.info.height} at "
                f"{source.info.fps:.1f} fps; session folder {session.folder}")
            _frames(pipeline, source, opts.analysis)
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
            say("Interrupted: saving the session.")
        except PosecoachError as err:  # the camera gone for good, the disk full: said after saving
            code, ending = err.exit_code, str(err)
        except Exception as err:  # noqa: BLE001 - a bug in a stage must not lose the session
            log_exception(err)
            code = EXIT_CRASH
            ending = (f"Internal error ({type(err).__name__}: {err}); the traceback is in "
                      f"{session.folder / 'session.log'}. Please report it with that file.")
        finally:
            _finish(session, inputs, pipeline, source)
        if pipeline is not None:
            _closing_notes(inputs, pipeline, source, session)
        if ending:
            say(ending)
        if code == EXIT_OK and session.frames_with_runner == 0 and session.frames > 0:
            say(f"No runner was found in any of the {session.frames} frames.")
            code = EXIT_NO_RUNNER
        if code == EXIT_DISK:
            say(f"What was written before that is kept in {session.folder}.")
        else:
            say(f"Session saved in {session.folder}: {session.frames} frames, {len(session.steps)} steps, "
                f"{session.cues} cues.")
        return code


def _frames(pipeline: Pipeline, source, analysis: bool) -> None:
    """Every frame through the pipeline (a live source's lost / back news too) until the source
    ends or the user quits."""
    with _progress(source.info.frame_count, analysis) as bar:
        for item in source:
            if isinstance(item, SourceEvent):
                keep_going = pipeline.source_event(item)
            else:
                keep_going = pipeline.process(item)
                bar.update(1)
            if not keep_going:
                return
    short = getattr(source, "ended_early", lambda: "")()
    if short:
        say(short)
