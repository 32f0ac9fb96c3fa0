"""Reminders with a controlled clock: on time, exactly once, across restarts and changes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SendVenue
from aiogram.utils.i18n import I18n

import bot.reminders
from bot.app import App, create_app
from bot.callbacks import Origin, SignupAction, SignupCb
from bot.clock import ManualClock
from bot.config import Settings
from bot.formatting import format_in
from bot.htmltext import visible_text
from bot.i18n import create_i18n, in_language
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import LANGS, Lang, Program, ProgramError, load_program
from bot.program.models import ItineraryItem
from bot.reminders import ApsJobHolder, ManualJobHolder
from bot.services.changes import diff, item_diff
from bot.services.reminders import Job
from bot.storage import Database, PeopleRepository
from bot.storage.reminders import Preference
from bot.storage.told import ToldRepository
from bot.views import changes as change_views
from bot.views import reminders as reminder_views
from tests.conftest import (
    MINI_PROGRAM,
    ORGANIZER_ID,
    SAMPLE_PROGRAM,
    Offline,
    labels,
    only,
    with_event,
    with_itinerary,
)
from tests.programgen import generate_program
from tests.test_limits import check
from tests.test_signups import block, card_of, fill_seats

ALMATY = ZoneInfo("Asia/Almaty")
TITLES = {
    "mc-storytelling": "Storytelling for children",
    "training-media-literacy": "Медиа",
}
STORY = "mc-storytelling"  # master class, Thursday 16:30, 25 seats: reminded 15 min before
TRAINING = "training-media-literacy"  # a training: everyone is reminded, 30 min before
STORY_AN_HOUR_LATER: dict[str, object] = {
    "starts_at": "2026-12-10T17:00",
    "ends_at": "2026-12-10T18:30",
}


def at(hour: int, minute: int = 0, second: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=ALMATY)


def reminders_to(session: OfflineSession, person_id: int, about: str = STORY) -> list[str]:
    """The reminders a person got about one event (everyone also hears of the trainings)."""
    return [
        visible_text(r.text)
        for r in session.requests
        if isinstance(r, SendMessage)
        and r.chat_id == person_id
        and r.text.startswith("⏰")
        and TITLES.get(about, about) in visible_text(r.text)
    ]


async def sign_up(chat: OfflineChat, event_id: str) -> None:
    await chat.press(SignupCb(action=SignupAction.JOIN, id=event_id, origin=Origin.LIST).pack())


async def story_holder(offline: Offline, lang: str) -> OfflineChat:
    """Someone who started the bot in `lang` and holds a seat on the storytelling class."""
    attendee = offline.chat(8001, language_code=lang)
    await attendee.send("/start")
    await sign_up(attendee, STORY)
    return attendee


def moved(program: Program, by: timedelta, *event_ids: str) -> Program:
    """`program` with the named events moved by `by`."""
    for event_id in event_ids:
        event = program.events_by_id[event_id]
        program = with_event(
            program, event_id, starts_at=event.starts_at + by, ends_at=event.ends_at + by
        )
    return program


async def fire_until(app: App, clock: ManualClock, moment: datetime) -> None:
    """Let time reach `moment`: re-plan, run the due jobs, send what they queued."""
    await app.reminders.replan()
    clock.set(moment)
    assert isinstance(app.jobs, ManualJobHolder)
    await app.jobs.run_due()
    for _ in range(3):  # a second message to a chat waits a second after the first
        await app.sender.drain()
        clock.advance(timedelta(seconds=1))
    clock.set(moment)


async def test_a_signed_up_session_is_reminded_at_its_lead_time_and_once(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    await sign_up(chat, STORY)
    await fire_until(offline.app, clock, at(16, 14, 50))  # 15 min before 16:30, minus 10 s
    assert reminders_to(offline.session, chat.user.id) == []
    await fire_until(offline.app, clock, at(16, 14, 56))  # the fan-out starts 5 s ahead
    (text,) = reminders_to(offline.session, chat.user.id)
    event = sample_program.events_by_id[STORY]
    assert text.startswith(f"⏰ In 15 minutes: {event.title.en}")
    assert "🗓 Thursday, 10 December, 16:30–18:00" in text
    assert "📍 Children's and youth literature room, floor 2" in text
    await fire_until(offline.app, clock, at(16, 20))
    assert isinstance(offline.app.jobs, ManualJobHolder)
    assert f"remind:{STORY}:15" not in offline.app.jobs.jobs  # done with
    assert await offline.app.reminders.fire(STORY, 15) == 0  # a second run sends nothing
    assert len(reminders_to(offline.session, chat.user.id)) == 1


async def test_the_reminder_offers_the_pin_and_i_cant_come(
    offline: Offline, clock: ManualClock
) -> None:
    chat = offline.chat(language_code="ru")
    await chat.send("/start")
    await sign_up(chat, STORY)
    await fire_until(offline.app, clock, at(16, 15))
    (reminder,) = [
        m
        for m in chat.messages()
        if (m.text or "").startswith("⏰") and "Сторителлинг" in (m.text or "")
    ]
    assert labels(reminder.reply_markup) == ["📍 Где это?", "❌ Не смогу прийти"]
    shown = await chat.press_button("Не смогу прийти", reminder)
    assert shown.answer().text == "Готово: место освобождено."
    seats = await offline.app.signups.state(
        chat.user.id, offline.app.programs.current.events_by_id[STORY]
    )
    assert seats.signup is None


async def test_everyone_is_reminded_of_trainings_unless_they_opt_out(
    offline: Offline, clock: ManualClock
) -> None:
    everyone = [offline.chat(2000 + n, language_code="kk") for n in range(3)]
    for chat in everyone:
        await chat.send("/start")
    quiet, early, _usual = everyone
    await offline.app.planner.set_preference(quiet.user.id, Preference(None, everyone_off=True))
    await offline.app.planner.set_preference(early.user.id, Preference(60, everyone_off=False))
    await fire_until(offline.app, clock, at(15, 30))  # 60 min before the 16:30 training
    assert len(reminders_to(offline.session, early.user.id, TRAINING)) == 1
    assert reminders_to(offline.session, everyone[2].user.id, TRAINING) == []
    await fire_until(offline.app, clock, at(16, 0))  # 30 min before: the program's lead
    (text,) = reminders_to(offline.session, everyone[2].user.id, TRAINING)
    assert text.startswith("⏰ 30 минут")
    assert reminders_to(offline.session, quiet.user.id, TRAINING) == []
    assert len(reminders_to(offline.session, early.user.id, TRAINING)) == 1


async def test_no_reminders_after_cancelling_or_choosing_none(
    offline: Offline, clock: ManualClock
) -> None:
    gone, off, kept = offline.chat(3001), offline.chat(3002), offline.chat(3003)
    for chat in (gone, off, kept):
        await chat.send("/start")
        await sign_up(chat, STORY)
    await gone.press(SignupCb(action=SignupAction.CANCEL, id=STORY, origin=Origin.LIST).pack())
    await offline.app.planner.set_preference(off.user.id, Preference(0, everyone_off=False))
    await fire_until(offline.app, clock, at(16, 29))
    assert reminders_to(offline.session, gone.user.id) == []
    assert reminders_to(offline.session, off.user.id) == []
    assert len(reminders_to(offline.session, kept.user.id)) == 1  # the reminder did go out


def heard(offline: Offline, chat: OfflineChat, event_id: str) -> list[str]:
    """The reminders a person reading English got about one event, found by its title."""
    title = offline.app.programs.current.events_by_id[event_id].title.en
    return reminders_to(offline.session, chat.user.id, title[:40])


async def gave_up_training(offline: Offline, first_id: int) -> tuple[OfflineChat, OfflineChat]:
    """Someone who signed up for the training and gave the seat up through its card, and a
    bystander with no sign-ups; both reading English."""
    gave_up, bystander = offline.chat(first_id), offline.chat(first_id + 1)
    for chat in (gave_up, bystander):
        await chat.send("/start")
    await sign_up(gave_up, TRAINING)
    await card_of(gave_up, TRAINING)
    await gave_up.press_button("Cancel my seat")
    shown = await gave_up.press_button("Yes, give it up")  # the confirmation
    assert shown.answer().text == "Done: your place is given up."
    return gave_up, bystander


async def test_a_training_seat_given_up_stops_its_everyone_reminder_until_signed_up_again(
    offline: Offline, clock: ManualClock
) -> None:
    gave_up, bystander = await gave_up_training(offline, 4101)
    await fire_until(offline.app, clock, at(16, 0))  # 30 min before the 16:30 training
    assert heard(offline, gave_up, TRAINING) == []
    (text,) = heard(offline, bystander, TRAINING)  # the reminder did go out
    assert text.startswith("⏰ In 30 minutes: Media literacy")
    await sign_up(gave_up, TRAINING)  # back again: reminded, late but once
    await fire_until(offline.app, clock, at(16, 1))
    await fire_until(offline.app, clock, at(16, 20))
    (text,) = heard(offline, gave_up, TRAINING)
    assert text.startswith("⏰ In 29 minutes: Media literacy")
    assert len(heard(offline, bystander, TRAINING)) == 1


async def test_a_training_given_up_is_no_news_when_it_moves(
    offline: Offline, sample_program: Program
) -> None:
    gave_up, bystander = await gave_up_training(offline, 4111)
    offline.app.programs.swap(moved(sample_program, timedelta(hours=1), TRAINING))
    await window_passes(offline)
    assert change_notices(offline, gave_up.user.id) == []  # they are not going
    assert len(change_notices(offline, bystander.user.id)) == 1  # everyone else hears it


async def test_a_waitlist_place_gets_no_everyone_reminder_of_the_event(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    holders = await fill_seats(offline, TRAINING)
    waiting, bystander = offline.chat(4201), offline.chat(4202)
    for chat in (waiting, bystander):
        await chat.send("/start")
    await sign_up(waiting, TRAINING)
    state = await offline.app.signups.state(waiting.user.id, sample_program.events_by_id[TRAINING])
    assert state.signup is not None and state.signup.status == "waitlist"
    await fire_until(offline.app, clock, at(16, 0))  # 30 min before the 16:30 training
    await fire_until(offline.app, clock, at(16, 20))
    assert heard(offline, waiting, TRAINING) == []
    for chat in (holders[0], holders[-1], bystander):
        assert len(heard(offline, chat, TRAINING)) == 1


async def test_a_seat_at_an_overlapping_master_class_takes_the_place_of_the_training_reminder(
    offline: Offline, clock: ManualClock
) -> None:
    elsewhere, bystander = offline.chat(4301), offline.chat(4302)
    for chat in (elsewhere, bystander):
        await chat.send("/start")
    await sign_up(elsewhere, STORY)  # Thursday 16:30-18:00, as the training
    await fire_until(offline.app, clock, at(16, 0))  # the training's 30 minutes
    await fire_until(offline.app, clock, at(16, 15))  # the master class's 15
    await fire_until(offline.app, clock, at(16, 20))
    assert len(reminders_to(offline.session, elsewhere.user.id, STORY)) == 1
    assert heard(offline, elsewhere, TRAINING) == []
    assert len(heard(offline, bystander, TRAINING)) == 1


async def test_three_events_at_once_remind_a_seat_holder_of_theirs_and_a_bystander_of_all(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    together = ("training-grant-writing", "lit-bayan-olgii", "lit-siberian")  # Fri 14:30
    seated, toured, bystander = offline.chat(4401), offline.chat(4402), offline.chat(4403)
    for chat in (seated, toured, bystander):
        await chat.send("/start")
    await sign_up(seated, "lit-siberian")
    await sign_up(toured, "city-tour")  # Fri 14:30-16:30, then cancelled:
    offline.app.programs.swap(with_event(sample_program, "city-tour", cancelled=True))
    for moment in (at(13, 30, day=11), at(14, 0, day=11), at(14, 29, day=11)):
        await fire_until(offline.app, clock, moment)  # 60 and 30 minutes before, then late
    seen = {event_id: len(heard(offline, seated, event_id)) for event_id in together}
    assert seen == {"training-grant-writing": 0, "lit-bayan-olgii": 0, "lit-siberian": 1}
    for chat in (toured, bystander):  # a seat at a cancelled event takes them nowhere
        assert [len(heard(offline, chat, event_id)) for event_id in together] == [1, 1, 1]


async def test_a_restart_between_planning_and_firing_sends_once(
    settings: Settings, sample_program: Program, tmp_path: Path
) -> None:
    clock = ManualClock(at(12, 0))
    path = tmp_path / "bot.db"

    async def start() -> tuple[App, OfflineSession]:
        session = OfflineSession()
        db = await Database.open(path)
        app = await create_app(
            settings, sample_program, db=db, session=session, token="1:offline", clock=clock
        )
        return app, session

    first, session = await start()
    chat = OfflineChat(first.dispatcher, first.bot, session, _user())
    await chat.send("/start")
    await sign_up(chat, STORY)
    await first.reminders.replan()
    await first.close()  # gone before the reminder's time
    second, session = await start()
    await fire_until(second, clock, at(16, 15))
    assert len(reminders_to(session, chat.user.id)) == 1
    await second.close()
    third, session = await start()  # and once more after it fired: nothing twice
    await fire_until(third, clock, at(16, 20))
    assert reminders_to(session, chat.user.id) == []
    await third.close()


async def test_after_the_fire_time_it_goes_late_until_the_start_then_never(
    offline: Offline, clock: ManualClock
) -> None:
    late, later = offline.chat(4001), offline.chat(4002)
    for chat in (late, later):
        await chat.send("/start")
        await sign_up(chat, STORY)
    await offline.app.planner.set_preference(later.user.id, Preference(10, False))
    clock.set(at(16, 25))  # the bot was down at 16:15 and 16:20
    await fire_until(offline.app, clock, at(16, 25))
    assert len(reminders_to(offline.session, late.user.id)) == 1  # late, once
    assert len(reminders_to(offline.session, later.user.id)) == 1
    await fire_until(offline.app, clock, at(16, 31))  # started: nothing more
    assert len(reminders_to(offline.session, late.user.id)) == 1
    second = offline.chat(4003)
    await second.send("/start")
    clock.set(at(16, 31))
    await sign_up(second, "mc-book-trailer")  # Friday: still ahead
    jobs = await offline.app.reminders.replan()
    assert any(job.target == "mc-book-trailer" for job in jobs)  # the new seat is planned
    assert all(job.starts_at > at(16, 31) for job in jobs)


async def test_a_moved_event_drops_the_old_reminder_and_fires_the_new_one(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    chat = offline.chat(5001)
    await chat.send("/start")
    await sign_up(chat, STORY)
    await offline.app.reminders.replan()
    offline.app.programs.swap(
        with_event(sample_program, STORY, starts_at=at(17, 30), ends_at=at(19, 0))
    )
    await fire_until(offline.app, clock, at(16, 15))
    assert reminders_to(offline.session, chat.user.id) == []
    await fire_until(offline.app, clock, at(17, 15))
    (text,) = reminders_to(offline.session, chat.user.id)
    assert "17:30–19:00" in text


async def test_a_late_reminder_says_how_long_is_really_left(
    offline: Offline, clock: ManualClock
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    clock.set(at(16, 25))  # five minutes before the master class, fifteen-minute reminders
    await sign_up(chat, STORY)
    await fire_until(offline.app, clock, at(16, 25, 10))
    (text,) = reminders_to(offline.session, chat.user.id)
    assert text.startswith("⏰ In 5 minutes: Storytelling for children")


async def test_reminders_come_back_when_someone_unblocks_the_bot(
    offline: Offline, clock: ManualClock
) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/settings")
    await chat.press_button("60 minutes")  # a lead nobody else uses: a job of its own
    await sign_up(chat, STORY)
    await offline.app.reminders.settle()
    holder = offline.app.jobs
    assert isinstance(holder, ManualJobHolder)
    job = f"remind:{STORY}:60"
    assert job in holder.jobs
    await block(chat)
    await offline.app.reminders.settle()
    assert job not in holder.jobs  # nobody to remind an hour before
    await block(chat, blocked=False)
    await offline.app.reminders.settle()
    assert job in holder.jobs
    await fire_until(offline.app, clock, at(15, 30))
    (text,) = reminders_to(offline.session, chat.user.id)
    assert text.startswith("⏰ In 60 minutes")


async def test_delegation_members_are_reminded_of_transfers(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    delegation = sample_program.delegations[0]
    item = next(item for item in delegation.itinerary if item.kind.value == "transfer")
    member, outsider = offline.chat(6001), offline.chat(6002)
    for chat in (member, outsider):
        await chat.send("/start")
    await offline.app.people.set_delegation(member.user.id, delegation.id)
    clock.set(item.starts_at - timedelta(hours=3))
    await fire_until(offline.app, clock, item.starts_at - timedelta(minutes=15))
    (text,) = reminders_to(offline.session, member.user.id, item.title.en)
    assert text.startswith(f"⏰ In 15 minutes: {item.title.en}")
    assert reminders_to(offline.session, outsider.user.id, item.title.en) == []


async def test_an_item_reminder_pins_the_place_the_itinerary_pins(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    departure = sample_program.delegations_by_id["novosibirsk"].itinerary[-1]
    assert departure.venue is None and departure.place is not None  # a station, not a venue
    member = offline.chat(6001)
    await member.send("/start")
    await offline.app.people.set_delegation(member.user.id, "novosibirsk")
    clock.set(departure.starts_at - timedelta(hours=3))
    await fire_until(offline.app, clock, departure.starts_at - timedelta(minutes=15))
    (reminder,) = [m for m in member.messages() if (m.text or "").startswith("⏰")]
    assert "📍 Pavlodar railway station" in (reminder.text or "")
    pin = only(await member.press_button("📍 Where is it?", reminder), SendVenue)
    assert (pin.latitude, pin.longitude) == (departure.lat, departure.lon)
    assert (pin.title, pin.address) == ("Departure by train", "Pavlodar railway station")


async def test_an_item_reminder_at_a_venue_gives_its_pin_and_directions(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    delegation = sample_program.delegations[0]
    meeting = next(item for item in delegation.itinerary if item.kind.value == "meeting")
    assert meeting.venue is not None and meeting.place is None
    venue = sample_program.venues_by_id[meeting.venue]
    member = offline.chat(6001)
    await member.send("/start")
    await offline.app.people.set_delegation(member.user.id, delegation.id)
    clock.set(meeting.starts_at - timedelta(hours=3))
    await fire_until(offline.app, clock, meeting.starts_at - timedelta(minutes=15))
    (reminder,) = [m for m in member.messages() if (m.text or "").startswith("⏰")]
    shown = await member.press_button("📍 Where is it?", reminder)
    pin = only(shown, SendVenue)
    assert (pin.latitude, pin.longitude) == (venue.lat, venue.lon)
    (details,) = [r for r in shown if isinstance(r, SendMessage)]
    assert venue.name.en in visible_text(details.text)  # directions and rooms, as /where


async def reminded_member(
    offline: Offline, clock: ManualClock, delegation_id: str, item: ItineraryItem
) -> OfflineChat:
    """A member of the delegation, reminded of the item ten minutes before it."""
    member = offline.chat(6001)
    await member.send("/start")
    await offline.app.people.set_delegation(member.user.id, delegation_id)
    clock.set(item.starts_at - timedelta(hours=3))
    await fire_until(offline.app, clock, item.starts_at - timedelta(minutes=10))
    assert len(reminders_to(offline.session, member.user.id, item.title.en)) == 1
    return member


async def test_an_edit_elsewhere_or_to_its_title_does_not_repeat_an_item_reminder(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    delegation = sample_program.delegations[0]
    first = next(item for item in delegation.itinerary if item.kind.value == "transfer")
    member = await reminded_member(offline, clock, delegation.id, first)
    # The same transfer a day earlier is added at the top, and the title gets a typo fixed.
    added = first.model_copy(update={"starts_at": first.starts_at - timedelta(days=1)})
    fixed = first.model_copy(
        update={"title": first.title.model_copy(update={"en": first.title.en + "."})}
    )
    rest = [fixed if item is first else item for item in delegation.itinerary]
    offline.app.programs.swap(with_itinerary(sample_program, delegation.id, added, *rest))
    await fire_until(offline.app, clock, first.starts_at - timedelta(minutes=9))
    assert len(reminders_to(offline.session, member.user.id, first.title.en)) == 1


async def test_a_reload_adding_an_item_repeats_no_reminder_and_drops_none(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    delegation = sample_program.delegations[0]
    first = next(item for item in delegation.itinerary if item.kind.value == "transfer")
    later = next(item for item in delegation.itinerary if item.kind.value == "meeting")
    assert later.starts_at - first.starts_at > timedelta(hours=1)
    member = await reminded_member(offline, clock, delegation.id, first)
    # A welcome dinner is added at the top of the itinerary (already past): every index moves.
    added = first.model_copy(
        update={"starts_at": first.starts_at - timedelta(days=1), "ends_at": None}
    )
    grown = delegation.model_copy(update={"itinerary": (added, *delegation.itinerary)})
    others = [d for d in sample_program.delegations if d.id != delegation.id]
    offline.app.programs.swap(sample_program.model_copy(update={"delegations": [grown, *others]}))
    await offline.app.reminders.replan()
    await fire_until(offline.app, clock, later.starts_at - timedelta(minutes=10))
    assert len(reminders_to(offline.session, member.user.id, first.title.en)) == 1
    assert len(reminders_to(offline.session, member.user.id, later.title.en)) == 1


async def test_a_big_event_starts_its_fan_out_early_enough(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    repo = PeopleRepository(offline.app.db)
    for person_id in range(1, 1201):
        await repo.seen(
            person_id, full_name="P", username=None, telegram_language="ru", now=clock.now()
        )
    jobs = [job for job in await offline.app.reminders.replan() if job.target == TRAINING]
    (job,) = jobs
    assert job.recipients == 1200
    assert job.fire_at == at(16, 0)
    assert job.fire_at - job.run_at == timedelta(seconds=40 + 5)  # 1,200 at 30/s, and a margin


def test_the_plan_is_the_same_in_any_process_timezone(
    sample_program: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services.reminders import targets

    in_utc = [(t.key, t.starts_at.timestamp()) for t in targets(sample_program)]
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert [(t.key, t.starts_at.timestamp()) for t in targets(sample_program)] == in_utc
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_settings_choose_the_lead_and_opt_out(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    screen = only(await chat.send("/settings"), SendMessage)
    assert visible_text(screen.text).startswith("⚙️ Reminders")
    assert labels(screen.reply_markup)[0] == "● As the program says"
    shown = await chat.press_button("10 minutes")
    assert "● 10 minutes" in labels(only(shown, EditMessageText).reply_markup)
    await offline.app.reminders.settle()  # the choice re-planned the reminders
    holder = offline.app.jobs
    assert isinstance(holder, ManualJobHolder)
    assert any(job.lead == 10 for job in holder.jobs.values())  # trainings: everyone's
    await chat.press_button("Don't remind me of those")
    preference = await offline.app.planner.preference(chat.user.id)
    assert preference == Preference(10, everyone_off=True)


async def test_apscheduler_holds_one_job_per_target_and_lead(
    settings: Settings, sample_program: Program, tmp_path: Path
) -> None:
    db = await Database.open(tmp_path / "bot.db")
    app = await create_app(
        settings, sample_program, db=db, session=OfflineSession(), token="1:offline"
    )  # the system clock: APScheduler holds the jobs
    assert isinstance(app.jobs, ApsJobHolder)
    await PeopleRepository(db).seen(
        1, full_name="A", username=None, telegram_language="en", now=datetime.now(ALMATY)
    )
    try:
        app.jobs.start()
        jobs = await app.reminders.replan()
        held = dict(app.jobs.held())
        assert set(held) == {job.id for job in jobs}
        assert f"remind:{TRAINING}:30" in held
        await app.reminders.replan()  # replace_existing: the same ids, no duplicates
        assert len(app.jobs.held()) == len(jobs)
    finally:
        await app.close()


def _user() -> OfflineUser:
    return OfflineUser(id=7001, first_name="Aigerim", language_code="en")


# -- program changes ------------------------------------------------------------------------


def edited_program(tmp_path: Path, change: dict[str, object], event_id: str) -> Path:
    raw = yaml.safe_load(SAMPLE_PROGRAM.read_text(encoding="utf-8"))
    for event in raw["events"]:
        if event["id"] == event_id:
            event.update(change)
    path = tmp_path / "forum.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_reload_tells_the_people_concerned_once_with_old_and_new(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    attendee = await story_holder(offline, "ru")
    bystander = offline.chat(8002, language_code="ru")
    await bystander.send("/start")
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    path = edited_program(tmp_path, STORY_AN_HOUR_LATER, STORY)
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    reply = only(await organizer.send("/reload"), SendMessage)
    assert reply.text.startswith("✅ The new program is in force: 32 events.")
    window = offline.app.settings.change_notice_delay
    assert f"told about the changes {format_in(window, 'en')}, if no other" in reply.text
    edited_program(
        tmp_path,
        {
            "starts_at": "2026-12-10T17:00",
            "ends_at": "2026-12-10T18:30",
            "room": "periodicals-hall",
        },
        STORY,
    )
    await organizer.send("/reload")  # a second edit within the window
    await window_passes(offline)
    notices = [
        visible_text(r.text)
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.chat_id == attendee.user.id and "📢" in r.text
    ]
    assert len(notices) == 1  # both edits in one notice
    (notice,) = notices
    assert "16:30–18:00 → четверг, 10 декабря, 17:00–18:30" in notice
    assert "→ Зал периодических изданий" in notice
    assert not [
        r
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.chat_id == bystander.user.id and "📢" in r.text
    ]


async def restarted(offline: Offline, settings: Settings, program_file: Path) -> Offline:
    """The bot stopped and started again on the same database, with the program in the file."""
    await offline.app.on_shutdown()
    db = await Database.open(settings.database_path)
    session = OfflineSession()
    app = await create_app(
        settings,
        load_program(program_file).program,
        db=db,
        session=session,
        token="1:offline",
        clock=offline.app.clock,
    )
    await app.changes.start()  # as App.on_startup does
    return Offline(app, session)


async def window_passes(offline: Offline) -> None:
    """The quiet window after a change passes: the notices are queued and sent."""
    offline.app.changes.close()
    await offline.app.changes.flush()
    await offline.app.sender.drain()


def change_notices(offline: Offline, person_id: int) -> list[str]:
    return [
        visible_text(r.text)
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.chat_id == person_id and "📢" in r.text
    ]


async def notices_after_restart(
    offline: Offline, settings: Settings, program_file: Path, person_id: int
) -> list[str]:
    """The change notices a person gets when the bot restarts on `program_file`."""
    second = await restarted(offline, settings, program_file)
    try:
        await window_passes(second)
        return change_notices(second, person_id)
    finally:
        await second.app.close()


async def test_changes_are_told_though_the_bot_restarts_before_telling_them(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    await offline.app.changes.start()  # as App.on_startup does: the program told so far
    attendee = await story_holder(offline, "ru")
    path = edited_program(tmp_path, STORY_AN_HOUR_LATER, STORY)
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    await offline.chat(ORGANIZER_ID, language_code="en").send("/reload")
    # A deploy restarts the bot a few seconds later, inside the window before the notice.
    second = await restarted(offline, settings, path)
    try:
        await window_passes(second)
        (notice,) = change_notices(second, attendee.user.id)
        assert "16:30–18:00 → четверг, 10 декабря, 17:00–18:30" in notice
    finally:
        await second.app.close()
    third = await restarted(second, settings, path)  # and once more: told already
    try:
        await window_passes(third)
        assert change_notices(third, attendee.user.id) == []
    finally:
        await third.app.close()


async def test_a_notice_the_database_refused_is_told_after_the_next_window(
    offline: Offline, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await offline.app.changes.start()
    attendee = await story_holder(offline, "en")
    path = edited_program(tmp_path, STORY_AN_HOUR_LATER, STORY)
    quick = settings.model_copy(update={"program_file": path, "change_notice_delay": 0.05})
    second = await restarted(offline, quick, SAMPLE_PROGRAM)
    tell = ToldRepository.tell
    refusals: list[int] = []

    async def locked_once(self: ToldRepository, *args: Any, **kwargs: Any) -> int:
        if not refusals:
            refusals.append(1)
            raise sqlite3.OperationalError("database is locked")
        return await tell(self, *args, **kwargs)

    monkeypatch.setattr(ToldRepository, "tell", locked_once)
    second.app.services["settings"] = quick
    try:
        await second.chat(ORGANIZER_ID, language_code="en").send("/reload")
        async with asyncio.timeout(5):
            while not change_notices(second, attendee.user.id):
                await asyncio.sleep(0.05)
                await second.app.sender.drain()
        assert refusals == [1]  # the first flush was refused, the next one told
        assert len(change_notices(second, attendee.user.id)) == 1
    finally:
        await second.app.close()


async def test_a_flush_that_cannot_remember_the_program_queues_nothing_so_none_is_told_twice(
    offline: Offline, sample_program: Program
) -> None:
    await offline.app.changes.start()
    attendee = await story_holder(offline, "en")
    # The disk fills up just as the program told about is to be stored.
    for change in ("INSERT", "UPDATE"):
        await offline.app.db.execute(
            f"CREATE TRIGGER full_{change} BEFORE {change} ON program_told "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )

    offline.app.programs.swap(moved(sample_program, timedelta(hours=1), STORY))
    with pytest.raises(sqlite3.Error):
        await offline.app.changes.flush()
    await offline.app.sender.drain()
    assert change_notices(offline, attendee.user.id) == []  # nothing told half-way
    for change in ("INSERT", "UPDATE"):
        await offline.app.db.execute(f"DROP TRIGGER full_{change}")
    offline.app.programs.swap(moved(sample_program, timedelta(hours=2), STORY))  # again
    await window_passes(offline)
    (notice,) = change_notices(offline, attendee.user.id)  # once, as it stands now
    assert "16:30–18:00 → Thursday, 10 December, 18:30–20:00" in notice


async def test_a_program_of_another_forum_tells_nobody_its_differences(
    offline: Offline, settings: Settings
) -> None:
    await offline.app.changes.start()
    bystander = offline.chat(8002, language_code="en")
    await bystander.send("/start")
    assert await notices_after_restart(offline, settings, MINI_PROGRAM, bystander.user.id) == []


async def test_a_program_file_edited_while_the_bot_was_stopped_is_told_at_start(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    await offline.app.changes.start()
    attendee = await story_holder(offline, "en")
    path = edited_program(tmp_path, {"room": "periodicals-hall"}, STORY)
    (notice,) = await notices_after_restart(offline, settings, path, attendee.user.id)
    assert "→ Periodicals hall" in notice


async def test_changes_to_several_events_reach_each_person_in_one_notice(
    offline: Offline, sample_program: Program
) -> None:
    holder = offline.chat(8101, language_code="en")  # a seat on the master class
    await holder.send("/start")
    await sign_up(holder, STORY)
    listener = offline.chat(8102, language_code="en")  # hears of trainings, holds nothing
    await listener.send("/start")
    quiet = offline.chat(8103, language_code="en")  # turned reminders for everyone off
    await quiet.send("/settings")
    await quiet.press_button("Don't remind me of those")
    offline.app.programs.swap(moved(sample_program, timedelta(hours=1), STORY, TRAINING))
    await offline.app.changes.flush()
    await offline.app.sender.drain()

    def notices(chat: OfflineChat) -> list[str]:
        return [
            visible_text(r.text)
            for r in offline.session.requests
            if isinstance(r, SendMessage) and r.chat_id == chat.user.id and "📢" in r.text
        ]

    (both,) = notices(holder)
    assert TITLES[STORY] in both and "Media literacy" in both
    (training,) = notices(listener)
    assert "Media literacy" in training and TITLES[STORY] not in training
    assert notices(quiet) == []


CITY_TOUR = "city-tour"  # an excursion, Friday 11 December 14:30–16:30, 25 seats
LITERARY = "lit-toraighyrov"  # a literary meeting, Thursday 18:30–20:00: everyone hears of it


async def training_holder_and_listener(offline: Offline) -> tuple[OfflineChat, OfflineChat]:
    """Someone with a seat on Thursday's training, and someone who only hears of trainings."""
    holder = offline.chat(8111, language_code="ru")
    await holder.send("/start")
    await sign_up(holder, TRAINING)
    listener = offline.chat(8112, language_code="ru")
    await listener.send("/start")
    return holder, listener


async def test_a_past_event_set_right_after_it_ended_is_no_news(
    offline: Offline, settings: Settings, tmp_path: Path, clock: ManualClock
) -> None:
    await offline.app.changes.start()
    holder, listener = await training_holder_and_listener(offline)
    clock.set(at(20, day=11))  # Friday evening: Thursday's training ended yesterday at 18:00
    path = edited_program(tmp_path, {"ends_at": "2026-12-10T18:15"}, TRAINING)
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    await offline.chat(ORGANIZER_ID, language_code="en").send("/reload")
    await window_passes(offline)
    assert change_notices(offline, holder.user.id) == []
    assert change_notices(offline, listener.user.id) == []
    # Still remembered as told, so no later flush tells it either.
    stored = await ToldRepository(offline.app.db).load()
    assert stored is not None
    told = Program.model_validate_json(stored[0])
    assert told.fingerprint == offline.app.programs.current.fingerprint
    assert told.events_by_id[TRAINING].ends_at == at(18, 15)


async def test_a_future_event_moved_with_past_ones_is_told_alone(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    holder = await story_holder(offline, "en")
    await sign_up(holder, CITY_TOUR)
    listener = offline.chat(8112, language_code="en")  # hears of trainings, holds nothing
    await listener.send("/start")
    clock.set(at(12, day=11))  # Friday noon: Thursday is over, the city tour still to come
    hour = timedelta(hours=1)
    program = moved(sample_program, hour, STORY, CITY_TOUR)
    program = with_event(program, TRAINING, ends_at=at(18, 15))
    offline.app.programs.swap(program)
    await window_passes(offline)
    (notice,) = change_notices(offline, holder.user.id)
    assert "Pavlodar city tour" in notice
    assert "Friday, 11 December, 14:30–16:30 → Friday, 11 December, 15:30–17:30" in notice
    assert TITLES[STORY] not in notice and "Media literacy" not in notice
    assert change_notices(offline, listener.user.id) == []


async def test_a_past_event_cancelled_or_removed_after_it_ended_is_no_news(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    holder, listener = await training_holder_and_listener(offline)
    clock.set(at(20, day=11))
    program = with_event(sample_program, TRAINING, cancelled=True)
    events = tuple(event for event in program.events if event.id != LITERARY)
    offline.app.programs.swap(program.model_copy(update={"events": events}))
    await window_passes(offline)
    assert change_notices(offline, holder.user.id) == []
    assert change_notices(offline, listener.user.id) == []


def test_an_event_change_is_news_while_it_was_or_is_still_to_come(
    sample_program: Program,
) -> None:
    day = timedelta(days=1)

    def told(new: Program, now: datetime) -> list[str]:
        return [str(change.kind) for change in diff(sample_program, new) if change.ahead(now)]

    friday_evening = at(20, day=11)
    assert told(moved(sample_program, timedelta(minutes=15), STORY), friday_evening) == []
    assert told(with_event(sample_program, STORY, cancelled=True), friday_evening) == []
    # Out of the past to Saturday: it is coming after all.
    assert told(moved(sample_program, 2 * day, STORY), friday_evening) == ["moved"]
    # Thursday noon, moved to Wednesday: it was coming, and now it has already happened.
    assert told(moved(sample_program, -day, STORY), at(12)) == ["moved"]
    # Under way (Thursday 17:00, it ends at 18:00): another room still matters.
    assert told(with_event(sample_program, STORY, room="periodicals-hall"), at(17)) == ["room"]


OMSK_TRANSFER = 1  # Omsk's transfer from the bus station, Wednesday 9 December 16:45–17:05


def edited_item(path: Path, delegation_id: str, index: int, change: Mapping[str, object]) -> Path:
    """The program file at `path` with one itinerary item changed, written back in place."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for delegation in raw["delegations"]:
        if delegation["id"] == delegation_id:
            delegation["itinerary"][index].update(change)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def shifted(item: ItineraryItem, by: timedelta) -> ItineraryItem:
    ends_at = item.ends_at + by if item.ends_at is not None else None
    return item.model_copy(update={"starts_at": item.starts_at + by, "ends_at": ends_at})


async def started(
    offline: Offline, person_id: int, lang: str, delegation: str | None = None
) -> OfflineChat:
    """Someone who has started the bot in `lang`, a member of `delegation` if one is named."""
    chat = offline.chat(person_id, language_code=lang)
    await chat.send("/start")
    if delegation is not None:
        assert await offline.app.delegations.link(person_id, delegation)
    return chat


async def reload_and_tell(offline: Offline, settings: Settings, path: Path) -> None:
    """/reload the file, and let the window before the notices pass."""
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    reply = only(await offline.chat(ORGANIZER_ID, language_code="en").send("/reload"), SendMessage)
    assert reply.text.startswith("✅ The new program is in force")
    await window_passes(offline)


async def test_a_moved_transfer_is_told_to_the_delegation_in_each_ones_language(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    chats = {
        "ru": await started(offline, 8201, "ru", "omsk"),
        "en": await started(offline, 8202, "en", "omsk"),
        "outsider": await started(offline, 8203, "ru"),
        "barnaul": await started(offline, 8204, "ru", "altai-barnaul"),
    }
    path = edited_program(tmp_path, {}, STORY)  # a copy of the sample to edit
    later = {"starts_at": "2026-12-09T17:30", "ends_at": "2026-12-09T17:50"}
    await reload_and_tell(offline, settings, edited_item(path, "omsk", OMSK_TRANSFER, later))
    (russian,) = change_notices(offline, chats["ru"].user.id)
    assert russian.splitlines()[2:4] == [
        "🚐 Трансфер с автовокзала в гостиницу",
        "🗓 среда, 9 декабря, 16:45–17:05 → среда, 9 декабря, 17:30–17:50",
    ]
    (english,) = change_notices(offline, chats["en"].user.id)
    assert english.splitlines() == [
        "📢 Changes in the program",
        "",
        "🚐 Transfer from the bus station to the hotel",
        "🗓 Wednesday, 9 December, 16:45–17:05 → Wednesday, 9 December, 17:30–17:50",
    ]
    assert change_notices(offline, chats["outsider"].user.id) == []
    assert change_notices(offline, chats["barnaul"].user.id) == []  # another delegation


async def test_a_moved_session_and_a_moved_itinerary_item_come_in_one_notice(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    chat = await started(offline, 8301, "en", "omsk")
    await sign_up(chat, STORY)
    path = edited_program(tmp_path, STORY_AN_HOUR_LATER, STORY)
    later = {"starts_at": "2026-12-09T17:30", "ends_at": "2026-12-09T17:50"}
    await reload_and_tell(offline, settings, edited_item(path, "omsk", OMSK_TRANSFER, later))
    (notice,) = change_notices(offline, chat.user.id)
    lines = notice.splitlines()
    transfer = lines.index("🚐 Transfer from the bus station to the hotel")
    story = lines.index(TITLES[STORY])
    assert transfer < story  # in time order: Wednesday's transfer, Thursday's master class
    assert lines[transfer + 1].endswith("16:45–17:05 → Wednesday, 9 December, 17:30–17:50")
    assert lines[story + 1].endswith("16:30–18:00 → Thursday, 10 December, 17:00–18:30")


async def test_an_itinerary_edited_while_the_bot_was_stopped_is_told_at_start(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    await offline.app.changes.start()
    member = await started(offline, 8401, "kk", "omsk")
    station = {
        "place": {
            "kk": "Павлодар темір жол вокзалы",
            "ru": "Железнодорожный вокзал Павлодара",
            "en": "Pavlodar railway station",
        },
        "lat": 52.2936,
        "lon": 76.9289,
    }
    path = edited_item(edited_program(tmp_path, {}, STORY), "omsk", 0, station)
    (notice,) = await notices_after_restart(offline, settings, path, member.user.id)
    assert "📍 Павлодар автовокзалы → Павлодар темір жол вокзалы" in notice


async def test_an_item_set_right_after_it_took_place_is_no_news(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    member = await started(offline, 8501, "en", "omsk")
    arrival, *between, departure = sample_program.delegations_by_id["omsk"].itinerary
    clock.set(arrival.starts_at + timedelta(hours=1))
    hour = timedelta(hours=1)
    edited = (shifted(arrival, -hour), *between, shifted(departure, hour))
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *edited))
    await offline.app.changes.flush()
    await offline.app.sender.drain()
    (notice,) = change_notices(offline, member.user.id)
    assert departure.title.en in notice  # still ahead: told
    assert arrival.title.en not in notice  # the coach came an hour earlier: history


def test_itinerary_items_are_matched_by_kind_and_title_not_by_time(
    sample_program: Program,
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    arrival, transfer, *rest = omsk.itinerary
    days = [shifted(transfer, timedelta(days=n)) for n in range(3)]

    def kinds(before: tuple[ItineraryItem, ...], after: tuple[ItineraryItem, ...]) -> list[str]:
        programs = (with_itinerary(sample_program, "omsk", *items) for items in (before, after))
        return [f"{c.kind}:{c.subject.starts_at.day}" for c in item_diff(*programs)]

    assert kinds((arrival, *rest), (shifted(arrival, timedelta(hours=2)), *rest)) == ["moved:9"]
    # Of three transfers alike, the one taken out is the one gone, not the last.
    assert kinds((*days,), (days[0], days[2])) == ["cancelled:10"]
    assert kinds((days[0], days[2]), (*days,)) == ["new:10"]
    retitled = arrival.model_copy(update={"title": transfer.title})
    assert kinds((arrival,), (retitled,)) == []  # a title set right is no news
    hotel = arrival.model_copy(update={"place": None, "lat": None, "lon": None, "venue": "hotel"})
    assert kinds((arrival,), (hotel.model_copy(update={"title": transfer.title}),)) == ["room:9"]
    assert kinds((arrival, transfer), (transfer,)) == ["cancelled:9"]


def test_a_notice_of_a_whole_itinerary_moved_fits_one_message() -> None:
    program = generate_program(10, seed=4, title_length=400, delegations=(90,))
    (delegation,) = program.delegations
    moved = [shifted(item, timedelta(hours=1)) for item in delegation.itinerary]
    changes = item_diff(program, with_itinerary(program, delegation.id, *moved))
    assert len(changes) == 90
    i18n = create_i18n()
    for lang in LANGS:
        with i18n.context(), in_language(lang):
            text = change_views.notice(program, changes, lang)
        check(text, None)  # valid HTML, within 4096 UTF-16 units of what Telegram shows
        assert text.endswith("\n…")


async def test_an_invalid_program_file_is_refused_and_the_program_stays(
    offline: Offline, settings: Settings, tmp_path: Path, sample_program: Program
) -> None:
    first = edited_program(tmp_path, {"room": "no-such-room"}, STORY)
    raw = yaml.safe_load(first.read_text(encoding="utf-8"))
    raw["events"][0]["room"] = "no-such-room"  # a second problem, reported on a line of its own
    path = tmp_path / "forum.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    reply = only(await organizer.send("/reload"), SendMessage)
    assert reply.text.startswith("❌ The program file has problems")
    report = reply.text.split("<pre>")[1].split("</pre>")[0]
    problems = [line for line in report.strip().splitlines() if "no-such-room" in line]
    assert len(problems) == 2  # both problems, one a line, as the loader says them
    assert (
        "unknown room &#x27;no-such-room&#x27;" in reply.text
        or "unknown room 'no-such-room'" in reply.text
    )
    assert offline.app.programs.current is sample_program
    attendee = offline.chat(8003)
    assert (
        only(await attendee.send("/reload"), SendMessage).text
        == "This is for the forum's organizers."
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_a_long_report_of_problems_is_cut_by_whole_lines_and_says_how_many_are_left(
    offline: Offline, settings: Settings, tmp_path: Path, lang: Lang
) -> None:
    raw = yaml.safe_load(SAMPLE_PROGRAM.read_text(encoding="utf-8"))
    for event in raw["events"]:  # a problem on every event
        event["room"] = "no-such-room"
    folder = tmp_path / ("R&D <drafts> " * 5)  # named on every line, and escaping makes it long
    folder.mkdir()
    path = folder / "forum.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    organizer = offline.chat(ORGANIZER_ID, language_code=lang)
    reply = only(await organizer.send("/reload"), SendMessage)
    check(reply.text, None)
    shown = visible_text(reply.text)
    report = reply.text.split("<pre>")[1].split("</pre>")[0]
    listed = [line for line in visible_text(report).splitlines() if "no-such-room" in line]
    with pytest.raises(ProgramError) as refused:
        load_program(path)
    problems = len(refused.value.problems)
    assert 5 < len(listed) < problems  # whole problems, as many as fit
    left = problems - len(listed)
    assert (
        shown.splitlines()[-1]
        == {
            "en": f"…and {left} more: forum-bot check-program lists them all.",
            "ru": f"…и ещё {left}: все покажет forum-bot check-program.",
            "kk": f"…тағы {left}: барлығын forum-bot check-program көрсетеді.",
        }[lang]
    )


async def test_a_change_while_reminders_are_being_planned_gets_a_plan_of_its_own(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.reminders, "REPLAN_DELAY", 0.01)
    reminders = offline.app.reminders
    planned = reminders.replan
    calls = 0
    reading = asyncio.Event()
    release = asyncio.Event()

    async def slow_plan() -> list[Job]:
        nonlocal calls
        calls += 1
        if calls == 1:
            reading.set()
            await release.wait()  # the first plan is still reading the database...
        return await planned()

    monkeypatch.setattr(reminders, "replan", slow_plan)
    reminders.request_replan()
    await reading.wait()
    reminders.request_replan()  # ...when someone signs up
    release.set()
    await reminders.settle()
    assert calls == 2


def test_the_changes_told_treat_a_cancelled_event_as_gone(sample_program: Program) -> None:
    story = sample_program.events_by_id[STORY]
    moved = with_event(sample_program, STORY, starts_at=story.starts_at + timedelta(hours=1))
    cancelled = with_event(sample_program, STORY, cancelled=True)

    def kinds(old: Program, new: Program) -> list[str]:
        return [str(change.kind) for change in diff(old, new) if change.event_id == STORY]

    assert kinds(sample_program, moved) == ["moved"]
    assert kinds(sample_program, cancelled) == ["cancelled"]
    assert kinds(cancelled, sample_program) == ["new"]  # put back: told again
    assert kinds(cancelled, cancelled) == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "As the program says: every event — no reminder."),
        ("ru", "Как в программе: каждое мероприятие — без напоминания."),
        ("kk", "Бағдарламадағыдай: әр іс-шара — еске салусыз."),
    ],
)
def test_settings_say_what_a_program_without_leads_does(
    i18n_context: I18n, sample_program: Program, lang: Lang, expected: str
) -> None:
    forum = sample_program.forum.model_copy(update={"reminders": {}})
    program = sample_program.model_copy(update={"forum": forum})
    with i18n_context.use_locale(lang):
        text, _ = reminder_views.settings(program, Preference(None, False))
    assert expected in visible_text(text)


LITERARY = "lit-toraighyrov"  # a literary meeting, Thursday 18:30: everyone hears of it


async def test_dont_remind_me_of_an_event_everyone_hears_of_keeps_that_person_out(
    offline: Offline, clock: ManualClock
) -> None:
    # Everyone is reminded of literary meetings: one open to all (no seats to take) says so
    # on its card with "🔕 Don't remind me", and pressing it keeps the person out of that
    # reminder until they ask for it again.
    open_to_all = with_event(offline.app.programs.current, LITERARY, capacity=None)
    offline.app.programs.swap(open_to_all)
    declining, changed_mind, bystander, quiet = (
        offline.chat(9101 + n, language_code="en") for n in range(4)
    )
    for chat in (declining, changed_mind, bystander, quiet):
        await chat.send("/start")
    await offline.app.planner.set_preference(quiet.user.id, Preference(None, everyone_off=True))
    card = await card_of(declining, LITERARY)
    assert "🔕 Don't remind me" in labels(card.reply_markup)
    assert "🔔 Remind me" in labels((await card_of(quiet, LITERARY)).reply_markup)
    pressed = await declining.press_button("Don't remind me", card)
    assert [a.text for a in pressed if isinstance(a, AnswerCallbackQuery)] == [
        "🔕 No reminder for this one."
    ]
    assert "🔔 Remind me" in labels(declining.last_message().reply_markup)
    await changed_mind.press_button("Don't remind me", await card_of(changed_mind, LITERARY))
    await changed_mind.press_button("Remind me", changed_mind.last_message())
    await quiet.press_button("Remind me", quiet.last_message())  # their own, despite the off
    await fire_until(offline.app, clock, at(17, 30))  # the program's hour before it
    assert heard(offline, declining, LITERARY) == []
    assert len(heard(offline, changed_mind, LITERARY)) == 1
    assert len(heard(offline, bystander, LITERARY)) == 1
    assert len(heard(offline, quiet, LITERARY)) == 1


async def test_a_seat_at_the_same_time_shows_no_everyone_reminder_on_an_open_event(
    offline: Offline,
) -> None:
    # The planner does not remind a seat holder of an event for everyone at the same time
    # (their seat's reminder takes its place): the card of an open one says so too.
    open_to_all = with_event(offline.app.programs.current, "lit-bayan-olgii", capacity=None)
    offline.app.programs.swap(open_to_all)  # Friday 14:30, as the grant-writing training
    seated, free = offline.chat(9201, language_code="en"), offline.chat(9202, language_code="en")
    for chat in (seated, free):
        await chat.send("/start")
    await sign_up(seated, "training-grant-writing")
    assert "🔔 Remind me" in labels((await card_of(seated, "lit-bayan-olgii")).reply_markup)
    assert "🔕 Don't remind me" in labels((await card_of(free, "lit-bayan-olgii")).reply_markup)
