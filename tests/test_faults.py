"""Fault injection end to end: the fake Bot API fails at random while people use the bot.

Server errors, held answers the client gives up on, dropped connections and 429 floods hit
replies, callback answers, edits and a broadcast on the durable delivery queue. The bot owes
each person a help text (which a button press turns into the language screen), the museum's
pin and card in answer to a question, and the broadcast: each must arrive exactly once, and
every button press must be answered.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from bot.program import Program
from bot.services.broadcasts import Audience, AudienceKind, Draft
from tests.conftest import ORGANIZER_ID
from tests.fakes.telegram import Chaos, FakeTelegram, FakeUser
from tests.test_e2e import start_bot

PEOPLE = 30
LANGUAGE = "🌐"  # the language screen a menu press opens
NEWS = "Hall B opens at 9:00 sharp."
CLIENT_TIMEOUT = 1.0  # seconds the bot waits for an answer (shortened from 60 for the test)


def kind_of(kind: str, text: str) -> str:
    if kind in ("location", "venue"):
        return "pin"
    if text == NEWS:
        return "news"
    if text.startswith(LANGUAGE):
        return "language"
    return "help" if text.startswith("What I can do") else "answer"


async def test_random_faults_lose_no_reply_and_no_delivery(
    sample_program: Program, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        running = await start_bot(
            fake,
            sample_program,
            tmp_path,
            request_timeout=CLIENT_TIMEOUT,
            admin_ids=frozenset({ORGANIZER_ID}),
        )
        app = running.app
        try:
            fake.chaos(
                Chaos(
                    server_errors=0.12,
                    drops=0.08,
                    timeouts=0.05,
                    bursts=0.03,
                    hold=CLIENT_TIMEOUT + 0.5,
                    seed=8,
                )
            )
            people = [
                FakeUser(id=7000 + n, first_name=f"P{n}", language_code="en")
                for n in range(PEOPLE)
            ]
            for person in people:
                fake.send_message(person, "/help")
            for person in people:
                await fake.wait_messages(person.id, 1, timeout=90)

            created = await app.broadcasts.create(
                ORGANIZER_ID, Draft(Audience(AudienceKind.EVERYONE), {"en": NEWS}, "en")
            )
            queries = []
            for person in people:
                fake.send_message(person, "where is the museum")
                help_message = fake.chat(person.id)[0]
                queries.append(
                    fake.press(person, help_message, help_message.button_data("Language"))
                )
            for person in people:
                await fake.wait_messages(person.id, 3, timeout=90)
            for query in queries:
                await fake.wait_answered(query, timeout=90)

            def delivered() -> bool:
                return all(any(m.text == NEWS for m in fake.chat(person.id)) for person in people)

            await fake.wait_for(delivered, timeout=90)
            fake.chaos(None)
            await asyncio.sleep(1.5)  # anything sent twice would show by now
            report = await app.broadcasts.report(created.id)
        finally:
            await running.stop()

        # the faults really happened, of every kind
        assert set(fake.faults_injected) == {"server_error", "drop", "timeout", "burst"}
        assert sum(fake.faults_injected.values()) >= 20

        for person in people:
            messages = fake.chat(person.id)
            kinds = Counter(kind_of(m.kind, m.text or "") for m in messages)
            # the help message became the language screen in place; the museum answer is its
            # pin and its card; each arrived once
            assert kinds == {"language": 1, "pin": 1, "answer": 1, "news": 1}, messages
        assert report is not None
        assert report.broadcast.status == "done"
        assert (report.sent, report.failed, report.waiting) == (PEOPLE, 0, 0)
