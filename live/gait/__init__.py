"""Gait tracking: near/far legs, body frame, online landings and toe-offs, per-step Pose Method metrics.

Public API: GaitTracker, GaitConfig, write_steps_csv (see tracker.py, config.py, output.py).
"""
from live.gait.config import GaitConfig
from live.gait.output import STEPS_CSV_COLUMNS, cadence_from_landings, write_steps_csv
from live.gait.tracker import GaitTracker

__all__ = ["GaitConfig", "GaitTracker", "STEPS_CSV_COLUMNS", "cadence_from_landings", "write_steps_csv"]
