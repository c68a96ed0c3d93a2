"""posecoach cues: step metrics to short Pose Method cues, their timing, and speech."""
