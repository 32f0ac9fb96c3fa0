"""The pacer's per-chat limit holds however long sends wait for their turn overall."""

from __future__ import annotations

import asyncio

from bot.delivery.pacing import Pacer


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
    for _ in range(3):  # the cancelled one did not take one of chat 7's three places
        async with pacer.slot(7, paid=True):
            pass
