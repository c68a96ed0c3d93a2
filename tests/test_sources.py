"""Frame sources on real footage: timestamps, pacing, live (skip-ahead) semantics, image folders."""
from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from live.errors import BadInputError
from live.sources import CameraSource, ImageFolderSource, VideoFileSource, open_source


def _first_frames(clip, folder, n: int, name: str = "short.mp4"):
    """The first `n` frames of the real clip as their own video file."""
    cap = cv2.VideoCapture(str(clip.path))
    out = folder / name
    writer = None
    for _ in range(n):
        ok, img = cap.read()
        assert ok
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), clip.fps, img.shape[1::-1])
        writer.write(img)
    writer.release()
    cap.release()
    return out


def test_video_file_yields_every_frame_with_file_timestamps(clip):
    with VideoFileSource(clip.path) as src:
        assert src.info.fps == pytest.approx(clip.fps)
        frames = [(f.index, f.t, f.image.shape) for f in src]
    assert len(frames) == clip.truth["video"]["frames"]
    assert [i for i, _, _ in frames] == list(range(len(frames)))
    assert np.allclose([t for _, t, _ in frames], np.arange(len(frames)) / clip.fps)
    assert frames[0][2] == (clip.truth["video"]["height"], clip.truth["video"]["width"], 3)
    assert src.dropped == 0


def test_realtime_paces_a_file_at_its_own_frame_rate(clip, tmp_path):
    short = _first_frames(clip, tmp_path, 30)  # one second of video
    start = time.monotonic()
    with VideoFileSource(short, realtime=True) as src:
        times = [f.t for f in src]
    elapsed = time.monotonic() - start
    # Paced: a second of video cannot be delivered much faster than a second (analysis mode takes
    # a fraction of that); timestamps stay the file's own.
    assert elapsed >= 0.9 * (len(times) - 1) / clip.fps
    assert times == sorted(times) and times[0] == 0.0


def test_a_slow_consumer_of_a_live_stream_gets_fresh_frames_and_drops_are_counted(clip, tmp_path):
    short = _first_frames(clip, tmp_path, 60)
    with CameraSource(str(short)) as cam:  # a path opens like a stream URL: live semantics
        seen = []
        for f in cam:
            seen.append(f)
            time.sleep(0.05)  # a consumer slower than decoding
    ts = [f.t for f in seen]
    assert ts == sorted(ts)
    assert cam.dropped > 0 and len(seen) + cam.dropped <= 60


def test_image_folder_is_read_in_name_order_with_given_fps(clip, tmp_path):
    cap = cv2.VideoCapture(str(clip.path))
    for i in range(5):
        ok, img = cap.read()
        cv2.imwrite(str(tmp_path / f"img_{i:03d}.png"), img)
    cap.release()
    with open_source(str(tmp_path), fps=25.0) as src:
        assert isinstance(src, ImageFolderSource)
        frames = list(src)
    assert [f.index for f in frames] == list(range(5))
    assert [f.t for f in frames] == pytest.approx([i / 25.0 for i in range(5)])


@pytest.mark.parametrize(
    "spec, message",
    [
        ("-1", "Camera index must be 0 or more"),
        ("/no/such/video.mp4", "No such video file"),
    ],
)
def test_open_source_rejects_bad_specs_in_one_sentence(spec, message):
    with pytest.raises(BadInputError, match=message):
        open_source(spec)


def test_empty_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="holds no images"):
        open_source(str(tmp_path))
