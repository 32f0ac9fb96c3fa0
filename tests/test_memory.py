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


PREPARED = """
import asyncio
import bot
from aiogram.methods.base import Response
from aiogram.types import Update
from bot.app import SENT_METHODS, create_app
from bot.config import Settings
from bot.memory import SETTLE_AFTER_S, settle_soon
from bot.program import load_program
from bot.storage import Database

async def main():
    db = await Database.open(None)
    settings = Settings(_env_file=None, bot_token="1:x", telegram_api_url="http://127.0.0.1:9")
    app = await create_app(settings, load_program("data/forum.yaml").program, db=db)
    polled = Response[list[Update]]  # what getUpdates answers
    built = lambda: sum(m.__pydantic_complete__ for m in (*SENT_METHODS, polled))
    before = built()
    settle_soon(app.prepare)
    await asyncio.sleep(SETTLE_AFTER_S / 2)
    halfway = built()
    await asyncio.sleep(SETTLE_AFTER_S)
    after = built()
    await app.close()
    return before, halfway, after, len(SENT_METHODS) + 1

print(*asyncio.run(main()))
"""


def test_the_bot_builds_the_schemas_of_what_it_sends_when_it_settles() -> None:
    """aiogram's schemas are built on first use (bot/deferred_schemas.py): without this, the
    first press after a start would wait for its edit's schema, the first venue for its pin's,
    and a crowd in the first poll would wait for the schema of updates."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARED], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    before, halfway, after, sent = map(int, done.stdout.split())
    assert before == halfway < after == sent


FAILED_PREPARE = """
import asyncio, gc
import bot
from bot.memory import SETTLE_AFTER_S, settle_soon

def prepare():
    raise RuntimeError("no schemas today")

async def main():
    errors = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    settle_soon(prepare)
    await asyncio.sleep(SETTLE_AFTER_S * 1.5)
    return gc.get_freeze_count() > 10_000, [str(e.get("exception")) for e in errors]

print(*asyncio.run(main()))
"""


def test_a_failure_to_prepare_is_reported_and_the_collector_is_set_anyway() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FAILED_PREPARE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == ["True", "['no schemas today']\n"]
