"""Telegram's limits hold for any program: 4096 characters, 64-byte callback data, 100 buttons.

A property test renders every screen of generated programs (up to 300 events with long Kazakh
titles) in the three languages and checks each message the way Telegram would; another does the
same for the delegation screens (long itineraries, many seats, many delegations, big rosters).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from aiogram.methods import SendMessage, SendVenue
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import create_i18n, in_language
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import LANGS, Event, Program, ProgramHolder
from bot.services.delegations import DelegationService, Itinerary
from bot.services.roles import Standing
from bot.services.schedule import FILTER_KINDS, day_page, now_and_next
from bot.services.signups import EventState
from bot.storage import Database
from bot.storage.people import PeopleRepository, Person
from bot.storage.signups import Signup, SignupRepository
from bot.telegram_html import utf16_len
from bot.texts import esc, fit, fitting_run, greeting, help_text, window
from bot.views import delegations, places, schedule
from tests.conftest import SAMPLE_PROGRAM, labels, only, program_of
from tests.fakes.telegram import parse_html
from tests.programgen import generate_program

Screen = tuple[str, InlineKeyboardMarkup | None]
MAX_TEXT = 4096
MAX_CAPTION = 1024
BOT_USERNAME = "f" * 29 + "bot"  # the longest a bot's username can be: every invite link has it
ORGANIZER = 500
MEMBERS = 10_000  # the first of 2,000 members' Telegram ids
SIGNED = datetime(2026, 12, 1, tzinfo=UTC)
# The standings a card can show: none, a seat, far down a waitlist, full, reminded, closed.
STATES: tuple[EventState | None, ...] = (
    None,
    EventState(Signup(1, "x", "seat", SIGNED), 0, True, False),
    EventState(Signup(1, "x", "waitlist", SIGNED, position=99_999), 0, True, False),
    EventState(None, 0, True, False),
    EventState(None, 12, True, True),
    EventState(None, 3, False, True),
)


EARLY = datetime(2000, 1, 1, tzinfo=UTC)  # every sign-up open: the most buttons a list gets


def screens(program: Program) -> Iterator[Screen]:
    """Every message the schedule, card, now and venue views can make of `program`."""
    pages = schedule.ScheduleScreens()
    kinds: list[int | None] = [None, *range(len(FILTER_KINDS))]
    sections: list[str | None] = [None, *(section.id for section in program.sections)]
    for lang in LANGS:
        with in_language(lang):
            yield greeting(program, lang, "Ә" * 64), None
            yield help_text(program, lang, Standing(organizer=True, leader=True)), None
            for day in range(len(program.forum.days)):
                for kind in kinds:
                    for section in sections:
                        yield pages.screen(program, lang, day, EARLY, kind=kind, section=section)
                        yield pages.screen(
                            program, lang, day, EARLY, kind=kind, section=section, page=10_000
                        )
                for page in range(day_page(program, day).pages):
                    yield pages.screen(program, lang, day, EARLY, page=page)
                yield schedule.kinds_menu(day, 1, sections[-1])
                yield schedule.sections_menu(program, lang, day, 1, sections[-1])
            for event in program.events:
                for state in STATES:
                    yield (
                        schedule.event_card(program, event, lang, state=state),
                        schedule.event_card_keyboard(event, state),
                    )
            moment = program.starts_at - timedelta(days=1)
            while moment < program.ends_at + timedelta(days=1):
                yield schedule.now_view(program, now_and_next(program, moment), lang, moment)
                moment += timedelta(minutes=47)
            yield places.venues_overview(program, lang)
            for venue in program.venues:
                yield places.venue_details(venue, lang), None


def check(text: str, markup: InlineKeyboardMarkup | None, *, limit: int = MAX_TEXT) -> None:
    """`limit`: MAX_TEXT for a message, MAX_CAPTION for the caption of a photo or file."""
    shown, _entities = parse_html(text)  # raises on HTML that Telegram would refuse
    assert 1 <= utf16_len(shown) <= limit, (utf16_len(shown), shown[:200])  # as entities count
    if markup is None:
        return
    rows = markup.inline_keyboard
    assert sum(len(row) for row in rows) <= 100
    for row in rows:
        assert 1 <= len(row) <= 8
        for button in row:
            assert button.text.strip()
            assert button.callback_data is not None
            assert 1 <= len(button.callback_data.encode()) <= 64, button.callback_data


def test_a_message_of_emoji_is_cut_by_utf16_units_not_characters() -> None:
    lines = ["🎤 " + "Спикер" * 3] * 300  # 20 characters but 21 units each
    text = fit(lines)
    assert MAX_TEXT - 22 < utf16_len(text) <= MAX_TEXT  # as many whole lines as fit
    assert text.endswith("\n…")


def test_a_list_that_fits_whole_is_shown_whole_from_one_rendering() -> None:
    tried: list[range] = []

    def fits(run: range) -> bool:
        tried.append(run)
        return True

    assert window(7, fits, start=3) == range(7)
    assert tried == [range(7)]


def test_a_list_shown_whole_even_where_a_shorter_run_with_its_note_would_not_fit() -> None:
    """A note of what is left out makes a shorter run longer than the whole list."""
    entries, note, limit = [10, 10, 10], 25, 30

    def fits(run: range) -> bool:
        return sum(entries[i] for i in run) + (note if len(run) < len(entries) else 0) <= limit

    assert window(len(entries), fits) == range(3)


def test_a_list_too_long_shows_what_fits_from_its_start_then_earlier_entries() -> None:
    def at_most(n: int) -> Callable[[range], bool]:
        return lambda run: len(run) <= n

    assert window(10, at_most(4)) == range(4)
    assert window(10, at_most(4), start=8) == range(6, 10)  # two from 8 on, then two earlier
    assert window(10, at_most(4), start=3) == range(3, 7)


def test_a_fitting_run_comes_with_the_lines_it_was_measured_by() -> None:
    rendered: list[range] = []

    def page(run: range) -> list[str]:
        rendered.append(run)
        return [f"entry {i} " * 300 for i in run] + [f"{len(run)} from {run.start}"]  # 2.4 kB

    shown, lines = fitting_run(5, page, start=2)
    assert shown == range(2, 3)
    assert lines == page(range(2, 3))
    assert rendered.count(range(2, 3)) == 2  # measured once, and once more just now
    rendered.clear()
    shown, lines = fitting_run(5, lambda run: [str(i) for i in run], most=2)
    assert (shown, lines) == (range(2), ["0", "1"])
    nothing_fits = ["x" * 5000]
    shown, lines = fitting_run(4, lambda run: [*nothing_fits * len(run), str(run)], start=3)
    assert (shown, lines) == (range(3, 3), ["range(3, 3)"])  # not an empty run rendered before


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    events=st.integers(min_value=1, max_value=120),  # 300 events: the test below
    seed=st.integers(min_value=0, max_value=10_000),
    title_length=st.integers(min_value=10, max_value=700),
)
def test_every_screen_of_any_program_fits_telegrams_limits(
    events: int, seed: int, title_length: int
) -> None:
    program = generate_program(events, seed=seed, title_length=title_length)
    with create_i18n().context():
        for text, markup in screens(program):
            check(text, markup)


def test_a_place_name_full_of_ampersands_is_cut_before_it_is_escaped(
    i18n_context: I18n,
) -> None:
    raw = yaml.safe_load(SAMPLE_PROGRAM.read_text(encoding="utf-8"))
    for venue in raw["venues"]:  # every room's name grows when escaped, past a list's cut
        for room in venue.get("rooms", []):
            room["name"] = {lang: "R&D&" * 40 for lang in LANGS}
    program = program_of(raw)
    for lang in LANGS:
        with in_language(lang):
            for event in program.events:
                line = schedule.event_line(program, event, lang, 1)
                check(line, None)
                # Telegram shows a cut entity ("&amp…") as it is; the fake's parser is kinder
                assert not re.search(r"&(?!(amp|lt|gt|quot);)", line), line


def test_the_300_event_program_with_long_kazakh_titles_fits() -> None:
    program = generate_program(300, seed=1, title_length=180)
    assert len(program.events) == 300
    assert any("ә" in event.title.kk or "ғ" in event.title.kk for event in program.events)
    count = 0
    with create_i18n().context():
        for text, markup in screens(program):
            check(text, markup)
            count += 1
    assert count > 1000


async def test_browsing_a_300_event_program_through_the_dispatcher(tmp_path: Path) -> None:
    """The offline session refuses what Telegram refuses, so any overflow fails here."""
    program = generate_program(300, seed=7, title_length=400)
    db = await Database.open(tmp_path / "bot.db")
    session = OfflineSession()
    settings_ = Settings(_env_file=None)
    app = await create_app(settings_, program, db=db, session=session, token="1:offline")
    chat = OfflineChat(
        app.dispatcher, app.bot, session, OfflineUser(5, "Әлия", language_code="kk")
    )
    try:
        await chat.send("/schedule")
        pages = day_page(program, 0).pages
        assert pages > 10
        for _ in range(pages - 1):
            await chat.press_button("»")
        assert f"{pages}" in (chat.last_message().text or "")
        await chat.press_button("1")  # the card of the first event of the last page
        await chat.send("/now")
        await chat.send("/where")
    finally:
        await db.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_stats_of_a_big_program_keep_their_summaries_and_count_what_they_leave_out(
    tmp_path: Path, lang: str
) -> None:
    program = generate_program(300, seed=7, title_length=400)
    seated = [event for event in program.events if event.capacity is not None]
    assert len(seated) > 60
    db = await Database.open(tmp_path / "bot.db")
    session = OfflineSession()
    settings_ = Settings(_env_file=None, admin_ids=frozenset({ORGANIZER}))
    app = await create_app(settings_, program, db=db, session=session, token="1:offline")
    organizer = OfflineChat(
        app.dispatcher, app.bot, session, OfflineUser(ORGANIZER, "Org", language_code=lang)
    )
    try:
        stats = only(await organizer.send("/stats"), SendMessage)  # refused if over 4096
        shown = parse_html(stats.text)[0].splitlines()
        numbered = [line for line in shown if re.match(r"\d+\. ", line)]
        assert 5 < len(numbered) < len(seated)
        more = {"en": "…and {n} more events", "ru": "…и ещё {n}", "kk": "…және тағы {n}"}[lang]
        assert any(line.startswith(more.format(n=len(seated) - len(numbered))) for line in shown)
        assert len(shown) > len(numbered) + 6  # the language and delegation blocks are there
        assert labels(stats.reply_markup) == [f"📄 {n}" for n in range(1, 21)]
    finally:
        await db.close()


class Seats:
    """The signups DelegationService reads: the person holds a seat for each of `events`."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._events = events

    async def of_person(self, person_id: int) -> list[Signup]:
        return [Signup(person_id, event.id, "seat", SIGNED) for event in self._events]


def person(number: int, delegation_id: str | None = None) -> Person:
    """Someone with a name as long as Telegram allows (64 + 1 + 64), full of `<` and `&`."""
    names = ("Әлия <Жақыпова> & Co ", "&lt;b&gt;Ольга&amp; ", "<b>Ivan</b> <i ", "&&&<<<>>> ")
    name = (names[number % len(names)] * 20)[:129]
    language = (None, *LANGS)[number % (len(LANGS) + 1)]
    username = f"user{number}".ljust(32, "_") if number % 3 else None
    return Person(number, name, username, language, "de", delegation_id, False, SIGNED, SIGNED)


def itineraries(program: Program, seats: Sequence[Event]) -> list[Itinerary]:
    """What /itinerary shows someone holding `seats`, in each of the first two delegations (the
    generator's longest itineraries) and in none, before, during and after the forum."""
    people = [person(1, d.id) for d in program.delegations[:2]] + [person(2)]
    moments = (
        program.starts_at - timedelta(days=2),
        program.starts_at + timedelta(hours=5),
        program.ends_at + timedelta(days=2),
    )

    async def plans() -> list[Itinerary]:
        made = []
        for moment in moments:
            service = DelegationService(
                None,  # type: ignore[arg-type]  # itinerary() reads only signups, program, clock
                None,  # type: ignore[arg-type]
                Seats(seats),  # type: ignore[arg-type]
                ProgramHolder(program),
                ManualClock(moment),
            )
            made += [await service.itinerary(someone) for someone in people]
        return made

    return asyncio.run(plans())


def delegation_screens(
    program: Program, plans: Sequence[Itinerary], roster: Sequence[Person]
) -> Iterator[Screen]:
    """Every message of the delegation views: join prompts, rosters, the overview, itineraries."""
    counts = {delegation.id: 10**6 for delegation in program.delegations}
    for lang in LANGS:
        with in_language(lang):
            yield delegations.overview(program, counts, BOT_USERNAME, lang)
            yield delegations.overview(program, {}, BOT_USERNAME, lang)
            for delegation in program.delegations:
                yield delegations.join_prompt(delegation, lang, delegation.join_code)
                leaving = program.delegations[0]  # in one delegation, joining another
                yield delegations.join_prompt(delegation, lang, delegation.join_code, leaving)
                yield delegations.already_member(delegation, lang)
                yield delegations.joined(delegation, lang), None
                yield delegations.linked(2**53, delegation, lang), None
                yield delegations.members(delegation, roster, lang)
                yield delegations.members(delegation, (), lang)
            yield delegations.linked(2**53, None, lang), None
            for text in (delegations.declined(), delegations.unknown_code()):
                yield text, None
            for text in (delegations.too_many_codes(), delegations.not_a_leader()):
                yield text, None
            yield delegations.link_usage(), None
            for plan in plans:
                yield delegations.itinerary(program, plan, lang)


def itinerary_captions(program: Program) -> Iterator[str]:
    """The caption of the calendar file that the itinerary's 📅 button sends, escaped as sent."""
    for lang in LANGS:
        with in_language(lang):
            for delegation in (*program.delegations, None):
                yield esc(delegations.itinerary_name(delegation, lang))


def check_buttons_shown(text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Each 📍 button pins an entry the message shows (a line starting at its time), and each QR
    button codes a delegation it lists (the line of its number): none is for a line cut off."""
    if markup is None:
        return
    lines = [line.removeprefix("▶️ ") for line in parse_html(text)[0].splitlines()]
    labels = [button.text for row in markup.inline_keyboard for button in row]
    # "📍 09:30", or "📍 Thu 09:30" when the pins shown are on several days
    pins = Counter(label.split()[-1] for label in labels if label.startswith("📍 "))
    for start, count in pins.items():
        entries = [line for line in lines if re.match(f"{start}[ –]", line)]
        assert count <= len(entries), (start, count, lines)
    codes = [label.removeprefix("QR ") for label in labels if label.startswith("QR ")]
    assert codes == [line.split(".")[0] for line in lines if re.match(r"\d+\. ", line)]


def check_next_shown(program: Program, plans: Sequence[Itinerary]) -> None:
    """The entry on now or next (▶️) is on the itinerary, however long the days before it."""
    for lang in LANGS:
        with in_language(lang):
            for plan in plans:
                text, _markup = delegations.itinerary(program, plan, lang)
                lines = parse_html(text)[0].splitlines()
                marked = [line for line in lines if re.match(r"▶️ \d", line)]
                assert len(marked) == (plan.next_index is not None), lines


def check_delegations(program: Program, seats: int, members: int) -> list[Screen]:
    """Check every delegation screen with the first `seats` events held; return the screens."""
    plans = itineraries(program, program.events[:seats])
    roster = [person(number) for number in range(members)]
    shown = list(delegation_screens(program, plans, roster))
    for text, markup in shown:
        check(text, markup)
        check_buttons_shown(text, markup)
    check_next_shown(program, plans)
    for caption in itinerary_captions(program):
        check(caption, None, limit=MAX_CAPTION)
    return shown


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    title_length=st.integers(min_value=10, max_value=700),  # 3000: the caption test
    itineraries=st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=2),
    more=st.integers(min_value=0, max_value=70),  # over 60: the overview lists the first 60
    seats=st.integers(min_value=0, max_value=80),
    members=st.integers(min_value=0, max_value=200),
)
def test_every_delegation_screen_of_any_program_fits_telegrams_limits(
    seed: int, title_length: int, itineraries: list[int], more: int, seats: int, members: int
) -> None:
    program = generate_program(
        80, seed=seed, title_length=title_length, delegations=[*itineraries, *[1] * more]
    )
    with create_i18n().context():
        check_delegations(program, seats, members)


def test_a_long_itinerary_with_many_seats_and_75_delegations_fit() -> None:
    program = generate_program(150, seed=3, title_length=400, delegations=(90, 65, *[2] * 73))
    with create_i18n().context():
        check_delegations(program, 120, 0)
        plans = itineraries(program, program.events[:120])
        before, during = plans[0], plans[3]  # the first delegation's, before and on day one
        assert len(before.items()) == 90 and len(before.events()) > 100
        assert during.next_index is not None and during.next_index > 40
        for lang in LANGS:
            with in_language(lang):
                text, markup = delegations.itinerary(program, before, lang)
                assert text.count("⏭") == 1 and "⏮" not in text  # later entries said hidden
                assert markup is not None
                assert 1 < sum(map(len, markup.inline_keyboard)) <= 31  # pins, the calendar
                text, markup = delegations.itinerary(program, during, lang)
                assert text.count("⏮") == 1 and text.count("⏭") == 1  # so are earlier ones
                text, markup = delegations.overview(program, {}, BOT_USERNAME, lang)
                assert not text.endswith("\n…")  # not cut: those not listed are counted
                assert parse_html(text)[0].splitlines()[-4].startswith("… ")
                assert 1 < sum(map(len, markup.inline_keyboard)) < 60  # a QR code for each listed


def test_a_roster_of_2000_people_with_long_names_fits() -> None:
    program = generate_program(10, seed=5, title_length=300, delegations=(3,))
    roster = [person(number, program.delegations[0].id) for number in range(2000)]
    with create_i18n().context():
        for lang in LANGS:
            with in_language(lang):
                text, markup = delegations.members(program.delegations[0], roster, lang)
                check(text, markup)
                shown, _entities = parse_html(text)
                assert "2000" in shown.splitlines()[0]
                assert "Әлия <Жақыпова> & Co" in shown  # escaped, and shown as written
                assert len(text) > MAX_TEXT - 300


def test_the_itinerary_file_caption_fits_a_delegation_name_of_any_length() -> None:
    program = generate_program(5, seed=9, title_length=3000, delegations=(1,))
    assert len(program.delegations[0].name.kk) == 3000
    with create_i18n().context():
        for caption in itinerary_captions(program):
            check(caption, None, limit=MAX_CAPTION)


async def test_delegation_screens_through_the_dispatcher(tmp_path: Path) -> None:
    """The handlers' own parts too (the QR code's and the calendar's captions, a roster read from
    the database) pass the offline session, which refuses what Telegram refuses."""
    program = generate_program(150, seed=11, title_length=1100, delegations=(50, *[1] * 64))
    delegation = program.delegations[0]
    db = await Database.open(tmp_path / "bot.db")
    session = OfflineSession(bot_username=BOT_USERNAME)
    settings_ = Settings(_env_file=None, admin_ids=frozenset({ORGANIZER}))
    clock = ManualClock(program.starts_at + timedelta(hours=3))
    app = await create_app(
        settings_, program, db=db, session=session, token="1:offline", clock=clock
    )

    def chat(user_id: int, lang: str) -> OfflineChat:
        user = OfflineUser(user_id, "Әлия <&>" * 16, username="u" * 32, language_code=lang)
        return OfflineChat(app.dispatcher, app.bot, session, user)

    people, seats = PeopleRepository(db), SignupRepository(db)
    try:
        for number in range(2000):
            someone = person(number)
            await people.seen(
                MEMBERS + number,
                full_name=someone.full_name,
                username=someone.username,
                telegram_language="kk",
                now=SIGNED,
            )
            await people.set_delegation(MEMBERS + number, delegation.id)
        member = chat(MEMBERS + 1, "kk")
        for event in program.events[:120]:
            await seats.take(member.user.id, event.id, 10**6, SIGNED)
        await member.send("/itinerary")
        plan = member.last_message()
        await member.press_button("📅", plan)  # the calendar file, captioned with the name
        only(await member.press_button("📍", plan), SendVenue)
        leader = chat(delegation.leaders[0], "ru")
        await leader.send("/delegation")
        assert "2000" in (leader.last_message().text or "")
        organizer = chat(ORGANIZER, "en")
        await organizer.send("/delegations")
        codes = labels(organizer.last_message().reply_markup)
        assert 1 < len(codes) < 60  # long names: fewer listed, a QR button for each of them
        await organizer.press_button(codes[-1])  # the invite link as a QR code, with a caption
        assert len(session.files) == 2
    finally:
        await app.close()
