"""The one way the program talks to the console during a session."""
from __future__ import annotations

import sys

from tqdm import tqdm


def say(sentence: str) -> None:
    """One line on stderr; through tqdm, so a message during `analyze` does not land inside the
    progress bar's line."""
    tqdm.write(f"posecoach: {sentence}", file=sys.stderr)
