"""Questions in plain words through the real Dispatcher: the right card, pin or answer."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import SendMessage, SendVenue, TelegramMethod

from bot.htmltext import visible_text
from bot.program import Program
from bot.program.models import Room, Text, Venue
from tests.conftest import Offline, labels


def of(requests: list[TelegramMethod[Any]], kind: type) -> list[Any]:
    return [r for r in requests if isinstance(r, kind)]


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
    chat = offline.chat(language_code=lang)
    (answer,) = of(await chat.send(question), SendMessage)
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
