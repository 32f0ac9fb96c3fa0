"""End to end: the bot's real polling and HTTP session against the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, create_app
from bot.config import Settings
from bot.program import Program
from bot.storage import Database, Person
from tests.fakes.telegram import ChatMessage, FakeTelegram, FakeUser

HELLO = {"kk": "Сәлеметсіз бе, ", "ru": "Здравствуйте, ", "en": "Hello, "}
LANGUAGE_BUTTON = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
HELP_TITLE = {"kk": "Мен не істей аламын", "ru": "Что я умею", "en": "What I can do"}


@dataclass
class Running:
    fake: FakeTelegram
    app: App
    task: asyncio.Task[None]

    async def stop(self) -> None:
        if not self.task.done():
            await self.app.dispatcher.stop_polling()
        await asyncio.wait_for(self.task, 20)


async def start_bot(
    fake: FakeTelegram,
    program: Program,
    tmp_path: Path,
    *,
    request_timeout: float | None = None,
    **options: Any,
) -> Running:
    """The bot polling the fake; `options` are more Settings, `request_timeout` shortens the
    seconds the bot waits for each answer (aiogram's 60 by default)."""
    settings = Settings(
        _env_file=None,
        bot_token=fake.token,
        telegram_api_url=fake.url,
        database_url=f"sqlite:///{tmp_path / 'forum.db'}",
        **options,
    )
    db = await Database.open(settings.database_path)
    app = await create_app(settings, program, db=db)  # the real aiohttp session
    if request_timeout is not None:
        for bot in (app.bot, app.delivery_bot):
            bot.session.timeout = request_timeout
    task = asyncio.create_task(
        app.dispatcher.start_polling(
            app.bot,
            polling_timeout=1,
            handle_signals=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
    )
    return Running(fake, app, task)


@pytest.fixture
async def running(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> AsyncIterator[Running]:
    bot = await start_bot(fake, sample_program, tmp_path)
    try:
        yield bot
    finally:
        await bot.stop()


async def next_message(fake: FakeTelegram, user: FakeUser, count: int) -> ChatMessage:
    return (await fake.wait_messages(user.id, count, timeout=10))[count - 1]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_start_language_and_help_over_real_polling(running: Running, lang: str) -> None:
    fake = running.fake
    user = FakeUser(id=2001, first_name="Dana", language_code=lang)
    fake.send_message(user, "/start")
    greeting = await next_message(fake, user, 1)
    assert greeting.text is not None and greeting.text.startswith(HELLO[lang] + "Dana")
    query = fake.press(user, greeting, greeting.button_data(LANGUAGE_BUTTON[lang]))
    await fake.wait_answered(query, timeout=10)
    await fake.wait_for(lambda: fake.chat(user.id)[0].edited, timeout=10)
    chosen = fake.chat(user.id)[0]
    assert chosen.text is not None and chosen.text.startswith(HELLO[lang])
    assert chosen.buttons()[0][0].startswith("📅")  # the main menu
    fake.send_message(user, "/help")
    help_message = await next_message(fake, user, 2)
    assert help_message.text is not None and help_message.text.startswith(HELP_TITLE[lang])
    assert "/language" in help_message.text


async def test_command_menus_are_set_per_language(running: Running) -> None:
    fake = running.fake
    await fake.wait_for(lambda: len(fake.commands) == 4, timeout=10)
    assert {key[1] for key in fake.commands} == {"kk", "ru", "en", None}
    kazakh = {c["command"]: c["description"] for c in fake.commands[("default", "kk")]}
    assert kazakh["help"] == "Мен не істей аламын"


async def test_a_429_delays_the_reply_but_never_loses_it(running: Running) -> None:
    fake = running.fake
    user = FakeUser(id=2002, first_name="Oleg", language_code="ru")
    fake.fail_next("sendMessage", 429, retry_after=1)
    fake.send_message(user, "/help")
    reply = await next_message(fake, user, 1)
    assert reply.text is not None and reply.text.startswith(HELP_TITLE["ru"])
    sends = fake.calls_to("sendMessage")
    assert [call.status for call in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0  # waited retry_after before trying again


async def test_server_errors_are_retried(running: Running) -> None:
    fake = running.fake
    user = FakeUser(id=2003, first_name="Bolat", language_code="kk")
    fake.fail_next("sendMessage", 502, times=2)
    fake.send_message(user, "/help")
    reply = await next_message(fake, user, 1)
    assert reply.text is not None and reply.text.startswith(HELP_TITLE["kk"])
    assert [call.status for call in fake.calls_to("sendMessage")] == [502, 502, 200]


async def test_every_callback_is_answered_even_forged_ones(running: Running) -> None:
    fake = running.fake
    user = FakeUser(id=2004, first_name="Sara", language_code="en")
    fake.send_message(user, "/start")
    greeting = await next_message(fake, user, 1)
    query = fake.press(user, greeting, "lang:xx:0", check=False)
    answer = await fake.wait_answered(query, timeout=10)
    assert answer.get("text") == "This button is out of date."
    assert not fake.chat(user.id)[0].edited


async def test_stopping_lets_the_update_in_hand_finish_and_closes_the_database(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    bot = await start_bot(fake, sample_program, tmp_path)
    people = bot.app.people
    original = people.recognize
    entered = asyncio.Event()

    async def slow_recognize(
        person_id: int, *, full_name: str, username: str | None, telegram_language: str | None
    ) -> Person:
        entered.set()
        await asyncio.sleep(0.5)
        return await original(
            person_id,
            full_name=full_name,
            username=username,
            telegram_language=telegram_language,
        )

    people.recognize = slow_recognize  # type: ignore[method-assign]
    user = FakeUser(id=2005, first_name="Ilyas", language_code="en")
    fake.send_message(user, "/help")
    await asyncio.wait_for(entered.wait(), 10)
    await bot.stop()  # while the update is still being handled
    assert [m.text[:13] for m in fake.chat(user.id) if m.text] == ["What I can do"]
    assert bot.app.db.closed
    # nothing is left unconfirmed at the server: a restart will not handle it again
    assert fake.pending_updates == []


# -- pacing: replies share Telegram's budget -------------------------------------------------


async def test_a_crowd_writing_at_once_is_answered_without_a_single_429(running: Running) -> None:
    """75 people ask at the same moment: the fake allows 30 messages a second (as Telegram)."""
    fake = running.fake
    crowd = [FakeUser(id=3000 + n, first_name=f"P{n}", language_code="en") for n in range(75)]
    for user in crowd:
        fake.send_message(user, "/help")
    for user in crowd:
        reply = await next_message(fake, user, 1)
        assert reply.text is not None and reply.text.startswith(HELP_TITLE["en"])
    sends = fake.calls_to("sendMessage")
    assert len(sends) == 75
    assert [call.status for call in sends if not call.ok] == []


async def test_one_person_tapping_fast_gets_every_answer_without_a_429(running: Running) -> None:
    """Telegram tolerates a short burst in one chat, then answers 429; the bot waits instead."""
    fake = running.fake
    user = FakeUser(id=2005, first_name="Aigerim", language_code="kk")
    for _ in range(7):
        fake.send_message(user, "/help")
    replies = await fake.wait_messages(user.id, 7, timeout=15)
    assert all(r.text is not None and r.text.startswith(HELP_TITLE["kk"]) for r in replies)
    assert [call.status for call in fake.calls_to("sendMessage") if not call.ok] == []
