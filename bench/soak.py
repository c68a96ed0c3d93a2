"""The soak's pieces: a clip played over and over as one long recording, and the probe that times
every frame of the live loop from inside the process.

`LoopingVideoSource` is a FrameSource like live/sources.py's VideoFileSource in analysis mode
(decoded on its own thread into a small bounded queue, no frame lost), but it starts the clip again
at its end, with timestamps and frame indices that keep going (t = i / fps over the whole soak), so
the loop sees one long session, not many short ones.

`Probe` wraps the source and the estimator without changing what they do: between handing out
frame i and being asked for frame i + 1 the loop ran `Pipeline.process(frame i)`, so that gap is
the frame's loop time; the estimator's own share is the pose time; the rest is every other stage.
Its arrays are allocated and touched before the first frame, so the probe adds no memory as the
soak goes on (what it measures is the loop's growth, not its own).
"""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Iterator, TextIO

import cv2
import numpy as np

from live.errors import BadInputError
from live.pose import PoseEstimator
from live.sources import FrameSource, SourceInfo, quiet_opencv
from live.types import Frame

_END = object()
QUEUE_FRAMES = 4  # as VideoFileSource: decode overlaps inference, at most a few frames held
RSS_EVERY_S = 1.0  # RSS is read once per second of video: 3600 samples in an hour's soak
_PAGE_MIB = __import__("os").sysconf("SC_PAGE_SIZE") / 2**20


# A fixed piece of work like the loop's own stages (small least-squares fits, Python arithmetic),
# timed on the loop's thread once per RSS sample: its CPU time tracks how fast this machine runs
# such work right now (another job's cache and memory traffic slows it by 20-50%), so per-frame
# times can be read against it as well as raw. ~0.3 ms per second of video.
_REF_T = np.linspace(-1.0, 1.0, 7)
_REF_Y = np.sin(_REF_T)


def reference_work_ms() -> float:
    t = time.thread_time()
    for _ in range(8):
        np.polyfit(_REF_T, _REF_Y, 3)
    acc = 0.0
    for i in range(3000):
        acc += i * 0.5
    return (time.thread_time() - t) * 1000.0


def rss_mib() -> float:
    """Resident set size of this process, from /proc/self/statm (one small read, no allocation that
    stays)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE_MIB


class LoopingVideoSource(FrameSource):
    """`path` played until `total_frames` frames were given (the last pass may stop mid-clip)."""

    def __init__(self, path: str | Path, total_frames: int):
        quiet_opencv()
        self._path = str(path)
        cap = cv2.VideoCapture(self._path)
        if not cap.isOpened():
            raise BadInputError(f"The soak clip {path} could not be opened as a video.")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        cap.release()
        if not fps > 0 or w <= 0 or h <= 0 or total_frames <= 0:
            raise BadInputError(f"The soak clip {path} has no frame rate or size (or total_frames={total_frames}).")
        self.info = SourceInfo("video", self._path, fps, w, h, int(total_frames))
        self.passes = 0  # times the clip was started
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._decode, name="posecoach-soak-capture", daemon=True)

    def _decode(self) -> None:
        i, fps, total = 0, self.info.fps, self.info.frame_count
        try:
            while i < total and not self._stop.is_set():
                # A fresh capture per pass, not a seek to 0: seeking lands on a key frame, which need
                # not be frame 0, and every pass must show the same frames.
                cap = cv2.VideoCapture(self._path)
                self.passes += 1
                start = i
                while i < total and not self._stop.is_set():
                    ok, image = cap.read()
                    if not ok or image is None:
                        break
                    self._put(Frame(np.ascontiguousarray(image), i / fps, i))
                    i += 1
                cap.release()
                if i == start:
                    break  # a clip that yields no frame would loop forever
        finally:
            self._put(_END)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[Frame]:
        if self._thread.ident is None:
            self._thread.start()
        while True:
            try:
                item = self._queue.get(timeout=10.0)
            except queue.Empty:
                raise BadInputError(f"The soak clip {self._path} stopped decoding (no frame for 10 s).") from None
            if item is _END:
                return
            yield item

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)


class Probe(FrameSource):
    """The source the loop iterates: hands out the inner source's frames and records, per frame,
    the loop's and the pose estimator's wall time and CPU time of the loop's thread (ms), and RSS
    once per RSS_EVERY_S of video.

    Why CPU time too: on a machine shared with other jobs a frame's wall time follows their load
    (medians of one 2-minute soak moved 2x when a job started), while the CPU time the loop's own
    thread spends on a frame does not; it is what a leak scanned every frame adds to."""

    def __init__(self, inner: FrameSource, progress: TextIO | None = None, progress_every_s: float = 60.0):
        self.inner = inner
        self._progress = progress
        self._progress_every = max(1, round(progress_every_s * inner.info.fps))
        self.info = inner.info
        n = inner.info.frame_count
        # np.full writes every element, so the pages are resident from the start (np.zeros would
        # map them lazily and the probe's own arrays would show up as growth).
        self.loop_ms, self.pose_ms = np.full(n, np.nan), np.full(n, np.nan)  # wall
        self.loop_cpu_ms, self.pose_cpu_ms = np.full(n, np.nan), np.full(n, np.nan)  # the loop thread's CPU
        self.every = max(1, round(RSS_EVERY_S * inner.info.fps))
        self.rss_mib = np.full(n // self.every + 1, np.nan)
        self.ref_ms = np.full(n // self.every + 1, np.nan)  # reference_work_ms() at each RSS sample
        self.frames = 0
        self.loop_wall_s = 0.0  # from handing out the first frame to the end of the last one's processing
        self._t0: float | None = None
        self._pose_s = self._pose_cpu_s = 0.0

    @property
    def dropped(self) -> int:  # type: ignore[override]
        return self.inner.dropped

    def timed(self, estimator: PoseEstimator) -> PoseEstimator:
        """The estimator, with its `estimate` timed into this probe (the same object: what it does
        is unchanged, and the session's summary still describes it)."""
        real = estimator.estimate

        def estimate(frame):
            t, cpu = time.perf_counter(), time.thread_time()
            pose = real(frame)
            self._pose_s, self._pose_cpu_s = time.perf_counter() - t, time.thread_time() - cpu
            return pose

        estimator.estimate = estimate  # instance attribute: shadows the method for this object only
        return estimator

    def __iter__(self) -> Iterator[Frame]:
        for frame in self.inner:  # waiting on the decoder happens here, outside the loop time
            self._sample(frame.index)
            handed, handed_cpu = time.perf_counter(), time.thread_time()
            yield frame
            # Resumed: the loop has processed the frame and asks for the next one.
            done, done_cpu = time.perf_counter(), time.thread_time()
            self._record(self.frames, done - handed, done_cpu - handed_cpu)
            self.frames += 1
            self.loop_wall_s = done - self._t0

    def _record(self, i: int, loop_s: float, loop_cpu_s: float) -> None:
        if i < len(self.loop_ms):
            self.loop_ms[i], self.pose_ms[i] = loop_s * 1000.0, self._pose_s * 1000.0
            self.loop_cpu_ms[i], self.pose_cpu_ms[i] = loop_cpu_s * 1000.0, self._pose_cpu_s * 1000.0

    def _sample(self, index: int) -> None:
        if self._t0 is None:
            self._t0 = time.perf_counter()
        if index % self.every == 0 and index // self.every < len(self.rss_mib):
            self.rss_mib[index // self.every] = rss_mib()
            self.ref_ms[index // self.every] = reference_work_ms()
        if self._progress is not None and index and index % self._progress_every == 0:
            self._say_progress(index)

    def _say_progress(self, index: int) -> None:
        """One line per PROGRESS_EVERY_S of video: how far, how fast, RSS and the recent median."""
        wall = time.perf_counter() - self._t0
        recent = self.loop_ms[max(0, index - self._progress_every):index]
        self._progress.write(f"video {index / self.info.fps / 60:7.2f} min  wall {wall:7.1f} s  "
                             f"{index / wall:5.1f} frames/s  RSS {self.rss_mib[index // self.every]:7.1f} MiB  "
                             f"frame {np.nanmedian(recent):6.2f} ms (median of the last {len(recent)})\n")

    def save(self, path: Path, **meta: float) -> None:
        """The raw arrays (and `meta`: fps, clip frames...), so the figures can be taken again later."""
        np.savez(path, loop_ms=self.loop_ms, pose_ms=self.pose_ms, loop_cpu_ms=self.loop_cpu_ms,
                 pose_cpu_ms=self.pose_cpu_ms, rss_mib=self.rss_mib, ref_ms=self.ref_ms, every=self.every,
                 frames=self.frames, loop_wall_s=self.loop_wall_s, **meta)

    def close(self) -> None:
        self.inner.close()
