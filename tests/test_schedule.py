"""The schedule, /now, event cards and venues, through the real Dispatcher."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendVenue,
)
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from icalendar import Calendar

from bot.callbacks import EventAction, EventCb, ScheduleCb, ScheduleView
from bot.clock import ManualClock
from bot.htmltext import visible_text
from bot.offline import OfflineChat, button_data
from bot.program import Program
from bot.views.schedule import ScheduleScreens
from tests.conftest import Offline, labels, only, with_event

ALMATY = ZoneInfo("Asia/Almaty")


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ALMATY)


def numbered_lines(text: str) -> list[str]:
    return [line for line in visible_text(text).splitlines() if line[:1].isdigit()]


async def english_chat(offline: Offline, user_id: int = 1001) -> OfflineChat:
    chat = offline.chat(user_id, language_code="en")
    await chat.send("/language")
    await chat.press_button("English")
    return chat


# -- /schedule -----------------------------------------------------------------------------


async def test_schedule_before_the_forum_opens_the_first_day_in_time_order(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    message = only(await chat.send("/schedule"), SendMessage)
    text = visible_text(message.text)
    assert text.startswith("📅 Thursday, 10 December")
    assert "Page 1 of 2" in text
    lines = numbered_lines(message.text)
    assert lines[0] == "1. 08:30–10:00 📌 Participant registration · Foyer (registration)"
    assert lines[2].startswith("3. 10:00–11:30 🎤 ")
    starts = [line.split(" ")[1][:5] for line in lines]
    assert starts == sorted(starts)
    assert labels(message.reply_markup)[:8] == [str(n) for n in range(1, 9)]
    assert "✓ Thursday 10" in labels(message.reply_markup)


async def test_during_the_forum_the_schedule_opens_today(
    offline: Offline, clock: ManualClock
) -> None:
    clock.set(at(9, 0, day=11))
    chat = await english_chat(offline)
    message = only(await chat.send("/schedule"), SendMessage)
    assert visible_text(message.text).startswith("📅 Friday, 11 December")


async def test_paging_and_day_switch_edit_one_message_in_place(offline: Offline) -> None:
    chat = await english_chat(offline)
    await chat.send("/schedule")
    schedule = chat.last_message()
    shown = await chat.press_button("Next »", schedule)
    page2 = only(shown, EditMessageText)
    assert "Page 2 of 2" in page2.text
    assert numbered_lines(page2.text)[0].startswith("9. ")
    assert "Next »" not in labels(page2.reply_markup)
    shown = await chat.press_button("« Back")
    assert "Page 1 of 2" in only(shown, EditMessageText).text
    shown = await chat.press_button("Friday 11")
    friday = only(shown, EditMessageText)
    assert visible_text(friday.text).startswith("📅 Friday, 11 December")
    assert len(chat.messages()) == 2  # the /language answer and the one schedule message
    assert all(isinstance(r, (EditMessageText, AnswerCallbackQuery)) for r in shown)


async def test_a_page_read_again_shows_what_changed_since(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    """Pages are rendered once and reused (bot/views/schedule.py): a program change and a
    training that began in between must still show on the next reading."""
    clock.set(at(9, 0, day=11))
    chat = await english_chat(offline)
    before = only(await chat.send("/schedule"), SendMessage)
    assert numbered_lines(before.text)[0].startswith("1. 09:30–")
    assert "✍️ 1" in labels(before.reply_markup)  # the training takes sign-ups until 09:30
    training = sample_program.events_by_id["training-project-mgmt"]
    renamed = training.title.model_copy(update={"en": "Project management, renamed"})
    offline.app.programs.swap(with_event(sample_program, training.id, title=renamed))
    renamed_page = only(await chat.send("/schedule"), SendMessage)
    assert "Project management, renamed" in numbered_lines(renamed_page.text)[0]
    clock.set(at(10, 0, day=11))
    begun = only(await chat.send("/schedule"), SendMessage)
    assert "✍️ 1" not in labels(begun.reply_markup)
    still_open = [label for label in labels(before.reply_markup) if label.startswith("✍️ ")]
    assert [label for label in labels(begun.reply_markup) if label.startswith("✍️ ")] == [
        label for label in still_open if label != "✍️ 1"
    ]


async def test_the_same_page_reads_in_each_persons_language(offline: Offline) -> None:
    russian = offline.chat(2002, language_code="ru")
    english = await english_chat(offline)
    kazakh = offline.chat(2003, language_code="kk")
    pages = [
        only(await chat.send("/schedule"), SendMessage) for chat in (russian, english, kazakh)
    ]
    headings = [visible_text(page.text).splitlines()[0] for page in pages]
    assert headings == [
        "📅 Четверг, 10 декабря",
        "📅 Thursday, 10 December",
        "📅 Бейсенбі, 10 желтоқсан",
    ]


def test_a_remembered_page_follows_the_interface_language(
    i18n_context: I18n, sample_program: Program
) -> None:
    """The program's words come from `lang`, the interface's from the gettext locale: a page
    remembered under one locale is not shown under another."""
    screens = ScheduleScreens()
    with i18n_context.use_locale("ru"):
        russian = visible_text(screens.screen(sample_program, "en", 0, at(8, 0))[0])
    with i18n_context.use_locale("en"):
        english = visible_text(screens.screen(sample_program, "en", 0, at(8, 0))[0])
    assert "Страница 1 из 2" in russian
    assert "Page 1 of 2" in english


async def test_filters_by_kind_and_by_section(offline: Offline, sample_program: Program) -> None:
    chat = await english_chat(offline)
    await chat.send("/schedule")
    await chat.press_button("All kinds")
    menu = chat.last_message()
    assert menu.text is not None and "Which events should I show?" in menu.text
    shown = await chat.press_button("Master classes")
    masters = only(shown, EditMessageText)
    lines = numbered_lines(masters.text)
    assert len(lines) == 2 and all("🛠" in line for line in lines)
    assert "🔎 Master classes" in visible_text(masters.text)
    await chat.press_button("All sections")
    shown = await chat.press_button("Reading promotion")
    both = only(shown, EditMessageText)
    assert [line.split("🛠 ")[1].split(" · ")[0] for line in numbered_lines(both.text)] == [
        sample_program.events_by_id["mc-storytelling"].title.en
    ]
    shown = await chat.press_button("Friday 11")  # filters stay on another day
    friday = only(shown, EditMessageText)
    assert [line.split(" ", 3)[3].split(" · ")[0] for line in numbered_lines(friday.text)] == [
        sample_program.events_by_id["mc-book-trailer"].title.en
    ]


async def test_a_day_without_such_events_says_so(offline: Offline) -> None:
    chat = await english_chat(offline)
    data = ScheduleCb(view=ScheduleView.DAY, day=0, kind=5, section=None, page=0).pack()
    shown = await chat.press(data)  # excursions on Thursday: none
    assert "Nothing of this kind on this day." in only(shown, EditMessageText).text


@pytest.mark.parametrize(
    "data",
    [
        ScheduleCb(view=ScheduleView.DAY, day=99, kind=42, section="gone", page=77).pack(),
        ScheduleCb(view=ScheduleView.DAY, day=-3, kind=-1, section=None, page=-5).pack(),
    ],
)
async def test_out_of_range_buttons_show_a_valid_page(offline: Offline, data: str) -> None:
    chat = await english_chat(offline)
    shown = await chat.press(data)
    edit = only(shown, EditMessageText)
    assert visible_text(edit.text).startswith("📅 ")
    assert only(shown, AnswerCallbackQuery).text is None


async def test_a_cancelled_event_is_struck_through_with_a_note(
    offline: Offline, sample_program: Program
) -> None:
    offline.app.programs.swap(with_event(sample_program, "opening", cancelled=True))
    chat = await english_chat(offline)
    message = only(await chat.send("/schedule"), SendMessage)
    line = next(line for line in message.text.splitlines() if "🎤" in line)
    assert line.startswith("<b>3.</b> <s>10:00–11:30 🎤 ")
    assert line.endswith("</s> · ❌ cancelled")
    card = only(
        await chat.press(EventCb(action=EventAction.OPEN, id="opening").pack()), SendMessage
    )
    assert "<s>" in card.text and "❌ This event is cancelled." in card.text


# -- the event card ------------------------------------------------------------------------


async def test_a_number_opens_the_card_as_a_new_message(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    await chat.send("/schedule")
    await chat.press_button("Friday 11")
    shown = await chat.press_button("1")
    card = only(shown, SendMessage)
    event = sample_program.events_by_id["training-project-mgmt"]
    text = visible_text(card.text)
    assert text.splitlines()[0] == "🎓 Training"
    assert text.splitlines()[1] == event.title.en
    assert "🗓 Friday, 11 December, 09:30–11:00 (1 h 30 min)" in text
    assert "📍 Computer training room, floor 2 · S. Toraighyrov Pavlodar" in text
    assert "🎙 " + event.speakers[0].en in text
    assert "🪑 25 seats left of 25" in text
    assert labels(card.reply_markup) == ["✍️ Sign up", "📍 Where is it?", "📅 Add to calendar"]
    assert len(chat.messages()) == 3  # the list stayed, the card came below it


@pytest.mark.parametrize(
    ("lang", "when", "seats"),
    [
        ("ru", "🗓 Пятница, 11 декабря, 09:30–11:00 (1 ч 30 мин)", "🪑 Свободно 25 мест из 25"),
        ("kk", "🗓 Жұма, 11 желтоқсан, 09:30–11:00 (1 сағ 30 мин)", "🪑 25 орынның 25 орны бос"),
    ],
)
async def test_the_card_speaks_the_persons_language(
    offline: Offline, sample_program: Program, lang: str, when: str, seats: str
) -> None:
    chat = offline.chat(language_code=lang)
    greeting, card = [
        r for r in await chat.send("/start e-training-project-mgmt") if isinstance(r, SendMessage)
    ]
    assert "🇰🇿 Қазақша" in labels(greeting.reply_markup)  # first contact: the choice too
    text = visible_text(card.text)
    event = sample_program.events_by_id["training-project-mgmt"]
    assert event.title.get(lang) in text
    assert when.lower() in text.lower()
    assert seats in text


async def test_where_is_it_sends_a_pin_with_the_room(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    shown = await chat.press(EventCb(action=EventAction.WHERE, id="mc-digital-services").pack())
    pin = only(shown, SendVenue)
    library = sample_program.venues_by_id["library"]
    assert (pin.latitude, pin.longitude) == (library.lat, library.lon)
    assert pin.title.startswith("Computer training room · ")
    assert pin.address == library.address.en


async def test_add_to_calendar_sends_an_ics_with_the_right_instants(offline: Offline) -> None:
    chat = await english_chat(offline)
    shown = await chat.press(EventCb(action=EventAction.CALENDAR, id="opening").pack())
    document = only(shown, SendDocument)
    sent = offline.session.files[(chat.user.id, chat.last_message().message_id)]
    assert sent.filename.endswith(".ics")
    calendar = Calendar.from_ical(sent.data)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == at(10, 0)
    assert vevent.decoded("DTEND") == at(11, 30)
    assert "start=e-opening" in str(vevent.get("URL"))
    assert document.caption


async def test_a_button_for_a_removed_event_says_so(offline: Offline) -> None:
    chat = await english_chat(offline)
    shown = await chat.press(EventCb(action=EventAction.OPEN, id="no-such-event").pack())
    assert only(shown, AnswerCallbackQuery).text == "This event is no longer in the program."
    assert not [r for r in shown if isinstance(r, SendMessage)]


# -- /now ----------------------------------------------------------------------------------


async def test_now_before_the_forum(offline: Offline) -> None:
    chat = await english_chat(offline)
    text = visible_text(only(await chat.send("/now"), SendMessage).text)
    assert text.startswith("⏳ The forum starts on 10 December 2026 at 08:30.")
    assert "1. 08:30–10:00 📌 Participant registration" in text


async def test_now_before_a_forum_whose_every_event_is_cancelled(
    offline: Offline, sample_program: Program
) -> None:
    cancelled = tuple(
        event.model_copy(update={"cancelled": True}) for event in sample_program.events
    )
    offline.app.programs.swap(sample_program.model_copy(update={"events": cancelled}))
    chat = await english_chat(offline)
    text = visible_text(only(await chat.send("/now"), SendMessage).text)
    assert text.startswith("⏳ The forum starts on 10 December 2026 at 08:30.")
    assert "It opens with" not in text


async def test_commands_addressed_to_the_bot_by_name_work_and_to_another_bot_do_not(
    offline: Offline,
) -> None:
    chat = await english_chat(offline)
    for addressed in ("/now@forum_rehearsal_bot", "/now@Forum_Rehearsal_Bot extra words"):
        text = visible_text(only(await chat.send(addressed), SendMessage).text)
        assert text.startswith("⏳ The forum starts on 10 December 2026")
    for other in ("/now@some_other_bot", "/nowhere", "/NOW"):
        text = visible_text(only(await chat.send(other), SendMessage).text)
        assert text.startswith(f"I don't know the command {other}."), other


async def test_now_during_the_forum_per_venue(offline: Offline, clock: ManualClock) -> None:
    clock.set(at(14, 35))
    chat = await english_chat(offline)
    message = only(await chat.send("/now"), SendMessage)
    text = visible_text(message.text)
    assert text.startswith("⏱ Now, 14:35")
    library = text.split("📍 ")[1]
    assert library.startswith("S. Toraighyrov Pavlodar Regional Universal Scientific Library")
    assert library.count("▶️ now:") == 4  # the four parallel sections
    assert "⏭ next at 16:00:" in library and "☕" in library
    museum = text.split("📍 ")[2]
    assert museum.startswith("Bukhar Zhyrau")
    assert "⏭ next at 18:30:" in museum and "📖" in museum
    assert labels(message.reply_markup)[:6] == ["1", "2", "3", "4", "5", "6"]


async def test_now_late_evening_points_to_tomorrow(offline: Offline, clock: ManualClock) -> None:
    clock.set(at(22, 0))
    chat = await english_chat(offline)
    text = visible_text(only(await chat.send("/now"), SendMessage).text)
    assert "⏭ next at Friday, 11 December, 09:30:" in text


async def test_now_after_the_forum_thanks_and_points_to_materials(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    clock.set(at(9, 0, day=12))
    chat = await english_chat(offline)
    text = only(await chat.send("/now"), SendMessage).text
    assert text.startswith("🙏 The forum is over. Thank you for taking part!")
    materials = sample_program.forum.materials
    assert materials is not None and materials.en in visible_text(text)


async def test_now_after_the_last_session_says_the_forum_is_over_if_a_later_one_is_cancelled(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    last = max(sample_program.events, key=lambda event: event.ends_at)
    offline.app.programs.swap(with_event(sample_program, last.id, cancelled=True))
    held_until = max(e.ends_at for e in offline.app.programs.current.events if not e.cancelled)
    assert held_until < last.ends_at
    clock.set(held_until + (last.ends_at - held_until) / 2)
    chat = await english_chat(offline)
    text = only(await chat.send("/now"), SendMessage).text
    assert text.startswith("🙏 The forum is over. Thank you for taking part!")


async def test_now_follows_the_clock_within_a_minute_when_an_event_begins(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    """/now is remembered for a minute, but an event beginning within it is news."""
    talk = sample_program.events_by_id["mc-storytelling"]
    begins = at(15, 10).replace(second=30)
    offline.app.programs.swap(
        with_event(sample_program, talk.id, starts_at=begins, ends_at=at(16, 0))
    )
    chat = await english_chat(offline)
    clock.set(begins.replace(second=10))
    before = visible_text(only(await chat.send("/now"), SendMessage).text)
    clock.set(begins.replace(second=50))
    after = visible_text(only(await chat.send("/now"), SendMessage).text)
    clock.set(at(15, 11))
    later = visible_text(only(await chat.send("/now"), SendMessage).text)

    def shown_as(text: str) -> list[str]:
        return [line.split(":")[0] for line in text.splitlines() if talk.title.en in line]

    assert before.startswith("⏱ Now, 15:10") and after.startswith("⏱ Now, 15:10")
    assert shown_as(before) == ["⏭ next at 15"]
    assert shown_as(after) == ["▶️ now"]
    assert later.startswith("⏱ Now, 15:11")


def test_a_remembered_now_is_the_now_of_that_moment(
    i18n_context: I18n, sample_program: Program
) -> None:
    """Against a fresh rendering, every 50 seconds of the first day and on each side of each
    start and end, one of them a second into its minute, in the three languages."""
    from datetime import timedelta

    from bot.views.schedule import now_screen

    talk = sample_program.events_by_id["mc-storytelling"]
    program = with_event(sample_program, talk.id, starts_at=at(15, 10).replace(second=1))
    edges = sorted({moment for e in program.events for moment in (e.starts_at, e.ends_at)})
    tick = timedelta(microseconds=1)
    moments = [at(7, 0) + timedelta(seconds=50 * n) for n in range(16 * 72)]
    moments += [edge + step for edge in edges for step in (-tick, timedelta(0), tick)]
    screens = ScheduleScreens(size=16)
    for lang in ("kk", "ru", "en"):
        with i18n_context.use_locale(lang):
            for moment in moments:
                assert screens.now(program, lang, moment) == now_screen(program, lang, moment)


def test_a_remembered_now_holds_across_the_hour_summer_time_skips(i18n_context: I18n) -> None:
    """A talk said to end at 02:30:30 on the night Berlin skips from 02:00 to 03:00 ends at
    01:30:30 UTC, in the local minute 03:30: /now of 03:30:10 and of 03:30:50 differ."""
    import yaml

    from bot.program import parse_program
    from bot.views.schedule import now_screen
    from tests.programgen import generate_data

    data = generate_data(3, seed=1, title_length=40)
    data["forum"].update(timezone="Europe/Berlin", starts_on="2026-03-29", ends_on="2026-03-29")
    times = [("01:30:00", "02:30:30"), ("03:00:00", "03:15:00"), ("05:00:00", "06:00:00")]
    for number, (event, (start, end)) in enumerate(zip(data["events"], times, strict=True), 1):
        event.update(
            starts_at=f"2026-03-29T{start}",
            ends_at=f"2026-03-29T{end}",
            venue=f"venue-{number}",
            room=f"room-{number}-01",
        )
    program = parse_program(yaml.safe_dump(data, allow_unicode=True), source="dst").program
    screens = ScheduleScreens()
    with i18n_context.use_locale("en"):
        for second in (10, 50):
            moment = datetime(2026, 3, 29, 1, 30, second, tzinfo=ZoneInfo("UTC"))
            assert screens.now(program, "en", moment) == now_screen(program, "en", moment)


async def test_now_does_not_depend_on_the_process_timezone(
    offline: Offline, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(at(14, 35))
    chat = await english_chat(offline)
    in_utc = only(await chat.send("/now"), SendMessage).text
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        in_new_york = only(await chat.send("/now"), SendMessage).text
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert in_new_york == in_utc


async def test_refresh_edits_the_now_message(offline: Offline, clock: ManualClock) -> None:
    clock.set(at(14, 35))
    chat = await english_chat(offline)
    await chat.send("/now")
    clock.set(at(16, 40))
    shown = await chat.press_button("Refresh")
    assert visible_text(only(shown, EditMessageText).text).startswith("⏱ Now, 16:40")


# -- venues --------------------------------------------------------------------------------


async def test_where_lists_venues_and_a_tap_sends_pin_and_rooms(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    overview = only(await chat.send("/where"), SendMessage)
    assert len(labels(overview.reply_markup)) == len(sample_program.venues) + 1
    shown = await chat.press_button("2. ", chat.last_message())
    museum = sample_program.venues_by_id["museum"]
    pin = only(shown, SendVenue)
    assert (pin.title, pin.address) == (museum.name.en, museum.address.en)
    details = visible_text(only(shown, SendMessage).text)
    assert museum.directions is not None and museum.directions.en in details
    assert "Rooms" in details and "• Floor 1: " in details


async def test_start_link_to_a_venue_sends_its_pin(offline: Offline) -> None:
    chat = offline.chat(language_code="ru")
    sent = await chat.send("/start v-library")
    pin = only(sent, SendVenue)
    assert pin.title.startswith("Павлодарская областная")
    assert "Залы" in visible_text([r for r in sent if isinstance(r, SendMessage)][-1].text)


async def test_a_shared_location_gets_the_nearest_venue(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    museum = sample_program.venues_by_id["museum"]
    shown = await chat.send_location(museum.lat + 0.001, museum.lon)
    text = visible_text(only(shown, SendMessage).text)
    assert text == f"The nearest forum venue is {museum.name.en}, 110 m from you."
    assert only(shown, SendVenue).title == museum.name.en
    here = await chat.send_location(museum.lat + 0.0001, museum.lon)  # at its door: 11 m
    assert visible_text(only(here, SendMessage).text) == (
        f"You are at {museum.name.en}, a forum venue."
    )


async def test_a_location_in_another_city_gets_the_venues_not_a_pin(
    offline: Offline, sample_program: Program
) -> None:
    chat = await english_chat(offline)
    shown = await chat.send_location(55.7558, 37.6173)  # Moscow
    assert not [r for r in shown if isinstance(r, SendVenue)]
    text = visible_text(only(shown, SendMessage).text)
    assert text.startswith("You seem to be 2,563 km from the forum's venues. Here they are:")
    assert all(venue.name.en in text for venue in sample_program.venues)


async def test_now_before_the_forum_in_kazakh_hangs_no_suffix_on_the_time(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="kk")
    text = visible_text(only(await chat.send("/now"), SendMessage).text)
    line = text.splitlines()[0]
    assert line.startswith("⏳ Форум басталады: ") and "-да " not in line
    assert "10 желтоқсан" in line and line.endswith("сағат 08:30.")


async def test_menu_buttons_open_schedule_now_and_venues_in_place(offline: Offline) -> None:
    chat = await english_chat(offline)
    await chat.send("/start")
    menu: Message = chat.last_message()
    for button, expected in (("Schedule", "📅 "), ("Now", "⏳ "), ("Venues", "📍 ")):
        shown = await chat.press(button_data(menu, button), menu)
        assert visible_text(only(shown, EditMessageText).text).startswith(expected)
