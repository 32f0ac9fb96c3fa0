"""One budget of outgoing messages, shared by handler replies and the delivery queue.

Telegram allows about 30 messages a second overall and about one a second per chat, with short
bursts tolerated; over either it answers 429 and bans the chat for `retry_after` seconds. The
delivery sender always paced itself, but replies went out as fast as handlers produced them,
so a crowd writing at once (the break after the plenary) drew a storm of 429s and retries.

`Pacer` hands out slots: starts evenly spaced at `rate` a second, never more than `rate` sends
in any window of a second (with a margin), at most `chat_burst` per chat in any `chat_burst /
chat_rate` seconds, and nobody at all while Telegram has told us to wait. `PacingMiddleware`
takes a slot for every request that sends or edits a message.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response

WINDOW = 1.05  # seconds: "per second" as Telegram may count it, with a margin
CHAT_MARGIN = 0.05  # seconds added to the per-chat window for clock jitter
PAID_RATE = 1000.0
FORGET_CHATS_ABOVE = 5_000  # chats remembered before the quiet ones are forgotten

# Requests that put a message into a chat or change one; Telegram counts them all.
_NOT_MESSAGES = frozenset({"sendChatAction", "sendInvoice", "sendGift"})
_COPIES = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def counts_as_message(api_method: str) -> bool:
    if api_method in _NOT_MESSAGES:
        return False
    return api_method.startswith(("send", "editMessage")) or api_method in _COPIES


class Pacer:
    def __init__(
        self,
        *,
        rate: float = 30.0,
        paid_rate: float = PAID_RATE,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
    ) -> None:
        if rate <= 0 or paid_rate <= 0 or chat_rate <= 0 or chat_burst < 1:
            raise ValueError("rates must be positive and the burst at least 1")
        self._interval = 1.0 / rate
        self._paid_interval = 1.0 / paid_rate
        self._chat_burst = chat_burst
        self._chat_window = chat_burst / chat_rate + CHAT_MARGIN
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._turn = asyncio.Lock()  # first come, first served
        self._in_flight = 0
        self._done: deque[float] = deque()  # when the sends of the last window came back
        self._finished = asyncio.Event()
        self._by_chat: dict[int | str, list[list[float]]] = {}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds`."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    @asynccontextmanager
    async def slot(
        self, chat_id: int | str | None = None, *, paid: bool = False
    ) -> AsyncIterator[None]:
        """Hold one send: entered when it may start, left when Telegram has answered.

        A send counts against the budget from its start until one window after its answer:
        the request reached Telegram at some moment in between, and a busy event loop or a
        slow network can delay that moment, so the answer is the only safe mark.
        """
        mark = await self._wait_for_chat(chat_id) if chat_id is not None else None
        started = False
        try:
            await self._take_turn(paid)
            started = True
            yield
        finally:
            now = self._now()
            if started:
                self._in_flight -= 1
                self._done.append(now)
            if mark is not None and started:
                mark[0] = now  # the chat's send, too, counts from its answer
            elif mark is not None and chat_id is not None:  # cancelled while waiting: never sent
                sends = self._by_chat.get(chat_id, [])
                self._by_chat[chat_id] = [m for m in sends if m is not mark]
            self._finished.set()

    # -- the overall budget ------------------------------------------------------------------

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    async def _take_turn(self, paid: bool) -> None:
        """Evenly spaced starts, and never more than `rate` sends in any window."""
        interval = self._paid_interval if paid else self._interval
        per_window = max(1, round(1.0 / interval))
        async with self._turn:
            slept_until: float | None = None
            while True:
                now = self._now()
                done = self._done
                while done and now - done[0] >= WINDOW:
                    done.popleft()
                start = max(now, self._next_slot, self._paused_until)
                over = self._in_flight + len(done) - per_window + 1
                if over > 0 and over > len(done):  # only answers can make room
                    self._finished.clear()
                    await self._finished.wait()
                    slept_until = None
                    continue
                if over > 0:
                    start = max(start, done[over - 1] + WINDOW)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
                slept_until = start
            self._in_flight += 1
            # The next start is due an interval after the one this send slept until, not
            # after the moment the loop came back to it: a loop busy with other updates
            # wakes late, and counting from then put every later send back by as much, so a
            # long queue went slower than `rate`. A wake-up later than an interval makes up
            # one send, no more.
            self._next_slot = (now if slept_until is None else slept_until) + interval

    # -- one chat ----------------------------------------------------------------------------

    def chat_free_in(self, chat_id: int | str) -> float:
        """Seconds until the chat may have another send without waiting; 0 if it may now.

        For a sender that must not block on one chat (the delivery queue puts the message
        back instead). A chat whose sends are still unanswered is busy for a whole window.
        """
        now = self._now()
        free_at = self._chat_free_at(self._recent_sends(chat_id, now))
        if free_at is None:
            return 0.0
        return self._chat_window if free_at == math.inf else max(free_at - now, 0.0)

    async def _wait_for_chat(self, chat_id: int | str) -> list[float]:
        """Wait until the chat has had fewer than `chat_burst` sends in its window.

        Returns the chat's mark for this send: a one-item list holding infinity until the
        send is answered (so it counts however long it waits for its turn overall), then the
        time of the answer.
        """
        if len(self._by_chat) > FORGET_CHATS_ABOVE:
            self._forget_quiet_chats()
        while True:
            now = self._now()
            sends = self._recent_sends(chat_id, now)
            free_at = self._chat_free_at(sends)
            if free_at is None:
                mark = [math.inf]
                sends.append(mark)
                return mark
            if free_at == math.inf:  # the sends in the way are not answered yet
                self._finished.clear()
                await self._finished.wait()
            else:
                await asyncio.sleep(free_at - now)

    def _recent_sends(self, chat_id: int | str, now: float) -> list[list[float]]:
        sends = [m for m in self._by_chat.get(chat_id, ()) if now - m[0] < self._chat_window]
        self._by_chat[chat_id] = sends
        return sends

    def _chat_free_at(self, sends: list[list[float]]) -> float | None:
        """When the chat's window has room again (infinity: after an answer); None: it has."""
        if len(sends) < self._chat_burst:
            return None
        times = sorted(m[0] for m in sends)
        return times[len(times) - self._chat_burst] + self._chat_window

    def _forget_quiet_chats(self) -> None:
        now = self._now()
        self._by_chat = {
            chat: sends
            for chat, sends in self._by_chat.items()
            if any(now - m[0] < self._chat_window for m in sends)
        }


class PacingMiddleware(BaseRequestMiddleware):
    """Wait for the pacer before each message a handler sends or edits; a 429 pauses it."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if counts_as_message(method.__api_method__):
            chat = getattr(method, "chat_id", None)
            paid = getattr(method, "allow_paid_broadcast", None) is True
            async with self._pacer.slot(chat if isinstance(chat, int | str) else None, paid=paid):
                return await self._send(make_request, bot, method)
        return await make_request(bot, method)

    async def _send(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as exc:
            self._pacer.pause(exc.retry_after)
            raise
