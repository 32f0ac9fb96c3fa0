"""The program file: the shipped sample, and every kind of invalid file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.program import EventKind, ProgramError, load_program, parse_program
from bot.program.models import LANGS, Text
from tests.conftest import MINI_PROGRAM, SAMPLE_PROGRAM, Raw, mini_raw

ALMATY = ZoneInfo("Asia/Almaty")


def problems_of(raw: Raw) -> list[str]:
    with pytest.raises(ProgramError) as caught:
        parse_program(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), source="p.yaml")
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


# -- the shipped sample -------------------------------------------------------------------


def test_sample_loads_without_errors_or_warnings() -> None:
    loaded = load_program(SAMPLE_PROGRAM)
    assert loaded.warnings == ()


def test_sample_describes_the_forum_of_the_article() -> None:
    program = load_program(SAMPLE_PROGRAM).program
    forum = program.forum
    assert forum.tz == ALMATY
    assert len(forum.days) == 2
    assert forum.starts_on > date(2026, 11, 25)  # in the future when written
    kinds = {event.kind for event in program.events}
    assert {EventKind.PLENARY, EventKind.CEREMONY, EventKind.EXCURSION} <= kinds
    for kind in (EventKind.MASTER_CLASS, EventKind.TRAINING, EventKind.LITERARY_MEETING):
        of_kind = [e for e in program.events if e.kind is kind]
        assert len(of_kind) >= 2, kind
        assert any(e.capacity for e in of_kind), kind
    assert len(program.sections) >= 4
    # at least four sections run at the same time, in different rooms
    sections = [e for e in program.events if e.kind is EventKind.SECTION]
    parallel = max(
        len(
            {
                (e.venue, e.room)
                for e in sections
                if e.starts_at < s.ends_at < e.ends_at + s.duration
            }
        )
        for s in sections
    )
    assert parallel >= 4
    assert len(program.venues) >= 2
    library = program.venues[0]
    assert len({room.floor for room in library.rooms}) >= 2
    assert all(venue.directions is not None for venue in program.venues[:2])
    origins = " ".join(d.origin.en + " " + d.name.en for d in program.delegations)
    for place in (
        "Moscow",
        "Novosibirsk",
        "Omsk",
        "Barnaul",
        "Bayan-",
        "Astana",
        "Almaty",
        "Kostanay",
    ):
        assert place in origins, place
    assert len(program.delegations) >= 10  # the eight named ones and regional teams
    assert all(d.itinerary for d in program.delegations)
    faq = " ".join(entry.question.en.lower() for entry in program.faq)
    for topic in ("registration", "wi-fi", "lunch", "certificate", "contact"):
        assert topic in faq or topic.replace("-", "") in faq, topic


def test_every_text_of_the_sample_is_in_three_languages() -> None:
    program = load_program(SAMPLE_PROGRAM).program
    texts = [program.forum.title, *(e.title for e in program.events)]
    texts += [v.name for v in program.venues] + [f.answer for f in program.faq]
    for text in texts:
        assert all(getattr(text, lang).strip() for lang in LANGS), text
    # translated, not copied: a few words ("Кофе-брейк") may read the same in two languages
    copied = [text for text in texts if text.kk == text.ru or text.ru == text.en]
    assert len(copied) <= len(texts) // 10, copied


def test_english_readers_meet_the_speakers_in_latin_letters() -> None:
    program = load_program(SAMPLE_PROGRAM).program
    speakers = [speaker for event in program.events for speaker in event.speakers]
    assert len(speakers) > 40
    cyrillic = [
        s.en for s in speakers if any("а" <= c.lower() <= "я" or c in "әғқңөұүһі" for c in s.en)
    ]
    assert cyrillic == []


def test_naive_times_are_in_the_forum_timezone_and_aware() -> None:
    program = load_program(MINI_PROGRAM).program
    opening = program.events_by_id["opening"]
    assert opening.starts_at == datetime(2026, 12, 10, 10, 0, tzinfo=ALMATY)
    assert opening.starts_at.utcoffset() == timedelta(hours=5)
    assert program.events_by_day[date(2026, 12, 11)][0].id == "training-1"


def test_explicit_offset_is_kept() -> None:
    raw = mini_raw()
    raw["events"][0]["starts_at"] = "2026-12-10T05:00+00:00"
    program = parse_program(yaml.safe_dump(raw, allow_unicode=True)).program
    assert program.events_by_id["opening"].starts_at == datetime(2026, 12, 10, 10, tzinfo=ALMATY)


def test_speakers_may_be_names_or_texts() -> None:
    program = load_program(MINI_PROGRAM).program
    speakers = program.events_by_id["digital-1"].speakers
    assert speakers[0] == Text.same("Aigerim Sadykova")
    assert speakers[1].get("ru") == "Директор"


def test_missing_language_is_a_warning_with_fallback() -> None:
    raw = mini_raw()
    del raw["events"][0]["title"]["kk"]
    loaded = parse_program(yaml.safe_dump(raw, allow_unicode=True), source="p.yaml")
    assert [w.path for w in loaded.warnings] == ["events[0].title"]
    assert "no kk text" in loaded.warnings[0].message
    assert loaded.program.events[0].title.get("kk") == "Открытие"  # Russian as the fallback


# -- invalid files: each rule, named by path -----------------------------------------------

Mutation = Callable[[Raw], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(raw: Raw) -> None:
        target: Any = raw
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        target[int(last) if last.isdigit() else last] = value

    return mutate


CASES: list[tuple[str, Mutation, str]] = [
    (
        "unknown venue",
        _set("events.0.venue", "nowhere"),
        "events[0].venue: unknown venue 'nowhere'",
    ),
    (
        "unknown room",
        _set("events.0.room", "attic"),
        "events[0].room: unknown room 'attic' in venue 'library'",
    ),
    (
        "duplicate id",
        _set("events.1.id", "opening"),
        "events[1].id: duplicate id 'opening' (first used at events[0].id)",
    ),
    (
        "duplicate room",
        _set("venues.0.rooms.1.id", "main-hall"),
        "venues[0].rooms[1]: duplicate room id 'main-hall'",
    ),
    (
        "end before start",
        _set("events.0.ends_at", "2026-12-10T09:00"),
        "events[0].ends_at: ends_at must be after starts_at",
    ),
    ("negative capacity", _set("events.1.capacity", -1), "events[1].capacity: must be 0 or more"),
    (
        "outside dates",
        _set("events.0.starts_at", "2026-12-09T10:00"),
        "events[0].starts_at: the event is outside the forum's dates",
    ),
    ("room overlap", _set("events.1.room", "main-hall"), ""),
    (
        "reminder kind no event has",
        _set("forum.reminders", {"excursion": 10}),
        "forum.reminders.excursion: no event has the kind 'excursion'",
    ),
    (
        "remind_everyone kind no event has",
        _set("forum.remind_everyone", ["ceremony"]),
        "forum.remind_everyone[0]: no event has the kind 'ceremony'",
    ),
    (
        "invalid timezone",
        _set("forum.timezone", "Asia/Pavlodar"),
        "forum.timezone: unknown timezone 'Asia/Pavlodar'",
    ),
    ("unknown kind", _set("events.0.kind", "concert"), "events[0].kind: Input should be"),
    (
        "misspelt field",
        _set("events.0.strats_at", "2026-12-10T10:00"),
        "events[0].strats_at: unknown field",
    ),
    (
        "kz instead of kk",
        _set("events.0.title", {"kz": "Ашылу", "ru": "Открытие", "en": "Opening"}),
        "events[0].title: unknown language 'kz'",
    ),
    (
        "empty text",
        _set("events.0.title", {"kk": "", "ru": "", "en": ""}),
        "events[0].title: the text is empty in every language",
    ),
    (
        "bad id",
        _set("events.0.id", "Opening Day"),
        "events[0].id: expected an id of lowercase latin letters",
    ),
    (
        "bad time",
        _set("events.0.starts_at", "tomorrow"),
        "events[0].starts_at: expected a date and time",
    ),
    (
        "unknown section",
        _set("events.1.section", "poetry"),
        "events[1].section: unknown section 'poetry'",
    ),
    (
        "duplicate join code",
        lambda raw: raw["delegations"].append(
            {**copy.deepcopy(raw["delegations"][0]), "id": "omsk2"}
        ),
        "delegations[1].join_code: duplicate join_code",
    ),
    ("itinerary venue", _set("delegations.0.itinerary.0.place", None), ""),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_invalid_file_names_the_path_and_the_reason(
    name: str, mutate: Mutation, expected: str
) -> None:
    raw = mini_raw()
    mutate(raw)
    if name == "room overlap":
        raw["events"][1]["starts_at"] = "2026-12-10T11:00"
        expected = "events[1].starts_at: overlaps events[0] ('opening') in room library/main-hall"
    if name == "itinerary venue":
        del raw["delegations"][0]["itinerary"][0]["place"]
        raw["delegations"][0]["itinerary"][0]["venue"] = "station"
        expected = "delegations[0].itinerary[0].venue: unknown venue 'station'"
    problems = problems_of(raw)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_cancelled_event_may_share_its_room() -> None:
    raw = mini_raw()
    raw["events"][1].update(room="main-hall", starts_at="2026-12-10T11:00", cancelled=True)
    program = parse_program(yaml.safe_dump(raw, allow_unicode=True)).program
    assert program.events_by_id["digital-1"].cancelled


def test_all_problems_are_reported_at_once_with_lines(tmp_path: Path) -> None:
    raw = mini_raw()
    raw["forum"]["timezone"] = "Mars/Olympus"
    raw["events"][0]["venue"] = "nowhere"
    raw["events"][1]["capacity"] = -3
    raw["events"][2]["ends_at"] = "2026-12-11T09:00"
    path = tmp_path / "forum.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    error = caught.value
    assert {p.path for p in error.problems} == {
        "forum.timezone",
        "events[0].venue",
        "events[1].capacity",
        "events[2].ends_at",
    }
    rendered = error.render().splitlines()
    assert rendered[0] == f"{path}: 4 problems in the program file"
    lines = [int(line.split(":")[1]) for line in rendered[1:]]
    assert lines == sorted(lines) and all(line > 1 for line in lines)
    source = path.read_text(encoding="utf-8").splitlines()
    timezone_line = next(line for line in rendered if "forum.timezone" in line)
    assert "Mars/Olympus" in source[int(timezone_line.split(":")[1]) - 1]


def test_a_typo_in_an_itinerary_item_hides_no_problem_of_the_others() -> None:
    raw = yaml.safe_load(SAMPLE_PROGRAM.read_text(encoding="utf-8"))
    itinerary = raw["delegations"][0]["itinerary"]
    itinerary[0]["kind"] = "taxi"  # fails the whole delegation's schema
    itinerary[2]["venue"] = "hotell"
    itinerary[3]["ends_at"] = itinerary[3]["starts_at"]
    assert set(problems_of(raw)) >= {
        "delegations[0].itinerary[2].venue: unknown venue 'hotell'",
        "delegations[0].itinerary[3].ends_at: ends_at must be after starts_at",
    }
    assert any(p.startswith("delegations[0].itinerary[0].kind:") for p in problems_of(raw))


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(ProgramError) as caught:
        parse_program("forum:\n  id: x\n  title: {kk: 'a'\n", source="broken.yaml")
    (problem,) = caught.value.problems
    assert problem.line is not None and problem.line >= 3
    assert problem.message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("written", "impossible", "path", "reason"),
    [
        ("starts_on: 2026-12-10", "starts_on: 2026-02-30", "forum.starts_on", "date"),
        ("starts_on: 2026-12-10", "starts_on: 2026-12-32", "forum.starts_on", "date"),
        (
            "starts_at: 2026-12-10T14:00",
            "starts_at: 2026-12-10 25:00:00",
            "events[1].starts_at",
            "date and time",
        ),
    ],
    ids=["february-30", "december-32", "hour-25"],
)
def test_an_impossible_date_names_the_file_the_line_and_the_value(
    tmp_path: Path, written: str, impossible: str, path: str, reason: str
) -> None:
    # YAML itself turns such a scalar into a date, and fails on it before the models run.
    text = MINI_PROGRAM.read_text(encoding="utf-8")
    assert text.count(written) == 1
    file = tmp_path / "forum.yaml"
    file.write_text(text.replace(written, impossible), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if written in row)
    value = impossible.split(": ", 1)[1]
    with pytest.raises(ProgramError) as caught:
        load_program(file)
    (rendered,) = caught.value.lines()
    assert rendered.startswith(f"{file}:{line}: {path}: {value!r} is not a real {reason}: ")


def test_every_impossible_date_is_reported_at_once() -> None:
    text = MINI_PROGRAM.read_text(encoding="utf-8")
    text = text.replace("ends_on: 2026-12-11", "ends_on: 2026-13-01")
    text = text.replace("ends_at: 2026-12-11T11:30", "ends_at: 2026-12-11 11:60:00")
    with pytest.raises(ProgramError) as caught:
        parse_program(text, source="p.yaml")
    assert [p.path for p in caught.value.problems] == ["forum.ends_on", "events[2].ends_at"]


def test_missing_file() -> None:
    with pytest.raises(ProgramError) as caught:
        load_program(Path("/nonexistent/forum.yaml"))
    assert caught.value.problems[0].message == "file not found"


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "forum: {}\n"])
def test_structurally_empty_files_are_refused(text: str) -> None:
    with pytest.raises(ProgramError) as caught:
        parse_program(text)
    assert caught.value.problems


def test_models_are_immutable() -> None:
    program = load_program(MINI_PROGRAM).program
    with pytest.raises(ValueError, match="frozen"):
        program.events[0].title = Text.same("x")  # type: ignore[misc]
    assert isinstance(program.events, tuple)
