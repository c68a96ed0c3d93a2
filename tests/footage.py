"""Real footage for tests: where it lives, and derived versions made from it with their ground truth
transformed the same way (mirrored; resampled to 15, 25, 50 and 60 fps; webcam-like and wide
landscape frames; a farther camera; darker and noisier; analysis lines burned in; a slow shutter).

The clips are never copied into the repository: they are read from ../shared/footage (or
$POSECOACH_FOOTAGE), one folder per clip with its ground_truth.json, and derived versions are
written to a temporary folder by the tests.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POSECOACH_SHARED", REPO.parent / "shared"))
FOOTAGE = Path(os.environ.get("POSECOACH_FOOTAGE", SHARED / "footage"))
MODEL = Path(os.environ.get("POSECOACH_MODEL", SHARED / "models" / "yolo11n-pose.pt"))
TRUTH_FILE = "ground_truth.json"
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
# The clip the derived versions are made from (also reachable as make_derived("original")).
SOURCE_CLIP = "male_side"
# Event keys of a truth file whose "frames" are frame numbers of the clip.
EVENT_KEYS = ("initial_contact_frames", "toe_off_frames")


@dataclass(frozen=True)
class Clip:
    """A clip and its ground truth (the ground_truth.json dict, transformed for derived clips)."""

    name: str
    path: Path
    truth: dict

    @property
    def fps(self) -> float:
        return float(self.truth["video"]["fps"])

    @property
    def landings(self) -> list[float]:
        return list(self.truth["initial_contact_frames"]["frames"])

    @property
    def toe_offs(self) -> list[float]:
        return list(self.truth.get("toe_off_frames", {}).get("frames", []))

    @property
    def facing(self) -> str:
        return self.truth["scene"]["runner_faces"]


def _video_in(folder: Path, truth: dict) -> Path | None:
    """The clip a truth file describes: the file its "clip" key names, else the folder's only video."""
    if "clip" in truth:
        p = folder / truth["clip"]
        return p if p.is_file() else None
    videos = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
    return videos[0] if len(videos) == 1 else None


def real_clips(root: Path = FOOTAGE) -> list[Clip]:
    """Every real clip under `root`: each folder that holds a ground_truth.json and the video it
    describes, in name order (none when the root is absent). Video facts the truth leaves out (fps,
    frames, width, height) are read from the file; the annotations are the truth's own."""
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not (folder / TRUTH_FILE).is_file():
            continue
        truth = json.loads((folder / TRUTH_FILE).read_text())
        video = _video_in(folder, truth)
        if video is None:
            continue
        facts = truth.setdefault("video", {})
        if not {"fps", "frames", "width", "height"} <= facts.keys():
            for k, v in read_video_info(video).items():
                facts.setdefault(k, v)
        out.append(Clip(folder.name, video, truth))
    return out


def real_clip_names(root: Path = FOOTAGE) -> list[str]:
    """The real clips' names (their folders); the source clip's alone when none is found, so that its
    test cases exist and skip saying where the footage was looked for."""
    return [c.name for c in real_clips(root)] or [SOURCE_CLIP]


def original_clip(name: str = SOURCE_CLIP) -> Clip | None:
    """The real clip in folder `name`, or None when it is absent."""
    return next((c for c in real_clips() if c.name == name), None)


def read_video_info(path: Path) -> dict:
    """What OpenCV reads back from a video file: fps, frames, width, height."""
    cap = cv2.VideoCapture(str(path))
    try:
        return {"fps": cap.get(cv2.CAP_PROP_FPS), "frames": int(cap.get(cv2.CAP_PROP_FRAME_COUNT)),
                "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}
    finally:
        cap.release()


def _frames(src: Clip):
    cap = cv2.VideoCapture(str(src.path))
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                return
            yield img
    finally:
        cap.release()


def _write(images, dst: Path, fps: float) -> None:
    """Write an iterable of images to dst (mp4v) at fps."""
    writer = None
    for img in images:
        if writer is None:
            h, w = img.shape[:2]
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(img)
    if writer is None:
        raise ValueError(f"no frame to write to {dst}")
    writer.release()


def _rewrite(src: Clip, dst: Path, transform, keep_every: int = 1) -> None:
    """Apply `transform(image, rng, index) -> image` to every `keep_every`-th frame of src into dst."""
    rng = np.random.default_rng(0)
    fps = read_video_info(src.path)["fps"] / keep_every
    _write((transform(img, rng, i) for i, img in enumerate(_frames(src)) if i % keep_every == 0), dst, fps)


def _interpolate_cmd(src: Clip, dst: Path, fps: float) -> list[str]:
    """The ffmpeg command for a copy at `fps` and half resolution (a phone's slow-motion mode; the
    model sees 640 pixels on the long side either way), every frame made by ffmpeg's motion-compensated
    interpolation at its own time index/fps from the real frames around it: in-between motion as a
    camera at that rate would see it, though estimated rather than filmed. The real frames are kept
    only where the two clocks meet (every frame at 60 fps, every 5th at 25 and 50)."""
    if shutil.which("ffmpeg") is None:
        raise FileNotFoundError(f"ffmpeg is needed to make the {fps:g} fps copy (apt install ffmpeg)")
    w, h = src.truth["video"]["width"] // 2, src.truth["video"]["height"] // 2
    return ["ffmpeg", "-loglevel", "error", "-y", "-i", str(src.path), "-vf",
            f"scale={w}:{h},minterpolate=fps={fps:g}:mi_mode=mci", "-c:v", "mpeg4", "-q:v", "2", str(dst)]


# Interpolated copies being made in the background (start_interpolation): dst -> process.
_MAKING: dict[Path, subprocess.Popen] = {}


def start_interpolation(src: Clip, kind: str, folder: Path) -> None:
    """Start making the `kind` ("fps25", ...) copy of `src` in `folder` in the background, at the
    lowest CPU priority: ffmpeg's motion-compensated interpolation takes 20-35 s of one core per copy,
    and tests that wait on a subprocess or on real time leave a core idle for it. derived_clip() waits
    for it (or makes it itself when nothing was started)."""
    dst = folder / f"{src.name}_{kind}.mp4"
    if dst not in _MAKING:
        nice = ["nice", "-n", "19"] if shutil.which("nice") else []
        _MAKING[dst] = subprocess.Popen(nice + _interpolate_cmd(src, dst, float(kind.removeprefix("fps"))),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_interpolations() -> None:
    """Stop the background copies nobody waited for (a test run cut short, or filtered by -k)."""
    while _MAKING:
        _, proc = _MAKING.popitem()
        proc.kill()
        proc.wait()


def _interpolate(src: Clip, dst: Path, fps: float) -> int:
    """Make (or finish making) the `fps` copy of src at dst (see _interpolate_cmd); its frame count."""
    proc = _MAKING.pop(dst, None)
    if proc is None:
        subprocess.run(_interpolate_cmd(src, dst, fps), check=True, timeout=300)
    else:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, proc.args, stderr=err)
    return read_video_info(dst)["frames"]


def _mirror(img, rng, i):
    return cv2.flip(img, 1)


def _on_canvas(img, size: tuple[int, int], x0_frac: float, grey: int = 90):
    """The image scaled to the canvas height and set on a flat grey (w, h) canvas, its left edge at
    x0_frac of the free width (0.5: in the middle)."""
    w, h = size
    small = cv2.resize(img, (round(img.shape[1] * h / img.shape[0]), h), interpolation=cv2.INTER_AREA)
    canvas = np.full((h, w, 3), grey, np.uint8)
    x0 = round((w - small.shape[1]) * x0_frac)
    canvas[:, x0 : x0 + small.shape[1]] = small
    return canvas


def _landscape(img, rng=None, i=0):
    """A 640x480 webcam-like frame: the portrait scene scaled to the frame height and set in the middle
    of a wider background, so the runner fills a narrow upright strip as in a real laptop view."""
    return _on_canvas(img, (640, 480), 0.5)


WIDE_SIZE = (1280, 720)


def _wide(img, rng, i):
    """A 1280x720 frame, as a laptop on a shelf films it: the portrait scene scaled to the frame
    height (0.56 of the original) and set well left of the middle (its left edge at a fifth of the
    free width), a flat background on both sides."""
    return _on_canvas(img, WIDE_SIZE, 0.2, grey=70)


def _farther(img, rng, i):
    """The camera twice as far away: the frame padded to twice its width and height (the scene in the
    middle, flat grey around it) and scaled back to its own size, so the runner is half as tall in
    pixels in a frame of the same size."""
    h, w = img.shape[:2]
    padded = cv2.copyMakeBorder(img, h // 2, h - h // 2, w // 2, w - w // 2, cv2.BORDER_CONSTANT, value=(90, 90, 90))
    return cv2.resize(padded, (w, h), interpolation=cv2.INTER_AREA)


# The dimming curve as a table over the 256 pixel values: indexing is ten times faster than the power
DARK_LUT = (255.0 * (np.arange(256) / 255.0) ** 1.8 * 0.6).astype(np.float32)


def _dark_noisy(img, rng, i):
    """Half the light (gamma) plus sensor-like Gaussian noise (sigma 8 levels), new on every frame:
    a dim gym. OpenCV draws the noise (10 ms a 720x1280 frame against 40 for numpy's float64),
    seeded from `rng` on the first frame so the copy is the same on every run."""
    if i == 0:
        cv2.setRNGSeed(int(rng.integers(2**31)))
    noisy = np.empty(img.shape, np.float32)
    cv2.randn(noisy, (0.0,) * 3, (8.0,) * 3)  # per channel: a bare 8.0 would be the first only
    noisy += DARK_LUT[img]
    return np.clip(noisy, 0, 255, out=noisy).astype(np.uint8)


def _analysis_lines(img, rng, i):
    """Burned-in analysis graphics, as home videos from gait apps have, on every frame: three fixed
    posture lines in saturated colours, across the frame at the runner's knee and ankle heights and a
    plumb line down through the hips and legs, an angle label beside the hips and a frame counter.
    Positions are fractions of the frame where the joints are in the source clip's side view; lines
    3 px wide at 720 px, as such apps draw them."""
    out = img.copy()
    h, w = out.shape[:2]
    t = max(2, round(w / 240))
    P = lambda fx, fy: (round(fx * w), round(fy * h))  # noqa: E731
    cv2.line(out, P(0.10, 0.84), P(0.90, 0.84), (0, 255, 255), t, cv2.LINE_AA)  # knee height, yellow
    cv2.line(out, P(0.10, 0.93), P(0.90, 0.93), (255, 255, 0), t, cv2.LINE_AA)  # ankle height, cyan
    cv2.line(out, P(0.42, 0.45), P(0.42, 0.98), (0, 0, 255), t, cv2.LINE_AA)  # plumb line, red
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, w / 720
    cv2.putText(out, f"HIP {160 + (7 * i) % 25} deg", P(0.44, 0.70), font, 1.1 * scale, (255, 255, 255), t, cv2.LINE_AA)
    cv2.putText(out, "KNEE", P(0.12, 0.83), font, 0.9 * scale, (0, 255, 255), t, cv2.LINE_AA)
    cv2.putText(out, f"#{i:04d}", P(0.04, 0.05), font, 1.0 * scale, (255, 255, 255), t, cv2.LINE_AA)
    return out


def _three_frame_mean(images):
    """Each frame the mean of frames k-1, k and k+1 (of the two that exist at the clip's ends): a
    shutter open for three frame intervals, centred on the frame, so no event moves in time."""
    mean = lambda fs: np.rint(sum(fs) / len(fs)).astype(np.uint8)  # noqa: E731
    prev = cur = None
    for img in images:
        nxt = img.astype(np.float32)
        if cur is not None:
            yield mean([cur, nxt] if prev is None else [prev, cur, nxt])
        prev, cur = cur, nxt
    if cur is not None:
        yield mean([cur] if prev is None else [prev, cur])


def _resampled_truth(truth: dict, src_fps: float, fps: float, frames: int, size: tuple[int, int] | None = None) -> dict:
    """The truth of a copy at `fps` with `frames` frames (read back from the file): frame k of the
    source is at time k/src_fps, which is frame k fps/src_fps of the copy (a float where the clocks
    do not meet: tests compare times). The events keep the frame rate they were annotated at, for
    the tolerance unit and the toe-off frame ranges (see gait_accuracy)."""
    truth = copy.deepcopy(truth)
    truth["video"].update(fps=fps, frames=frames, duration_s=frames / fps)
    if size is not None:
        truth["video"].update(width=size[0], height=size[1])
    for key in EVENT_KEYS:
        if key in truth:
            ev = truth[key]
            ev.setdefault("annotated_fps", src_fps)
            ev["frames"] = [f * fps / src_fps for f in ev["frames"]]
    return truth


SLOW_FPS = 24.0


def _retimed_truth(truth: dict, stretch: float) -> dict:
    """The truth of the same frames played `stretch` times slower: frame numbers stay, times and
    rates scale."""
    truth["video"].update(fps=truth["video"]["fps"] / stretch, duration_s=truth["video"]["duration_s"] * stretch)
    if "cadence_spm" in truth:
        truth["cadence_spm"].update(value=truth["cadence_spm"]["value"] / stretch,
                                    tolerance=truth["cadence_spm"]["tolerance"] / stretch)
    if "contact_time_ms" in truth:
        truth["contact_time_ms"]["range"] = [v * stretch for v in truth["contact_time_ms"]["range"]]
    return truth


def derived_clip(src: Clip, kind: str, folder: Path) -> Clip:
    """Make one derived version of `src` in `folder` with its ground truth transformed."""
    truth = copy.deepcopy(src.truth)
    dst = folder / f"{src.name}_{kind}.mp4"
    keep = lambda img, rng, i: img  # noqa: E731
    if kind == "mirror":
        _rewrite(src, dst, _mirror)
        flip = {"left": "right", "right": "left"}
        truth["scene"]["runner_faces"] = flip[src.facing]
        if "near_leg" in truth:  # a left leg is a right leg in the mirror image
            truth["near_leg"] = flip[truth["near_leg"]]
    elif kind == "fps15":
        # Every other frame: frame j of the copy is frame 2j of the original.
        _rewrite(src, dst, keep, keep_every=2)
        truth = _resampled_truth(truth, src.fps, src.fps / 2, read_video_info(dst)["frames"])
    elif kind in ("fps25", "fps50", "fps60"):
        fps = float(kind.removeprefix("fps"))
        frames = _interpolate(src, dst, fps)
        v = src.truth["video"]
        truth = _resampled_truth(truth, src.fps, fps, frames, (v["width"] // 2, v["height"] // 2))
    elif kind == "webcam":
        _rewrite(src, dst, _landscape)
        truth["video"]["width"], truth["video"]["height"] = 640, 480
    elif kind == "wide":
        _rewrite(src, dst, _wide)
        truth["video"]["width"], truth["video"]["height"] = WIDE_SIZE
    elif kind == "small":
        _rewrite(src, dst, _farther)  # same frames, same size: nothing in the truth changes
    elif kind == "dark":
        _rewrite(src, dst, _dark_noisy)
    elif kind == "overlay":
        _rewrite(src, dst, _analysis_lines)
    elif kind == "slow":
        # The same frames played at 24 fps: every motion takes 1.25 times as long (a runner at 0.8 of
        # the cadence, with longer contacts), every position is unchanged. Not an acceptance case
        # (DERIVED_KINDS): a known real change for `compare` to find.
        _write(_frames(src), dst, SLOW_FPS)
        truth = _retimed_truth(truth, src.fps / SLOW_FPS)
    elif kind == "blur3":
        _write(_three_frame_mean(_frames(src)), dst, read_video_info(src.path)["fps"])
    else:
        raise ValueError(f"unknown derived clip kind {kind!r}")
    return Clip(f"{src.name}_{kind}", dst, truth)


DERIVED_KINDS = ("mirror", "fps15", "fps25", "fps50", "fps60", "webcam", "wide", "small", "dark", "overlay", "blur3")


def write_landscape(src: Clip, dst: Path, n: int) -> Path:
    """The first `n` frames of a clip as a 640x480 webcam-like mp4 (see _landscape)."""
    frames = (_landscape(img) for i, img in zip(range(n), _frames(src)))
    _write(frames, dst, src.fps)
    return dst


def write_trimmed(src: Clip, dst: Path, n: int) -> Path:
    """The first `n` frames of a clip, as they are."""
    _write((img for _, img in zip(range(n), _frames(src))), dst, src.fps)
    return dst


def write_scaled(src: Clip, dst: Path, n: int, size_wh: tuple[int, int]) -> Path:
    """The first `n` frames of a clip resized to `size_wh` (e.g. a 1080x1920 phone recording)."""
    frames = (cv2.resize(img, size_wh, interpolation=cv2.INTER_CUBIC) for i, img in zip(range(n), _frames(src)))
    _write(frames, dst, src.fps)
    return dst


def write_frames(src: Clip, folder: Path, n: int) -> Path:
    """The first `n` frames of a clip as JPEG images in `folder` (an image-folder source)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, img in zip(range(n), _frames(src)):
        cv2.imwrite(str(folder / f"f{i:03d}.jpg"), img)
    return folder
