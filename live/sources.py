"""Frame sources behind one interface: a camera index, a video file, an image folder, a stream URL.

Every source is a context manager and an iterator of `Frame`s with monotonic timestamps:
- camera / stream: capture time on `time.monotonic()`; a thread keeps only the newest frames (at
  most LIVE_BACKLOG_S of video), so a slow consumer skips ahead and the drops are counted, never
  queued up as growing lag; a lost camera is reopened with back-off, and the iterator yields
  `SourceEvent`s meanwhile (lost / waiting / back);
- video file: `index / fps`; decoded on its own thread into a small bounded queue (analysis: as fast
  as the consumer, no frame lost) or paced at the file's fps like a camera (`realtime`: rehearses a
  live session, drops counted like a camera);
- image folder: sorted image files, `index / fps` with a given fps.
"""
from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from live.errors import BadInputError, CameraError
from live.types import Frame, SourceEvent

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
STREAM_PREFIXES = ("rtsp://", "rtmp://", "http://", "https://", "udp://", "tcp://")
_END = object()  # end-of-stream marker in a reader queue
# A live source holds up to this much video for a consumer that is briefly slow (a full-frame
# search, a garbage collection) instead of dropping a frame at the first late one: gait timing
# needs every frame, and the timestamps are capture times, so a short delay changes no metric.
# Longer than that, the consumer is really behind and skips ahead to stay live.
LIVE_BACKLOG_S = 0.1
# A camera or stream with no image for this long is lost: the runner is told within a second (even
# a 5 fps low-light webcam delivers every 0.2 s, so a healthy source never stays silent this long).
LOST_NOTICE_S = 0.7
LOST_POLL_S = 0.25  # while lost, the loop hears from the source this often (window redraw, quit key)
RECONNECT_FIRST_S = 0.25  # first retry soon (a stream hiccup), then doubling up to
RECONNECT_MAX_S = 2.0  # a retry every 2 s: quick to resume, cheap while the camera stays away
CAPTURE_TIMEOUT_MS = 3000  # a stream open or read that hangs gives up after this (FFmpeg backend)


def live_backlog(fps: float) -> int:
    """Frames a live source may hold: LIVE_BACKLOG_S of video, at least 2."""
    return max(2, math.ceil(LIVE_BACKLOG_S * fps))


@dataclass(frozen=True)
class SourceInfo:
    """What a source knows about itself before the first frame."""

    kind: str  # "camera" | "stream" | "video" | "images"
    name: str
    fps: float
    width: int
    height: int
    frame_count: int  # 0 when unknown (camera, stream)


class FrameSource:
    """Base: iterate frames; `dropped` counts frames the consumer never saw."""

    info: SourceInfo
    dropped: int = 0

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def quiet_opencv() -> None:
    """OpenCV and FFmpeg print their own warnings for a missing camera or a broken file; we say it in
    one sentence instead. Called before each capture is opened (the FFmpeg level is read at open)."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def _check_video_capture(cap: cv2.VideoCapture, what: str) -> None:
    if not cap.isOpened():
        cap.release()
        raise BadInputError(f"{what} could not be opened as a video (unreadable or not a video file).")


class _ReaderThread:
    """Reads frames from a cv2.VideoCapture on its own thread.

    mode "queue": blocking put into a bounded queue (no frame lost, decode overlaps inference).
    mode "live": keep only the newest `backlog` frames and count what was pushed out (camera
    semantics: a consumer that falls behind skips ahead instead of lagging further).
    `clock` gives each frame's timestamp; `pace_fps` (live mode) sleeps to play a file at its fps.
    `reopen` (cameras, streams): called with back-off after a failed read, until a capture opens again.
    """

    def __init__(self, cap: cv2.VideoCapture, mode: str, clock, pace_fps: float = 0.0, maxsize: int = 4,
                 backlog: int = 1, reopen=None, size_wh: tuple[int, int] | None = None):
        self._cap = cap
        self._reopen = reopen  # () -> an opened capture or None: set for cameras and streams only
        self._size_wh = size_wh
        self.reconnects = 0
        self.decoded = 0  # frames read from the capture (delivered or dropped)
        self._mode = mode
        self._clock = clock
        self._pace_fps = pace_fps
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._cond = threading.Condition()
        self._recent: deque[Frame] = deque()
        self._backlog = max(1, backlog)
        self._ended = False
        self._stop = threading.Event()
        self.dropped = 0
        self.read_failed_at_start = False
        # Started by the first `frames()` call, not here: a paced file must not run ahead (and drop
        # frames) while the model is still loading.
        self._thread = threading.Thread(target=self._run, name="posecoach-capture", daemon=True)

    def _run(self) -> None:
        index = 0
        start = time.monotonic()
        try:
            while not self._stop.is_set():
                if self._pace_fps > 0:
                    # Pace on the wall clock, not by sleeping a fixed period, so decode time does not add up.
                    delay = start + index / self._pace_fps - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                ok, image = self._cap.read()
                if not ok or image is None:
                    if self._reopen is not None and self._reconnect():
                        continue
                    break
                frame = Frame(self._fit(image), self._clock(index), index)
                index += 1
                self.decoded = index
                if self._mode == "queue":
                    self._put_blocking(frame)
                else:
                    self._put_live(frame)
        finally:
            if self._mode == "queue":
                self._put_blocking(_END)
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """The image as the session expects it: a reconnected camera may come back at another size,
        and the window, the recording and the key frames were all set up for the first one."""
        if self._size_wh is not None and (image.shape[1], image.shape[0]) != self._size_wh:
            image = cv2.resize(image, self._size_wh, interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(image)

    def _reconnect(self) -> bool:
        """Reopen a lost camera or stream with back-off (a replugged USB camera needs a moment, a
        restarting stream server longer) until it opens again or the source is closed. The consumer
        decides when to give up; this thread only keeps trying."""
        self._cap.release()
        delay_s = RECONNECT_FIRST_S
        while not self._stop.wait(delay_s):
            cap = self._reopen()
            if cap is not None:
                if self._stop.is_set():
                    cap.release()
                    return False
                self._cap = cap
                self.reconnects += 1
                return True
            delay_s = min(2 * delay_s, RECONNECT_MAX_S)
        return False

    def _put_blocking(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _put_live(self, frame: Frame) -> None:
        with self._cond:
            if len(self._recent) >= self._backlog:
                self._recent.popleft()
                self.dropped += 1
            self._recent.append(frame)
            self._cond.notify_all()

    def frames(self, timeout_s: float) -> Iterator[Frame]:
        """Yield frames until the source ends; raise TimeoutError if none comes for `timeout_s`."""
        if self._thread.ident is None:  # not started yet
            self._thread.start()
        while True:
            if self._mode == "queue":
                try:
                    item = self._queue.get(timeout=timeout_s)
                except queue.Empty:
                    raise TimeoutError from None
                if item is _END:
                    return
                yield item
                continue
            with self._cond:
                if not self._cond.wait_for(lambda: self._recent or self._ended, timeout=timeout_s):
                    raise TimeoutError
                frame = self._recent.popleft() if self._recent else None
            if frame is None:
                return
            yield frame

    def poll(self, timeout_s: float):
        """Live mode: the oldest held frame, None if none came within `timeout_s`, or _END."""
        if self._thread.ident is None:
            self._thread.start()
        with self._cond:
            self._cond.wait_for(lambda: self._recent or self._ended, timeout=timeout_s)
            if self._recent:
                return self._recent.popleft()
            return _END if self._ended else None

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)
        self._cap.release()


def _check_first_frame(path: Path) -> None:
    """Decode one frame now, on a capture of its own (seeking back is not exact for every codec),
    so a file whose header reads but whose frames do not is refused before the model loads and
    before a session folder exists."""
    probe = cv2.VideoCapture(str(path))
    try:
        ok, image = probe.read()
    finally:
        probe.release()
    if not ok or image is None:
        raise BadInputError(f"The file {path} holds no decodable video frames.")


def check_source(spec: str) -> None:
    """Refuse a file or folder source that cannot be read, cheaply and before anything loads; a
    camera or a stream is only known once opened (a missing camera is said within a second)."""
    text = str(spec).strip()
    if text.lstrip("-").isdigit() or text.lower().startswith(STREAM_PREFIXES):
        return
    p = Path(text)
    if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES:
        if cv2.imread(str(p)) is None:
            raise BadInputError(f"The image {p} could not be read.")
        return
    quiet_opencv()
    open_source(text).close()


class VideoFileSource(FrameSource):
    """A recording. Timestamps are index / fps so analysis and live rehearsal see the same times."""

    def __init__(self, path: str | os.PathLike, realtime: bool = False):
        p = Path(path)
        if not p.is_file():
            raise BadInputError(f"No such video file: {p}.")
        if p.stat().st_size == 0:
            raise BadInputError(f"The video file {p} is empty (0 bytes).")
        cap = cv2.VideoCapture(str(p))
        _check_video_capture(cap, f"The file {p}")
        fps = cap.get(cv2.CAP_PROP_FPS)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if not fps or not np.isfinite(fps) or fps <= 0 or width <= 0 or height <= 0:
            cap.release()
            raise BadInputError(f"The file {p} has no readable video stream (no frame rate or size).")
        self.info = SourceInfo("video", str(p), float(fps), width, height, max(count, 0))
        _check_first_frame(p)
        self.realtime = realtime
        fps_f = float(fps)
        mode = "live" if realtime else "queue"
        self._reader = _ReaderThread(cap, mode, clock=lambda i: i / fps_f, pace_fps=fps_f if realtime else 0.0,
                                     backlog=live_backlog(fps_f))

    @property
    def dropped(self) -> int:  # type: ignore[override]
        return self._reader.dropped

    def __iter__(self) -> Iterator[Frame]:
        self.frames_read = 0
        for frame in self._reader.frames(timeout_s=10.0):
            self.frames_read += 1
            yield frame
        if not self.frames_read:
            raise BadInputError(f"The file {self.info.name} holds no decodable video frames.")

    def ended_early(self) -> str:
        """A sentence when decoding stopped well before the frame count the file's header gives (a
        copy cut short, a recording whose writer was killed); "" otherwise. Headers estimate the
        count for some containers, so a few frames short is no news."""
        expected, read = self.info.frame_count, self._reader.decoded
        if expected <= 0 or read >= expected - max(3, 0.02 * expected):
            return ""
        return (f"The file {self.info.name} ended after {read} of the {expected} frames its header announces: it looks "
                "truncated, and the session holds what could be read.")

    def close(self) -> None:
        self._reader.close()


def _open_capture(spec: int | str) -> cv2.VideoCapture:
    """A camera by index (the platform's default backend) or a stream URL through FFmpeg with open
    and read time-outs, so a stream server that stops answering cannot hang the capture thread."""
    if isinstance(spec, int):
        return cv2.VideoCapture(spec)
    return cv2.VideoCapture(spec, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, CAPTURE_TIMEOUT_MS,
                                                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, CAPTURE_TIMEOUT_MS])


def _reopen(spec: int | str) -> cv2.VideoCapture | None:
    cap = _open_capture(spec)
    if cap.isOpened():
        return cap
    cap.release()
    return None


class CameraSource(FrameSource):
    """A webcam (index) or a network stream (URL). Latest frames only; capture time on the monotonic
    clock. When images stop (unplugged, grabbed by another program, the stream dropped) it yields a
    `SourceEvent` "lost" within LOST_NOTICE_S, "waiting" while its capture thread reopens the source
    with back-off, and "back" when images return; after `reconnect_s` without an image it ends the
    session with CameraError (exit 3; the loop saves the session first)."""

    def __init__(self, spec: int | str, reconnect_s: float = 30.0):
        if not reconnect_s > 0:
            raise BadInputError(f"--reconnect-s must be more than 0 seconds, got {reconnect_s}.")
        kind = "camera" if isinstance(spec, int) else "stream"
        name = f"camera {spec}" if kind == "camera" else str(spec)
        cap = _open_capture(spec)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"Could not open {name}: check that it is connected and not used by another program.")
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise CameraError(f"{name.capitalize()} opened but delivered no image.")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        h, w = first.shape[:2]
        self.info = SourceInfo(kind, name, fps if fps > 0 else 30.0, w, h, 0)
        self.reconnect_s = reconnect_s
        # A local file opened with camera semantics (a rehearsal, a test) simply ends; a camera or
        # a stream URL that stops is lost, not finished, and is reopened.
        retry = isinstance(spec, int) or spec.lower().startswith(STREAM_PREFIXES)
        self._reader = _ReaderThread(cap, "live", clock=lambda i: time.monotonic(), backlog=live_backlog(self.info.fps),
                                     reopen=(lambda: _reopen(spec)) if retry else None, size_wh=(w, h))

    @property
    def dropped(self) -> int:  # type: ignore[override]
        return self._reader.dropped

    @property
    def reconnects(self) -> int:
        return self._reader.reconnects

    def __iter__(self) -> Iterator[Frame | SourceEvent]:
        last_image_t = time.monotonic()
        lost = False
        while True:
            item = self._reader.poll(LOST_POLL_S if lost else LOST_NOTICE_S)
            now = time.monotonic()
            if item is _END:  # a local file played as a stream has ended (a camera or URL never ends)
                return
            if item is not None:
                if lost:
                    yield SourceEvent("back", now, now - last_image_t,
                                      f"Images from {self.info.name} are back after {now - last_image_t:.0f} s: the session goes on.")
                    lost = False
                last_image_t = now
                yield item
                continue
            silent_s = now - last_image_t
            if silent_s > self.reconnect_s:
                raise CameraError(f"Lost {self.info.name}: no image for {self.reconnect_s:g} s (--reconnect-s); "
                                  "the session was ended and saved.")
            if silent_s >= LOST_NOTICE_S:
                kind = "waiting" if lost else "lost"
                lost = True
                yield SourceEvent(kind, now, silent_s, f"Lost {self.info.name}: no image for {silent_s:.0f} s; "
                                  f"reconnecting for up to {self.reconnect_s:g} s.")

    def close(self) -> None:
        self._reader.close()


class ImageFolderSource(FrameSource):
    """A folder of still images in name order, timestamped index / fps."""

    def __init__(self, folder: str | os.PathLike, fps: float = 30.0):
        p = Path(folder)
        self._files = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise BadInputError(f"The folder {p} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
        first = cv2.imread(str(self._files[0]))
        if first is None:
            raise BadInputError(f"The image {self._files[0]} could not be read.")
        self.info = SourceInfo("images", str(p), fps, first.shape[1], first.shape[0], len(self._files))

    def __iter__(self) -> Iterator[Frame]:
        for i, f in enumerate(self._files):
            image = cv2.imread(str(f))
            if image is None:
                raise BadInputError(f"The image {f} could not be read.")
            yield Frame(image, i / self.info.fps, i)


def open_source(spec: str | int, realtime: bool = False, fps: float = 30.0, reconnect_s: float = 30.0) -> FrameSource:
    """Pick the source for a CLI `--source` value: an integer is a camera index, a URL a stream,
    a folder an image sequence, anything else a video file."""
    quiet_opencv()
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        if index < 0:
            raise BadInputError(f"Camera index must be 0 or more, got {index}.")
        return CameraSource(index, reconnect_s)
    if text.lower().startswith(STREAM_PREFIXES):
        return CameraSource(text, reconnect_s)
    p = Path(text)
    if p.is_dir():
        return ImageFolderSource(p, fps=fps)
    if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES:
        raise BadInputError(f"{p} is a single image: pass a video, a folder of images or a camera index.")
    return VideoFileSource(p, realtime=realtime)
