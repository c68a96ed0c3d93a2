"""A pytest plugin: tests marked `own_process` run in a fresh Python process of their own.

For state a library keeps per process that no test can reset: pyttsx3's espeak driver holds one
process-wide synth callback, rate and voice, so engines of earlier tests in the same process leak
into later ones (silent phrases, ignored rates), while a real posecoach session has one engine per
process. (pytest-forked would do this, but it does not run under pytest 9.)
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from _pytest.reports import TestReport

INNER = "POSECOACH_OWN_PROCESS"  # set in the child, which then runs the test normally
TIMEOUT_S = 600


def pytest_configure(config):
    config.addinivalue_line("markers", "own_process: run this test in a fresh Python process of its own")


def _report(item, when: str, outcome: str, longrepr, duration: float) -> TestReport:
    return TestReport(item.nodeid, item.location, {k: 1 for k in item.keywords}, outcome, longrepr, when,
                      duration=duration)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    if item.get_closest_marker("own_process") is None or os.environ.get(INNER):
        return None
    hook = item.ihook
    hook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    start = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "--no-header", item.nodeid]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=str(item.config.rootpath),
                              env={**os.environ, INNER: "1"})
        output, code = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as err:
        output, code = f"timed out after {TIMEOUT_S} s\n{err.stdout or ''}", -1
    duration = time.monotonic() - start
    last = output.strip().splitlines()[-1] if output.strip() else ""
    if code == 0 and " skipped" in last and " passed" not in last:
        line = next((line for line in output.splitlines() if line.startswith("SKIPPED")), "SKIPPED: skipped")
        reason = line.split(": ", 1)[-1]  # "SKIPPED [1] path:line: reason" -> reason
        hook.pytest_runtest_logreport(report=_report(item, "setup", "skipped", (str(item.path), item.location[1], reason), duration))
    else:
        hook.pytest_runtest_logreport(report=_report(item, "setup", "passed", None, 0.0))
        outcome = "passed" if code == 0 else "failed"
        hook.pytest_runtest_logreport(report=_report(item, "call", outcome, None if code == 0 else output, duration))
        hook.pytest_runtest_logreport(report=_report(item, "teardown", "passed", None, 0.0))
    hook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
