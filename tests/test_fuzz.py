"""Fuzzing the whole dispatcher with generated updates: nothing escapes, every button is
answered, no message passes Telegram's limits, no organizer action reaches anyone else."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendPhoto
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Update,
    User,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.callbacks import (
    AgendaCb,
    BroadcastAction,
    BroadcastCb,
    DelegationsCb,
    EventAction,
    EventCb,
    JoinAction,
    JoinCb,
    LanguageCb,
    MenuAction,
    MenuCb,
    ScheduleCb,
    ScheduleView,
    SettingsCb,
    SignupAction,
    SignupCb,
    StatsCb,
    VenueCb,
)
from bot.config import Settings
from bot.offline import OfflineSession
from bot.program import Program
from bot.storage import Database

COMMANDS = [
    "/start",
    "/help",
    "/language",
    "/schedule",
    "/now",
    "/where",
    "/my",
    "/itinerary",
    "/settings",
    "/stats",
    "/export",
    "/broadcast",
    "/broadcasts",
    "/organizers",
    "/reload",
    "/delegation",
    "/delegations",
    "/cancel",
    "/start e-opening",
    "/start d-XXXX",
    "/nonsense",
]
IDS = st.sampled_from(
    ["opening", "mc-storytelling", "training-media-literacy", "nope", "", "x" * 32]
)
SMALL = st.integers(min_value=-3, max_value=120)

callback_data = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda c, g: LanguageCb(code=c, greet=g).pack(),
        st.sampled_from(["kk", "ru", "en", "de"]),
        st.booleans(),
    ),
    st.builds(lambda a: MenuCb(action=a).pack(), st.sampled_from(list(MenuAction))),
    st.builds(
        lambda v, d, k, s, p: ScheduleCb(view=v, day=d, kind=k, section=s, page=p).pack(),
        st.sampled_from(list(ScheduleView)),
        SMALL,
        st.none() | SMALL,
        st.none() | st.sampled_from(["digital", "gone"]),
        SMALL,
    ),
    st.builds(
        lambda a, i: EventCb(action=a, id=i).pack(), st.sampled_from(list(EventAction)), IDS
    ),
    st.builds(
        lambda a, i: SignupCb(action=a, id=i).pack(), st.sampled_from(list(SignupAction)), IDS
    ),
    st.builds(
        lambda i, r: VenueCb(id=i, room=r).pack(),
        st.sampled_from(["library", "nowhere"]),
        st.none() | st.sampled_from(["0badc0de", ""]) | SMALL.map(str),
    ),
    st.builds(lambda c: AgendaCb(calendar=c).pack(), st.booleans()),
    st.builds(lambda e: StatsCb(export=e).pack(), IDS.filter(bool)),
    st.builds(
        lambda a, v: BroadcastCb(action=a, value=v).pack(),
        st.sampled_from(list(BroadcastAction)),
        st.sampled_from(["", "all", "lang.ru", "deleg.omsk", "1", "99"]),
    ),
    st.builds(
        lambda lead, e: SettingsCb(lead=lead, everyone=e).pack(), st.none() | SMALL, st.booleans()
    ),
    st.builds(
        lambda a, c: JoinCb(action=a, code=c).pack(),
        st.sampled_from(list(JoinAction)),
        st.text(alphabet="abcXYZ019", max_size=12),
    ),
    st.builds(lambda q: DelegationsCb(qr=q).pack(), IDS.filter(bool)),
)

texts = st.one_of(
    st.sampled_from(COMMANDS), st.text(max_size=300), st.text(alphabet="<>&/b i", max_size=40)
)
people = st.sampled_from([9001, 9002, 9003])
chats = st.sampled_from(["private", "private", "private", "group", "supergroup"])


def user(person: int) -> User:
    return User(id=person, is_bot=False, first_name="<Fuzz> & co", language_code="kk")


def chat_of(person: int, kind: str) -> Chat:
    return Chat(id=person if kind == "private" else -100 - person, type=kind, title="Group")


def message(person: int, kind: str, text: str) -> Message:
    entities = None
    if text.startswith("/"):
        entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split(" ")[0]))]
    return Message(
        message_id=7,
        date=datetime.now(UTC),
        chat=chat_of(person, kind),
        from_user=user(person),
        text=text or None,
        entities=entities,
    )


update_kinds = st.one_of(
    st.builds(lambda p, k, t: ("message", message(p, k, t)), people, chats, texts),
    st.builds(lambda p, k, t: ("edited_message", message(p, k, t)), people, chats, texts),
    st.builds(lambda p, k, d: ("callback_query", (p, k, d)), people, chats, callback_data),
    st.builds(lambda p, b: ("my_chat_member", (p, b)), people, st.booleans()),
)


def build(update_id: int, kind: str, value: Any) -> Update:
    if kind == "callback_query":
        person, chat_kind, data = value
        query = CallbackQuery(
            id=f"q{update_id}",
            from_user=user(person),
            chat_instance="fuzz",
            message=Message(
                message_id=1, date=datetime.now(UTC), chat=chat_of(person, chat_kind), text="x"
            ),
            data=data,
        )
        return Update(update_id=update_id, callback_query=query)
    if kind == "my_chat_member":
        person, blocked = value
        bot_user = User(id=1, is_bot=True, first_name="Bot")
        kicked = ChatMemberBanned(user=bot_user, until_date=datetime(1970, 1, 1, tzinfo=UTC))
        member = ChatMemberMember(user=bot_user)
        event = ChatMemberUpdated(
            chat=chat_of(person, "private"),
            from_user=user(person),
            date=datetime.now(UTC),
            old_chat_member=member if blocked else kicked,
            new_chat_member=kicked if blocked else member,
        )
        return Update(update_id=update_id, my_chat_member=event)
    return Update(update_id=update_id, **{kind: value})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(updates=st.lists(update_kinds, min_size=1, max_size=15))
def test_any_updates_are_handled_safely(
    updates: list[tuple[str, Any]],
    sample_program: Program,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import asyncio

    async def run() -> None:
        db = await Database.open(tmp_path / f"fuzz-{id(updates)}.db")
        session = OfflineSession()
        app = await create_app(
            Settings(_env_file=None, admin_ids=frozenset({1})),
            sample_program,
            db=db,
            session=session,
            token="1:offline",
        )
        try:
            for number, (kind, value) in enumerate(updates, 1):
                before = len(session.requests)
                await app.dispatcher.feed_update(app.bot, build(number, kind, value))
                made = session.requests[before:]
                if kind == "callback_query":
                    answers = [r for r in made if isinstance(r, AnswerCallbackQuery)]
                    assert len(answers) == 1, (value, made)  # every button answered, once
                for request in made:  # nothing for groups, nothing organizers-only
                    chat = getattr(request, "chat_id", None)
                    assert chat is None or int(chat) > 0, request
                    assert not isinstance(request, SendPhoto), request  # invite QR codes
                    if isinstance(request, SendDocument):  # calendars, never the CSV export
                        name = getattr(request.document, "filename", None) or ""
                        assert name.endswith(".ics"), request
                    text = getattr(request, "text", "") or ""
                    assert "📊" not in text and "Broadcast #" not in text
            assert await app.broadcasts.recent() == []  # nobody here may broadcast
        finally:
            await app.close()

    with caplog.at_level(logging.ERROR):
        asyncio.run(run())
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], [r.getMessage() for r in failures]
