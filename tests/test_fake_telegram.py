"""Tests of the fake Telegram Bot API server (tests/fakes/telegram.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from tests.fakes.telegram import (
    ChatMessage,
    FakeTelegram,
    FakeUser,
    HtmlParseError,
    UploadedFile,
    parse_html,
)

ALICE = FakeUser(id=1001, first_name="Alice", username="alice")
BOB = FakeUser(id=1002, first_name="Bob", language_code="ru")
CYRILLIC_YA = "\u044f"  # two bytes in UTF-8


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with fake.create_bot() as client:
        yield client


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw(
    http: aiohttp.ClientSession, fake: FakeTelegram, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST to the fake without aiogram; returns (HTTP status, JSON body)."""
    async with http.post(fake.api_url(method), **kwargs) as response:
        body: dict[str, Any] = await response.json()
        return response.status, body


# --- HTML parsing ---------------------------------------------------------------------------


def test_parse_html_entities_and_offsets() -> None:
    text, entities = parse_html("\U0001f600 <b>bold <i>both</i></b> &lt;tag&gt; &amp;&quot;&#33;")
    assert text == '\U0001f600 bold both <tag> &"!'
    # the emoji takes two UTF-16 code units
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
    ]


def test_parse_html_links_code_and_quotes() -> None:
    source = (
        '<a href="https://example.org/?a=1&amp;b=2">site</a> '
        '<pre><code class="language-python">x = 1</code></pre> <code>y</code> '
        '<blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span> &nbsp;'
    )
    text, entities = parse_html(source)
    assert text == "site x = 1 y q s &nbsp;"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {"type": "pre", "offset": 5, "length": 5, "language": "python"},
        {"type": "code", "offset": 11, "length": 1},
        {"type": "expandable_blockquote", "offset": 13, "length": 1},
        {"type": "spoiler", "offset": 15, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x <foo>y</foo>", 'Unsupported start tag "foo" at byte offset 2'),
        (f"{CYRILLIC_YA * 3} <br>", 'Unsupported start tag "br" at byte offset 7'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_html_errors(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as error:
        parse_html(source)
    assert str(error.value) == message


# --- aiogram against the fake ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_me_with_plain_aiohttp_session(fake: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
    bot = Bot(fake.token, session=session)
    try:
        me = await bot.get_me()
    finally:
        await session.close()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        42,
        True,
        "Forum Test Bot",
        "forum_test_bot",
    )
    assert [call.status for call in fake.calls_to("getMe")] == [200]


@pytest.mark.asyncio
async def test_send_to_unknown_chat_is_chat_not_found(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(ALICE.id, "hello")
    [call] = fake.calls_to("sendMessage")
    assert call.status == 400
    assert call.response == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }


@pytest.mark.asyncio
async def test_send_after_user_wrote(fake: FakeTelegram, bot: Bot) -> None:
    user_message_id = fake.send_message(ALICE, "/start")
    sent = await bot.send_message(ALICE.id, "  <b>Hello</b> &amp; welcome  ", parse_mode="HTML")
    assert sent.message_id == user_message_id + 1
    assert sent.text == "Hello & welcome"
    assert sent.from_user is not None
    assert sent.from_user.id == fake.bot_id
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    [message] = fake.chat(ALICE.id)
    assert (message.text, message.html, message.kind, message.edited) == (
        "Hello & welcome",
        "  <b>Hello</b> &amp; welcome  ",
        "text",
        False,
    )
    assert message.entities == [{"type": "bold", "offset": 0, "length": 5}]
    assert fake.last_message(ALICE.id).message_id == sent.message_id


@pytest.mark.asyncio
async def test_text_length_is_counted_after_html_parsing(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    sent = await bot.send_message(ALICE.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert sent.text is not None
    assert len(sent.text) == 4096
    escaped = await bot.send_message(ALICE.id, "&lt;" * 4096, parse_mode="HTML")
    assert escaped.text == "<" * 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ALICE.id, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ALICE.id, "<b> </b>", parse_mode="HTML")


@pytest.mark.asyncio
async def test_bad_html_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as error:
        await bot.send_message(ALICE.id, "Hi <foo>", parse_mode="HTML")
    assert error.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 3'
    )
    with pytest.raises(TelegramBadRequest, match="Can't find end tag"):
        await bot.send_message(ALICE.id, "<b>unclosed", parse_mode="HTML")
    assert fake.chat(ALICE.id) == []


@pytest.mark.asyncio
async def test_callback_data_is_limited_in_bytes(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    await bot.send_message(ALICE.id, "ok", reply_markup=keyboard([("b", CYRILLIC_YA * 32)]))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            ALICE.id, "too long", reply_markup=keyboard([("b", CYRILLIC_YA * 33)])
        )
    assert fake.last_message(ALICE.id).button_data("b") == CYRILLIC_YA * 32


@pytest.mark.asyncio
async def test_inline_keyboard_shape_is_checked(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    nine = [(str(i), str(i)) for i in range(9)]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(ALICE.id, "x", reply_markup=keyboard(nine))
    many = [[(str(i), str(i)) for i in range(8)] for _ in range(13)]
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(ALICE.id, "x", reply_markup=keyboard(*many))
    no_action = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x")]])
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(ALICE.id, "x", reply_markup=no_action)
    two_actions = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="a", url="https://a.b")]]
    )
    with pytest.raises(TelegramBadRequest, match="exactly one"):
        await bot.send_message(ALICE.id, "x", reply_markup=two_actions)
    assert fake.chat(ALICE.id) == []


@pytest.mark.asyncio
async def test_per_chat_rate_limit(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    fake.send_message(BOB, "/start")
    for i in range(3):
        await bot.send_message(ALICE.id, f"burst {i}")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(ALICE.id, "fourth")
    assert error.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in error.value.message
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(ALICE.id, "fifth")
    # other chats are not affected
    await bot.send_message(BOB.id, "hello")
    statuses = [call.status for call in fake.calls_to("sendMessage")]
    assert statuses == [200, 200, 200, 429, 429, 200]
    assert fake.calls_to("sendMessage")[3].response["parameters"] == {"retry_after": 1}
    assert len(fake.chat(ALICE.id)) == 3


@pytest.mark.asyncio
async def test_retrying_too_early_extends_the_ban() -> None:
    async with (
        FakeTelegram(per_chat_rate=10.0, per_chat_burst=2) as fake,
        fake.create_bot() as bot,
    ):
        fake.send_message(ALICE, "/start")
        await bot.send_message(ALICE.id, "1")
        await bot.send_message(ALICE.id, "2")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(ALICE.id, "3")
        # the 0.2 s burst window is over, but retry_after (1 s) is not
        await asyncio.sleep(0.3)
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(ALICE.id, "3")
        # waiting retry_after after the last 429 helps
        await asyncio.sleep(1.05)
        await bot.send_message(ALICE.id, "3")
    assert [m.text for m in fake.chat(ALICE.id)] == ["1", "2", "3"]


@pytest.mark.asyncio
async def test_overall_rate_limit_and_paid_broadcast() -> None:
    users = [FakeUser(id=2000 + i, first_name=f"U{i}") for i in range(8)]
    async with FakeTelegram(overall_rate=5, per_chat_rate=None) as fake, fake.create_bot() as bot:
        for user in users:
            fake.add_user(user)
        for user in users[:5]:
            await bot.send_message(user.id, "news")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(users[5].id, "news")
        await bot.send_message(users[6].id, "news", allow_paid_broadcast=True)
    assert [call.status for call in fake.calls_to("sendMessage")] == [200] * 5 + [429, 200]


@pytest.mark.asyncio
async def test_get_updates_long_poll_and_offset(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(raw(http, fake, "getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0.05)
    assert not poll.done()
    enqueued_at = loop.time()
    message_id = fake.send_message(ALICE, "/start deep-link")
    status, body = await asyncio.wait_for(poll, 1.0)
    assert loop.time() - enqueued_at < 0.5
    assert status == 200
    [update] = body["result"]
    message = update["message"]
    assert message["message_id"] == message_id
    assert message["text"] == "/start deep-link"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # unconfirmed updates come again
    _, again = await raw(http, fake, "getUpdates", json={"timeout": 0})
    assert [u["update_id"] for u in again["result"]] == [update["update_id"]]
    # offset confirms and drops them
    _, after = await raw(http, fake, "getUpdates", json={"offset": update["update_id"] + 1})
    assert after["result"] == []
    assert fake.pending_updates == []


@pytest.mark.asyncio
async def test_second_get_updates_terminates_the_first(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(raw(http, fake, "getUpdates", json={"timeout": 5}))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(raw(http, fake, "getUpdates", json={"timeout": 5}))
    status, body = await asyncio.wait_for(first, 1.0)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    fake.send_message(ALICE, "hi")
    status, body = await asyncio.wait_for(second, 1.0)
    assert status == 200
    assert len(body["result"]) == 1


@pytest.mark.asyncio
async def test_allowed_updates_filter_delivery(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.send_message(ALICE, "/start")
    fake.block(ALICE.id)
    _, body = await raw(http, fake, "getUpdates", json={"allowed_updates": ["message"]})
    assert [list(u)[1] for u in body["result"]] == ["message"]
    assert fake.allowed_updates == ["message"]


@pytest.mark.asyncio
async def test_callback_query_flow(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/menu")
    await bot.send_message(ALICE.id, "Menu", reply_markup=keyboard([("Go on", "go")]))
    menu = fake.last_message(ALICE.id)
    query_id = fake.press(ALICE, menu, menu.button_data("Go"))
    update = Update.model_validate(fake.pending_updates[-1], context={"bot": bot})
    assert update.callback_query is not None
    assert update.callback_query.id == query_id
    assert update.callback_query.data == "go"
    assert isinstance(update.callback_query.message, Message)
    assert update.callback_query.message.text == "Menu"

    assert await bot.answer_callback_query(query_id, text="Done")
    assert fake.callback_answers[query_id]["text"] == "Done"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("12345")
    second = fake.press(ALICE, menu.message_id, "go")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(second, text="x" * 201)
    with pytest.raises(AssertionError, match="no button"):
        fake.press(ALICE, menu, "missing")
    with pytest.raises(AssertionError, match="no callback button"):
        menu.button_data("Stop")


@pytest.mark.asyncio
async def test_callback_queries_expire() -> None:
    async with FakeTelegram(callback_ttl=0.05) as fake, fake.create_bot() as bot:
        fake.send_message(ALICE, "/menu")
        await bot.send_message(ALICE.id, "Menu", reply_markup=keyboard([("Go", "go")]))
        query_id = fake.press(ALICE, fake.last_message(ALICE.id), "go")
        await asyncio.sleep(0.1)
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(query_id)


@pytest.mark.asyncio
async def test_edit_message_text() -> None:
    async with FakeTelegram(per_chat_rate=None) as fake, fake.create_bot() as bot:
        fake.send_message(ALICE, "/start")
        markup = keyboard([("A", "a")])
        sent = await bot.send_message(
            ALICE.id, "<b>Hi</b>", parse_mode="HTML", reply_markup=markup
        )
        chat_id, message_id = ALICE.id, sent.message_id
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_text(
                "<b>Hi</b>",
                chat_id=chat_id,
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=markup,
            )
        edited = await bot.edit_message_text(
            "<b>Hello</b>",
            chat_id=chat_id,
            message_id=message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
        assert isinstance(edited, Message)
        assert edited.text == "Hello"
        assert edited.edit_date is not None
        message = fake.last_message(ALICE.id)
        assert (message.text, message.html, message.edited) == ("Hello", "<b>Hello</b>", True)
        assert message.buttons() == [("A", "a", None)]
        # like Telegram, an edit without reply_markup removes the inline keyboard
        await bot.edit_message_text(
            "<b>Hello</b>", chat_id=chat_id, message_id=message_id, parse_mode="HTML"
        )
        assert fake.last_message(ALICE.id).reply_markup is None
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        with pytest.raises(TelegramBadRequest, match="message to edit not found"):
            await bot.edit_message_text(text="x", chat_id=ALICE.id, message_id=999)
        assert len(fake.chat(ALICE.id)) == 1


@pytest.mark.asyncio
async def test_fail_next(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("getMe", 502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    assert (await bot.get_me()).id == fake.bot_id
    fake.fail_next(None, 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.get_me()
    assert error.value.retry_after == 7
    fake.fail_next("GETME", 500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.get_me()
    await bot.get_me()
    assert [call.status for call in fake.calls_to("getMe")] == [502, 200, 429, 500, 500, 200]


@pytest.mark.asyncio
async def test_blocked_user(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/start")
    fake.block(ALICE.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ALICE.id, "hello")
    blocked = Update.model_validate(fake.pending_updates[-1], context={"bot": bot})
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert blocked.my_chat_member.old_chat_member.status == "member"
    fake.unblock(ALICE.id)
    unblocked = Update.model_validate(fake.pending_updates[-1], context={"bot": bot})
    assert unblocked.my_chat_member is not None
    assert unblocked.my_chat_member.new_chat_member.status == "member"
    await bot.send_message(ALICE.id, "welcome back")
    assert [call.status for call in fake.calls_to("sendMessage")] == [403, 200]


@pytest.mark.asyncio
async def test_send_document_multipart(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_message(ALICE, "/report")
    content = b"id;name\n1;Ann\n"
    sent = await bot.send_document(
        ALICE.id,
        BufferedInputFile(content, filename="report.csv"),
        caption="<i>Report</i>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.document.file_name == "report.csv"
    assert sent.document.file_size == len(content)
    assert sent.caption == "Report"
    message = fake.last_message(ALICE.id)
    assert (message.kind, message.text, message.caption, message.html) == (
        "document",
        None,
        "Report",
        "<i>Report</i>",
    )
    assert message.file is not None
    assert (message.file.filename, message.file.data) == ("report.csv", content)
    uploaded = fake.calls_to("sendDocument")[0].params["document"]
    assert isinstance(uploaded, UploadedFile)
    # the returned file_id can be sent again
    await bot.send_document(ALICE.id, sent.document.file_id)
    assert fake.last_message(ALICE.id).file == message.file
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(ALICE.id, sent.document.file_id, caption="x" * 1025)


@pytest.mark.asyncio
async def test_locations_venues_chat_actions(fake: FakeTelegram, bot: Bot) -> None:
    message_id = fake.send_location(ALICE, 52.29, 76.95)
    update = Update.model_validate(fake.pending_updates[-1], context={"bot": bot})
    assert update.message is not None
    assert update.message.location is not None
    assert update.message.message_id == message_id
    assert await bot.send_chat_action(ALICE.id, "find_location")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(ALICE.id, "dancing")
    venue = await bot.send_venue(ALICE.id, 52.28, 76.96, "Library", "Toraigyrov st. 1")
    assert venue.venue is not None
    assert venue.venue.title == "Library"
    await bot.send_location(ALICE.id, 52.28, 76.96)
    kinds = [m.kind for m in fake.chat(ALICE.id)]
    assert kinds == ["venue", "location"]
    assert fake.chat(ALICE.id)[0].payload["address"] == "Toraigyrov st. 1"


@pytest.mark.asyncio
async def test_copy_and_delete(fake: FakeTelegram, bot: Bot) -> None:
    user_message = fake.send_message(ALICE, "question?")
    fake.add_user(BOB)
    copied = await bot.copy_message(BOB.id, ALICE.id, user_message)
    assert fake.last_message(BOB.id).text == "question?"
    assert await bot.delete_message(BOB.id, copied.message_id)
    assert fake.chat(BOB.id) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(BOB.id, copied.message_id)


@pytest.mark.asyncio
async def test_commands_and_descriptions(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    russian = [BotCommand(command="help", description="Help")]
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(russian, scope=scope, language_code="ru")
    assert fake.commands[("default", None)] == [{"command": "start", "description": "Start"}]
    assert fake.commands[("all_private_chats", "ru")] == [
        {"command": "help", "description": "Help"}
    ]
    got = await bot.get_my_commands(scope=scope, language_code="ru")
    assert [(c.command, c.description) for c in got] == [("help", "Help")]
    assert await bot.get_my_commands(scope=scope) == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match="command description is empty"):
        await bot.set_my_commands([BotCommand(command="start", description="")])
    await bot.delete_my_commands()
    assert ("default", None) not in fake.commands
    await bot.set_my_description("Forum companion", language_code="en")
    await bot.set_my_short_description("Forum")
    assert fake.descriptions == {"en": "Forum companion"}
    assert (await bot.get_my_short_description()).short_description == "Forum"
    assert await bot.delete_webhook(drop_pending_updates=True)


@pytest.mark.asyncio
async def test_http_level_behaviour(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    fake.send_message(ALICE, "/start")
    async with http.post(f"{fake.url}/bot1:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    status, body = await raw(http, fake, "noSuchMethod")
    assert (status, body["description"]) == (404, "Not Found")
    # method names are case-insensitive; url-encoded forms are parsed with the spec's types
    form = {
        "chat_id": str(ALICE.id),
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
    }
    status, body = await raw(http, fake, "SENDMESSAGE", data=form)
    assert status == 200
    assert body["result"]["text"] == "hi"
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert fake.calls[-1].method == "sendMessage"
    assert fake.calls[-1].params["chat_id"] == ALICE.id
    status, body = await raw(http, fake, "sendMessage", json={"chat_id": ALICE.id})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw(http, fake, "sendMessage", json={"text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await raw(http, fake, "sendPoll", json={})
    assert status == 400  # required fields are checked before "not emulated"
    status, body = await raw(http, fake, "getChat", json={"chat_id": ALICE.id})
    assert status == 501


@pytest.mark.asyncio
async def test_strict_mode_rejects_unknown_fields(
    fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.send_message(ALICE, "/start")
    typo = {"chat_id": ALICE.id, "text": "x", "parse_mod": "HTML"}
    status, body = await raw(http, fake, "sendMessage", json=typo)
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: unknown field parse_mod",
    }
    fake.strict = False
    status, body = await raw(http, fake, "sendMessage", json=typo)
    assert status == 200
    assert [call.status for call in fake.calls_to("sendMessage")] == [400, 200]


@pytest.mark.asyncio
async def test_wait_for_timeout_dumps_calls(fake: FakeTelegram, bot: Bot) -> None:
    await bot.get_me()
    with pytest.raises(AssertionError, match=r"recent calls:\n.*getMe"):
        await fake.wait_for(lambda: False, timeout=0.05)


@pytest.mark.asyncio
async def test_dispatcher_polling_end_to_end(fake: FakeTelegram) -> None:
    router = Router()

    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}", reply_markup=keyboard([("Like", "like")]))

    async def like(query: CallbackQuery) -> None:
        await query.answer("Liked")
        if isinstance(query.message, Message):
            await query.message.edit_text("liked")

    router.message.register(echo, F.text)
    router.callback_query.register(like, F.data == "like")
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = fake.create_bot()
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5)
    )
    try:
        fake.send_message(ALICE, "hello")
        [reply] = await fake.wait_messages(ALICE.id, 1)
        assert reply.text == "echo: hello"
        query_id = fake.press(ALICE, reply, reply.button_data("Like"))
        assert (await fake.wait_answered(query_id))["text"] == "Liked"

        def edited() -> bool:
            message: ChatMessage = fake.last_message(ALICE.id)
            return message.edited and message.text == "liked"

        await fake.wait_for(edited)
        assert set(fake.allowed_updates or []) == {"message", "callback_query"}
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5.0)
    assert fake.last_message(ALICE.id).reply_markup is None
