"""`python -m bench --short` runs every part of the bench on the real clip and writes its JSON.
No assertion on speed (figures depend on the machine): only that each part ran and measured."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_short_runs_and_writes_json(clip, model_path, tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--short", "--clip", str(clip.path), "--model", str(model_path), "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]  # 1: a measured run failed (its error is in the JSON)
    assert out.is_file(), proc.stderr[-3000:]
    result = json.loads(out.read_text())
    rows = {r["name"].split(" (")[0]: r for r in result["rows"]}
    names = list(rows)
    assert names[0].startswith("baseline") and any(n.startswith("analyze auto") for n in names)
    assert any(n.startswith("live --realtime @30") for n in names) and any("@60" in n for n in names)
    base = result["rows"][0]
    assert base["frames"] == result["frames"] > 0 and base["fps"] > 0
    analyze = next(r for r in result["rows"] if r["name"] == "analyze auto")
    assert analyze["frames"] == result["frames"] and analyze["x_baseline"] > 0
    assert analyze["kp_err_pct_bh"] is not None and analyze["kp_err_pct_bh"] < 1.5  # the bound
    for r in result["rows"]:
        if r["name"].startswith("live --realtime"):
            assert r["frames"] > 0 and r["lat_p50_ms"] is not None and r["dropped"] is not None
    # The table is printed with one line per run.
    assert all(r["name"] in proc.stdout for r in result["rows"])
