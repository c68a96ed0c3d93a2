"""`posecoach calibrate`: the guided check that writes a RunnerProfile.

This is the only calibration module that touches the camera and the model (inside
`calibrate_command`); the checks themselves are pure functions in checks.py.

Procedure with a live camera: prompt the runner to stand tall side on; wait for them to come into
view; measure MEASURE_S seconds; say what was measured and, in plain words, what to fix. A video
file or an image folder gets no prompts to act on (nobody can step into a recording): it is said
what is measured, the first MEASURE_S seconds with the runner in view. A runner who is already
running (or a recording of a run) is measured from the running stride, and told so. A still image
is accepted as a picture of the set-up (it has no frame rate of its own).
"""
from __future__ import annotations

import math
import sys
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from calibration.checks import CONSOLE_PLACEMENT, MEASURE_S, CalibrationReport, check_frames, describe
from calibration.profile import HEIGHT_CM_RANGE, default_profile_path, save_profile
from live.errors import EXIT_BAD_INPUT, EXIT_OK, BadInputError
from live.types import Frame, PoseFrame, SourceEvent

# Prompts for a live camera only: they ask the runner to do something in front of it.
PROMPT_START = ("Step onto the treadmill and stand tall, side on to the camera (or facing it, with a laptop on the "
                "console), with your whole body in view.")
PROMPT_HOLD = f"Hold still for {MEASURE_S:g} seconds."
PROMPT_WAIT = "I cannot see you yet: step into view, side on to the camera."
LIVE_KINDS = ("camera", "stream")  # SourceInfo.kind of a source someone stands in front of now
# A live camera waits this long for the runner before giving up (long enough to walk from the
# laptop to the treadmill); a recording is read to its end.
WAIT_FOR_RUNNER_S = 30.0
REPEAT_WAIT_PROMPT_S = 8.0
# People are counted on a full-frame detection every this many seconds of the window (the runner
# crop the estimator uses sees only the runner); six looks over 3 s catch anyone walking through.
PEOPLE_EVERY_S = 0.5
SPEECH_STALE_S = 30.0  # prompts are few and all matter: do not drop them as stale like cues


class _Prompter:
    """Prompts go to the console always, to the speaker when one works, and onto the window."""

    def __init__(self, speaker) -> None:
        self.speaker = speaker
        self.text = ""

    def say(self, text: str, speak: bool = True) -> None:
        print(text, flush=True)
        self.text = text
        if speak and self.speaker is not None:
            self.speaker.say(text)


def _open_speaker(enabled: bool, stack: ExitStack):
    try:
        from cues.speaker import open_speaker
    except ImportError:  # speech is optional: the console carries every prompt anyway
        return None
    try:
        return stack.enter_context(open_speaker(enabled, None, None, stale_s=SPEECH_STALE_S, echo=False))
    except (TypeError, BadInputError):
        return None


def _open_window(enabled: bool, stack: ExitStack):
    if not enabled:
        return None
    from live.display import Window, display_available

    ok, why = display_available()
    if not ok:
        print(why, file=sys.stderr)
        return None
    return stack.enter_context(Window())


def _show(window, frame: Frame, pose: PoseFrame, text: str) -> None:
    if window is None:
        return
    from live.overlay import draw_banner, draw_skeleton

    image = frame.image.copy()
    draw_skeleton(image, pose)
    image = window.fit(image)  # the prompt is drawn at the size it is shown, so it stays readable
    draw_banner(image, text)
    window.show(image)


def file_prompt(name: str) -> str:
    """What calibration does with a recording, said instead of the live prompts."""
    return f"Measuring the first {MEASURE_S:g} s with the runner in view from {name}."


def still_prompt(name: str) -> str:
    return f"Measuring the set-up from the still image {name}."


def _still_image(path: Path, estimator, prompt: _Prompter) -> tuple[list[PoseFrame], list[np.ndarray], str]:
    import cv2

    prompt.say(still_prompt(str(path)), speak=False)
    image = cv2.imread(str(path))
    if image is None:
        raise BadInputError(f"The image {path} could not be read.")
    frame = Frame(image, 0.0, 0)
    pose = estimator.estimate(frame)
    boxes = estimator.detect_people(frame)
    # A still picture is a camera showing the same scene for the whole window: the same pose,
    # MEASURE_S seconds of it at 30 frames per second (the model would give the same pose each time).
    n = int(MEASURE_S * 30) + 1
    poses = [PoseFrame(i / 30, i, pose.xy.copy(), pose.conf.copy(), pose.box, pose.image_size) for i in range(n)]
    return poses, [boxes], str(path)


def _collect(source: str, estimator, prompt: _Prompter, window) -> tuple[list[PoseFrame], list[np.ndarray], str]:
    """Poses over MEASURE_S seconds from the runner's first appearance, and people counts."""
    from live.sources import open_source

    with open_source(source) as src:
        live = src.info.kind in LIVE_KINDS
        prompt.say(PROMPT_START if live else file_prompt(src.info.name), speak=live)
        poses, people = _window(src, estimator, prompt, window, live)
        name = src.info.name
    return poses, people, name


def _window(src, estimator, prompt: _Prompter, window, live: bool) -> tuple[list[PoseFrame], list[np.ndarray]]:
    """Every frame's pose from the runner's first appearance to MEASURE_S seconds later, and the
    people in view every PEOPLE_EVERY_S. A live source prompts the runner (and gives up after
    WAIT_FOR_RUNNER_S without one); a recording is read until the runner appears."""
    poses: list[PoseFrame] = []
    people: list[np.ndarray] = []
    start, t0, t_people, t_prompt = time.monotonic(), None, -math.inf, time.monotonic()
    for frame in src:
        if isinstance(frame, SourceEvent):  # a lost camera: its own timeout below still applies
            if live and time.monotonic() - start > WAIT_FOR_RUNNER_S:
                break
            continue
        pose = estimator.estimate(frame)
        _show(window, frame, pose, prompt.text)
        if t0 is None and pose.found:
            t0 = pose.t
            if live:
                prompt.say(PROMPT_HOLD)
        if t0 is None:
            if live and time.monotonic() - start > WAIT_FOR_RUNNER_S:
                break
            if live and time.monotonic() - t_prompt > REPEAT_WAIT_PROMPT_S:
                prompt.say(PROMPT_WAIT)
                t_prompt = time.monotonic()
            continue
        poses.append(pose)
        if pose.t - t_people >= PEOPLE_EVERY_S:
            people.append(estimator.detect_people(frame))
            t_people = pose.t
        if pose.t - t0 >= MEASURE_S:
            break
    return poses, people


def measure(source: str, estimator, prompt: _Prompter, window=None) -> tuple[CalibrationReport, str]:
    """Run the procedure on a source; returns the report and the source's name."""
    from live.sources import IMAGE_SUFFIXES

    p = Path(source)
    if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES:
        poses, people, name = _still_image(p, estimator, prompt)
        return check_frames(poses, people, still_image=True), name
    poses, people, name = _collect(source, estimator, prompt, window)
    return check_frames(poses, people), name


def _check_options(out: str | None, height_cm: float | None, name: str) -> Path:
    if height_cm is not None and not (math.isfinite(height_cm) and HEIGHT_CM_RANGE[0] <= height_cm <= HEIGHT_CM_RANGE[1]):
        lo, hi = HEIGHT_CM_RANGE
        raise BadInputError(f"--height-cm must be between {lo:.0f} and {hi:.0f} (your height in centimetres), got {height_cm:g}.")
    path = Path(out) if out else default_profile_path(name)  # also checks the name
    if path.is_dir():
        raise BadInputError(f"--out {path} is a folder: give a file name such as {path / (name + '.json')}.")
    return path


def calibrate_command(source: str, out: str | None, height_cm: float | None, name: str, model: str | None,
                      display: bool, speech: bool) -> int:
    """`posecoach calibrate`: exit 0 with a profile written, 2 when a check fails (each reason said)."""
    from live.pose import PoseEstimator, resolve_model_path

    from live.sources import check_source

    path = _check_options(out, height_cm, name)
    check_source(source)  # a mistyped file name is said before the model loads
    model_path = resolve_model_path(model)
    with ExitStack() as stack:
        prompt = _Prompter(_open_speaker(speech, stack))
        window = _open_window(display, stack)
        estimator = PoseEstimator(model_path)
        report, source_name = measure(source, estimator, prompt, window)
        for line in describe(report):
            print(f"  {line}", flush=True)
        if report.view == "front":
            print(f"  {CONSOLE_PLACEMENT}", flush=True)
        for warning in report.warnings:
            prompt.say(warning, speak=False)
        if not report.ok:
            for problem in report.problems:
                print(f"posecoach: {problem}", file=sys.stderr, flush=True)
            prompt.say("Calibration failed: fix what is said above and run it again.")
            return EXIT_BAD_INPUT
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        profile = report.to_profile(name=name, height_cm=height_cm, source=source_name, created=created)
        save_profile(profile, path)
        if profile.px_per_cm is not None:
            print(f"  scale: {profile.px_per_cm:.2f} px per cm at the runner", flush=True)
        prompt.say(f"Calibration done. Profile saved to {path}.")
        return EXIT_OK
