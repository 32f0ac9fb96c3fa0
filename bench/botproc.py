"""A bot in a process of its own, for the whole-bot benchmarks: `python -m bench.botproc KIND`.

KIND is `whole` (the forum bot, every middleware, service and SQLite on disk; its own pacing
left out, as the benchmark lifts Telegram's limits) or `bare` (a bare aiogram bot that answers
every message and every button with a fixed line: the floor the forum bot is compared with).
The load comes from bench/whole.py, which runs the fake Bot API in its own process, so the two
do not share a core. Stopped by SIGTERM.

Each kind imports only what it runs: the bare bot is stock aiogram (its schemas built at
import), the forum bot starts as `python -m bot` does (bot/deferred_schemas.py).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Dispatcher

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "forum.yaml"
FORUM_NOW = "2026-12-10T11:10:00+05:00"  # the first morning, during the sections
FIXED_LINE = "Thank you, noted."


async def whole(url: str, token: str, database: Path) -> None:
    from aiogram.client.telegram import TelegramAPIServer

    from bot.app import create_app
    from bot.config import Settings
    from bot.memory import settle_soon
    from bot.program import load_program
    from bot.retry import RetryMiddleware
    from bot.session import TelegramSession
    from bot.storage import Database

    settings = Settings(
        _env_file=None,
        bot_token=token,
        telegram_api_url=url,
        database_url=f"sqlite:///{database}",
        delivery_rate=1000,
        forum_now=datetime.fromisoformat(FORUM_NOW),
    )
    db = await Database.open(settings.database_path)
    session = TelegramSession(api=TelegramAPIServer.from_base(url))  # no pacing middleware
    session.middleware(RetryMiddleware())
    app = await create_app(settings, load_program(SAMPLE).program, db=db, session=session)
    settle_soon(app.prepare)  # as python -m bot does
    try:
        await app.dispatcher.start_polling(
            app.bot,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            handle_signals=True,
        )
    finally:
        await db.close()


def bare_dispatcher() -> Dispatcher:
    """Stock aiogram answering every message and every button with a fixed line."""
    from aiogram import Dispatcher
    from aiogram.types import CallbackQuery, Message

    dispatcher = Dispatcher()

    @dispatcher.message()
    async def reply(message: Message) -> None:
        await message.answer(FIXED_LINE)

    @dispatcher.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer(FIXED_LINE)

    return dispatcher


async def bare(url: str, token: str) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
    await bare_dispatcher().start_polling(bot, handle_signals=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", choices=["whole", "bare"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--database", type=Path)
    args = parser.parse_args(argv)
    if args.kind == "whole":
        if args.database is None:
            parser.error("--database is needed for the whole bot")
        asyncio.run(whole(args.url, args.token, args.database))
    else:
        asyncio.run(bare(args.url, args.token))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
