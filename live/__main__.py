"""`python -m live` is the same as the `posecoach` command."""
import sys

from live.cli import main

sys.exit(main())
