"""The end of a session: the files written after the last frame (summary, profile, key frames,
report, the runner's history), on every exit, and the sentences a runner would otherwise wonder
about. Called by live/loop.py from a `finally`."""
from __future__ import annotations

import shutil
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from live.console import say
from live.errors import DiskError
from live.keyframes import FOLDER as KEYFRAMES_FOLDER
from live.session import Session, is_disk_error, make_private_tree

if TYPE_CHECKING:
    from live.loop import Pipeline, _Inputs


def _profile_used(inputs: _Inputs, pipeline: Pipeline, source) -> dict:
    """profile.json: the given profile, or the one auto-calibration measured from this run (or, when
    it could not, why not)."""
    if inputs.profile is not None:
        return inputs.profile.to_dict()
    report = pipeline.auto.report()
    if not report.ok:
        # A wrong view was said when it was found: name the first other problem, if any.
        unsaid = [p for p in report.problems if pipeline.view.view in (None, "side") or not p.startswith("The camera sees")]
        why = unsaid[0] if unsaid else "the camera's view, said above"
        say(f"No runner profile could be measured from this run (profile.json lists why): {why}")
        return {"usable": False, "measured_from": "auto", "problems": list(report.problems)}
    return report.to_profile(source=source.info.name, created=datetime.now().isoformat(timespec="seconds")).to_dict()


def closing_notes(inputs: _Inputs, pipeline: Pipeline, source, session: Session) -> None:
    """What a runner would otherwise wonder about after the run: frames the processing could not
    keep up with, and why a run gave no cues."""
    if source.dropped:
        total = session.frames + source.dropped
        say(f"{source.dropped} of {total} frames ({source.dropped / total:.0%}) were dropped: this computer processed "
            f"fewer frames per second than the source's {source.info.fps:.0f}; the measurements rest on the frames kept.")
    landings = pipeline.gait.landings
    c = inputs.cues_config.coach
    if session.cues == 0:
        span_s = landings[-1][0] - landings[0][0] if landings else 0.0
        if len(landings) < c.warmup_steps or span_s < c.warmup_s:
            say(f"No cues: the run had {len(landings)} steps over {span_s:.0f} s, and the coach speaks only after a "
                f"warm-up of {c.warmup_steps} steps and {c.warmup_s:g} s of running; for a short rehearsal lower "
                "[coach] warmup_s and warmup_steps in a --cues file.")


def finish(session: Session, inputs: _Inputs, pipeline: Pipeline | None, source) -> None:
    """Write the end-of-session files even after an error, Ctrl-C or a full disk.

    Each end file that cannot be written is recorded in `session.unwritten`, never raised on the
    spot: the next one may still fit. A disk that failed mid-run was already said by its DiskError;
    one that fails only here raises one DiskError at the end, naming what is missing (exit 6)."""
    failed_before = session.disk_error is not None
    summary: dict = {"source": source.info.name, "fps": source.info.fps, "dropped_frames": source.dropped}
    profile = None
    if pipeline is not None:
        last = pipeline.view.update(pipeline.gait.finish())  # the last steps, with the data there is
        try:
            session.add_steps(last)
        except DiskError:
            pass  # recorded in session.disk_error; the summary still counts these steps
        for step in last if pipeline.keyframes is not None else ():
            pipeline.keyframes.offer(step, pipeline.gait.snapshot().medians, pipeline.gait.toe_offs)
        summary.update(pipeline.gait.summary())
        cues_file = inputs.cues_config.source  # "defaults", or the --cues path: absolute, for `posecoach report`
        summary.update(backend=pipeline.estimator.describe(),
                       cues_config=cues_file if cues_file == "defaults" else str(Path(cues_file).resolve()),
                       keyframes=pipeline.keyframes is not None)  # false: --no-keyframes, no image kept
        profile = _profile_used(inputs, pipeline, source)
    session.close(summary, profile)
    if pipeline is not None and getattr(pipeline.gait, "view", None) == "front":
        _write_front_steps(session, pipeline)
    if pipeline is not None and pipeline.keyframes is not None:
        _write_keyframes(session, pipeline)
    _write_report(session, inputs)
    record_history(session, inputs)
    if session.disk_error is not None and not failed_before:
        raise DiskError(session.end_failure_sentence())


def _write_front_steps(session: Session, pipeline: Pipeline) -> None:
    """front_steps.csv: the front view's own metrics per step (steps.csv keeps its side columns,
    empty but for bounce_bh, so its readers work unchanged). Written at the end, like summary.json."""
    from live.gait.front_output import FRONT_STEPS_CSV, front_csv_text
    from live.session import write_private

    text = front_csv_text(pipeline.gait.front.steps)
    session.write_end_file(FRONT_STEPS_CSV, lambda: write_private(session.folder / FRONT_STEPS_CSV, text))


def _write_keyframes(session: Session, pipeline: Pipeline) -> None:
    """keyframes/ for the report, owner-only like the rest of the folder; like the report, an extra
    whose failure costs one sentence (on a failing disk: a name in the disk's one sentence)."""
    folder = session.folder / KEYFRAMES_FOLDER
    try:
        pipeline.keyframes.write(session.folder)
    except OSError as err:
        _extra_failed(session, f"{KEYFRAMES_FOLDER}/", err)
        shutil.rmtree(folder, ignore_errors=True)  # half a set of stills (a JPEG cut short): none, and the space back
    except Exception as err:  # noqa: BLE001 - the session files are already saved
        say(f"The key frames could not be written ({type(err).__name__}: {err}).")
    if folder.is_dir():
        with suppress(OSError):
            make_private_tree(folder)  # live.keyframes writes with the umask's modes


def _extra_failed(session: Session, name: str, err: OSError, hint: str = "") -> None:
    """An optional end file (key frames, report) that could not be written: one sentence, unless
    the disk is the cause, which the disk's own sentence says once for every file."""
    if session.disk_error is None and not is_disk_error(err):
        say(f"{name} could not be written ({err.strerror or err}){hint}.")
    else:
        session.end_file_failed(name, err)


def record_history(session: Session, inputs: _Inputs) -> None:
    """A run with a runner profile goes into that runner's index, for `posecoach history`. The
    session is already saved, so an index that cannot be written costs one sentence, nothing more."""
    if inputs.profile is None:
        return
    from live.report.history import record_session

    try:
        record_session(inputs.profile.name, session.folder)
    except Exception as err:  # noqa: BLE001 - the index is an extra; the session folder is what matters
        say(f"The session could not be added to {inputs.profile.name!r}'s history ({type(err).__name__}: {err}).")


def _write_report(session: Session, inputs: _Inputs) -> None:
    """report.html from the files just written. The data is already safe on disk, so a report that
    fails is said in one sentence and never changes the run's exit code (a failing disk does: exit 6,
    said once for every file)."""
    from live.report import REPORT_NAME, write_report

    try:
        say(f"Report: {write_report(session.folder, config=inputs.cues_config)}")
    except OSError as err:
        _extra_failed(session, REPORT_NAME, err, f"; try 'posecoach report {session.folder}'")
    except Exception as err:  # noqa: BLE001 - an optional extra must not turn a saved run into a crash
        say(f"report.html could not be written ({type(err).__name__}: {err}); "
            f"try 'posecoach report {session.folder}'.")
