"""After start-up the bot keeps the collector out of the way of what lives for good."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import gc
import bot
from aiogram.types import Update
from bot.memory import YOUNG_GENERATION, settle
before = (gc.get_freeze_count(), Update.__pydantic_complete__)
settle()
after = (gc.get_freeze_count(), Update.__pydantic_complete__)
print(before[0], before[1], after[0] > 10_000, after[1], gc.get_threshold()[0] == YOUNG_GENERATION)
"""


def test_settle_builds_what_every_update_needs_and_freezes_what_lives() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False", "True", "True", "True"]
