"""The delivery queue against the fake Bot API: Telegram's limits, faults, blocks, restarts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.config import Settings
from bot.delivery.pacing import Pacer
from bot.delivery.sender import MAX_ATTEMPTS, MAX_BACKOFF_S, Sender, backoff_ceiling
from bot.offline import OfflineSession
from bot.program import Program
from bot.services.broadcasts import Audience, AudienceKind, Draft
from bot.storage import Database, PeopleRepository
from tests.conftest import ORGANIZER_ID, SAMPLE_PROGRAM
from tests.fakes.telegram import FakeTelegram, FakeUser

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def add_people(db: Database, ids: range, fake: FakeTelegram | None = None) -> None:
    repo = PeopleRepository(db)
    for person_id in ids:
        await repo.seen(
            person_id, full_name=f"P{person_id}", username=None, telegram_language="ru", now=NOW
        )
        if fake is not None:
            fake.add_user(FakeUser(id=person_id, first_name=f"P{person_id}", language_code="ru"))


async def broadcast_to_everyone(app: App, text: str, *, paid: bool = False) -> int:
    """As the organizer's Send does; the report goes to a message of theirs if they have one."""
    draft = Draft(Audience(AudienceKind.EVERYONE), {"ru": text}, "ru", paid=paid)
    created = await app.broadcasts.create(ORGANIZER_ID, draft)
    return created.id


async def wait_until_done(app: App, broadcast_id: int, seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while True:
            report = await app.broadcasts.report(broadcast_id)
            assert report is not None
            if report.broadcast.status == "done":
                return
            await asyncio.sleep(0.2)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(overall_rate=30, per_chat_rate=1, retry_after=1) as server:
        yield server


async def live_app(
    fake: FakeTelegram, program: Program, tmp_path: Path, **settings: object
) -> App:
    options = Settings(
        _env_file=None,
        bot_token=fake.token,
        telegram_api_url=fake.url,
        admin_ids=frozenset({ORGANIZER_ID}),
        database_url=f"sqlite:///{tmp_path / 'forum.db'}",
        **settings,  # type: ignore[arg-type]
    )
    db = await Database.open(options.database_path)
    return await create_app(options, program, db=db)


async def test_a_thousand_recipients_each_get_it_once_within_telegrams_limits(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    app = await live_app(fake, sample_program, tmp_path)
    await add_people(app.db, range(1, 1001), fake)
    blocked = set(range(1, 1001, 20))  # 50 people blocked the bot
    for person_id in blocked:
        fake.block(person_id)

    async def flaky() -> None:  # about one send in ten answers 502 Bad Gateway
        seen = 0
        while True:
            await asyncio.sleep(0.1)
            calls = len(fake.calls_to("sendMessage"))
            if calls - seen >= 10:
                seen = calls
                fake.fail_next("sendMessage", 502)

    chaos = asyncio.create_task(flaky())
    try:
        app.sender.start()
        number = await broadcast_to_everyone(app, "Добро пожаловать на форум!")
        await wait_until_done(app, number, seconds=120)
    finally:
        chaos.cancel()
        await app.close()
    delivered = Counter(
        call.params["chat_id"] for call in fake.calls_to("sendMessage") if call.status == 200
    )
    reachable = set(range(1, 1001)) - blocked
    with sqlite3.connect(tmp_path / "forum.db") as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        marked = {row[0] for row in conn.execute("SELECT id FROM people WHERE blocked = 1")}
        rows = conn.execute("SELECT person_id, state, attempts, last_error FROM outbox").fetchall()
    missing = reachable - {int(chat) for chat in delivered}
    history = {  # what each missing person's sends were answered, to tell why
        person: [
            (call.status, call.response.get("description"))
            for call in fake.calls_to("sendMessage")
            if int(call.params.get("chat_id", 0)) == person
        ]
        for person in missing
    }
    outcomes = [row for row in rows if row[0] in missing]
    assert not missing, f"never delivered: {outcomes} {history}"
    assert {int(chat) for chat in delivered} == reachable
    assert set(delivered.values()) == {1}  # exactly once each
    sends = len(fake.calls_to("sendMessage"))
    too_many = sum(call.status == 429 for call in fake.calls_to("sendMessage"))
    assert too_many < sends / 100  # pacing keeps 429s rare
    assert states == {"sent": 950, "blocked": 50}
    assert marked == blocked


async def test_paid_broadcasts_go_faster_with_the_flag(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    app = await live_app(fake, sample_program, tmp_path, paid_broadcast=True)
    await add_people(app.db, range(1, 121), fake)
    started = asyncio.get_running_loop().time()
    try:
        app.sender.start()
        await wait_until_done(app, await broadcast_to_everyone(app, "Быстро", paid=True), 30)
    finally:
        await app.close()
    elapsed = asyncio.get_running_loop().time() - started
    calls = [c for c in fake.calls_to("sendMessage") if c.status == 200]
    assert len(calls) == 120
    assert all(call.params.get("allow_paid_broadcast") is True for call in calls)
    assert elapsed < 3  # 120 messages at the unpaid 30/s would take 4 s


async def test_a_broadcast_survives_a_kill_with_nobody_missing_and_one_duplicate_at_most(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    # The broadcast is queued by a bot that then goes away (as after /broadcast → Send).
    db = await Database.open(database)
    settings = Settings(_env_file=None, admin_ids=frozenset({ORGANIZER_ID}))
    queued = await create_app(
        settings, sample_program, db=db, session=OfflineSession(), token="1:offline"
    )
    await add_people(db, range(1, 301), fake)
    await broadcast_to_everyone(queued, "Программа обновлена")
    await db.close()

    env = {
        **os.environ,
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": f"sqlite:///{database}",
        "PROGRAM_FILE": str(SAMPLE_PROGRAM),
        "ADMIN_IDS": str(ORGANIZER_ID),
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    def delivered() -> Counter[int]:
        return Counter(
            int(call.params["chat_id"])
            for call in fake.calls_to("sendMessage")
            if call.status == 200 and call.params.get("text") == "Программа обновлена"
        )

    first = await start()
    try:
        await fake.wait_for(lambda: len(delivered()) >= 90, timeout=60)
    finally:
        first.kill()  # no graceful shutdown
        await first.wait()
    assert len(delivered()) < 300
    second = await start()
    try:
        await fake.wait_for(lambda: len(delivered()) == 300, timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(second.wait(), 30)
    counts = delivered()
    assert set(counts) == set(range(1, 301))  # nobody missing
    assert sum(n - 1 for n in counts.values()) <= 1  # at most one duplicate per crash


async def test_a_message_telegram_keeps_failing_is_given_up_after_its_attempts_saying_why(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    app = await live_app(fake, sample_program, tmp_path)
    await add_people(app.db, range(1, 3), fake)
    fake.fail_next("sendMessage", 502, times=1_000)  # Telegram down for good
    sender = Sender(  # as the app's, with waits of milliseconds
        app.delivery_bot,
        app.outbox,
        app.people,
        app.clock,
        pacer=Pacer(),
        max_attempts=3,
        base_backoff=0.05,
    )
    try:
        await broadcast_to_everyone(app, "Добро пожаловать на форум!")
        sender.start()
        await fake.wait_for(lambda: len(fake.calls_to("sendMessage")) >= 6, timeout=10)
        await asyncio.sleep(0.5)  # more than the longest wait: no further try comes
    finally:
        await sender.stop()
        await app.close()
    tries = Counter(call.params["chat_id"] for call in fake.calls_to("sendMessage"))
    assert tries == {1: 3, 2: 3}
    with sqlite3.connect(tmp_path / "forum.db") as conn:
        rows = conn.execute("SELECT state, attempts, last_error FROM outbox").fetchall()
    assert [row[:2] for row in rows] == [("failed", 3), ("failed", 3)]
    assert all("Bad Gateway" in row[2] for row in rows)


def test_server_errors_are_retried_for_two_minutes_at_least_waiting_a_minute_at_most() -> None:
    """A short outage of Telegram must not fail a broadcast: the waits before each next try,
    drawn from the upper half of their ceiling, add up to two minutes at the shortest."""
    ceilings = [backoff_ceiling(attempt) for attempt in range(MAX_ATTEMPTS - 1)]
    assert ceilings[:3] == [1.0, 2.0, 4.0]
    assert max(ceilings) == MAX_BACKOFF_S == 60.0
    assert sum(ceiling / 2 for ceiling in ceilings) >= 120
    assert backoff_ceiling(10_000) == MAX_BACKOFF_S  # no overflow however many


async def test_an_answer_the_sender_has_no_rule_for_fails_that_message_and_the_rest_go(
    fake: FakeTelegram, sample_program: Program, tmp_path: Path
) -> None:
    app = await live_app(fake, sample_program, tmp_path)
    await add_people(app.db, range(1, 4), fake)
    fake.fail_next("sendMessage", 404, "Not Found")
    try:
        app.sender.start()
        number = await broadcast_to_everyone(app, "Добро пожаловать на форум!")
        await wait_until_done(app, number, seconds=30)
    finally:
        await app.close()
    with sqlite3.connect(tmp_path / "forum.db") as conn:
        rows = conn.execute("SELECT state, last_error FROM outbox ORDER BY state").fetchall()
    assert [state for state, _ in rows] == ["failed", "sent", "sent"]  # none left `sending`
    assert "Not Found" in rows[0][1]
