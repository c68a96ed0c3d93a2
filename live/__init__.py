"""posecoach live: the real-time loop (sources, pose, gait tracking, overlay, session output, CLI)."""
