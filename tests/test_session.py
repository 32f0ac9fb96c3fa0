"""The bot's own HTTP session (bot/session.py) against the fake Bot API: what it sends, what
it reads back, and Telegram's errors raised as aiogram raises them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.session import TelegramSession
from tests.fakes.telegram import FakeTelegram, FakeUser

ANNA = FakeUser(id=3001, first_name="Анна", language_code="ru")
KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="📅 Среда", callback_data="sch:d:0:::0")],
        [InlineKeyboardButton(text="Карта", url="https://example.org/map")],
    ]
)


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    session = TelegramSession(api=TelegramAPIServer.from_base(fake.url))
    client = Bot(
        fake.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    yield client
    await client.session.close()


@pytest.mark.asyncio
async def test_a_sent_message_comes_back_as_telegram_has_it(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ANNA, "/start")
    sent = await bot.send_message(ANNA.id, "<b>Среда</b> &amp; четверг", reply_markup=KEYBOARD)
    [message] = fake.chat(ANNA.id)
    assert sent.message_id == message.message_id
    assert sent.chat.id == ANNA.id
    assert sent.text == "Среда & четверг"  # the bot's default parse mode, HTML
    assert sent.entities is not None
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
    assert sent.reply_markup == KEYBOARD
    assert message.reply_markup == KEYBOARD.model_dump(exclude_none=True)
    plain = await bot.send_message(ANNA.id, "<b>as typed</b>", parse_mode=None)
    assert (plain.text, plain.entities) == ("<b>as typed</b>", None)


@pytest.mark.asyncio
async def test_a_file_goes_up_as_a_form_with_the_default_parse_mode(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.send_message(ANNA, "/start")
    content = b"id;name\n1;Anna\n"
    sent = await bot.send_document(
        ANNA.id, BufferedInputFile(content, filename="signups.csv"), caption="<i>Список</i>"
    )
    assert sent.caption == "Список"
    message = fake.last_message(ANNA.id)
    assert message.file is not None
    assert (message.file.filename, message.file.data) == ("signups.csv", content)
    assert message.html == "<i>Список</i>"


@pytest.mark.asyncio
async def test_an_edit_reads_back_the_new_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ANNA, "/start")
    first = await bot.send_message(ANNA.id, "Среда", reply_markup=KEYBOARD)
    changed = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Четверг", callback_data="sch:d:1:::0")]]
    )
    edited = await bot.edit_message_text(
        "Четверг", chat_id=ANNA.id, message_id=first.message_id, reply_markup=changed
    )
    assert not isinstance(edited, bool)
    assert (edited.text, edited.reply_markup) == ("Четверг", changed)
    assert fake.chat(ANNA.id)[-1].reply_markup == changed.model_dump(exclude_none=True)


@pytest.mark.asyncio
async def test_telegrams_errors_are_raised_with_its_words(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(ANNA.id, "Среда", reply_markup=KEYBOARD)
    fake.send_message(ANNA, "/start")
    fake.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as too_many:
        await bot.send_message(ANNA.id, "Среда")
    assert too_many.value.retry_after == 3
    fake.fail_next("sendMessage", 502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(ANNA.id, "Среда")
    assert (await bot.send_message(ANNA.id, "Среда")).text == "Среда"
