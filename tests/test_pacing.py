"""The pacer's per-chat limit: it holds however long sends wait for their turn overall, and
replies and deliveries share it."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
from aiogram.methods import SendMessage

from bot.clock import ManualClock
from bot.delivery.pacing import Pacer
from bot.delivery.sender import Sender
from bot.services.broadcasts import Audience, AudienceKind, Draft
from tests.conftest import ORGANIZER_ID, Offline


async def test_a_chat_gets_at_most_three_sends_in_three_seconds_behind_a_backlog() -> None:
    pacer = Pacer(rate=200.0)
    loop = asyncio.get_running_loop()
    answered: list[float] = []

    async def send(chat: int) -> None:
        async with pacer.slot(chat):
            await asyncio.sleep(0)  # the request
        if chat == 1:
            answered.append(loop.time())

    backlog = [asyncio.create_task(send(1000 + n)) for n in range(700)]  # ~3.5 s of turns
    await asyncio.sleep(0)
    ours = [asyncio.create_task(send(1)) for _ in range(6)]
    await asyncio.gather(*backlog, *ours)

    assert len(answered) == 6
    for first, fourth in zip(answered, answered[3:], strict=False):
        assert fourth - first >= 3.0  # never a fourth send to the chat within three seconds


async def test_a_send_cancelled_while_waiting_does_not_hold_its_chat() -> None:
    pacer = Pacer(rate=1.0)
    async with pacer.slot(5):
        pass
    waiting = asyncio.create_task(pacer.slot(7).__aenter__())  # behind the first send's turn
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    for _ in range(2):
        async with pacer.slot(7, paid=True):
            pass
    assert pacer.chat_free_in(7) == 0  # the cancelled one did not take one of its three places


async def test_a_chat_is_free_again_once_its_window_has_passed_since_the_answers() -> None:
    pacer = Pacer(rate=1000.0, chat_rate=20.0, chat_burst=2)  # two per 0.1 s (+ margin)
    assert pacer.chat_free_in(9) == 0
    async with pacer.slot(9):
        assert pacer.chat_free_in(9) == 0  # one of two places taken
    async with pacer.slot(9):
        assert pacer.chat_free_in(9) > 0.1  # both taken, one unanswered: a whole window
    busy_for = pacer.chat_free_in(9)
    assert 0.1 < busy_for <= 0.15
    assert pacer.chat_free_in(10) == 0  # another chat is not held by it
    await asyncio.sleep(busy_for)
    assert pacer.chat_free_in(9) == 0


async def test_a_delivery_waits_in_the_outbox_while_replies_hold_the_persons_chat(
    offline: Offline,
) -> None:
    app = offline.app
    pacer = Pacer(rate=1000.0, chat_rate=10.0, chat_burst=3)  # three per 0.35 s
    sender = Sender(app.bot, app.outbox, app.people, app.clock, pacer=pacer)
    for person in (1, 2):
        await app.people.recognize(
            person, full_name=f"P{person}", username=None, telegram_language="ru"
        )
    draft = Draft(Audience(AudienceKind.EVERYONE), {"ru": "Обед в 13:30."}, "ru")
    await app.broadcasts.create(ORGANIZER_ID, draft)
    for _ in range(3):  # the bot just answered person 1 three times
        async with pacer.slot(1):
            pass

    await sender.drain()
    assert delivered_to(offline) == [2]  # person 1's copy waits; the queue did not
    assert pacer.chat_free_in(1) > 0
    await sender.drain()
    assert delivered_to(offline) == [2]  # not due yet
    await asyncio.sleep(pacer.chat_free_in(1))
    assert isinstance(app.clock, ManualClock)
    app.clock.advance(timedelta(seconds=0.4))  # the window, on the bot's clock too
    await sender.drain()
    assert delivered_to(offline) == [2, 1]  # then it went, once


def delivered_to(offline: Offline) -> list[int | str]:
    return [
        r.chat_id
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.text == "Обед в 13:30."
    ]


async def test_a_loop_that_wakes_late_does_not_slow_the_pace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A loop busy with a crowd's updates comes back to each sleeping send a little late; the
    # next start is still due a 30th of a second after the last one was due.
    clock = [0.0]

    async def late_sleep(seconds: float) -> None:
        clock[0] += seconds + 0.01  # ten milliseconds late, every time

    pacer = Pacer(rate=30.0)
    monkeypatch.setattr(Pacer, "_now", staticmethod(lambda: clock[0]))
    monkeypatch.setattr("bot.delivery.pacing.asyncio.sleep", late_sleep)
    starts = []
    for n in range(30):
        async with pacer.slot(1000 + n):
            starts.append(clock[0])
    assert starts[-1] - starts[0] == pytest.approx(29 / 30 + 0.01)  # not 29 × (1/30 + 0.01)
    assert min(b - a for a, b in itertools.pairwise(starts)) > 1 / 30 - 0.01 - 1e-9  # no burst
