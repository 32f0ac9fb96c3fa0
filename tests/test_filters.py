"""The bot's own filters decide exactly as the aiogram filters they stand in for."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Bot, F
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Chat, Message, User
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import callbacks
from bot.filters import Cmd, CmdStart, Pressed
from bot.offline import OfflineSession

KINDS = [
    cls
    for _, cls in inspect.getmembers(callbacks, inspect.isclass)
    if issubclass(cls, CallbackData) and cls is not CallbackData
]
PREFIXES = [cls.__prefix__ for cls in KINDS]
PACKED = [
    callbacks.MenuCb(action=callbacks.MenuAction.NOW).pack(),
    callbacks.ScheduleCb(view=callbacks.ScheduleView.DAY, day=1, page=2).pack(),
    callbacks.EventCb(action=callbacks.EventAction.OPEN, id="plenary").pack(),
    callbacks.SignupCb(action=callbacks.SignupAction.JOIN, id="t-1").pack(),
    callbacks.SignupCb(
        action=callbacks.SignupAction.REMIND_OFF, id="t-1", origin=callbacks.Origin.AGENDA
    ).pack(),
    callbacks.AgendaCb(calendar=True).pack(),
    callbacks.AgendaCb().pack(),
    callbacks.SettingsCb().pack(),
    callbacks.ItineraryCb(pin="29413650.1").pack(),
    callbacks.VenueCb(id="library").pack(),
    callbacks.BroadcastCb(action=callbacks.BroadcastAction.PICK, value="lang.kk").pack(),
    callbacks.LanguageCb(code="kk", greet=True).pack(),
    callbacks.StatsCb(export="plenary").pack(),
    callbacks.JoinCb(action=callbacks.JoinAction.JOIN, code="c0de").pack(),
    callbacks.DelegationsCb(qr="omsk").pack(),
]
RULES = [None, F.action == callbacks.MenuAction.NOW, F.calendar, F.day == 1]

parts = st.text(alphabet=st.sampled_from("0123456789abcjosx-.:_Әq"), max_size=12)
data = st.one_of(
    st.sampled_from(PACKED),
    st.sampled_from(PREFIXES),
    st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(PREFIXES), parts),
    st.builds(lambda p, rest: f"{p}{rest}", st.sampled_from(PREFIXES), parts),
    st.text(max_size=20),
)


def press(value: str) -> CallbackQuery:
    user = User(id=7, is_bot=False, first_name="A")
    return CallbackQuery(id="1", from_user=user, chat_instance="c", data=value or None)


@settings(max_examples=400, deadline=None)
@given(value=data, kind=st.sampled_from(KINDS), rule=st.sampled_from(RULES))
def test_a_button_is_taken_by_pressed_exactly_when_aiogram_would_take_it(
    value: str, kind: type[CallbackData], rule: object
) -> None:
    query = press(value)

    async def both() -> tuple[object, object]:
        ours = await Pressed(kind, rule)(query)  # type: ignore[arg-type]
        theirs = await kind.filter(rule)(query)  # type: ignore[arg-type]
        return ours, theirs

    ours, theirs = asyncio.run(both())
    assert ours == theirs


def test_every_button_of_the_bot_is_recognised_by_its_own_kind_only() -> None:
    async def taken_by(value: str) -> list[str]:
        return [k.__name__ for k in KINDS if await Pressed(k)(press(value))]

    assert {value.split(":")[0] for value in PACKED} == set(PREFIXES)  # every kind is here
    for value in PACKED:
        kinds = asyncio.run(taken_by(value))
        (own,) = [k.__name__ for k in KINDS if k.__prefix__ == value.split(":")[0]]
        assert kinds == [own], (value, kinds)


words = st.sampled_from(
    [
        "/start",
        "/START",
        "/Start",
        "/help",
        "/now",
        "/now@forum_rehearsal_bot",
        "/start@other_bot",
        "/start@forum_rehearsal_bot",
        "/startx",
        "start",
        "/",
        "/ now",
        "!start",
        "/help please",
    ]
)
texts = st.one_of(
    words,
    st.builds(lambda w, rest: f"{w} {rest}", words, st.text(max_size=12)),
    st.builds(lambda w, rest: f"{w}{rest}", words, st.text(max_size=6)),
    st.text(max_size=20),
)
PAIRS = [
    (lambda: Cmd("help", "now"), lambda: Command("help", "now")),
    (lambda: Cmd("help", ignore_case=True), lambda: Command("help", ignore_case=True)),
    (lambda: CmdStart(), lambda: CommandStart()),
    (lambda: CmdStart(deep_link=True), lambda: CommandStart(deep_link=True)),
]


def message(text: str) -> Message:
    user = User(id=7, is_bot=False, first_name="A")
    chat = Chat(id=7, type="private")
    return Message(message_id=1, date=datetime.now(UTC), chat=chat, from_user=user, text=text)


@settings(max_examples=300, deadline=None)
@given(text=texts, pair=st.sampled_from(PAIRS))
def test_a_text_is_taken_by_cmd_exactly_when_aiogram_would_take_it(
    text: str, pair: tuple[Callable[[], Command], Callable[[], Command]]
) -> None:
    ours_filter, theirs_filter = pair[0](), pair[1]()

    async def both() -> tuple[object, object]:
        bot = Bot("1:x", session=OfflineSession())
        ours = await ours_filter(message(text), bot)
        theirs = await theirs_filter(message(text), bot)
        return ours, theirs

    ours, theirs = asyncio.run(both())
    assert ours == theirs
