"""Sign-ups through the whole dispatcher with SQLite on disk: presses per second, 200 at once.

Run from the repository root: `python -m bench.signups`. Each press is a callback update fed
to the real Dispatcher (middlewares, handler, service, repository, SQLite in WAL mode on disk,
the answer and the redrawn card through the offline session, which costs no network time).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiogram.types import Chat, Message

from bench.machine import describe, percentile, pin_to_one_core
from bot.app import App, create_app
from bot.callbacks import Origin, SignupAction, SignupCb
from bot.clock import ManualClock
from bot.config import Settings
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import Program, load_program
from bot.storage import Database

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "forum.yaml"
EVENT = "training-media-literacy"  # 30 seats


@dataclass(frozen=True)
class Run:
    sequential_per_second: float
    press_p50_ms: float
    press_p99_ms: float
    burst_seconds: float  # 200 presses at once
    seats: int
    waiting: int


def bigger(program: Program, capacity: int) -> Program:
    """The sample with every capacity raised, so sequential presses all take seats."""
    events = tuple(
        e.model_copy(update={"capacity": capacity}) if e.capacity is not None else e
        for e in program.events
    )
    return program.model_copy(update={"events": events})


async def app_in(folder: Path, program: Program) -> tuple[App, OfflineSession]:
    db = await Database.open(folder / "bench.db")
    session = OfflineSession()
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    app = await create_app(
        Settings(_env_file=None), program, db=db, session=session, token="1:bench", clock=clock
    )
    return app, session


def press_data(event_id: str) -> str:
    return SignupCb(action=SignupAction.JOIN, id=event_id, origin=Origin.LIST).pack()


def chat_of(app: App, session: OfflineSession, person: int) -> tuple[OfflineChat, Message]:
    chat = OfflineChat(app.dispatcher, app.bot, session, OfflineUser(person, f"P{person}"))
    listing = Message(
        message_id=1, date=datetime.now(UTC), chat=Chat(id=person, type="private"), text="list"
    )
    return chat, listing


async def one_run(presses: int, sample: Program) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        app, session = await app_in(Path(folder), bigger(sample, presses))
        events = [e.id for e in sample.events if e.capacity is not None]
        timings: list[float] = []
        started = time.perf_counter()
        for person in range(presses):
            chat, listing = chat_of(app, session, 1_000_000 + person)
            one = time.perf_counter()
            await chat.press(press_data(events[person % len(events)]), listing)
            timings.append((time.perf_counter() - one) * 1000)
        sequential = presses / (time.perf_counter() - started)
        await app.close()
    with tempfile.TemporaryDirectory() as folder:
        app, session = await app_in(Path(folder), sample)
        chats = [chat_of(app, session, 2_000_000 + n) for n in range(200)]
        started = time.perf_counter()
        await asyncio.gather(*(chat.press(press_data(EVENT), msg) for chat, msg in chats))
        burst = time.perf_counter() - started
        counts = (await app.signups.stats()).events
        row = next(r for r in counts if r.event.id == EVENT)
        await app.close()
    timings.sort()
    return Run(
        sequential_per_second=sequential,
        press_p50_ms=statistics.median(timings),
        press_p99_ms=percentile(timings, 0.99),
        burst_seconds=burst,
        seats=row.counts.seats,
        waiting=row.counts.waitlist,
    )


def render(runs: Sequence[Run], presses: int, machine: str) -> str:
    best = max(runs, key=lambda run: run.sequential_per_second)
    median = sorted(runs, key=lambda run: run.sequential_per_second)[len(runs) // 2]
    bursts = sorted(run.burst_seconds for run in runs)
    lines = [
        machine,
        "",
        "| measure | median of runs | best run |",
        "|---|---:|---:|",
        f"| sign-ups per second, one after another ({presses} people) "
        f"| {median.sequential_per_second:.0f} | {best.sequential_per_second:.0f} |",
        f"| one press, p50 ms | {median.press_p50_ms:.2f} | {best.press_p50_ms:.2f} |",
        f"| one press, p99 ms | {median.press_p99_ms:.2f} | {best.press_p99_ms:.2f} |",
        f"| 200 presses at once on a 30-seat training, s | {statistics.median(bursts):.3f} "
        f"| {bursts[0]:.3f} |",
        "",
        f"Every run: {runs[0].seats} seats taken, {runs[0].waiting} on the waitlist "
        f"({len(runs)} runs, SQLite in WAL mode on disk).",
    ]
    return "\n".join(lines)


async def main_async(presses: int, runs: int) -> list[Run]:
    sample = load_program(SAMPLE).program
    return [await one_run(presses, sample) for _ in range(runs)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presses", type=int, default=1000, help="sequential sign-ups per run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    pinned = pin_to_one_core()
    runs = asyncio.run(main_async(args.presses, args.runs))
    assert all(run.seats == 30 and run.waiting == 170 for run in runs)
    print(render(runs, args.presses, describe(pinned)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
