"""posecoach calibration: standing check, camera checks, runner profile."""
