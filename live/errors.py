"""User-facing errors: each carries one plain sentence and the process exit code.

The CLI catches `PosecoachError` at the top and prints only the sentence, never a traceback.
"""

EXIT_OK = 0
EXIT_BAD_INPUT = 2  # no such file, unreadable or empty video, bad option, corrupt profile
EXIT_CAMERA = 3  # camera could not be opened or was lost
EXIT_NO_RUNNER = 4  # the whole recording went by without a runner in view
# `posecoach say` could not play the phrase (no sound output, or no speech engine): the voice check
# failed, so it must not look like success (a session goes on with cues shown as text instead).
EXIT_NO_AUDIO = 5
# The session folder could not be written on: the disk filled up mid-run (what was written is kept
# and stays readable) or the folder became unwritable.
EXIT_DISK = 6
# A bug inside a stage: the traceback is in the session's session.log and the session is saved.
EXIT_CRASH = 70  # EX_SOFTWARE in sysexits.h
EXIT_INTERRUPTED = 130  # Ctrl-C, after the session folder is written


class PosecoachError(Exception):
    """An error the user can act on; `str(err)` is the one sentence shown."""

    exit_code = EXIT_BAD_INPUT


class BadInputError(PosecoachError):
    exit_code = EXIT_BAD_INPUT


class CameraError(PosecoachError):
    exit_code = EXIT_CAMERA


class DiskError(PosecoachError):
    """The session folder cannot take more data (disk full, folder gone or made read-only)."""

    exit_code = EXIT_DISK


def one_line(text: str) -> str:
    """`text` with each non-printable character (a newline in a file name or a TOML key, a terminal
    escape) written as its escape sequence, so an error stays the one line the CLI promises."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
