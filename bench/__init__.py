"""`python -m bench`: how fast posecoach runs on this machine, against the loop a newcomer would write,
and what the speed costs in accuracy. One table (and JSON): baseline ultralytics predict, `analyze`
end to end per backend, `live --realtime` paced at the clip's fps and at 60 fps, keypoint agreement
with the PyTorch 640 reference, cadence and landing accuracy, peak RSS and its growth on a long run.

Every measured program runs in its own child process, so one run's imports and memory never colour
another's figures; ratios against the baseline in the same run are the headline.
"""
