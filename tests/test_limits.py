"""Telegram's limits hold for any program: 4096 characters, 64-byte callback data, 100 buttons.

A property test renders every screen of generated programs (up to 300 events with long Kazakh
titles) in the three languages and checks each message the way Telegram would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiogram.types import InlineKeyboardMarkup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.config import Settings
from bot.i18n import create_i18n, in_language
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import LANGS, Program
from bot.services.schedule import FILTER_KINDS, day_page, now_and_next
from bot.services.signups import EventState
from bot.storage import Database
from bot.storage.signups import Signup
from bot.texts import greeting, help_text
from bot.views import places, schedule
from tests.fakes.telegram import parse_html
from tests.programgen import generate_program

Screen = tuple[str, InlineKeyboardMarkup | None]
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


def screens(program: Program) -> Iterator[Screen]:
    """Every message the schedule, card, now and venue views can make of `program`."""
    kinds: list[int | None] = [None, *range(len(FILTER_KINDS))]
    sections: list[str | None] = [None, *(section.id for section in program.sections)]
    for lang in LANGS:
        with in_language(lang):
            yield greeting(program, lang, "Ә" * 64), None
            yield help_text(program, lang, organizer=True), None
            for day in range(len(program.forum.days)):
                for kind in kinds:
                    for section in sections:
                        first = schedule.schedule_screen(
                            program, lang, day, kind=kind, section=section
                        )
                        yield first
                        yield schedule.schedule_screen(
                            program, lang, day, kind=kind, section=section, page=10_000
                        )
                pages = day_page(program, day).pages
                for page in range(pages):
                    yield schedule.schedule_screen(program, lang, day, page=page)
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


def check(text: str, markup: InlineKeyboardMarkup | None) -> None:
    shown, _entities = parse_html(text)  # raises on HTML that Telegram would refuse
    assert 1 <= len(shown) <= 4096, (len(shown), shown[:200])
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
