"""Test helpers for report.html: parse the page's tagged numbers and trace each one to its file."""
from __future__ import annotations

import csv
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

from cues.config import load_cues_config
from live.report.targets import POSE_SOURCES

DATA_URI = re.compile(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/=]+")


class PageParser(HTMLParser):
    """Collects (data-src, text) of every tagged span, and the visible text outside them."""

    def __init__(self):
        super().__init__()
        self.tagged: list[tuple[str, str]] = []
        self.untagged: list[str] = []
        self._src: str | None = None
        self._buf: list[str] = []
        self._skip = 0  # inside <style> or <title> (the tab's title: the folder name, tagged in the page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "title"):
            self._skip += 1
        elif tag == "span" and "data-src" in a:
            self._src, self._buf = a["data-src"], []

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        elif tag == "span" and self._src is not None:
            self.tagged.append((self._src, "".join(self._buf)))
            self._src = None

    def handle_data(self, data):
        if self._skip:
            return
        (self._buf if self._src is not None else self.untagged).append(data)


def parse(page: str) -> PageParser:
    p = PageParser()
    p.feed(page)
    return p


def _dig(d, path: str):
    for part in path.split("."):
        d = d[int(part)] if isinstance(d, list) else d[part]
    return d


def _median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


class SessionFiles:
    """The session files, read independently of live.report, to check the page against."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.summary = json.loads((folder / "summary.json").read_text())
        self.profile = json.loads((folder / "profile.json").read_text())
        self.cues = [json.loads(line) for line in (folder / "cues.jsonl").read_text().splitlines()]
        with open(folder / "steps.csv", newline="") as f:
            self.steps = list(csv.DictReader(f))
        self.poses = len((folder / "poses.jsonl").read_bytes().splitlines())
        index = folder / "keyframes" / "keyframes.json"
        self.keyframes = json.loads(index.read_text()) if index.is_file() else None
        used = self.summary.get("cues_config", "defaults")
        self.config = load_cues_config(None if used == "defaults" else used)

    def resolve(self, src: str):
        kind, _, rest = src.partition(":")
        if kind == "diff":
            a, b = rest.split("|")
            return self.resolve(a) - self.resolve(b)
        if kind == "summary":
            return _dig(self.summary, rest)
        if kind == "profile":
            return _dig(self.profile, rest)
        if kind == "folder":
            return self.folder.name
        if kind == "keyframes":
            return _dig(self.keyframes, rest)
        if kind == "poses":
            return self.poses
        if kind == "pose":
            return POSE_SOURCES[rest]
        if kind == "cues":
            i, key = rest.split(":")
            return int(i) + 1 if key == "#" else self.cues[int(i)][key]
        if kind == "config" and rest == "source":
            return str(Path(self.config.source).resolve())
        if kind == "config":
            section, _, attr = rest.rpartition(".")
            if section == "coach":
                return getattr(self.config.coach, attr)
            rule = next(r for r in self.config.faults if f"faults.{r.name}" == section)
            return getattr(rule, attr)
        if kind == "steps" and rest == "waist_bend_median":
            ok = [s for s in self.steps if s["quality"] == "ok" and s["trunk_deg"] and s["fall_deg"]]
            return _median([float(s["trunk_deg"]) - float(s["fall_deg"]) for s in ok])
        raise AssertionError(f"unknown source {src!r}")


def as_shown(value, text: str) -> str:
    """`value` formatted the way the page shows `text`: same number of decimals, or as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    assert math.isfinite(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    shown = f"{value:.{decimals}f}"
    return shown.lstrip("-") if float(shown) == 0 else shown  # the page writes no "-0.0"
