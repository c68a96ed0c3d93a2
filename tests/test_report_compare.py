"""`posecoach compare` on the real clip: a session against itself (no difference anywhere) and against
its mirror image (the same running, facing the other way), every number traced to summary.json."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from report_page import SessionFiles, as_shown, parse


def _posecoach(*args: str, cwd=None, model_path=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **({"POSECOACH_MODEL": str(model_path)} if model_path else {}))
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def sessions(analyzed_clip, make_derived, model_path, tmp_path_factory):
    """`analyze` on the clip and on its mirror: (original folder, mirror folder)."""
    mirror = tmp_path_factory.mktemp("compare") / "mirror"
    result = _posecoach("analyze", str(make_derived("mirror").path), "--out", str(mirror), model_path=model_path)
    assert result.returncode == 0, result.stderr
    return analyzed_clip, mirror


def _rows(page: str) -> dict[str, str]:
    """metric label -> the noise word of its row."""
    import re

    rows = re.findall(r"<tr><td>([^<]+?) <span class='unit'>.*?<td class='noise'>(.*?)</td></tr>", page)
    return {label: re.sub(r"<[^>]+>", "", word) for label, word in rows}


def _check_sources(page: str, a, b) -> int:
    files = {"a": SessionFiles(a), "b": SessionFiles(b)}

    def resolve(src: str):
        side, _, rest = src.partition(":")
        if side == "diff":
            x, y = rest.split("|")
            return resolve(x) - resolve(y)
        return files[side].resolve(rest)

    tagged = parse(page).tagged
    for src, text in tagged:
        assert as_shown(resolve(src), text) == text, src
    return len(tagged)


def test_a_session_against_itself_differs_nowhere(sessions, tmp_path):
    a = sessions[0]
    result = _posecoach("compare", str(a), str(a), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / f"compare-{a.name}-{a.name}.html"
    assert str(path) in result.stdout
    page = path.read_text()
    rows = _rows(page)
    assert len(rows) == 8 and set(rows.values()) == {"within noise"}, rows
    diffs = [text for src, text in parse(page).tagged if src.startswith("diff:")]
    assert len(diffs) == 8 and all(float(d) == 0 for d in diffs), diffs
    assert _check_sources(page, a, a) > 20


def test_the_mirror_runs_the_same_facing_the_other_way(sessions, tmp_path):
    a, b = sessions
    out = tmp_path / "mirror.html"
    result = _posecoach("compare", str(a), str(b), "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    rows = _rows(page)
    # The same steps seen mirrored: any gap is the measurement's (the pose model is not mirror-
    # symmetric: contact 14.7 ms and overstride 0.020 bh apart at 30 fps), and none may read as a change.
    assert rows == dict.fromkeys(rows, "within noise") and len(rows) == 8, rows
    facing = {src: text for src, text in parse(page).tagged if src.endswith(":summary:facing")}
    assert {facing["a:summary:facing"], facing["b:summary:facing"]} == {"left", "right"}, facing
    _check_sources(page, a, b)


def test_the_page_is_self_contained(sessions, tmp_path):
    out = tmp_path / "c.html"
    assert _posecoach("compare", str(sessions[0]), str(sessions[1]), "--out", str(out)).returncode == 0
    page = out.read_text()
    for reference in ("http:", "https:", "<script", "<link", "@import", "url("):
        assert reference not in page, reference


def test_a_folder_that_is_not_a_session_is_one_sentence_and_exit_2(sessions, tmp_path):
    result = _posecoach("compare", str(sessions[0]), str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not a posecoach session folder" in result.stderr


def test_a_real_change_differs_and_what_did_not_change_does_not(analyzed_clip, make_derived, model_path, tmp_path):
    """The same frames played at 24 fps (tests/footage.py "slow"): every time 1.25 times longer,
    every position the same. Cadence (168 -> 135 spm) and contact (+25%) really changed; the angles
    and the bounce, read from positions alone, did not."""
    slow = tmp_path / "slow"
    result = _posecoach("analyze", str(make_derived("slow").path), "--out", str(slow), model_path=model_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "slow.html"
    assert _posecoach("compare", str(analyzed_clip), str(slow), "--out", str(out)).returncode == 0
    rows = _rows(out.read_text())
    assert rows["Cadence"] == rows["Ground contact"] == "differs", rows
    unchanged = ("Fall angle", "Trunk vs fall (waist bend)", "Bounce")
    assert {m: rows[m] for m in unchanged} == dict.fromkeys(unchanged, "within noise"), rows
