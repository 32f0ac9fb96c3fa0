"""Reminders: planning 20,000 of them at start-up, and how late the last of 1,000 arrives.

Run from the repository root: `python -m bench.reminders`.
1. 1,000 people each hold 20 events (seats or "remind me"): the planner reads everything from
   SQLite on disk and computes the jobs (the start-up and after-every-change cost).
2. One training, which everyone is reminded of, with 1,000 recipients, delivered to the fake
   Bot API limited to 30 messages/s; a rehearsal clock puts the fire time a minute ahead, the
   real APScheduler fires the job, and the last reminder's arrival is compared with its lead
   time (negative: early, as it must be).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.machine import describe, pin_to_one_core
from bot.app import create_app
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.offline import OfflineSession
from bot.program import Program, load_program
from bot.storage import Database, PeopleRepository
from bot.storage.signups import SignupRepository
from tests.fakes.telegram import FakeTelegram, FakeUser

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "forum.yaml"
TRAINING = "training-media-literacy"  # 16:30 on the first day, everyone reminded 30 min before


def roomy(program: Program) -> Program:
    events = tuple(
        e.model_copy(update={"capacity": 5000}) if e.capacity is not None else e
        for e in program.events
    )
    return program.model_copy(update={"events": events})


async def people(db: Database, count: int, fake: FakeTelegram | None = None) -> None:
    repo = PeopleRepository(db)
    now = datetime.now(UTC)
    for person in range(1, count + 1):
        await repo.seen(
            person, full_name=f"P{person}", username=None, telegram_language="ru", now=now
        )
        if fake is not None:
            fake.add_user(FakeUser(id=person, first_name=f"P{person}"))


async def planning(people_count: int, per_person: int, rounds: int) -> tuple[float, int, int]:
    program = roomy(load_program(SAMPLE).program)
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        settings = Settings(_env_file=None)
        app = await create_app(
            settings,
            program,
            db=db,
            session=OfflineSession(),
            token="1:bench",
            clock=ShiftedClock(datetime(2026, 12, 1, tzinfo=UTC)),
        )
        await people(db, people_count)
        signups = SignupRepository(db)
        with_seats = [e.id for e in program.events if e.capacity is not None]
        others = [e.id for e in program.events if e.capacity is None and not e.cancelled]
        chosen = (with_seats + others)[:per_person]
        now = datetime.now(UTC)
        for person in range(1, people_count + 1):
            for event_id in chosen:
                if event_id in with_seats:
                    await signups.take(person, event_id, 5000, now)
                else:
                    await signups.set_reminder(person, event_id, now, on=True)
        timings = []
        jobs = []
        for _ in range(rounds):
            started = time.perf_counter()
            jobs = await app.reminders.replan()
            timings.append(time.perf_counter() - started)
        reminders = sum(job.recipients for job in jobs)
        await app.close()
    return statistics.median(timings), len(jobs), reminders


async def lateness(recipients: int) -> tuple[float, float, int]:
    program = load_program(SAMPLE).program
    fire_at = program.events_by_id[TRAINING].starts_at - timedelta(minutes=30)
    async with FakeTelegram(overall_rate=30, per_chat_rate=1) as fake:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(_env_file=None, bot_token=fake.token, telegram_api_url=fake.url)
            clock = ShiftedClock(fire_at - timedelta(seconds=60))
            db = await Database.open(Path(folder) / "bench.db")
            app = await create_app(settings, program, db=db, clock=clock)
            await people(db, recipients, fake)
            app.sender.start()
            app.jobs.start()
            await app.reminders.replan()
            await fake.wait_for(
                lambda: sum(c.status == 200 for c in fake.calls_to("sendMessage")) >= recipients,
                timeout=300,
            )
            await app.close()
        loop_now = asyncio.get_running_loop().time()
        delivered = [c for c in fake.calls_to("sendMessage") if c.status == 200]
        last = clock.now() - timedelta(seconds=loop_now - delivered[-1].at)
        first = clock.now() - timedelta(seconds=loop_now - delivered[0].at)
        too_many = sum(c.status == 429 for c in fake.calls_to("sendMessage"))
    return (first - fire_at).total_seconds(), (last - fire_at).total_seconds(), too_many


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--recipients", type=int, default=1000)
    args = parser.parse_args(argv)
    pinned = pin_to_one_core()
    plan_s, jobs, reminders = asyncio.run(planning(args.people, args.events, 5))
    first, last, too_many = asyncio.run(lateness(args.recipients))
    lines = [
        describe(pinned),
        "",
        "| measure | result | goal |",
        "|---|---:|---|",
        f"| plan {reminders} reminders ({args.people} people × {args.events} events) into {jobs}"
        f" jobs, median of 5 | {plan_s * 1000:.0f} ms | under 1 s |",
        f"| one training, {args.recipients} recipients at 30/s: first reminder vs its lead time "
        f"| {first:+.1f} s | |",
        f"| … the last reminder vs its lead time | {last:+.1f} s | not late (≤ 0) |",
        f"| 429s during the fan-out | {too_many} | rare |",
    ]
    print("\n".join(lines))
    return 0 if plan_s < 1 and last <= 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
