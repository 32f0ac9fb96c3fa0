"""Questions in plain words through the real Dispatcher: the right card, pin or answer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import SendMessage, SendVenue, TelegramMethod

from bot.clock import ManualClock
from bot.htmltext import visible_text
from bot.program import Program
from bot.program.models import Event, EventKind, Lang, Room, Text, Venue
from tests.conftest import Offline, labels


def of(requests: list[TelegramMethod[Any]], kind: type) -> list[Any]:
    return [r for r in requests if isinstance(r, kind)]


async def asked(offline: Offline, lang: str, question: str) -> SendMessage:
    """The one message a person writing in `lang` gets for a question."""
    chat = offline.chat(language_code=lang)
    (reply,) = of(await chat.send(question), SendMessage)
    return reply  # type: ignore[no-any-return]


async def test_a_kind_question_in_kazakh_lists_those_events_in_time_order(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="kk")
    (reply,) = of(await chat.send("Әдеби кездесу қашан?"), SendMessage)
    text = visible_text(reply.text)
    assert text.startswith("Міне, табылғандары:")
    literary = sorted(
        (e for e in sample_program.events if e.kind.value == "literary_meeting"),
        key=lambda e: e.starts_at,
    )
    listed = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [line.split(" · ")[0].split("📖 ")[1] for line in listed] == [
        e.title.kk for e in literary
    ]
    assert labels(reply.reply_markup) == ["1", "2", "3", "4"]
    card = of(await chat.press_button("2"), SendMessage)[0]
    assert literary[1].title.kk in visible_text(card.text)


async def test_a_russian_question_about_one_event_gets_its_card(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="ru")
    (card,) = of(await chat.send("Где проходит мастер-класс по цифровым сервисам?"), SendMessage)
    event = sample_program.events_by_id["mc-digital-services"]
    assert visible_text(card.text).splitlines()[1] == event.title.ru
    assert "📍 Где это?" in labels(card.reply_markup)


async def test_the_answer_is_in_the_persons_language_whatever_the_question_is_in(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="en")
    (answer,) = of(await chat.send("пароль от вайфая"), SendMessage)
    wifi = sample_program.faq_by_id["wifi"]
    assert visible_text(answer.text) == f"{wifi.question.en}\n\n{wifi.answer.en}"


@pytest.mark.parametrize(
    ("question", "lang", "start"),
    [
        ("отменить запись", "ru", "Как отменить запись на мероприятие?"),
        ("how do I cancel my seat", "en", "How do I cancel my sign-up?"),
        ("жазылудан бас тарту", "kk", "Жазылудан қалай бас тартамын?"),
    ],
)
async def test_cancelling_a_sign_up_is_explained_not_the_recordings(
    offline: Offline, question: str, lang: str, start: str
) -> None:
    answer = await asked(offline, lang, question)
    assert visible_text(answer.text).startswith(start)


async def test_a_faq_about_a_place_offers_its_pin(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="ru")
    (answer,) = of(await chat.send("где регистрация"), SendMessage)
    assert sample_program.faq_by_id["registration"].answer.ru in visible_text(answer.text)
    shown = await chat.press_button("Где это?")
    (pin,) = of(shown, SendVenue)
    assert pin.title.startswith("Фойе")


async def test_an_old_faq_pin_keeps_its_room_when_a_reload_adds_one(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="ru")
    await chat.send("где регистрация")
    answer = chat.last_message()
    library = sample_program.venues_by_id["library"]
    cloakroom = Room(id="cloakroom", name=Text.same("Гардероб"), floor=0)
    fields = {name: getattr(library, name) for name in Venue.model_fields}
    grown = Venue(**fields | {"rooms": (cloakroom, *library.rooms)})
    venues = [grown if venue.id == "library" else venue for venue in sample_program.venues]
    offline.app.programs.swap(sample_program.model_copy(update={"venues": venues}))
    (pin,) = of(await chat.press_button("Где это?", answer), SendVenue)
    assert pin.title.startswith("Фойе")  # the registration's room still, not the new first


async def test_a_room_question_sends_the_pin_titled_with_the_room(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    shown = await chat.send("conference hal")  # a typo
    (pin,) = of(shown, SendVenue)
    assert pin.title.startswith("Conference hall · ")
    (details,) = of(shown, SendMessage)
    assert "🚪 Conference hall, floor 1" in visible_text(details.text)


async def test_when_nothing_matches_it_says_so_and_offers_schedule_and_venues(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="kk")
    (reply,) = of(await chat.send("ертең ауа райы қандай болады"), SendMessage)
    assert reply.text.startswith("Форум бағдарламасынан бұған жауап таба алмадым.")
    assert labels(reply.reply_markup) == ["📅 Бағдарлама", "📍 Орындар", "☎️ Байланыс"]


async def test_a_kind_name_in_english_lists_the_events_not_a_room_named_alike(
    offline: Offline,
) -> None:
    chat = offline.chat(language_code="en")
    shown = await chat.send("trainings")
    assert not of(shown, SendVenue)  # not the "Computer training room" pin
    (reply,) = of(shown, SendMessage)
    assert "Project management for libraries" in visible_text(reply.text)


async def test_now_and_language_questions_show_what_their_commands_show(
    offline: Offline,
) -> None:
    for lang, question, command in (
        ("en", "what's on now", "/now"),
        ("ru", "что сейчас", "/now"),
        ("kk", "келесі", "/now"),
        ("en", "language", "/language"),  # not the opening plenary card
        ("ru", "язык", "/language"),
        ("kk", "тіл", "/language"),
    ):
        chat = offline.chat(language_code=lang)
        (screen,) = of(await chat.send(command), SendMessage)
        (reply,) = of(await chat.send(question), SendMessage)
        assert (reply.text, reply.reply_markup) == (screen.text, screen.reply_markup), question


async def test_the_opening_and_closing_ceremonies_are_the_plenaries(
    offline: Offline, sample_program: Program
) -> None:
    chat = offline.chat(language_code="kk")
    for question, event_id in (("жабылу салтанаты", "closing"), ("ашылу салтанаты", "opening")):
        # not the card of the library's anniversary ceremony
        (card,) = of(await chat.send(question), SendMessage)
        title = sample_program.events_by_id[event_id].title.kk
        assert visible_text(card.text).splitlines()[1] == title, question


DAYS = {
    "en": ("Thursday, 10 December", "Friday, 11 December"),
    "ru": ("Четверг, 10 декабря", "Пятница, 11 декабря"),
    "kk": ("Бейсенбі, 10 желтоқсан", "Жұма, 11 желтоқсан"),
}
NUMBERED = re.compile(r"(\d+)\. ")


def listed_by_day(program: Program, text: str, lang: Lang) -> list[Event]:
    """The events a found-events answer lists, checked to read as the schedule does: numbered
    from 1 on in time order, each under the heading of its own day (Thursday or Friday), each
    day's heading once."""
    by_title = {event.title.get(lang): event for event in program.events}
    headings = DAYS[lang]
    listed: list[Event] = []
    under: list[tuple[str, str]] = []  # (the heading above, the event's line)
    seen: list[str] = []
    for line in visible_text(text).splitlines():
        if line in headings:
            seen.append(line)
        elif found := NUMBERED.match(line):
            assert int(found[1]) == len(listed) + 1, line
            title = line.split(" · ")[0].split(" ", 3)[3]  # "1. 16:30–18:00 🎓 Title · room"
            listed.append(by_title[title])
            under.append((seen[-1] if seen else "", line))
    assert seen == sorted(set(seen), key=headings.index), seen  # each day once, Thursday first
    starts = [event.starts_at for event in listed]
    assert starts == sorted(starts), [event.id for event in listed]
    for event, (heading, line) in zip(listed, under, strict=True):
        local = event.starts_at.astimezone(program.tz)
        assert heading == headings[local.day - 10], (event.id, heading)  # the 10th or the 11th
        assert line.split(" ")[1].startswith(f"{local:%H:%M}–"), line
    return listed


def numbers_shown(text: str) -> list[str]:
    """The numbers of the lines a list shows, to compare with its buttons."""
    lines = visible_text(text).splitlines()
    return [found[1] for line in lines if (found := NUMBERED.match(line))]


@pytest.mark.parametrize(
    ("lang", "question"),
    [("en", "trainings"), ("ru", "тренинги"), ("kk", "тренингтер"), ("ru", "когда тренинги?")],
)
async def test_found_events_are_listed_under_their_days_in_time_order(
    offline: Offline, sample_program: Program, lang: Lang, question: str
) -> None:
    """The four trainings are one on Thursday and three on Friday: by time alone the list read
    "16:30, 09:30, 12:00, ..." and did not say which day any of them was on."""
    chat = offline.chat(language_code=lang)
    (reply,) = of(await chat.send(question), SendMessage)
    trainings = sorted(
        (e for e in sample_program.events if e.kind is EventKind.TRAINING),
        key=lambda e: e.starts_at,
    )
    assert listed_by_day(sample_program, reply.text, lang) == trainings
    lines = visible_text(reply.text).splitlines()
    assert lines[1:3] == ["", DAYS[lang][0]]  # the first day's heading before its first event
    assert lines.count(DAYS[lang][1]) == 1
    assert labels(reply.reply_markup) == numbers_shown(reply.text) == ["1", "2", "3", "4"]
    card = of(await chat.press_button("2"), SendMessage)[0]
    assert trainings[1].title.get(lang) in visible_text(card.text)


@pytest.mark.parametrize(
    ("lang", "question", "more"),
    [
        ("en", "sections", "…and 2 more events in the 📅 schedule: /schedule"),
        ("ru", "секции", "…и ещё 2 мероприятия в 📅 программе: /schedule"),
        ("kk", "секциялар", "…және тағы 2 іс-шара 📅 бағдарламада: /schedule"),
    ],
)
async def test_a_kind_with_more_events_than_a_list_shows_says_how_many_more(
    offline: Offline, sample_program: Program, lang: Lang, question: str, more: str
) -> None:
    """Eight sections answer "sections" (not the closing plenary, whose speakers are the
    section moderators: it is not a section); the list showed five and never said so."""
    reply = await asked(offline, lang, question)
    assert visible_text(reply.text).splitlines()[-1] == more
    assert labels(reply.reply_markup) == numbers_shown(reply.text) == [str(n) for n in range(1, 7)]
    listed = listed_by_day(sample_program, reply.text, lang)
    sections = {e.id for e in sample_program.events if e.kind is EventKind.SECTION}
    assert {event.id for event in listed} <= sections


async def test_a_list_too_long_for_one_message_counts_what_it_leaves_out(
    offline: Offline, sample_program: Program
) -> None:
    """Titles that grow fivefold when escaped ("&" is "&amp;") make six events overflow one
    message: the list keeps whole events, a button for each, and counts the rest with the
    events not listed at all, instead of losing its last lines and keeping their buttons."""
    sections = [e for e in sample_program.events if e.kind is EventKind.SECTION]
    program = sample_program.model_copy(
        update={
            "events": tuple(
                e.model_copy(update={"title": Text.same(f"{n} " + "&" * 300)})
                if e.kind is EventKind.SECTION
                else e
                for n, e in enumerate(sample_program.events)
            )
        }
    )
    offline.app.programs.swap(program)
    reply = await asked(offline, "en", "sections")  # refused if over 4096
    numbers = numbers_shown(reply.text)
    assert 1 <= len(numbers) < 6
    assert labels(reply.reply_markup) == numbers == [str(n) for n in range(1, len(numbers) + 1)]
    left = len(sections) - len(numbers)  # the sections were found, and only they
    last = visible_text(reply.text).splitlines()[-1]
    assert last == f"…and {left} more events in the 📅 schedule: /schedule"


@pytest.mark.parametrize(
    ("lang", "typed", "starts"),
    [
        ("en", "schedule", "📅 "),
        ("ru", "расписание", "📅 "),
        ("kk", "бағдарлама", "📅 "),
        ("en", "thanks!", "You are welcome!"),
        ("ru", "спасибо", "Пожалуйста!"),
        ("kk", "рахмет", "Оқасы жоқ!"),
    ],
)
async def test_the_schedule_asked_by_name_and_thanks_get_a_screen_not_a_shrug(
    offline: Offline, lang: str, typed: str, starts: str
) -> None:
    reply = await asked(offline, lang, typed)
    assert reply.text.startswith(starts)
    assert len(labels(reply.reply_markup)) > 2  # the day's buttons, or the main menu


@pytest.mark.parametrize(("lang", "typed"), [("en", "hello"), ("ru", "привет"), ("kk", "сәлем")])
async def test_a_greeting_gets_the_greeting_and_the_main_menu(
    offline: Offline, lang: str, typed: str
) -> None:
    chat = offline.chat(language_code=lang)
    await chat.send("/start")
    await chat.press_button({"en": "English", "ru": "Русский", "kk": "Қазақша"}[lang])
    (start,) = of(await chat.send("/start"), SendMessage)  # the greeting and the main menu
    (reply,) = of(await chat.send(typed), SendMessage)
    assert (reply.text, labels(reply.reply_markup)) == (start.text, labels(start.reply_markup))


@pytest.mark.parametrize(
    ("lang", "typed", "day"),
    [
        ("en", "what's on friday?", "📅 Friday, 11 December"),
        ("ru", "что в пятницу", "📅 Пятница, 11 декабря"),
        ("kk", "жұма күні не болады", "📅 Жұма, 11 желтоқсан"),
        ("ru", "что завтра?", "📅 Пятница, 11 декабря"),  # asked on Thursday
        ("en", "today's schedule", "📅 Thursday, 10 December"),
    ],
)
async def test_a_day_asked_for_by_name_opens_that_days_schedule(
    offline: Offline, sample_program: Program, clock: ManualClock, lang: str, typed: str, day: str
) -> None:
    clock.set(sample_program.starts_at + timedelta(hours=3))  # Thursday morning
    reply = await asked(offline, lang, typed)
    assert visible_text(reply.text).startswith(day)


@pytest.mark.parametrize(
    ("lang", "typed", "note"),
    [
        ("en", "what's on saturday?", "The forum is on 10–11 December 2026; here is its program."),
        ("ru", "что в субботу", "Форум проходит 10–11 декабря 2026\u202fг.; вот его программа."),
        ("kk", "сенбіде не болады", "Форумның өтетін күндері: 2026\u202fж. 10–11 желтоқсан;"),
    ],
)
async def test_a_day_the_forum_is_not_on_gets_its_dates_and_program(
    offline: Offline, lang: str, typed: str, note: str
) -> None:
    reply = await asked(offline, lang, typed)
    lines = visible_text(reply.text).splitlines()
    assert lines[0].startswith(note) and lines[2].startswith("📅 ")


@pytest.mark.parametrize(
    ("lang", "question"),
    [("en", "trainings tomorrow"), ("ru", "тренинги завтра"), ("kk", "жұмадағы тренингтер")],
)
async def test_a_kind_and_a_day_list_that_days_events_of_that_kind(
    offline: Offline, sample_program: Program, clock: ManualClock, lang: Lang, question: str
) -> None:
    clock.set(sample_program.starts_at + timedelta(hours=3))  # Thursday morning
    reply = await asked(offline, lang, question)
    friday = [
        e for e in sample_program.events if e.kind is EventKind.TRAINING and e.starts_at.day == 11
    ]
    listed = listed_by_day(sample_program, reply.text, lang)
    assert [event.id for event in listed] == [event.id for event in friday]


@pytest.mark.parametrize(
    ("lang", "typed", "starts"),
    [
        ("en", "my agenda", "🗂 Your agenda is empty."),
        ("ru", "моё расписание", "🗂 Ваше расписание пусто."),
        ("kk", "менің бағдарламам", "🗂 Күн тәртібіңіз бос."),
    ],
)
async def test_my_agenda_typed_opens_the_persons_own(
    offline: Offline, lang: str, typed: str, starts: str
) -> None:
    reply = await asked(offline, lang, typed)
    assert reply.text.startswith(starts)
