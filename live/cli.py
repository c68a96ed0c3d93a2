"""The `posecoach` command (and `python -m live`).

Exit codes: 0 done; 2 bad input (one sentence on stderr, no traceback); 3 camera could not be opened
or was lost; 4 no runner in any frame; 5 `say` could not play; 6 the disk filled up (or the session
folder became unwritable) mid-run, what was written is kept; 70 a bug inside a stage, traceback in
the session's session.log, session saved; 130 interrupted, after the session folder is written.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from live.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, PosecoachError, one_line


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one sentence and exit code 2 (no usage dump)."""

    def error(self, message: str):
        print(f"posecoach: {message} (see '{self.prog} --help').", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("posecoach")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


# Option values are checked here, before anything is opened or loaded: a bad value is one sentence
# (argparse prefixes the option's name), never a traceback from deep inside a stage.
MAX_IMGSZ_PX = 3840  # a 4K frame's long side: a larger model input only upsamples the image


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
    return value


def _imgsz_px(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of pixels, got {text!r}") from None
    if not 32 <= value <= MAX_IMGSZ_PX or value % 32:
        raise argparse.ArgumentTypeError(f"must be a multiple of 32 from 32 to {MAX_IMGSZ_PX} pixels (e.g. 640), got {text}")
    return value


def _rate_wpm(text: str) -> int:
    from cues.speaker import RATE_RANGE_WPM

    lo, hi = RATE_RANGE_WPM
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of words per minute from {lo} to {hi}, got {text!r}") from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"must be from {lo} to {hi} words per minute, got {text}")
    return value


def _given(text: str) -> str:
    """A file, folder, source or phrase: an empty value would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _in_path(text: str) -> Path:
    return Path(_given(text))


def _out_path(text: str) -> Path:
    """Somewhere to write: not empty, and not below a file (that could never become a folder)."""
    p = Path(_given(text))
    above = next((a for a in p.absolute().parents if os.path.exists(a)), None)  # never raises
    if above is not None and not os.path.isdir(above):
        raise argparse.ArgumentTypeError(f"{text} lies inside {above}, which is a file, not a folder")
    return p


def _out_file(text: str) -> Path:
    p = _out_path(text)
    if os.path.isdir(p):
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name, e.g. {p / 'out'}")
    return p


def _wav_file(text: str) -> Path:
    p = _out_file(text)
    if not os.path.isdir(p.absolute().parent):  # say --wav writes into an existing folder only
        raise argparse.ArgumentTypeError(f"the folder {p.parent} does not exist: give a file in an existing folder")
    return p


def _words(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError('nothing to say: give the words, e.g. posecoach say "Land under your hips"')
    return text


def _add_pipeline_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=_out_path, help="session folder (default: a new timestamped folder here)")
    p.add_argument("--model", type=_given, help="pose weights (.pt); default $POSECOACH_MODEL, else yolo11n-pose.pt")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "openvino", "onnx"],
                   help="inference runtime (default: the fastest one that works here)")
    p.add_argument("--imgsz", type=_imgsz_px, help="long side of the full-frame model input in pixels, a multiple of 32 "
                   "(default 640; the runner crop is always 320x192)")
    p.add_argument("--precision", default="auto", choices=["auto", "f32"],
                   help="inference precision (default: the runtime's choice, bfloat16 on CPUs that have it; f32: full float)")
    p.add_argument("--profile", type=_given, help="runner profile: a file, or the --name given to 'posecoach calibrate'")
    p.add_argument("--cues", type=_in_path, help="TOML file overriding the default cue rules and phrases")
    p.add_argument("--facing", choices=["left", "right"], help="override the detected facing direction")
    p.add_argument("--view", default="auto", choices=["side", "front", "auto"],
                   help="camera view: side (beside the treadmill), front (a laptop on the console) or auto "
                   "(default: the profile's, else decided from the first half second of the run)")
    p.add_argument("--no-keyframes", action="store_true",
                   help="store no image of the runner (the report then has no key frames)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="posecoach", description="Live Pose Method running coach.")
    parser.add_argument("--version", action="version", version=f"posecoach {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    live = sub.add_parser("live", help="coach live from a camera (or rehearse on a recording)")
    live.add_argument("--source", default="0", type=_given, help="camera index (default 0), video file, image folder or stream URL")
    _add_pipeline_options(live)
    live.add_argument("--no-display", action="store_true", help="no window, even when a display exists")
    live.add_argument("--no-speech", action="store_true", help="cues as text only")
    live.add_argument("--record", type=_out_file, help="save the annotated video to this .mp4")
    live.add_argument("--realtime", action="store_true", help="play a video file at its own frame rate, like a camera")
    live.add_argument("--voice", help="speech voice name or id")
    live.add_argument("--rate", type=_rate_wpm, dest="rate_wpm", help="speech rate in words per minute")
    live.add_argument("--metronome", type=_positive_float, dest="metronome_spm", metavar="SPM",
                      help="click at this step rate (e.g. 180), the Pose cadence drill")
    live.add_argument("--reconnect-s", type=_positive_float, default=30.0, dest="reconnect_s", metavar="S",
                      help="when the camera or stream is lost, keep retrying this many seconds (default 30) "
                      "before ending the session (exit 3, data saved)")

    analyze = sub.add_parser("analyze", help="the same pipeline on a recording, as fast as possible")
    analyze.add_argument("video", type=_given, help="video file (or image folder)")
    _add_pipeline_options(analyze)
    # --video-out is the name for review: the annotated frames, every one, at the clip's rate (play
    # it slowed down); --record stays as the name `live` uses, for scripts that already pass it.
    analyze.add_argument("--video-out", "--record", type=_out_file, dest="record", metavar="FILE.mp4",
                         help="save the annotated video (skeleton, Pose line, HUD) to this .mp4, frame for frame")

    cal = sub.add_parser("calibrate", help="guided camera and runner check; writes a runner profile")
    cal.add_argument("--source", default="0", type=_given, help="camera index (default 0), video file, image or stream URL")
    cal.add_argument("--out", type=_out_path, help="profile file (default: your config folder, per runner name)")
    cal.add_argument("--height-cm", type=_positive_float, dest="height_cm", help="the runner's height, for a cm scale")
    cal.add_argument("--name", default="runner", help="runner name (one profile per runner)")
    cal.add_argument("--model", type=_given, help="pose weights (.pt); default $POSECOACH_MODEL, else yolo11n-pose.pt")
    cal.add_argument("--no-display", action="store_true", help="no window, even when a display exists")
    cal.add_argument("--no-speech", action="store_true", help="prompts as text only")

    report = sub.add_parser("report", help="write (again) a session folder's report.html")
    report.add_argument("session", type=_in_path, help="a session folder written by live or analyze")
    report.add_argument("--cues", type=_in_path, help="the cue file the run used, for its thresholds "
                        "(default: the one summary.json names, else the defaults)")

    compare = sub.add_parser("compare", help="two session folders side by side, with the run-to-run noise")
    compare.add_argument("session_a", type=_in_path, help="a session folder (A)")
    compare.add_argument("session_b", type=_in_path, help="another session folder (B)")
    compare.add_argument("--out", type=_out_file, help="page to write (default: compare-A-B.html in the current folder)")

    history = sub.add_parser("history", help="a runner's headline metrics over their sessions (--profile NAME runs)")
    history.add_argument("name", help="the runner name (the profile's name)")
    history.add_argument("--out", type=_out_file, help="page to write (default: history-NAME.html in the current folder)")

    say = sub.add_parser("say", help="speak a phrase (voice check), or write it to a WAV file")
    say.add_argument("text", type=_words)
    say.add_argument("--wav", type=_wav_file, help="write the speech to this WAV file instead of playing it")
    say.add_argument("--voice")
    say.add_argument("--rate", type=_rate_wpm, dest="rate_wpm")
    return parser


def _run_pipeline(args: argparse.Namespace) -> int:
    from live.loop import RunOptions, run

    analysis = args.command == "analyze"
    opts = RunOptions(
        source=args.video if analysis else args.source,
        out=args.out,
        model=args.model,
        display=not analysis and not args.no_display,
        speech=not analysis and not args.no_speech,
        record=args.record,
        realtime=not analysis and args.realtime,
        analysis=analysis,
        backend=args.backend,
        imgsz=args.imgsz,
        precision=args.precision,
        profile=args.profile,
        cues=args.cues,
        voice=getattr(args, "voice", None),
        rate_wpm=getattr(args, "rate_wpm", None),
        metronome_spm=getattr(args, "metronome_spm", None),
        facing=args.facing,
        view=args.view,
        reconnect_s=getattr(args, "reconnect_s", 30.0),
        keyframes=not args.no_keyframes,
    )
    return run(opts)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in ("live", "analyze"):
        return _run_pipeline(args)
    if args.command == "calibrate":
        from calibration.calibrate import calibrate_command

        return calibrate_command(args.source, args.out, args.height_cm, args.name, args.model,
                                 not args.no_display, not args.no_speech)
    if args.command == "report":
        from live.report import report_command

        return report_command(args.session, args.cues)
    if args.command == "compare":
        from live.report.compare import compare_command

        return compare_command(args.session_a, args.session_b, args.out)
    if args.command == "history":
        from live.report.history import history_command

        return history_command(args.name, args.out)
    if args.command == "say":
        from cues.say import say_command

        return say_command(args.text, args.wav, args.voice, args.rate_wpm)
    raise AssertionError(f"unhandled command {args.command}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except PosecoachError as err:
        print(f"posecoach: {one_line(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:  # before a session existed (e.g. while loading the model)
        print("posecoach: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
