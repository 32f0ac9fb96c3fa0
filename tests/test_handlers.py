"""Conversations through the real Dispatcher (feed_update) with the offline session."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendMessage,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Sticker,
    Update,
    User,
)

from bot import texts
from bot.callbacks import Origin, SignupAction, SignupCb
from bot.program import Program
from bot.storage import PeopleRepository
from tests.conftest import ORGANIZER_ID, Offline, chat_menu, labels, only

HELLO = {"en": "Hello, ", "ru": "Здравствуйте, ", "kk": "Сәлеметсіз бе, "}
HELP_BUTTON = {"en": "❓ Help", "ru": "❓ Справка", "kk": "❓ Анықтама"}
HELP_TITLE = {"en": "What I can do", "ru": "Что я умею", "kk": "Мен не істей аламын"}


def sent_texts(requests: list[TelegramMethod[Any]]) -> list[str]:
    return [r.text for r in requests if isinstance(r, (SendMessage, EditMessageText)) and r.text]


def answers(requests: list[TelegramMethod[Any]]) -> list[AnswerCallbackQuery]:
    return [r for r in requests if isinstance(r, AnswerCallbackQuery)]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_first_start_greets_in_the_telegram_language_and_offers_the_choice(
    offline: Offline, sample_program: Program, lang: str
) -> None:
    chat = offline.chat(language_code=lang)
    sent = await chat.send("/start")
    message = only(sent, SendMessage)
    assert message.text.startswith(HELLO[lang] + "Aigerim")
    assert sample_program.forum.title.get(lang) in message.text
    assert labels(message.reply_markup) == ["🇰🇿 Қазақша", "🇷🇺 Русский", "🇬🇧 English"]


async def test_a_language_we_do_not_speak_falls_back_to_russian_with_the_choice(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="de")
    message = only(await chat.send("/start"), SendMessage)
    assert message.text.startswith(HELLO["ru"])
    assert "🌐 Выберите язык:" in message.text
    assert "🇬🇧 English" in labels(message.reply_markup)


async def test_choosing_a_language_turns_the_message_into_the_greeting_and_is_kept(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    pressed = await chat.press_button("Қазақша")
    edit = only(pressed, EditMessageText)
    assert edit.text.startswith(HELLO["kk"])
    assert HELP_BUTTON["kk"] in labels(edit.reply_markup)
    assert len(answers(pressed)) == 1
    stored = await PeopleRepository(offline.app.db).get(chat.user.id)
    assert stored is not None and stored.language == "kk"

    again = only(await chat.send("/start"), SendMessage)
    assert again.text.startswith(HELLO["kk"])
    assert "🇰🇿 Қазақша" not in labels(again.reply_markup)  # no choice once chosen
    help_message = only(await chat.send("/help"), SendMessage)
    assert HELP_TITLE["kk"] in help_message.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_help_lists_the_commands_in_the_persons_language(
    offline: Offline, lang: str
) -> None:
    chat = offline.chat(language_code=lang)
    help_message = only(await chat.send("/help"), SendMessage)
    assert HELP_TITLE[lang] in help_message.text
    for command in ("/start", "/help", "/language"):
        assert command in help_message.text
    assert HELP_BUTTON[lang] in labels(help_message.reply_markup)


async def test_language_command_switches_and_confirms_in_the_new_language(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="kk")
    prompt = only(await chat.send("/language"), SendMessage)
    assert prompt.text == "🌐 Сізбен қай тілде сөйлесейін?"
    pressed = await chat.press_button("English")
    assert only(pressed, EditMessageText).text == "✓ Done: from now on I speak English."
    menu = only(await chat.send("/language"), SendMessage)
    assert "🇬🇧 English ✓" in labels(menu.reply_markup)  # the current one is marked
    pressed = await chat.press_button("Русский")
    assert only(pressed, EditMessageText).text == "✓ Готово: теперь я говорю с вами по-русски."
    assert answers(pressed)


async def test_menu_navigation_edits_one_message_in_place(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    await chat.press_button("English")
    menu_message = chat.last_message()
    shown = await chat.press_button("Help", menu_message)
    assert HELP_TITLE["en"] in only(shown, EditMessageText).text
    shown = await chat.press_button("Main menu")
    assert only(shown, EditMessageText).text.startswith(HELLO["en"])
    shown = await chat.press_button("Contacts")
    contacts = sample_program.forum.contacts
    assert contacts is not None
    assert texts.esc(contacts.en.split("\n")[0]) in only(shown, EditMessageText).text
    shown = await chat.press_button("Main menu")
    shown = await chat.press_button("Language")
    assert "🇬🇧 English ✓" in labels(only(shown, EditMessageText).reply_markup)
    assert len(chat.messages()) == 1  # all of it in the one message


async def test_agenda_and_itinerary_opened_from_the_menu_lead_back_to_it(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    await chat.press_button("English")
    menu_message = chat.last_message()
    for button in ("Itinerary", "My agenda"):  # empty, and then with a seat
        shown = await chat.press_button(button, menu_message)
        assert "« Main menu" in labels(only(shown, EditMessageText).reply_markup)
        back = await chat.press_button("Main menu", chat.last_message())
        assert only(back, EditMessageText).text.startswith(HELLO["en"])
    await chat.press(
        SignupCb(action=SignupAction.JOIN, id="mc-storytelling", origin=Origin.LIST).pack()
    )
    shown = await chat.press_button("My agenda", menu_message)
    assert labels(only(shown, EditMessageText).reply_markup)[-1] == "« Main menu"
    assert len(chat.messages()) == 1  # all of it in the one message


async def test_a_double_tap_is_not_an_error(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    await chat.press_button("English")
    message = chat.last_message()
    await chat.press_button("Help", message)
    stale_copy = message  # the client still shows the old message and its Help button
    second = await chat.press_button("Help", stale_copy)
    assert len(answers(second)) == 1
    assert not [r for r in second if isinstance(r, SendMessage)]


async def test_deep_links_open_event_venue_and_delegation(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="ru")
    event = sample_program.events[1]
    sent = sent_texts(await chat.send(f"/start e-{event.id}"))
    assert len(sent) == 2
    assert texts.esc(event.title.ru) in sent[1]
    venue = sample_program.venues[0]
    sent = sent_texts(await chat.send(f"/start v-{venue.id}"))
    assert texts.esc(venue.address.ru) in sent[1]
    delegation = sample_program.delegations[0]
    sent = sent_texts(await chat.send(f"/start d-{delegation.join_code}"))
    assert texts.esc(delegation.name.ru) in sent[1]


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        (
            "e-no-such-event",
            "This link does not lead anywhere I know: it may be mistyped or out of date.",
        ),
        (
            "v-nowhere",
            "This link does not lead anywhere I know: it may be mistyped or out of date.",
        ),
        ("x-1", "This link does not lead anywhere I know: it may be mistyped or out of date."),
        ("e-", "This link does not lead anywhere I know: it may be mistyped or out of date."),
        (
            "d-WRONGCODE",
            "This invite link is not valid. Please check it with your delegation's liaison.",
        ),
    ],
)
async def test_unknown_deep_links_get_a_polite_answer(
    offline: Offline, payload: str, answer: str
) -> None:
    chat = offline.chat(language_code="en")
    sent = sent_texts(await chat.send(f"/start {payload}"))
    assert sent[0].startswith(HELLO["en"])
    assert sent[1] == answer


async def test_what_a_person_typed_is_escaped(offline: Offline) -> None:
    chat = offline.chat(language_code="en", first_name="<b>Bob</b> & co")
    greeting = only(await chat.send("/start"), SendMessage)
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; co" in greeting.text
    reply = only(await chat.send("/<script>alert(1)</script>"), SendMessage)
    assert reply.text.startswith(
        "I don't know the command /&lt;script&gt;alert(1)&lt;/script&gt;."
    )


async def test_unknown_command_gibberish_and_stickers_get_a_helpful_answer(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="ru")
    unknown = only(await chat.send("/schedulee"), SendMessage)
    assert unknown.text.startswith("Я не знаю команды /schedulee.")
    assert "/help" in unknown.text
    free = only(await chat.send("asdf qwerty"), SendMessage)
    assert free.text.startswith("Не нашёл ответа в программе форума.")
    sticker = Sticker(
        file_id="s",
        file_unique_id="s",
        type="regular",
        width=1,
        height=1,
        is_animated=False,
        is_video=False,
    )
    other = only(await chat.feed(chat.message_update(sticker=sticker)), SendMessage)
    assert other.text.startswith("Я понимаю только текстовые сообщения и команды.")


@pytest.mark.parametrize(
    "data",
    ["lang:de:0", "lang:kk:maybe", "m:nosuch", "garbage", "x" * 64, "lang:", "m:help:extra"],
)
async def test_forged_and_stale_buttons_are_answered_and_change_nothing(
    offline: Offline, data: str
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    before = offline.session.chat(chat.user.id)
    pressed = await chat.press(data)
    (answer,) = answers(pressed)
    assert answer.text == "This button is out of date."
    assert offline.session.chat(chat.user.id) == before
    stored = await PeopleRepository(offline.app.db).get(chat.user.id)
    assert stored is not None and stored.language is None


async def test_a_failure_is_apologised_for_in_the_persons_language(
    offline: Offline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(texts, "greeting", broken)
    chat = offline.chat(language_code="kk")
    await chat.send("/language")
    await chat.press_button("Қазақша")
    apology = only(await chat.send("/help"), SendMessage)  # help still works
    assert apology.text.startswith("<b>Мен")
    failed = only(await chat.send("/start"), SendMessage)
    assert failed.text == texts_in("kk")
    assert "the printer is on fire" in caplog.text
    pressed = await chat.press(menu_home_data())
    (answer,) = answers(pressed)
    assert answer.text == texts_in("kk") and answer.show_alert


def texts_in(lang: str) -> str:
    return {
        "kk": "Кешіріңіз, менде бір ақау шықты. Бір минуттан соң қайталап көріңіз.",
    }[lang]


def menu_home_data() -> str:
    from bot.callbacks import MenuAction, MenuCb

    return MenuCb(action=MenuAction.HOME).pack()


def member_update(user: User, status: str, update_id: int) -> Update:
    chat = Chat(id=user.id, type="private", first_name=user.first_name)
    bot_user = User(id=1, is_bot=True, first_name="Forum bot")
    old = (
        ChatMemberMember(user=bot_user)
        if status == "kicked"
        else ChatMemberBanned(user=bot_user, until_date=datetime(1970, 1, 1, tzinfo=UTC))
    )
    new = (
        ChatMemberBanned(user=bot_user, until_date=datetime(1970, 1, 1, tzinfo=UTC))
        if status == "kicked"
        else (ChatMemberMember(user=bot_user))
    )
    event = ChatMemberUpdated(
        chat=chat,
        from_user=user,
        date=datetime.now(UTC),
        old_chat_member=old,
        new_chat_member=new,
    )
    return Update(update_id=update_id, my_chat_member=event)


async def test_blocking_and_unblocking_are_recorded(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    user = chat.user.as_user()
    repo = PeopleRepository(offline.app.db)
    await chat.feed(member_update(user, "kicked", 900))
    stored = await repo.get(user.id)
    assert stored is not None and stored.blocked
    await chat.feed(member_update(user, "member", 901))
    stored = await repo.get(user.id)
    assert stored is not None and not stored.blocked


@pytest.mark.parametrize(
    "text", ["/start", "/schedule", "/my", "/where", "/broadcast", "wifi password", "/language"]
)
async def test_group_chats_are_not_answered(
    offline: Offline, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each feature router turns group chats away itself: one text for each of several, none
    of them reaching a handler (one that did would fail without a person and log it)."""
    chat = offline.chat(ORGANIZER_ID, language_code="en")
    group = Chat(id=-100123, type="supergroup", title="Librarians")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=group,
        from_user=chat.user.as_user(),
        text=text,
        entities=[MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        if text.startswith("/")
        else None,
    )
    with caplog.at_level(logging.WARNING):
        assert await chat.feed(Update(update_id=950, message=message)) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_organizers_are_recognised(offline: Offline) -> None:
    chat = offline.chat(ORGANIZER_ID, language_code="en")
    assert HELP_TITLE["en"] in only(await chat.send("/help"), SendMessage).text


async def test_command_menus_are_set_in_three_languages(offline: Offline) -> None:
    await offline.app.on_startup()
    menus = {r.language_code: r for r in offline.session.requests if isinstance(r, SetMyCommands)}
    assert set(menus) == {"kk", "ru", "en", None}
    described = {
        lang: {c.command: c.description for c in menu.commands} for lang, menu in menus.items()
    }
    assert described["en"]["help"] == "What I can do"
    assert described["ru"]["help"] == "Что я умею"
    assert described["kk"]["help"] == "Мен не істей аламын"
    assert described[None] == described["ru"]
    assert [c.command for c in menus["kk"].commands] == [
        "start",
        "schedule",
        "now",
        "where",
        "my",
        "itinerary",
        "settings",
        "help",
        "language",
    ]  # organizers' commands are not in everyone's menu


async def test_help_shows_leaders_and_organizers_their_delegation_commands(
    offline: Offline, sample_program: Program
) -> None:
    leader = offline.chat(sample_program.delegations[0].leaders[0], language_code="en")
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    attendee = offline.chat(language_code="en")
    for_leader = only(await leader.send("/help"), SendMessage).text
    for_organizer = only(await organizer.send("/help"), SendMessage).text
    for_attendee = only(await attendee.send("/help"), SendMessage).text
    assert "/delegation " in for_leader and "/delegations" not in for_leader
    assert "/delegations " in for_organizer
    assert "/delegation" not in for_attendee
    after_a_typo = only(await leader.send("/delegaton"), SendMessage).text
    assert after_a_typo.startswith("I don't know the command") and "/delegation " in after_a_typo


async def test_choosing_a_language_sets_that_chats_menu_in_it_with_its_roles_commands(
    offline: Offline,
) -> None:
    attendee = offline.chat(language_code="en")  # a Telegram app in English
    await attendee.send("/language")
    described = chat_menu(await attendee.press_button("Қазақша"), attendee.user.id)
    assert described["help"] == "Мен не істей аламын"
    assert "broadcast" not in described
    organizer = offline.chat(ORGANIZER_ID, language_code="kk")
    await organizer.send("/language")
    described = chat_menu(await organizer.press_button("Русский"), ORGANIZER_ID)
    assert described["help"] == "Что я умею" and "broadcast" in described


async def test_a_button_pressed_in_a_group_is_answered_and_changes_nothing(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    group = Chat(id=-100123, type="supergroup", title="Librarians")
    foreign = Message(message_id=5, date=datetime.now(UTC), chat=group, text="menu")
    pressed = await chat.press("lang:kk:0", foreign)
    (answer,) = answers(pressed)
    assert answer.text == "This button is out of date."
    assert await PeopleRepository(offline.app.db).get(chat.user.id) is None


async def test_the_services_reach_the_handler_without_travelling_through_the_routers(
    offline: Offline,
) -> None:
    # aiogram copies every key of the handler data at every router and filter an update
    # passes: the services join it only for the handler chosen (bot/middlewares.py).
    seen: list[set[str]] = []

    async def probe(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        seen.append(set(data))
        return await handler(event, data)

    [signups_router] = [
        r for r in offline.app.dispatcher.sub_routers if r.name.endswith("signups")
    ]
    signups_router.message.outer_middleware(probe)
    chat = offline.chat(language_code="en")
    sent = await chat.send("/my")
    assert only(sent, SendMessage).text.startswith("🗂 Your agenda is empty.")  # signups asked
    assert seen and {"person", "lang"} <= seen[0]
    assert not seen[0] & {"signups", "programs", "people", "settings", "roles"}
    assert "i18n" in seen[0] and "i18n_middleware" not in seen[0]  # which no handler asks for
