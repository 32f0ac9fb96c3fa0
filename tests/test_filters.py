"""The bot's own filters decide exactly as the aiogram filters they stand in for."""

from __future__ import annotations

import asyncio
import inspect

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, User
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import callbacks
from bot.filters import Pressed

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
    callbacks.AgendaCb(calendar=True).pack(),
    callbacks.AgendaCb().pack(),
    callbacks.SettingsCb().pack(),
    callbacks.ItineraryCb(pin=3).pack(),
    callbacks.VenueCb(id="library").pack(),
    callbacks.BroadcastCb(action=callbacks.BroadcastAction.PICK, value="lang.kk").pack(),
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

    for value in PACKED:
        kinds = asyncio.run(taken_by(value))
        assert len(kinds) == 1, (value, kinds)
