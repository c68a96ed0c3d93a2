"""Key frames on the real clip: a typical step and the main fault's worst step, taken from the source
during the run, written to keyframes/ and embedded in report.html."""
from __future__ import annotations

import json
import re

import cv2
import pytest
from report_page import DATA_URI

from live.keypoints import Kp

ANKLE = {"left": Kp.LEFT_ANKLE, "right": Kp.RIGHT_ANKLE}


@pytest.fixture
def session(analyzed_clip):
    return analyzed_clip


def _index(session) -> dict:
    return json.loads((session / "keyframes" / "keyframes.json").read_text())


def test_a_typical_and_a_worst_step_each_with_three_images(session):
    kf = _index(session)
    assert kf["main_fault"] is not None, "the shared clip has a fault beyond its rule (slow_pull on it)"
    for kind in ("typical", "worst"):
        frames = [e for e in kf["frames"] if e["kind"] == kind]
        assert [e["phase"] for e in frames] == ["landing", "midstance", "toe_off"], kind
        assert frames[0]["frame"] == frames[0]["step_frame"]
        assert frames[0]["frame"] <= frames[1]["frame"] <= frames[2]["frame"]
        for e in frames:
            image = cv2.imread(str(session / "keyframes" / e["file"]))
            assert image is not None and image.shape[0] == 360, e["file"]  # downscaled from 1280
    worst = next(e for e in kf["frames"] if e["kind"] == "worst")
    assert worst["fault"] == kf["main_fault"]["fault"]
    assert worst["value"] <= worst["on"] if worst["direction"] == "below" else worst["value"] >= worst["on"]


FOOT_SETTLE_BH = 0.03  # after contact the ankle still lowers a little as the foot rolls flat


def test_landing_key_frames_are_landings_with_the_foot_down(session, clip):
    """Each landing still is a landing the run reported and a real one (the clip's hand-made truth,
    +-1 frame), and shows that leg's foot arrived at the ground: lower than a frame before, and
    within FOOT_SETTLE_BH of the lowest it reaches over the next frames of the contact."""
    summary = json.loads((session / "summary.json").read_text())
    landings = {d["frame"] for d in summary["landings"]}
    truth = clip.truth["initial_contact_frames"]["frames"]
    bh = summary["body_height_px"]
    poses = {}
    for line in (session / "poses.jsonl").read_text().splitlines():
        d = json.loads(line)
        poses[d["index"]] = d["xy"]
    for e in (e for e in _index(session)["frames"] if e["phase"] == "landing"):
        f, k = e["frame"], ANKLE[e["side"]]
        assert f in landings, e
        assert min(abs(f - t) for t in truth) <= 1, (e, truth)
        ys = {i: poses[i][k][1] for i in range(f - 1, f + 5) if poses.get(i) and poses[i][k] is not None}
        assert f in ys and (f - 1 not in ys or ys[f] > ys[f - 1]), (e, ys)
        assert ys[f] >= max(y for i, y in ys.items() if i >= f) - FOOT_SETTLE_BH * bh, (e, ys)


def test_report_embeds_the_key_frames_and_references_nothing_outside(session):
    page = (session / "report.html").read_text()
    jpegs = re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(jpegs) == len(_index(session)["frames"]) == 6
    bare = DATA_URI.sub("", page)
    for forbidden in ("http:", "https:", "//", "<script", "<link", "url(", "@import", "<iframe"):
        assert forbidden not in bare.lower(), forbidden
    assert re.findall(r"(?<![-\w])(?:src|href)=\"(?!data:)", page) == []
    assert "keyframes/" not in bare  # embedded, not linked


def test_report_command_embeds_them_again(session, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(session, copy)
    (copy / "report.html").unlink()
    from live.report import write_report

    page = write_report(copy).read_text()
    assert page.count("data:image/jpeg;base64,") == 6
    shutil.rmtree(copy / "keyframes")  # an older folder: the page says there are none
    page = write_report(copy).read_text()
    assert "data:image/jpeg" not in page and "No key frames" in page
