"""Runner history: the index a --profile run appends to, its reader (a cut last line is skipped with a
sentence) and `posecoach history NAME`, all under a temporary XDG_DATA_HOME."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
from report_page import DATA_URI, as_shown, parse


def _posecoach(*args: str, env: dict, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "live", *args], capture_output=True, text=True,
                          env=dict(os.environ, **env), cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def profiled_run(clip, model_path, analyzed_clip, tmp_path_factory):
    """A real `analyze --profile FILE` whose profile is named 'ana' (the profile an earlier plain run
    measured, renamed), with its own data dir: (data dir, session folder)."""
    base = tmp_path_factory.mktemp("history")
    env = {"XDG_DATA_HOME": str(base / "data"), "POSECOACH_MODEL": str(model_path)}
    profile = json.loads((analyzed_clip / "profile.json").read_text())
    (base / "ana.json").write_text(json.dumps({**profile, "name": "ana"}))
    plain_data = analyzed_clip.parent / "data"  # the plain run's own user data folder (conftest)
    assert not (plain_data / "posecoach").exists(), "a run without --profile records no history"
    session = base / "session"
    result = _posecoach("analyze", str(clip.path), "--out", str(session), "--profile", str(base / "ana.json"), env=env)
    assert result.returncode == 0, result.stderr
    return base / "data", session


def _index(data_dir):
    return data_dir / "posecoach" / "runners" / "ana" / "sessions.jsonl"


def test_a_profile_run_appends_its_line_at_the_end(profiled_run):
    data_dir, session = profiled_run
    (line,) = _index(data_dir).read_text().splitlines()
    entry = json.loads(line)
    summary = json.loads((session / "summary.json").read_text())
    assert entry["session"] == str(session.resolve())
    assert entry["metrics"]["cadence_spm"] == summary["cadence_spm"]
    assert entry["metrics"]["fall_deg"] == summary["metrics"]["fall_deg"]["median"]
    datetime.fromisoformat(entry["time"])


def test_three_sessions_three_points_and_a_cut_line_skipped(profiled_run, tmp_path, monkeypatch):
    data_dir, session = profiled_run
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from live.report.history import record_session

    for day in (1, 2, 3):  # the loop's own writer, on one real session's files
        index = record_session("ana", session, datetime(2026, 5, day, 7, 30))
    index.write_text(index.read_text() + '{"time": "2026-05-04T07:3')  # a run that crashed mid-line
    result = _posecoach("history", "ana", env={"XDG_DATA_HOME": str(tmp_path / "data")}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Line 4 of sessions.jsonl is cut short" in result.stderr
    page = (tmp_path / "history-ana.html").read_text()
    tagged = parse(page).tagged
    assert ("index:count", "3") in tagged
    times = [text for src, text in tagged if src.endswith(":time")]
    assert times == [f"2026-05-0{d}T07:30:00" for d in (1, 2, 3)]
    entries = [json.loads(line) for line in index.read_text().splitlines()[:3]]
    for src, text in tagged:
        if src.startswith("index:") and ":metrics." in src:
            _, i, key = src.split(":")
            assert as_shown(entries[int(i)]["metrics"][key.split(".", 1)[1]], text) == text, src
    assert len(DATA_URI.findall(page)) == 8
    for reference in ("http:", "https:", "<script", "<link"):
        assert reference not in page


def test_no_history_and_a_bad_name_are_one_sentence_and_exit_2(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    for name in ("nobody", "../etc"):
        result = _posecoach("history", name, env=env, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_index_that_cannot_be_written_costs_one_sentence(profiled_run, tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    from live.loop import _record_history

    class Inputs:
        profile = type("Profile", (), {"name": "ana"})()

    class Done:
        folder = profiled_run[1]

    _record_history(Done(), Inputs())  # must not raise: the session is already saved
    err = capsys.readouterr().err
    assert "could not be added to 'ana'" in err and len(err.strip().splitlines()) == 1, err


def test_an_index_full_of_garbage_is_one_sentence_not_one_per_line(profiled_run, tmp_path, monkeypatch):
    _, session = profiled_run
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from live.report.history import read_history, record_session

    index = record_session("ana", session, datetime(2026, 5, 1, 7, 30))
    index.write_text(index.read_text() + "\x00garbage{\n" * 1000)
    history = read_history("ana")
    assert len(history.entries) == 1
    assert len(history.notes) == 1 and history.notes[0].startswith("1000 lines of sessions.jsonl"), history.notes
    assert "lines 2, 3, 4, 5, 6 and 995 more" in history.notes[0]
