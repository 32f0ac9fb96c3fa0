""".ics files: parsed back with icalendar and checked against the program."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from icalendar import Event as VEvent

from bot.calendar import (
    PRODID,
    calendar_filename,
    event_calendar,
    event_location,
    events_calendar,
)
from bot.program import Program
from bot.program.models import LANGS, Lang
from tests.conftest import mini_raw, program_of

pytestmark = pytest.mark.usefixtures("i18n_context")

BOT = "forum_test_bot"
NOW = datetime(2026, 11, 20, 8, 30, 15, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")


def parse(data: bytes) -> Calendar:
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def vevents(data: bytes) -> list[VEvent]:
    return [component for component in parse(data).walk("VEVENT") if isinstance(component, VEvent)]


def only_vevent(data: bytes) -> VEvent:
    (vevent,) = vevents(data)
    return vevent


def build(program: Program, event_id: str, lang: Lang = "en", bot: str | None = BOT) -> bytes:
    event = program.events_by_id[event_id]
    return event_calendar(program, event, lang=lang, bot_username=bot, now=NOW)


@contextmanager
def process_timezone(name: str) -> Iterator[None]:
    """Run with the process's local timezone set to `name`, restoring it afterwards."""
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TZ", name)
            time.tzset()
            yield
    finally:
        time.tzset()


# -- the calendar -------------------------------------------------------------------------------


def test_calendar_properties(mini_program: Program) -> None:
    calendar = parse(build(mini_program, "opening"))
    assert str(calendar["prodid"]) == PRODID
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "Mini forum"


def test_the_file_follows_rfc_5545_lines(sample_program: Program) -> None:
    data = events_calendar(
        sample_program, sample_program.events, lang="kk", bot_username=BOT, name="x", now=NOW
    )
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in b"".join(lines)
    data.decode("utf-8")  # folding never splits a character


def test_uid_is_stable(mini_program: Program) -> None:
    first = only_vevent(build(mini_program, "opening"))
    event = mini_program.events_by_id["opening"]
    later = event_calendar(
        mini_program, event, lang="ru", bot_username=None, now=NOW + timedelta(days=3)
    )
    assert str(first["uid"]) == str(only_vevent(later)["uid"]) == "opening@mini-forum"
    assert build(mini_program, "opening") == build(mini_program, "opening")


def test_dtstamp_is_now_in_utc(mini_program: Program) -> None:
    vevent = only_vevent(build(mini_program, "opening"))
    assert vevent.decoded("dtstamp") == NOW
    assert "DTSTAMP:20261120T083015Z" in build(mini_program, "opening").decode()
    local_now = datetime(2026, 11, 20, 14, 30, 15, tzinfo=ALMATY)
    data = event_calendar(
        mini_program,
        mini_program.events_by_id["opening"],
        lang="en",
        bot_username=None,
        now=local_now,
    )
    assert only_vevent(data).decoded("dtstamp") == local_now


def test_dtstamp_defaults_to_the_current_time(mini_program: Program) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    data = event_calendar(
        mini_program, mini_program.events_by_id["opening"], lang="en", bot_username=None
    )
    after = datetime.now(UTC)
    stamp = only_vevent(data).decoded("dtstamp")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= after


def test_a_naive_now_is_refused(mini_program: Program) -> None:
    with pytest.raises(ValueError, match="naive"):
        event_calendar(
            mini_program,
            mini_program.events_by_id["opening"],
            lang="en",
            bot_username=None,
            now=datetime(2026, 11, 20, 8, 30),  # noqa: DTZ001 - the point of the test
        )


# -- times ------------------------------------------------------------------------------------


def test_times_are_the_exact_instants(mini_program: Program) -> None:
    data = build(mini_program, "opening")
    vevent = only_vevent(data)
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert start == datetime(2026, 12, 10, 10, 0, tzinfo=ALMATY)
    assert start == datetime(2026, 12, 10, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)  # written as UTC instants
    assert b"DTSTART:20261210T050000Z" in data and b"DTEND:20261210T070000Z" in data


def test_every_sample_event_has_its_instants(sample_program: Program) -> None:
    data = events_calendar(
        sample_program, sample_program.events, lang="en", bot_username=None, name="All", now=NOW
    )
    parsed = {str(vevent["uid"]): vevent for vevent in vevents(data)}
    assert len(parsed) == len(sample_program.events)
    for event in sample_program.events:
        vevent = parsed[f"{event.id}@{sample_program.forum.id}"]
        assert vevent.decoded("dtstart") == event.starts_at
        assert vevent.decoded("dtend") == event.ends_at


def test_the_process_timezone_does_not_matter(mini_program: Program) -> None:
    def all_events() -> bytes:
        return events_calendar(
            mini_program, mini_program.events, lang="ru", bot_username=BOT, name="Я", now=NOW
        )

    with process_timezone("UTC"):
        in_utc = all_events()
    with process_timezone("America/New_York"):
        assert time.timezone == 5 * 3600  # the change took effect
        in_new_york = all_events()
    with process_timezone("Asia/Kamchatka"):
        in_kamchatka = all_events()
    assert in_utc == in_new_york == in_kamchatka
    assert only_vevent(build(mini_program, "opening")).decoded("dtstart") == datetime(
        2026, 12, 10, 5, tzinfo=UTC
    )


# -- texts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_texts_in_each_language(lang: Lang, mini_program: Program) -> None:
    event = mini_program.events_by_id["digital-1"]
    calendar = parse(build(mini_program, "digital-1", lang))
    vevent = only_vevent(build(mini_program, "digital-1", lang))
    assert str(calendar["x-wr-calname"]) == mini_program.forum.title.get(lang)
    assert str(vevent["summary"]) == event.title.get(lang)
    description = str(vevent["description"])
    speakers = {"kk": "Спикерлер", "ru": "Спикеры", "en": "Speakers"}[lang]
    director = {"kk": "Директор", "ru": "Директор", "en": "Director"}[lang]
    assert description == f"{speakers}: Aigerim Sadykova, {director}"
    location = str(vevent["location"])
    venue = mini_program.venues_by_id["library"]
    assert location == event_location(mini_program, event, lang)
    assert venue.name.get(lang) in location
    assert venue.rooms_by_id["room-2"].name.get(lang) in location
    assert venue.address.get(lang) in location
    assert {"kk": "2-қабат", "ru": "2-й этаж", "en": "floor 2"}[lang] in location


def test_location_and_description_of_the_sample(sample_program: Program) -> None:
    event = next(e for e in sample_program.events if e.description and e.room and e.speakers)
    vevent = only_vevent(build(sample_program, event.id, "ru"))
    venue = sample_program.venues_by_id[event.venue]
    location = str(vevent["location"])
    assert location.startswith(venue.name.ru)
    assert location.endswith(venue.address.ru)
    assert venue.rooms_by_id[event.room or ""].name.ru in location
    description = str(vevent["description"])
    assert event.description is not None
    assert description.startswith(event.description.ru)
    assert all(speaker.ru in description for speaker in event.speakers)
    assert tuple(vevent.decoded("geo")) == (venue.lat, venue.lon)


def test_special_characters_survive(tmp_path: Any) -> None:
    raw = mini_raw()
    title = 'Кітап, оқу; «Ашылу» — "Open" \\ 100%'
    description = "Бір, екі; үш.\nЖаңа жол: Открытие, первый день;\n\nEnd\\ here " + "ө" * 80
    raw["events"][0]["title"] = {"kk": title, "ru": title, "en": title}
    raw["events"][0]["description"] = {"kk": description, "ru": description, "en": description}
    raw["events"][0]["speakers"] = ["Айгерим, Садыкова; PhD"]
    raw["venues"][0]["address"]["kk"] = "Павлодар, Сәтбаев к-сі, 1; 2-кіреберіс"
    program = program_of(raw)
    name = "Менің күн тәртібім, 2026; жеке"
    data = events_calendar(
        program, program.events, lang="kk", bot_username=BOT, name=name, now=NOW
    )
    calendar = parse(data)
    assert str(calendar["x-wr-calname"]) == name
    vevent = next(v for v in vevents(data) if str(v["uid"]) == "opening@mini-forum")
    assert str(vevent["summary"]) == title
    assert str(vevent["description"]) == f"{description}\n\nСпикерлер: Айгерим, Садыкова; PhD"
    assert str(vevent["location"]).endswith("Павлодар, Сәтбаев к-сі, 1; 2-кіреберіс")


# -- status, link, alarm ------------------------------------------------------------------------


def test_status(mini_program: Program) -> None:
    assert str(only_vevent(build(mini_program, "opening"))["status"]) == "CONFIRMED"
    raw = mini_raw()
    raw["events"][0]["cancelled"] = True
    program = program_of(raw)
    vevent = only_vevent(build(program, "opening"))
    assert str(vevent["status"]) == "CANCELLED"
    assert not vevent.walk("VALARM")  # no reminder for what will not happen


def test_url_only_with_a_username(mini_program: Program) -> None:
    vevent = only_vevent(build(mini_program, "opening", bot=BOT))
    assert str(vevent["url"]) == "https://t.me/forum_test_bot?start=e-opening"
    at = only_vevent(build(mini_program, "opening", bot="@forum_test_bot"))
    assert str(at["url"]) == str(vevent["url"])
    without = only_vevent(build(mini_program, "opening", bot=None))
    assert "url" not in without
    assert b"t.me" not in build(mini_program, "opening", bot=None)


def test_an_invalid_username_is_refused(mini_program: Program) -> None:
    with pytest.raises(ValueError, match="invalid bot username"):
        build(mini_program, "opening", bot="no")


def test_reminders_follow_the_forum(mini_program: Program) -> None:
    (training_alarm,) = only_vevent(build(mini_program, "training-1")).walk("VALARM")
    assert training_alarm.decoded("trigger") == timedelta(minutes=-30)
    assert str(training_alarm["action"]) == "DISPLAY"
    (opening_alarm,) = only_vevent(build(mini_program, "opening")).walk("VALARM")
    assert opening_alarm.decoded("trigger") == timedelta(minutes=-15)  # the default


# -- several events -----------------------------------------------------------------------------


def test_events_calendar_orders_the_events(mini_program: Program) -> None:
    chosen = [mini_program.events_by_id[i] for i in ("training-1", "opening", "digital-1")]
    data = events_calendar(
        mini_program, chosen, lang="en", bot_username=BOT, name="My agenda", now=NOW
    )
    assert str(parse(data)["x-wr-calname"]) == "My agenda"
    parsed = vevents(data)
    assert [str(v["uid"]) for v in parsed] == [
        "opening@mini-forum",
        "digital-1@mini-forum",
        "training-1@mini-forum",
    ]
    starts = [v.decoded("dtstart") for v in parsed]
    assert starts == sorted(starts)
    urls = [str(v["url"]) for v in parsed]
    assert urls[1] == "https://t.me/forum_test_bot?start=e-digital-1"


def test_events_calendar_with_duplicates_and_none(mini_program: Program) -> None:
    opening = mini_program.events_by_id["opening"]
    data = events_calendar(
        mini_program, [opening, opening], lang="en", bot_username=None, name="x", now=NOW
    )
    assert len(vevents(data)) == 1
    empty = events_calendar(mini_program, [], lang="en", bot_username=None, name="x", now=NOW)
    assert vevents(empty) == []
    assert str(parse(empty)["prodid"]) == PRODID


# -- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("opening", "opening.ics"),
        ("digital-1", "digital-1.ics"),
        ("opening.ics", "opening.ics"),
        ("My agenda, 2026", "My-agenda-2026.ics"),
        ("../../etc/passwd", "etc-passwd.ics"),
        ("Café «Ашылу»", "Cafe.ics"),
        ("Күн тәртібі", "calendar.ics"),
        ("", "calendar.ics"),
        ("x" * 200, "x" * 64 + ".ics"),
    ],
)
def test_calendar_filename(name: str, expected: str) -> None:
    assert calendar_filename(name) == expected
