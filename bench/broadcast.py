"""A broadcast through the delivery queue against the fake Bot API, at Telegram's 30/s and at
1000/s (the pipeline's own ceiling). Run from the repository root: `python -m bench.broadcast`.

The fake server (tests/fakes/telegram.py) answers like Telegram, including 429 with retry_after
when its limit is passed; the bot's own pacing should keep those rare.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import describe
from bot.app import create_app
from bot.config import Settings
from bot.program import load_program
from bot.services.broadcasts import Audience, AudienceKind, Draft
from bot.storage import Database, PeopleRepository
from tests.fakes.telegram import FakeTelegram, FakeUser

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "forum.yaml"
ORGANIZER = 500


@dataclass(frozen=True)
class Result:
    limit: str
    recipients: int
    seconds: float
    rate: float  # delivered per second, first to last send
    too_many: int  # 429 answers
    sends: int
    rss_mb: float


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(recipients: int, server_rate: float | None, bot_rate: float, label: str) -> Result:
    async with FakeTelegram(overall_rate=server_rate, per_chat_rate=1) as fake:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                _env_file=None,
                bot_token=fake.token,
                telegram_api_url=fake.url,
                admin_ids=frozenset({ORGANIZER}),
                delivery_rate=bot_rate,
            )
            db = await Database.open(Path(folder) / "bench.db")
            app = await create_app(settings, load_program(SAMPLE).program, db=db)
            repo = PeopleRepository(db)
            now = datetime.now(UTC)
            for person in range(1, recipients + 1):
                await repo.seen(
                    person, full_name=f"P{person}", username=None, telegram_language="ru", now=now
                )
                fake.add_user(FakeUser(id=person, first_name=f"P{person}"))
            app.sender.start()
            draft = Draft(Audience(AudienceKind.EVERYONE), {"ru": "Добрый день!"}, "ru")
            created = await app.broadcasts.create(ORGANIZER, draft)
            while True:
                report = await app.broadcasts.report(created.id)
                assert report is not None
                if report.broadcast.status == "done":
                    break
                await asyncio.sleep(0.5)
            await app.close()
        calls = fake.calls_to("sendMessage")
        delivered = [call for call in calls if call.status == 200]
        span = delivered[-1].at - delivered[0].at if len(delivered) > 1 else 0.0
        return Result(
            limit=label,
            recipients=recipients,
            seconds=span,
            rate=(len(delivered) - 1) / span if span else 0.0,
            too_many=sum(call.status == 429 for call in calls),
            sends=len(calls),
            rss_mb=rss_mb(),
        )


def render(results: Sequence[Result], machine: str) -> str:
    lines = [
        machine,
        "",
        "| server limit | recipients | seconds | delivered / s | 429s | 429 share | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.limit} | {r.recipients} | {r.seconds:.1f} | {r.rate:.1f} | {r.too_many} "
            f"| {r.too_many / max(r.sends, 1):.2%} | {r.rss_mb:.0f} |"
        )
    limited = results[0]
    lines += [
        "",
        f"- goal ≥ 28 messages/s at the 30/s limit: {'met' if limited.rate >= 28 else 'NOT met'}"
        f" ({limited.rate:.1f}/s)",
        f"- goal < 1% of sends answered 429: "
        f"{'met' if limited.too_many < limited.sends / 100 else 'NOT met'}",
    ]
    return "\n".join(lines)


async def main_async(recipients: int) -> list[Result]:
    return [
        await run(recipients, 30.0, 30.0, "30/s (Telegram)"),
        await run(recipients, None, 1000.0, "none (bot paced at 1000/s)"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=5000)
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args.recipients))
    print(render(results, describe("not pinned: the fake server shares the process")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
