"""Storage: migrations, pragmas, the people repository, refusing files that are not ours."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.services.people import PeopleService
from bot.storage import Database, DatabaseRefused, PeopleRepository
from bot.storage.db import APPLICATION_ID
from bot.storage.migrations import MIGRATIONS
from bot.storage.outbox import NewMessage, Payload
from bot.storage.reminders import CHUNK, Due, ReminderRepository
from bot.storage.signups import SignupRepository
from tests.conftest import Offline

T0 = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)


@asynccontextmanager
async def signups_of(tmp_path: Path, *people: int) -> AsyncIterator[SignupRepository]:
    """Sign-ups of a fresh database that knows these people (signups refer to people)."""
    db = await Database.open(tmp_path / "forum.db")
    try:
        for person_id in people:
            await PeopleRepository(db).seen(
                person_id, full_name="A", username=None, telegram_language="en", now=T0
            )
        yield SignupRepository(db)
    finally:
        await db.close()


async def test_new_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "forum.db")
    try:
        assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
        assert await db.fetch_value("PRAGMA application_id") == APPLICATION_ID
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await db.close()
    assert (tmp_path / "sub" / "forum.db").exists()


async def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    db = await Database.open(path)
    await PeopleRepository(db).seen(
        1, full_name="A", username=None, telegram_language="kk", now=T0
    )
    await db.close()
    db = await Database.open(path)
    try:
        person = await PeopleRepository(db).get(1)
        assert person is not None and person.full_name == "A"
        assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
    finally:
        await db.close()


async def test_a_database_of_the_schema_before_declines_upgrades_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.db"
    old = 6  # the schema before `declined`: as a bot of 2026-11 left it
    with sqlite3.connect(path) as conn:
        for migration in MIGRATIONS[:old]:
            for statement in migration:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {old}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(
            "INSERT INTO people (id, full_name, first_seen, last_seen) VALUES (1, 'A', ?, ?)",
            (T0.isoformat(), T0.isoformat()),
        )
        conn.execute(
            "INSERT INTO signups (person_id, event_id, status, created_at) "
            "VALUES (1, 'training', 'seat', ?)",
            (T0.isoformat(),),
        )
    conn.close()
    db = await Database.open(path)
    try:
        assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
        repo = SignupRepository(db)
        assert await repo.seats_by_event() == {"training": {1}}  # kept
        assert await repo.declined_by_event() == {}
        assert await repo.release(1, "training", 30, promote=True, now=T0) == ("seat", [])
        assert await repo.declined_by_event() == {"training": {1}}
        with pytest.raises(sqlite3.IntegrityError):  # only people the bot knows
            await db.execute(
                "INSERT INTO declined (person_id, event_id, created_at) VALUES (2, 'x', ?)",
                (T0.isoformat(),),
            )
        await db.execute("DELETE FROM people WHERE id = 1")
        assert await repo.declined_by_event() == {}  # gone with the person
    finally:
        await db.close()


async def test_giving_up_is_recorded_with_the_release_and_cleared_by_coming_back(
    tmp_path: Path,
) -> None:
    async with signups_of(tmp_path, 1, 2) as repo:
        assert await repo.release(1, "training", 30, promote=True, now=T0) == (None, [])
        assert await repo.declined_by_event() == {}  # nothing held, nothing given up
        await repo.take(1, "training", 1, T0)
        await repo.take(2, "training", 1, T0)  # waits
        assert await repo.release(2, "training", 1, promote=True, now=T0) == ("waitlist", [])
        assert await repo.release(1, "training", 1, promote=True, now=T0) == ("seat", [])
        assert await repo.declined_by_event() == {"training": {1, 2}}
        await repo.take(1, "training", 1, T0)  # signed up again
        await repo.set_reminder(2, "training", T0, on=True)  # asked to be reminded
        assert await repo.declined_by_event() == {}
        await repo.set_reminder(2, "training", T0, on=False)
        assert await repo.declined_by_event() == {}  # "don't remind me" is not giving up


async def test_free_seats_go_to_the_first_in_line_and_a_lowered_capacity_to_nobody(
    tmp_path: Path,
) -> None:
    async with signups_of(tmp_path, *range(1, 7)) as repo:
        assert await repo.take(1, "training", 2, T0) == [1]
        assert await repo.take(2, "training", 2, T0) == [2]
        for person_id in (3, 4, 5, 6):
            assert await repo.take(person_id, "training", 2, T0) == []  # they wait, in order
        assert await repo.fill("training", 1) == []  # capacity cut below the seats held
        assert await repo.seats_by_event() == {"training": {1, 2}}
        assert await repo.fill("training", 5) == [3, 4, 5]  # raised: the first three in line
        assert await repo.release(3, "training", 5, promote=True, now=T0) == ("seat", [6])
        assert await repo.seats_by_event() == {"training": {1, 2, 4, 5, 6}}


async def test_a_standing_names_the_seats_held_elsewhere_in_the_order_they_were_taken(
    tmp_path: Path,
) -> None:
    async with signups_of(tmp_path, 1, 2) as repo:
        assert (await repo.standing(1, "training")).seats == ()
        for event in ("section-b", "training", "section-a"):
            await repo.take(1, event, 5, T0)
        await repo.take(2, "full", 0, T0)  # a waitlist place of someone else
        await repo.take(1, "full", 0, T0)  # and theirs: not a seat
        standing = await repo.standing(1, "training")
        assert standing.seats == ("section-b", "training", "section-a")
        assert standing.signup is not None and standing.signup.status == "seat"
        assert (await repo.standing(2, "training")).seats == ()


async def test_an_agenda_reads_places_and_reminders_together(tmp_path: Path) -> None:
    async with signups_of(tmp_path, 1, 2, 3) as repo:
        assert await repo.agenda_of(1) == ([], set())
        await repo.set_reminder(1, "lit-evening", T0, on=True)
        assert await repo.agenda_of(1) == ([], {"lit-evening"})
        await repo.take(2, "training", 1, T0)
        await repo.take(3, "training", 1, T0)
        await repo.take(1, "training", 1, T0)  # third: second in line
        await repo.take(1, "section-a", 5, T0)
        await repo.set_reminder(1, "plenary", T0, on=True)
        held, reminders = await repo.agenda_of(1)
        assert [(s.event_id, s.status, s.position) for s in held] == [
            ("training", "waitlist", 2),
            ("section-a", "seat", None),
        ]
        assert held == await repo.of_person(1)
        assert reminders == {"lit-evening", "plenary"}
        assert await repo.agenda_of(2) == (await repo.of_person(2), set())


async def test_closing_twice_is_harmless(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "forum.db")
    await db.close()
    await db.close()
    assert db.closed


async def test_people_seen_creates_then_refreshes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "forum.db")
    repo = PeopleRepository(db)
    try:
        first = await repo.seen(7, full_name="Ann", username="ann", telegram_language="en", now=T0)
        assert first.first_seen == first.last_seen == T0
        assert first.language is None and not first.blocked
        later = T0 + timedelta(hours=3)
        await repo.set_blocked(7, True)
        again = await repo.seen(
            7, full_name="Ann B", username=None, telegram_language="ru", now=later
        )
        assert again.first_seen == T0 and again.last_seen == later
        assert again.full_name == "Ann B" and again.username is None
        assert again.telegram_language == "ru"
        assert not again.blocked  # writing to the bot means they have not blocked it
        chosen = await repo.set_language(7, "kk")
        assert chosen is not None and chosen.language == "kk"
        assert await repo.set_delegation(7, "omsk")
        stored = await repo.get(7)
        assert stored is not None and stored.delegation_id == "omsk"
        assert stored.first_seen.tzinfo is not None
        assert await repo.count() == 1
        assert await repo.get(8) is None
        assert not await repo.set_blocked(8, True)
    finally:
        await db.close()


async def test_language_outside_the_three_is_refused_by_the_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "forum.db")
    try:
        await PeopleRepository(db).seen(
            1, full_name="A", username=None, telegram_language=None, now=T0
        )
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("UPDATE people SET language = 'de' WHERE id = 1")
    finally:
        await db.close()


async def test_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "forum.db")
    try:

        async def insert_then_fail() -> None:
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO people (id, full_name, first_seen, last_seen) "
                    "VALUES (1, 'A', ?, ?)",
                    (T0.isoformat(), T0.isoformat()),
                )
                raise RuntimeError("disk on fire")

        with pytest.raises(RuntimeError):
            await insert_then_fail()
        assert await db.fetch_value("SELECT count(*) FROM people") == 0
    finally:
        await db.close()


async def test_service_writes_only_when_something_changed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "forum.db")
    clock = ManualClock(T0)
    service = PeopleService(PeopleRepository(db), clock, touch_interval=timedelta(minutes=5))
    try:
        await service.recognize(1, full_name="A", username=None, telegram_language="en")
        clock.advance(timedelta(minutes=1))
        cached = await service.recognize(1, full_name="A", username=None, telegram_language="en")
        assert cached.last_seen == T0  # no write within the interval
        clock.advance(timedelta(minutes=5))
        fresh = await service.recognize(1, full_name="A", username=None, telegram_language="en")
        assert fresh.last_seen == T0 + timedelta(minutes=6)
        renamed = await service.recognize(1, full_name="B", username=None, telegram_language="en")
        assert renamed.full_name == "B"
        stored = await PeopleRepository(db).get(1)
        assert stored is not None and stored.full_name == "B"
    finally:
        await db.close()


async def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    path.write_bytes(b"these are the minutes of the meeting, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match="not a SQLite database"):
        await Database.open(path)
    assert path.read_bytes() == before


async def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseRefused, match="another program"):
        await Database.open(path)
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT name FROM sqlite_schema").fetchall()
    assert tables == [("invoices",)]


async def test_a_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(DatabaseRefused, match="newer version"):
        await Database.open(path)


async def test_in_memory_database(tmp_path: Path) -> None:
    db = await Database.open(None)
    try:
        assert await db.fetch_value("PRAGMA user_version") == len(MIGRATIONS)
    finally:
        await db.close()


async def test_a_locked_or_full_database_during_a_sign_up_gets_a_clear_answer(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.callbacks import Origin, SignupAction, SignupCb

    chat = offline.chat(language_code="en")
    await chat.send("/start")
    repo = offline.app.signups._repo

    async def locked(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(repo, "take", locked)
    data = SignupCb(action=SignupAction.JOIN, id="mc-storytelling", origin=Origin.LIST).pack()
    answer = (await chat.press(data)).answer()
    assert answer.show_alert
    assert answer.text == (
        "Sorry, I could not save that just now: my storage is busy. Nothing was changed; "
        "please try again in a minute."
    )
    monkeypatch.undo()
    assert await offline.app.db.fetch_value("SELECT count(*) FROM signups") == 0
    assert (await chat.press(data)).answer().text == "✅ You are signed up!"  # and it recovers


async def test_a_full_or_locked_database_during_a_delivery_loses_nothing_and_repeats_nothing(
    offline: Offline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiogram.methods import SendMessage

    from bot.services.broadcasts import Audience, AudienceKind, Draft
    from tests.conftest import ORGANIZER_ID

    chats = [offline.chat(9100 + n, language_code="en") for n in range(6)]
    for chat in chats:
        await chat.send("/start")
    app = offline.app
    outbox = app.outbox
    refusals = {"mark_sending": 2, "mark_sent": 3}  # how many times each write fails

    def refusing(name: str, error: str) -> object:
        real = getattr(outbox, name)

        async def write(*args: object) -> object:
            if refusals[name] > 0:
                refusals[name] -= 1
                raise sqlite3.OperationalError(error)
            return await real(*args)

        return write

    monkeypatch.setattr(outbox, "mark_sending", refusing("mark_sending", "database is locked"))
    monkeypatch.setattr(outbox, "mark_sent", refusing("mark_sent", "database or disk is full"))
    news = "The closing ceremony moves to the Conference hall."
    created = await app.broadcasts.create(
        ORGANIZER_ID, Draft(Audience(AudienceKind.EVERYONE), {"en": news}, "en")
    )
    app.sender.start()
    try:
        for _ in range(100):
            report = await app.broadcasts.report(created.id)
            assert report is not None
            if report.sent == len(chats):
                break
            await asyncio.sleep(0.1)
    finally:
        await app.sender.stop()
    assert refusals == {"mark_sending": 0, "mark_sent": 0}  # the faults happened
    sends = [r for r in offline.session.requests if isinstance(r, SendMessage)]
    received = Counter(r.chat_id for r in sends if r.text == news)
    assert received == {chat.user.id: 1 for chat in chats}  # everyone once, nobody twice
    report = await app.broadcasts.report(created.id)
    assert report is not None
    assert (report.sent, report.failed, report.waiting) == (len(chats), 0, 0)
    assert await app.db.fetch_value("PRAGMA integrity_check") == "ok"


async def test_a_big_reminder_fan_out_records_everyone_once_across_its_chunks(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        people = PeopleRepository(db)
        now = datetime(2026, 12, 10, 9, tzinfo=UTC)
        count = CHUNK * 2 + 50  # three transactions
        for person_id in range(1, count + 1):
            await people.seen(
                person_id, full_name="P", username=None, telegram_language="ru", now=now
            )
        starts = now + timedelta(hours=1)
        due = [
            Due(
                p,
                "training",
                starts,
                30,
                NewMessage(p, "reminder", Payload("⏰"), dedupe=f"reminder:{p}:training"),
            )
            for p in range(1, count + 1)
        ]
        repo = ReminderRepository(db)
        assert await repo.record_and_queue(due, now) == count
        assert await repo.record_and_queue(due, now) == 0  # a second run adds nobody
        queued = await db.fetch_value("SELECT count(*) FROM outbox WHERE kind = 'reminder'")
        linked = await db.fetch_value(
            "SELECT count(*) FROM reminders_sent WHERE outbox_id IS NOT NULL"
        )
        assert queued == linked == count
    finally:
        await db.close()


async def test_a_read_does_not_wait_for_a_transaction_and_sees_only_what_is_committed(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "forum.db")
    try:
        now = datetime.now(UTC)
        await PeopleRepository(db).seen(
            7, full_name="Айгерим", username=None, telegram_language="kk", now=now
        )
        name = "SELECT full_name FROM people WHERE id = 7"
        async with db.transaction() as tx:
            await tx.execute("UPDATE people SET full_name = 'Aigerim' WHERE id = 7")
            during = await asyncio.wait_for(db.fetch_value(name), 2)  # not queued behind it
        assert during == "Айгерим"  # the open transaction is not seen
        assert await db.fetch_value(name) == "Aigerim"  # and once committed, it is
        # a statement that writes goes to the writer, even when it begins like a read would
        added = await db.fetch_one(
            "WITH who AS (SELECT 7 AS id) INSERT INTO organizers (person_id, added_by, added_at)"
            " SELECT id, 1, ? FROM who RETURNING person_id",
            (now.isoformat(),),
        )
        assert added is not None and added[0] == 7
        assert await db.fetch_value("SELECT count(*) FROM organizers") == 1
    finally:
        await db.close()
