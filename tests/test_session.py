"""The bot's own HTTP session (bot/session.py) against the fake Bot API: what it sends, what
it reads back, and Telegram's errors raised as aiogram raises them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.types import (
    BufferedInputFile,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.session import PressableMessages, TelegramSession
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


@pytest.mark.asyncio
async def test_a_press_reads_the_pressed_message_as_the_bot_last_had_it(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.send_message(ANNA, "/start")
    await bot.get_updates()  # the /start, read
    sent = await bot.send_message(ANNA.id, "<b>Среда</b>", reply_markup=KEYBOARD)
    fake.press(ANNA, sent.message_id, "sch:d:0:::0")
    [update] = await bot.get_updates(offset=-1)
    assert update.callback_query is not None
    assert update.callback_query.message is sent  # not validated again
    assert update.callback_query.data == "sch:d:0:::0"


@pytest.mark.asyncio
async def test_a_pressed_message_changed_since_is_read_as_telegram_sends_it(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.send_message(ANNA, "/start")
    sent = await bot.send_message(ANNA.id, "Среда", reply_markup=KEYBOARD)
    other = fake.create_bot()  # another process of the bot edits it meanwhile
    try:
        await other.edit_message_text(
            "Четверг", chat_id=ANNA.id, message_id=sent.message_id, reply_markup=KEYBOARD
        )
    finally:
        await other.session.close()
    fake.press(ANNA, sent.message_id, "sch:d:0:::0")
    fake.press(ANNA, 999, "sch:d:0:::0", check=False)  # a message long gone
    updates = await bot.get_updates(offset=-2)
    changed, gone = (u.callback_query.message for u in updates if u.callback_query)
    assert isinstance(changed, Message) and changed.text == "Четверг"
    assert changed.reply_markup is not None
    assert changed.reply_markup.model_dump() == KEYBOARD.model_dump()
    assert isinstance(gone, InaccessibleMessage) and gone.message_id == 999


def test_only_the_latest_pressable_messages_are_kept() -> None:
    kept = PressableMessages(size=2)
    raws = []
    for number in (1, 2, 3):
        raw = {
            "message_id": number,
            "date": 1,
            "chat": {"id": ANNA.id, "type": "private"},
            "text": "Среда",
            "reply_markup": KEYBOARD.model_dump(exclude_none=True),
        }
        kept.keep(raw, Message.model_validate(raw))
        raws.append(raw)
    assert len(kept) == 2
    queries: list[dict[str, Any]] = [{"message": dict(raw)} for raw in raws]
    kept.reuse([{"update_id": n, "callback_query": query} for n, query in enumerate(queries)])
    pressed = [query["message"] for query in queries]
    assert isinstance(pressed[0], dict)  # the first one was forgotten
    assert [m.message_id for m in pressed[1:] if isinstance(m, Message)] == [2, 3]


@pytest.mark.asyncio
async def test_a_date_in_a_request_goes_as_a_unix_time(fake: FakeTelegram, bot: Bot) -> None:
    # The JSON body is for plain values; a date takes aiogram's way, as the Bot API wants it.
    until = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
    with pytest.raises(TelegramServerError, match="does not emulate banChatMember"):
        await bot.ban_chat_member(chat_id=-100500, user_id=ANNA.id, until_date=until)
    [call] = [call for call in fake.calls if call.method == "banChatMember"]
    assert call.params["until_date"] == int(until.timestamp())
