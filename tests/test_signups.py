"""Sign-ups through the real Dispatcher: seats, waitlists, promotions, clashes, the agenda."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from aiogram.methods import (
    EditMessageText,
    SendDocument,
    SendMessage,
)
from aiogram.types import (
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)
from icalendar import Calendar

from bot.app import create_app
from bot.callbacks import (
    AgendaCb,
    EventAction,
    EventCb,
    Origin,
    ScheduleCb,
    ScheduleView,
    SignupAction,
    SignupCb,
    StatsCb,
)
from bot.clock import ManualClock
from bot.htmltext import visible_text
from bot.offline import OfflineChat, OfflineSession, Requests
from bot.program import Program
from bot.storage import Database
from bot.storage.signups import SignupRepository
from tests.conftest import ORGANIZER_ID, Offline, labels, only, with_event

TRAINING = "training-media-literacy"  # 30 seats, Thursday 16:30-18:00
STORYTELLING = "mc-storytelling"  # 25 seats, the same time: clashes with TRAINING
TRAINER = "mc-digital-services"  # 20 seats, the same time as well
POETS = "lit-toraighyrov"  # literary meeting, 60 seats, Thursday 18:30
NO_CAPACITY = "opening"


def press(action: SignupAction, event_id: str, origin: Origin = Origin.CARD) -> str:
    return SignupCb(action=action, id=event_id, origin=origin).pack()


def answer_of(requests: Requests) -> str | None:
    text: str | None = requests.answer().text
    return text


def listing(chat: OfflineChat) -> Message:
    """A message of the bot in the chat, standing for a list the person pressed in."""
    return Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=chat.user.id, type="private"),
        text="list",
    )


async def card_of(chat: OfflineChat, event_id: str) -> Message:
    await chat.press(EventCb(action=EventAction.OPEN, id=event_id).pack(), listing(chat))
    return chat.last_message()


def set_forum(offline: Offline, program: Program, **forum: Any) -> None:
    updated = program.forum.model_copy(update=forum)
    offline.app.programs.swap(program.model_copy(update={"forum": updated}))


async def exported_rows(
    organizer: OfflineChat, event_id: str, delimiter: str = ","
) -> list[list[str]]:
    """/export an event; the CSV's rows as a spreadsheet reads them, its header first."""
    await organizer.send(f"/export {event_id}")
    sent = organizer.session.files[(organizer.user.id, organizer.last_message().message_id)]
    assert sent.filename == f"signups-{event_id}.csv"
    return list(csv.reader(io.StringIO(sent.data.decode("utf-8-sig")), delimiter=delimiter))


async def join(chat: OfflineChat, event_id: str) -> Requests:
    """Press ✍️ for an event in a list."""
    return await chat.press(press(SignupAction.JOIN, event_id, Origin.LIST), listing(chat))


async def fill_seats(offline: Offline, event_id: str, first_id: int = 90_000) -> list[OfflineChat]:
    """Others take every seat of the event."""
    capacity = offline.app.programs.current.events_by_id[event_id].capacity
    assert capacity is not None
    holders = [offline.chat(first_id + n) for n in range(capacity)]
    for chat in holders:
        await join(chat, event_id)
    return holders


@asynccontextmanager
async def restarted(offline: Offline, program: Program) -> AsyncIterator[Offline]:
    """The bot stopped and started again on the same database, `program` in force."""
    app = offline.app
    await app.on_shutdown()
    db = await Database.open(app.db.path)
    session = OfflineSession()
    again = await create_app(
        app.settings, program, db=db, session=session, token="1:offline", clock=app.clock
    )
    try:
        await again.on_startup()
        yield Offline(again, session)
    finally:
        await again.close()


async def arrives(offline: Offline, chat_id: int, start: str) -> str:
    """A message the delivery sender, running on its own, brings to the chat."""
    for _ in range(500):
        for request in offline.session.requests:
            if (
                isinstance(request, SendMessage)
                and request.chat_id == chat_id
                and request.text.startswith(start)
            ):
                return visible_text(request.text)
        await asyncio.sleep(0.01)
    pytest.fail(f"no message starting {start!r} reached {chat_id}")


async def block(chat: OfflineChat, blocked: bool = True) -> None:
    """The person blocks the bot in Telegram (or unblocks it)."""
    bot = User(id=1, is_bot=True, first_name="Forum bot")
    kicked = ChatMemberBanned(user=bot, until_date=datetime(1970, 1, 1, tzinfo=UTC))
    member = ChatMemberMember(user=bot)
    change = ChatMemberUpdated(
        chat=chat.chat,
        from_user=chat.user.as_user(),
        date=datetime.now(UTC),
        old_chat_member=member if blocked else kicked,
        new_chat_member=kicked if blocked else member,
    )
    await chat.feed(Update(update_id=chat.session.next_update_id(), my_chat_member=change))


async def standing(offline: Offline, event_id: str) -> tuple[list[int], list[int]]:
    """Who holds a seat, and who waits in which order."""
    people = await SignupRepository(offline.app.db).participants(event_id)
    seats = [p.person_id for p in people if p.status == "seat"]
    waiting = sorted((p for p in people if p.status == "waitlist"), key=lambda p: p.position or 0)
    return seats, [p.person_id for p in waiting]


# -- seats and the waitlist ----------------------------------------------------------------


async def test_two_hundred_concurrent_presses_fill_thirty_seats_and_queue_the_rest(
    offline: Offline,
) -> None:
    chats = [offline.chat(10_000 + n, language_code="en") for n in range(200)]
    presses = [
        chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
        for chat in chats
    ]
    results = await asyncio.gather(*presses)
    seats, waiting = await standing(offline, TRAINING)
    assert len(seats) == 30 and len(waiting) == 170
    # Which press reaches the database first is up to the event loop; what each person
    # is told must match where they really stand.
    told_place: dict[int, str | None] = {
        chat.user.id: answer_of(requests) for chat, requests in zip(chats, results, strict=True)
    }
    assert {told_place[user_id] for user_id in seats} == {"✅ You are signed up!"}
    assert [told_place[user_id] for user_id in waiting] == [
        f"⏳ It is full: you are number {n} on the waitlist." for n in range(1, 171)
    ]

    # ten cancel at once: the first ten of the waitlist get the seats, each told once
    by_id = {chat.user.id: chat for chat in chats}
    leavers = [by_id[user_id] for user_id in seats[:10]]
    first_waiting = waiting[:10]
    await asyncio.gather(
        *(chat.press(press(SignupAction.CANCEL, TRAINING), listing(chat)) for chat in leavers)
    )
    await offline.app.sender.drain()  # the notices go out through the delivery queue
    promoted, still_waiting = first_waiting, waiting[10:]
    seats, waiting = await standing(offline, TRAINING)
    assert len(seats) == 30 and set(promoted) <= set(seats)
    assert waiting == still_waiting
    told = [
        r.chat_id
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.text.startswith("🎉 Good news")
    ]
    assert sorted(told) == sorted(promoted)


async def test_a_double_tap_books_once_and_answers_both(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    card = await card_of(chat, TRAINING)
    first, second = await asyncio.gather(
        chat.press(press(SignupAction.JOIN, TRAINING), card),
        chat.press(press(SignupAction.JOIN, TRAINING), card),
    )
    assert {answer_of(first), answer_of(second)} == {
        "✅ You are signed up!",
        "You already have a seat.",
    }
    assert (await standing(offline, TRAINING))[0] == [chat.user.id]


async def test_signing_up_from_the_card_redraws_it(offline: Offline) -> None:
    chat = offline.chat(language_code="ru")
    card = await card_of(chat, TRAINING)
    assert "✍️ Записаться" in labels(card.reply_markup)
    shown = await chat.press(press(SignupAction.JOIN, TRAINING), card)
    assert answer_of(shown) == "✅ Вы записаны!"
    edit = only(shown, EditMessageText)
    text = visible_text(edit.text)
    assert "🪑 Свободно 29 мест из 30" in text
    assert "✅ За вами закреплено место." in text
    assert labels(edit.reply_markup)[0] == "❌ Отказаться от места"


async def test_a_full_event_offers_the_waitlist_and_shows_the_place(
    offline: Offline, sample_program: Program
) -> None:
    event = sample_program.events_by_id[TRAINER]
    assert event.capacity == 20
    for n in range(20):
        await offline.chat(20_000 + n).press(
            press(SignupAction.JOIN, TRAINER, Origin.LIST), listing(offline.chat(20_000 + n))
        )
    chat = offline.chat(language_code="en")
    card = await card_of(chat, TRAINER)
    assert "No seats left (20 taken); the waitlist is open" in visible_text(card.text or "")
    assert labels(card.reply_markup)[0] == "✍️ Join the waitlist"
    shown = await chat.press(press(SignupAction.JOIN, TRAINER), card)
    assert answer_of(shown) == "⏳ It is full: you are number 1 on the waitlist."
    assert "⏳ You are number 1 on the waitlist." in visible_text(
        only(shown, EditMessageText).text
    )


async def test_the_promoted_person_can_give_the_seat_up_in_one_tap(offline: Offline) -> None:
    holder, first, second = (offline.chat(30_000 + n, language_code="en") for n in range(3))
    offline.app.programs.swap(with_event(offline.app.programs.current, TRAINER, capacity=1))
    for chat in (holder, first, second):
        await chat.press(press(SignupAction.JOIN, TRAINER, Origin.LIST), listing(chat))
    await holder.press(press(SignupAction.CANCEL, TRAINER), listing(holder))
    await offline.app.sender.drain()
    granted = first.last_message()
    assert granted.text is not None and granted.text.startswith("🎉 Good news")
    give_up = granted.reply_markup
    assert labels(give_up)[0] == "❌ I can't come: give the seat up"
    shown = await first.press_button("give the seat up", granted)
    assert answer_of(shown) == "Done: your place is given up."
    await offline.app.sender.drain()
    assert (await standing(offline, TRAINER))[0] == [second.user.id]
    assert second.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]


async def waiting_for(
    offline: Offline, event_id: str, *people: int
) -> tuple[list[OfflineChat], list[OfflineChat]]:
    """The event full, and these people on its waitlist in this order: (holders, waiting)."""
    holders = await fill_seats(offline, event_id)
    chats = [offline.chat(person, language_code="en") for person in people]
    for chat in chats:
        await join(chat, event_id)
    return holders, chats


async def a_newcomer_queues_behind(offline: Offline, seated: int, waiting: int) -> None:
    """Storytelling has one seat more than taken, `seated` got it and `waiting` still waits."""
    newcomer = offline.chat(39_999, language_code="en")
    shown = await join(newcomer, STORYTELLING)
    assert answer_of(shown) == "⏳ It is full: you are number 2 on the waitlist."
    seats, queue = await standing(offline, STORYTELLING)
    assert seated in seats and queue == [waiting, newcomer.user.id]


async def test_a_newcomer_queues_behind_people_owed_a_free_seat(
    offline: Offline, sample_program: Program
) -> None:
    _, (first, second) = await waiting_for(offline, STORYTELLING, 31_001, 31_002)
    # one seat more, and nothing has handed it out yet (a restart did not, before)
    offline.app.programs.swap(with_event(sample_program, STORYTELLING, capacity=26))
    await a_newcomer_queues_behind(offline, first.user.id, second.user.id)
    await offline.app.sender.drain()
    assert first.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]


async def test_seats_added_while_the_bot_was_down_go_to_the_waitlist_at_start_up(
    offline: Offline, sample_program: Program
) -> None:
    _, (first, second) = await waiting_for(offline, STORYTELLING, 32_001, 32_002)
    raised = with_event(sample_program, STORYTELLING, capacity=26)
    async with restarted(offline, raised) as again:
        granted = await arrives(again, first.user.id, "🎉 Good news")
        assert "✅ You have a seat." in granted
        await a_newcomer_queues_behind(again, first.user.id, second.user.id)


async def test_a_freed_seat_passes_over_who_blocked_the_bot_until_they_unblock_it(
    offline: Offline,
) -> None:
    holders, (gone, next_one) = await waiting_for(offline, STORYTELLING, 34_001, 34_002)
    await block(gone)
    await holders[0].press(press(SignupAction.CANCEL, STORYTELLING), listing(holders[0]))
    await offline.app.sender.drain()
    assert next_one.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]
    assert (await standing(offline, STORYTELLING))[1] == [gone.user.id]  # keeps the place
    await holders[1].press(press(SignupAction.CANCEL, STORYTELLING), listing(holders[1]))
    assert gone.user.id not in (await standing(offline, STORYTELLING))[0]
    await block(gone, blocked=False)  # back: the seat left free is theirs
    await offline.app.sender.drain()
    assert gone.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]
    assert gone.user.id in (await standing(offline, STORYTELLING))[0]


# -- clashes -------------------------------------------------------------------------------


async def test_a_clash_warns_and_switching_releases_the_other_seat(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    card = await card_of(chat, STORYTELLING)
    shown = await chat.press(press(SignupAction.JOIN, STORYTELLING), card)
    prompt = only(shown, EditMessageText)
    assert visible_text(prompt.text).startswith("⚠️ ")
    assert labels(prompt.reply_markup) == ["🔁 Switch", "➕ Keep both", "« Back"]
    assert (await standing(offline, STORYTELLING))[0] == []  # nothing taken before deciding
    shown = await chat.press_button("Switch")
    assert answer_of(shown) == "✅ You are signed up!"
    assert (await standing(offline, STORYTELLING))[0] == [chat.user.id]
    assert (await standing(offline, TRAINING))[0] == []


async def test_a_clash_prompt_under_a_list_turns_into_the_card_once_answered(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    await join(chat, TRAINING)
    await join(chat, STORYTELLING)
    prompt = chat.last_message()  # a message of its own, under the list
    assert visible_text(prompt.text or "").startswith("⚠️ ")
    back = only(await chat.press_button("Back", prompt), EditMessageText)
    assert back.message_id == prompt.message_id
    assert visible_text(back.text).startswith("🛠 Master class\nStorytelling for children")
    assert labels(back.reply_markup)[0] == "✍️ Sign up"
    await join(chat, STORYTELLING)
    prompt = chat.last_message()
    shown = await chat.press_button("Switch", prompt)
    assert answer_of(shown) == "✅ You are signed up!"
    card = only(shown, EditMessageText)
    assert card.message_id == prompt.message_id
    assert "✅ You have a seat." in visible_text(card.text)
    assert labels(card.reply_markup)[0] == "❌ Cancel my seat"


async def test_keeping_both_holds_both(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    card = await card_of(chat, STORYTELLING)
    await chat.press(press(SignupAction.JOIN, STORYTELLING), card)
    await chat.press_button("Keep both")
    assert (await standing(offline, STORYTELLING))[0] == [chat.user.id]
    assert (await standing(offline, TRAINING))[0] == [chat.user.id]


@pytest.mark.parametrize(
    ("policy", "notice", "taken"),
    [
        ("forbid", "It overlaps «Media literacy", False),
        ("allow", "✅ You are signed up!", True),
    ],
)
async def test_clash_policy_from_the_program(
    offline: Offline,
    sample_program: Program,
    policy: Literal["forbid", "allow"],
    notice: str,
    taken: bool,
) -> None:
    set_forum(offline, sample_program, clash_policy=policy)
    chat = offline.chat(language_code="en")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    shown = await chat.press(press(SignupAction.JOIN, STORYTELLING, Origin.LIST), listing(chat))
    text = answer_of(shown)
    assert text is not None and text.startswith(notice)
    assert ((await standing(offline, STORYTELLING))[0] == [chat.user.id]) is taken


async def test_two_quick_taps_on_overlapping_events_keep_to_the_policy(
    offline: Offline, sample_program: Program
) -> None:
    set_forum(offline, sample_program, clash_policy="forbid")
    chat = offline.chat(language_code="en")
    events = (TRAINING, STORYTELLING)
    taps = await asyncio.gather(*(join(chat, event_id) for event_id in events))
    held = [event_id for event_id in events if (await standing(offline, event_id))[0]]
    assert len(held) == 1
    for event_id, shown in zip(events, taps, strict=True):
        notice = answer_of(shown) or ""
        if event_id in held:
            assert notice == "✅ You are signed up!"
        else:
            assert notice.startswith("It overlaps «")
    assert not offline.app.signups._turns  # nobody's lock outlives their press


@pytest.mark.parametrize("policy", ["forbid", "warn"])
async def test_a_seat_at_a_cancelled_event_does_not_clash(
    offline: Offline, sample_program: Program, policy: Literal["forbid", "warn"]
) -> None:
    chat = offline.chat(language_code="en")
    await join(chat, TRAINING)
    cancelled = with_event(sample_program, TRAINING, cancelled=True)
    set_forum(offline, cancelled, clash_policy=policy)
    card = await card_of(chat, STORYTELLING)
    shown = await chat.press(press(SignupAction.JOIN, STORYTELLING), card)
    assert answer_of(shown) == "✅ You are signed up!"
    assert "✅ You have a seat." in visible_text(only(shown, EditMessageText).text)


async def test_a_waitlist_place_never_clashes(offline: Offline, sample_program: Program) -> None:
    chat = offline.chat(language_code="en")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    for n in range(20):
        other = offline.chat(40_000 + n)
        await other.press(press(SignupAction.JOIN, TRAINER, Origin.LIST), listing(other))
    shown = await chat.press(press(SignupAction.JOIN, TRAINER, Origin.LIST), listing(chat))
    assert answer_of(shown) == "⏳ It is full: you are number 1 on the waitlist."


async def test_under_forbid_a_waitlist_place_clashes_too(
    offline: Offline, sample_program: Program
) -> None:
    set_forum(offline, sample_program, clash_policy="forbid")
    await fill_seats(offline, STORYTELLING)
    chat = offline.chat(language_code="en")
    await join(chat, TRAINING)
    shown = await join(chat, STORYTELLING)
    assert answer_of(shown) == (
        "It overlaps «Media literacy: teaching readers to spot fakes», where you have a seat. "
        "Cancel that one first."
    )
    assert chat.user.id not in (await standing(offline, STORYTELLING))[1]


async def test_under_forbid_a_freed_seat_passes_over_who_holds_a_clashing_one(
    offline: Offline, sample_program: Program
) -> None:
    set_forum(offline, sample_program, clash_policy="forbid")
    holders, (busy, next_one) = await waiting_for(offline, STORYTELLING, 33_001, 33_002)
    await join(busy, TRAINING)  # a seat at the same time, taken while waiting
    leavers = holders[:2]
    await leavers[0].press(press(SignupAction.CANCEL, STORYTELLING), listing(leavers[0]))
    await offline.app.sender.drain()
    assert next_one.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]
    card = await card_of(busy, STORYTELLING)
    assert "⏳ You are number 1 on the waitlist." in visible_text(card.text or "")
    # the next seat has nobody else to go to: it waits for them to give the training up
    await leavers[1].press(press(SignupAction.CANCEL, STORYTELLING), listing(leavers[1]))
    assert busy.user.id not in (await standing(offline, STORYTELLING))[0]
    await busy.press(press(SignupAction.CANCEL, TRAINING), listing(busy))
    await offline.app.sender.drain()
    assert busy.last_message().text.startswith("🎉 Good news")  # type: ignore[union-attr]
    assert {next_one.user.id, busy.user.id} <= set((await standing(offline, STORYTELLING))[0])


# -- rules ---------------------------------------------------------------------------------


async def test_sign_ups_close_before_the_start(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    set_forum(offline, sample_program, signup_closes_minutes=30)
    start = sample_program.events_by_id[TRAINING].starts_at
    chat = offline.chat(language_code="en")
    clock.set(start - timedelta(minutes=31))
    shown = await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    assert answer_of(shown) == "✅ You are signed up!"
    late = offline.chat(2, language_code="en")
    clock.set(start - timedelta(minutes=29))
    shown = await late.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(late))
    assert answer_of(shown) == "Sign-ups for this event are closed."
    card = await card_of(late, TRAINING)
    assert "🔒 Sign-ups are closed." in visible_text(card.text or "")
    assert "✍️ Sign up" not in labels(card.reply_markup)


async def test_past_and_cancelled_events_refuse_with_a_reason(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    chat = offline.chat(language_code="kk")
    clock.set(datetime(2026, 12, 12, 9, 0, tzinfo=UTC))
    shown = await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    assert answer_of(shown) == "Бұл іс-шараға жазылу жабылды."
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    offline.app.programs.swap(with_event(sample_program, POETS, cancelled=True))
    shown = await chat.press(press(SignupAction.JOIN, POETS, Origin.LIST), listing(chat))
    assert answer_of(shown) == "Бұл іс-шара болдырылмады."


async def test_events_without_capacity_have_a_remind_me_toggle(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    card = await card_of(chat, NO_CAPACITY)
    assert labels(card.reply_markup)[0] == "🔔 Remind me"
    shown = await chat.press_button("Remind me", card)
    assert answer_of(shown) == "🔔 I will remind you."
    edit = only(shown, EditMessageText)
    assert "🔔 I will remind you before it starts." in visible_text(edit.text)
    assert labels(edit.reply_markup)[0] == "🔕 Don't remind me"
    shown = await chat.press_button("Don't remind me")
    assert answer_of(shown) == "🔕 No reminder for this one."
    shown = await chat.press(press(SignupAction.JOIN, NO_CAPACITY, Origin.LIST), listing(chat))
    assert answer_of(shown) == "This event needs no sign-up."


@pytest.mark.parametrize(
    ("lang", "too_late"),
    [
        ("en", "It has already begun: there is nothing to remind you of."),
        ("ru", "Уже началось: напоминать не о чем."),
        ("kk", "Ол басталып кетті: еске салатын ештеңе жоқ."),
    ],
)
async def test_remind_me_is_not_offered_once_the_event_has_begun(
    offline: Offline, sample_program: Program, clock: ManualClock, lang: str, too_late: str
) -> None:
    chat = offline.chat(language_code=lang)
    opening = sample_program.events_by_id[NO_CAPACITY]
    old_card = await card_of(chat, NO_CAPACITY)  # opened before it began
    clock.set(opening.starts_at + timedelta(minutes=30))
    card = await card_of(chat, NO_CAPACITY)
    assert not [label for label in labels(card.reply_markup) if label.startswith(("🔔", "🔕"))]
    remind = press(SignupAction.REMIND_ON, NO_CAPACITY)  # the card's button from before
    shown = await chat.press(remind, old_card)
    assert answer_of(shown) == too_late
    await chat.send("/my")
    assert visible_text(chat.last_message().text or "").startswith(
        ("🗂 Your agenda is empty", "🗂 Ваше расписание пусто", "🗂 Күн тәртібіңіз бос")
    )


async def test_a_days_list_offers_sign_up_only_where_sign_ups_are_open(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    training = sample_program.events_by_id[TRAINING]  # Thursday 16:30, on the first day's list
    clock.set(training.starts_at + timedelta(minutes=5))
    chat = offline.chat(language_code="en")
    await chat.send("/schedule")
    for page in range(3):  # the page of the first day that lists it
        await chat.press(ScheduleCb(view=ScheduleView.DAY, day=0, page=page).pack())
        listed = chat.last_message()
        text = visible_text(listed.text or "").splitlines()
        lines = [line for line in text if "Media literacy" in line]
        if lines:
            break
    number = lines[0].split(".")[0]
    assert f"✍️ {number}" not in labels(listed.reply_markup)  # under way: nothing to sign up for
    assert any(label.startswith("✍️") for label in labels(listed.reply_markup))  # later ones


async def test_a_double_tap_on_remind_me_or_its_cross_in_my_does_it_once(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    card = await card_of(chat, NO_CAPACITY)
    taps = await asyncio.gather(*(chat.press_button("Remind me", card) for _ in range(2)))
    assert [answer_of(shown) for shown in taps] == ["🔔 I will remind you."] * 2
    await chat.send("/my")
    agenda = chat.last_message()
    assert visible_text(agenda.text or "").splitlines()[3].endswith("🔔")
    taps = await asyncio.gather(*(chat.press_button("✖ 1", agenda) for _ in range(2)))
    assert [answer_of(shown) for shown in taps] == ["🔕 No reminder for this one."] * 2
    assert visible_text(chat.last_message().text or "").startswith("🗂 Your agenda is empty.")


# -- /my -----------------------------------------------------------------------------------


async def test_my_agenda_lists_by_day_marks_the_waitlist_and_cancels_with_confirmation(
    offline: Offline, sample_program: Program
) -> None:
    for n in range(20):
        other = offline.chat(50_000 + n)
        await other.press(press(SignupAction.JOIN, TRAINER, Origin.LIST), listing(other))
    chat = offline.chat(language_code="en")
    for event_id in (POETS, "training-project-mgmt", TRAINER):
        await chat.press(press(SignupAction.JOIN, event_id, Origin.LIST), listing(chat))
    await chat.press(press(SignupAction.REMIND_ON, NO_CAPACITY, Origin.LIST), listing(chat))
    agenda = only(await chat.send("/my"), SendMessage)
    text = visible_text(agenda.text)
    lines = text.splitlines()
    assert lines[0] == "🗂 My agenda"
    thursday = lines.index("Thursday, 10 December")
    friday = lines.index("Friday, 11 December")
    assert thursday < friday
    assert lines[thursday + 1].startswith("1. 10:00–11:30 🎤") and lines[thursday + 1].endswith(
        "🔔"
    )
    assert lines[thursday + 2].startswith("2. 16:30–18:00 🛠") and "⏳ waitlist #1" in text
    assert lines[thursday + 3].startswith("3. 18:30–20:00 📖") and lines[thursday + 3].endswith(
        "✅"
    )
    assert lines[friday + 1].startswith("4. 09:30–11:00 🎓")
    shown = await chat.press_button("✖ 3")
    prompt = only(shown, EditMessageText)
    assert visible_text(prompt.text).startswith("Give up your seat at ")
    shown = await chat.press_button("No, keep it")
    assert visible_text(only(shown, EditMessageText).text).startswith("🗂 My agenda")
    assert (await standing(offline, POETS))[0] == [chat.user.id]
    await chat.press_button("✖ 3")
    shown = await chat.press_button("Yes, give it up")
    assert answer_of(shown) == "Done: your place is given up."
    redrawn = visible_text(only(shown, EditMessageText).text)
    assert "18:30–20:00" not in redrawn
    assert (await standing(offline, POETS))[0] == []


async def test_add_all_to_calendar_sends_one_ics_of_the_plans(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="en")
    for event_id in (POETS, "training-project-mgmt"):
        await chat.press(press(SignupAction.JOIN, event_id, Origin.LIST), listing(chat))
    await chat.send("/my")
    shown = await chat.press(AgendaCb(calendar=True).pack())
    only(shown, SendDocument)
    sent = offline.session.files[(chat.user.id, chat.last_message().message_id)]
    calendar = Calendar.from_ical(sent.data)
    vevents = calendar.walk("VEVENT")
    assert [str(v["UID"]) for v in vevents] == [
        f"{POETS}@{sample_program.forum.id}",
        f"training-project-mgmt@{sample_program.forum.id}",
    ]
    poets = sample_program.events_by_id[POETS]
    assert vevents[0].decoded("DTSTART") == poets.starts_at
    assert vevents[0].decoded("DTEND") == poets.ends_at
    museum = sample_program.venues_by_id[poets.venue]
    assert museum.address.en in str(vevents[0]["LOCATION"])
    assert "start=e-lit-toraighyrov" in str(vevents[0]["URL"])


async def test_an_agenda_of_waitlist_places_alone_offers_no_calendar(offline: Offline) -> None:
    _, (chat,) = await waiting_for(offline, STORYTELLING, 35_001)
    await chat.send("/my")
    agenda = chat.last_message()
    assert "⏳ waitlist #1" in visible_text(agenda.text or "")
    assert "📅 Add all to calendar" not in labels(agenda.reply_markup)
    shown = await chat.press(AgendaCb(calendar=True).pack(), agenda)  # on an older agenda
    assert answer_of(shown) == (
        "Nothing to add yet: only seats and reminders go into the calendar, not waitlists."
    )
    assert not [r for r in shown if isinstance(r, SendDocument)]


async def test_an_empty_agenda_points_to_the_schedule(offline: Offline) -> None:
    chat = offline.chat(language_code="ru")
    agenda = only(await chat.send("/my"), SendMessage)
    assert agenda.text.startswith("🗂 Ваше расписание пусто.")
    assert labels(agenda.reply_markup) == ["📅 Программа", "« Главное меню"]


# -- stale and forged buttons --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        press(SignupAction.JOIN, "no-such-event"),
        press(SignupAction.CANCEL, TRAINING),  # holds nothing there: acts for nobody
        press(SignupAction.ASK_CANCEL, TRAINING),
        "su:j",
        "su:zz:training-media-literacy:c",
        "su:j:training-media-literacy:q",
        "su:r:opening:c",  # "remind me" when it was a switch
    ],
)
async def test_forged_sign_up_buttons_change_nothing(offline: Offline, data: str) -> None:
    holder = offline.chat(1, language_code="en")
    await holder.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(holder))
    forger = offline.chat(2, language_code="en")
    shown = await forger.press(data, listing(forger))
    assert answer_of(shown) in {
        "This button is out of date.",
        "This event is no longer in the program.",
    }
    assert await standing(offline, TRAINING) == ([holder.user.id], [])


async def test_an_old_card_answers_with_the_current_state(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    card = await card_of(chat, TRAINING)
    await chat.press(press(SignupAction.JOIN, TRAINING), card)
    card = chat.last_message()
    assert labels(card.reply_markup)[0] == "❌ Cancel my seat"
    await chat.send("/my")  # ... and gives the seat up from the agenda instead
    await chat.press_button("✖ 1")
    await chat.press_button("Yes, give it up")
    shown = await chat.press(press(SignupAction.ASK_CANCEL, TRAINING), card)  # the old card
    assert answer_of(shown) == "This button is out of date."
    assert labels(only(shown, EditMessageText).reply_markup)[0] == "✍️ Sign up"


# -- organizers ----------------------------------------------------------------------------


async def test_stats_and_export_are_for_organizers_only(offline: Offline) -> None:
    attendee = offline.chat(language_code="en")
    assert only(await attendee.send("/stats"), SendMessage).text == (
        "This is for the forum's organizers."
    )
    assert only(await attendee.send(f"/export {TRAINING}"), SendMessage).text == (
        "This is for the forum's organizers."
    )
    shown = await attendee.press(StatsCb(export=TRAINING).pack(), listing(attendee))
    assert answer_of(shown) == "This is for the forum's organizers."
    assert not [r for r in shown if isinstance(r, SendDocument)]


async def test_organizers_see_figures_and_get_a_csv(
    offline: Offline, sample_program: Program
) -> None:
    for n, lang in enumerate(["kk", "ru", "ru", "en"]):
        chat = offline.chat(60_000 + n, language_code=lang, first_name=f"Person {n}")
        await chat.send("/language")
        await chat.press_button({"kk": "Қазақша", "ru": "Русский", "en": "English"}[lang])
        await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    stats = only(await organizer.send("/stats"), SendMessage)
    text = visible_text(stats.text)
    title = sample_program.events_by_id[TRAINING].title.en
    assert f"{title}: 4/30, waitlist 0" in text
    assert "• ru: 2" in text and "• kk: 1" in text and "• en: 1" in text
    rows = await exported_rows(organizer, TRAINING)
    assert isinstance(organizer.session.requests[-1], SendDocument)
    assert rows[0] == [
        "name",
        "username",
        "language",
        "delegation",
        "status",
        "waitlist_position",
        "signed_up",
    ]
    assert [row[0] for row in rows[1:]] == [f"Person {n}" for n in range(4)]
    assert [row[2] for row in rows[1:]] == ["kk", "ru", "ru", "en"]
    assert all(row[4] == "seat" and row[6].endswith("+05:00") for row in rows[1:])
    unknown = only(await organizer.send("/export nonsense"), SendMessage)
    assert unknown.text.startswith("There is no event nonsense in the program.")


async def test_figures_and_csv_count_the_language_the_bot_speaks_to_each_person(
    offline: Offline,
) -> None:
    # Nobody here chose a language: the bot speaks Telegram's, or Russian for any other.
    for n, telegram_language in enumerate(["ru", "kk", "de"]):
        chat = offline.chat(61_000 + n, language_code=telegram_language, first_name=f"P{n}")
        await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    text = visible_text(only(await organizer.send("/stats"), SendMessage).text)
    by_language = text.split("by language")[1].split("By delegation")[0]
    assert by_language.split() == ["•", "ru:", "2", "•", "kk:", "1"]
    rows = await exported_rows(organizer, TRAINING)
    assert [(row[0], row[2]) for row in rows[1:]] == [("P0", "ru"), ("P1", "kk"), ("P2", "ru")]


@pytest.mark.parametrize(("lang", "delimiter"), [("ru", ";"), ("kk", ";"), ("en", ",")])
async def test_the_csv_is_split_where_excel_in_the_organizers_language_splits_it(
    offline: Offline, lang: str, delimiter: str
) -> None:
    # Russian and Kazakh regional settings separate a list with ";" (the comma is the decimal
    # mark): with "," Excel there shows each row in one cell. A comma in a name stays inside.
    chat = offline.chat(63_000, first_name="Aigerim, Astana")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    organizer = offline.chat(ORGANIZER_ID, language_code=lang)
    rows = await exported_rows(organizer, TRAINING, delimiter)
    assert len(rows[0]) == 7 and rows[0][0] == "name"
    assert rows[1][0] == "Aigerim, Astana" and rows[1][4] == "seat"
    assert len(rows[1]) == 7


async def test_the_csv_never_hands_a_spreadsheet_a_formula(offline: Offline) -> None:
    names = ['=HYPERLINK("http://evil.example","Click")', "+1 (Astana)", "Aigerim"]
    for n, name in enumerate(names):
        chat = offline.chat(62_000 + n, first_name=name, username=f"user_{n}")
        await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    rows = await exported_rows(organizer, TRAINING)
    assert [row[:2] for row in rows[1:]] == [
        ['\'=HYPERLINK("http://evil.example","Click")', "user_0"],
        ["'+1 (Astana)", "user_1"],
        ["Aigerim", "user_2"],
    ]


@pytest.mark.parametrize(
    ("lang", "nobody", "heading"),
    [
        ("en", "Nobody has signed up yet.", "People signed up, by language"),
        ("ru", "Пока никто не записался.", "Записавшиеся по языкам"),
        ("kk", "Әзірге ешкім жазылған жоқ.", "Жазылғандар, тіл бойынша"),
    ],
)
async def test_stats_before_anyone_signs_up_say_so_instead_of_empty_headings(
    offline: Offline, lang: str, nobody: str, heading: str
) -> None:
    organizer = offline.chat(ORGANIZER_ID, language_code=lang)
    text = visible_text(only(await organizer.send("/stats"), SendMessage).text)
    assert nobody in text and heading not in text
    chat = offline.chat(64_000, language_code="en")
    await chat.press(press(SignupAction.JOIN, TRAINING, Origin.LIST), listing(chat))
    text = visible_text(only(await organizer.send("/stats"), SendMessage).text)
    assert heading in text and nobody not in text
