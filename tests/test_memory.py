"""A second after start-up the bot keeps the collector out of the way of what lives for good."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import asyncio, gc
import bot
from bot.memory import SETTLE_AFTER_S, YOUNG_GENERATION, settle_soon

async def main():
    default = gc.get_threshold()[0]
    settle_soon()
    await asyncio.sleep(SETTLE_AFTER_S / 2)
    halfway = gc.get_freeze_count(), gc.get_threshold()[0] == default
    await asyncio.sleep(SETTLE_AFTER_S)
    return halfway, (gc.get_freeze_count(), gc.get_threshold()[0])

(frozen_before, young_before), (frozen_after, young_after) = asyncio.run(main())
print(frozen_before, young_before, frozen_after > 10_000, young_after == YOUNG_GENERATION)
"""


def test_the_bot_settles_a_moment_after_it_starts_not_before_its_first_answers() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "True", "True"]
