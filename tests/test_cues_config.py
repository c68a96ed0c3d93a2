"""The cue config: packaged commented defaults, a user file overriding key by key, clear errors."""
from __future__ import annotations

import pytest

from cues.coach import PRAISE
from cues.config import RULE_METRICS, load_cues_config
from live.errors import BadInputError


def write(tmp_path, text: str):
    p = tmp_path / "my_cues.toml"
    p.write_text(text)
    return p


def test_defaults_cover_the_issue_faults_and_phrases():
    cfg = load_cues_config(None)
    assert cfg.phrase("land_under_hips") == "Land under your hips"
    cues = {f.cue for f in cfg.faults}
    assert cues == {"land_under_hips", "pull_dont_push", "quicker_feet", "lean_from_ankles", "fall_forward",
                    "stay_low", "soft_knees", "hot_coals"}
    assert cfg.phrase("praise") == "Good. Hold that."
    for f in cfg.faults:
        assert f.metric in RULE_METRICS
        assert (f.off < f.on) if f.direction == "above" else (f.off > f.on)
    assert cfg.speech.voice == "en-us" and cfg.speech.rate_wpm == 170


def test_user_file_overrides_key_by_key(tmp_path):
    cfg = load_cues_config(write(tmp_path, """
[coach]
min_gap_s = 8
[phrases]
stay_low = "Run flat"
[faults.overstride]
on = 0.15
[faults.long_contact]
enabled = false
[faults.heavy_landing]
cue = "soft_knees"
metric = "knee_deg"
direction = "above"
on = 175.0
off = 170.0
weight = 1.0
"""))
    rules = {f.name: f for f in cfg.faults}
    assert cfg.coach.min_gap_s == 8.0 and cfg.coach.repeat_gap_s == 25.0
    assert cfg.phrase("stay_low") == "Run flat" and cfg.phrase("quicker_feet") == "Quicker feet"
    assert rules["overstride"].on == 0.15 and rules["overstride"].off == 0.09
    assert not rules["long_contact"].enabled
    assert rules["heavy_landing"].window_steps == cfg.coach.window_steps


def test_packaged_phrases_are_all_used():
    """Every packaged phrase is some rule's cue (side or front view), or the praise the coach says: none is dead text."""
    cfg = load_cues_config(None)
    assert set(cfg.phrases) == {f.cue for f in cfg.faults + cfg.front_faults} | {PRAISE}


def test_a_new_rule_may_bring_its_own_new_phrase(tmp_path):
    cfg = load_cues_config(write(tmp_path, """
[phrases]
tall_posture = "Run tall"
[faults.slouch]
cue = "tall_posture"
metric = "trunk_deg"
direction = "above"
on = 15.0
off = 10.0
weight = 1.0
"""))
    assert cfg.phrase("tall_posture") == "Run tall"
    assert {f.name: f.cue for f in cfg.faults}["slouch"] == "tall_posture"


@pytest.mark.parametrize("text", [
    '[phrases]\npull_dont_psuh = "Pull, do not push"\n',
    # A phrase for a new id but no rule that says it: as dead as a typo.
    '[phrases]\ntall_posture = "Run tall"\n',
])
def test_unknown_phrase_id_is_refused_with_the_known_ids(tmp_path, text):
    with pytest.raises(BadInputError) as e:
        load_cues_config(write(tmp_path, text))
    msg = str(e.value)
    key = text.split("\n")[1].split(" ")[0]
    assert f"phrases.{key} is not a known phrase id" in msg
    assert all(cue_id in msg for cue_id in load_cues_config(None).phrases)
    assert f'[faults.NAME] rule whose cue = "{key}"' in msg
    assert msg.endswith(".") and "\n" not in msg and msg.count(". ") == 0


def test_a_typo_suggests_the_phrase_id_meant(tmp_path):
    with pytest.raises(BadInputError, match=r"\(did you mean pull_dont_push\?\)"):
        load_cues_config(write(tmp_path, '[phrases]\npull_dont_psuh = "Pull"\n'))


def test_with_speech_takes_the_command_line():
    cfg = load_cues_config(None).with_speech(None, 200)
    assert cfg.speech == type(cfg.speech)("en-us", 200)
    with pytest.raises(BadInputError, match="rate_wpm"):
        load_cues_config(None).with_speech("de", 9)


@pytest.mark.parametrize("text, words", [
    ("[coach]\nmin_gap = 3\n", "unknown key coach.min_gap"),
    ("[coachs]\n", "unknown section [coachs]"),
    ("[faults.overstride]\nonn = 0.1\n", "unknown key faults.overstride.onn"),
    ("[coach]\nstale_s = 0\n", "coach.stale_s = 0.0 is out of range"),
    ("[coach]\nwarmup_steps = 2.5\n", "should be a int"),
    ("[coach]\nrepeat_gap_s = 2.0\n", "must not be shorter than coach.min_gap_s"),
    ("[faults.overstride]\noff = 0.2\n", "off = 0.2 must be below on = 0.12"),
    ("[faults.low_cadence]\noff = 150.0\n", "off = 150.0 must be above on = 160.0"),
    ("[faults.overstride]\nmetric = \"lean\"\n", "metric = 'lean' is unknown"),
    ("[faults.overstride]\ncue = \"go_faster\"\n", "cue = 'go_faster' is not in [phrases]"),
    ("[faults.new]\nmetric = \"knee_deg\"\n", "faults.new is missing cue"),
    ("[phrases]\nstay_low = \"\"\n", "phrases.stay_low must be a non-empty string"),
    ("[speech]\nrate_wpm = 1000\n", "speech.rate_wpm = 1000 is out of range"),
    ("[coach\n", "is not valid TOML"),
])
def test_bad_files_are_one_clear_sentence(tmp_path, text, words):
    with pytest.raises(BadInputError) as e:
        load_cues_config(write(tmp_path, text))
    msg = str(e.value)
    assert words in msg
    assert msg.endswith(".") and "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        load_cues_config(tmp_path / "nope.toml")
