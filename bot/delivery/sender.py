"""The one sender of the outbox: paced to Telegram's limits, durable across restarts.

- Paced by the bot's one `Pacer` (shared with handler replies, so the two together stay within
  Telegram's 30 a second; 1000 a second for paid broadcasts, and the per-chat share), and a
  message for a chat whose share is taken, by deliveries or by the bot's replies to that person,
  waits in the outbox, not in memory, while the queue goes on: 429s stay rare.
- One message in flight at a time, marked `sending` before the request and `sent` after it:
  a crash can leave at most one message whose fate is unknown (sent again at the next start).
- 429: everything waits `retry_after`, and the message keeps its place (a 429 never uses up an
  attempt). 5xx and network errors: retried with exponential backoff, the wait doubling up to
  a minute, for `max_attempts` (ten: two to four minutes, so that a short outage of Telegram
  does not fail every message due in it).
  403: the person blocked the bot; they are marked and skipped from then on. Other 400s are
  final (recorded with Telegram's description).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.clock import Clock
from bot.delivery.pacing import Pacer
from bot.services.people import PeopleService
from bot.storage.outbox import OutboxItem, OutboxRepository, Payload

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
Delivered = Callable[[int], Awaitable[None]]  # called with a broadcast id after each outcome

BATCH = 50
IDLE_WAKE_SECONDS = 5.0  # even with nothing due, look for scheduled work this often
MAX_ATTEMPTS = 10
BASE_BACKOFF_S = 1.0  # the longest first wait after a server error; each next one doubles...
MAX_BACKOFF_S = 60.0  # ...up to this


def backoff_ceiling(
    attempts: int, base: float = BASE_BACKOFF_S, cap: float = MAX_BACKOFF_S
) -> float:
    """The longest wait after a message's `attempts + 1`-th failure; the wait is drawn from
    its upper half (jitter, so that many messages failed at once do not return at once)."""
    return min(cap, base * (1 << min(attempts, 32)))


class Sender:
    def __init__(
        self,
        bot: Bot,
        outbox: OutboxRepository,
        people: PeopleService,
        clock: Clock,
        *,
        pacer: Pacer,
        max_attempts: int = MAX_ATTEMPTS,
        base_backoff: float = BASE_BACKOFF_S,
        tick: Hook | None = None,
        delivered: Delivered | None = None,
    ) -> None:
        self._bot = bot
        self._outbox = outbox
        self._people = people
        self._clock = clock
        self._pacer = pacer
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff
        self._tick = tick
        self._delivered = delivered
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        # sent, but the database would not record it (full, locked): item id -> message id
        self._unrecorded: dict[int, int] = {}

    # -- control ---------------------------------------------------------------------------

    def attach(self, *, tick: Hook | None = None, delivered: Delivered | None = None) -> None:
        """Hooks set once the services that need the sender exist."""
        self._tick = tick
        self._delivered = delivered

    def wake(self) -> None:
        """New messages are waiting."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="delivery-sender")

    async def stop(self) -> None:
        """Finish the message in flight, then stop (the rest waits in the outbox)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._record_sent()  # a last try: what stays unrecorded is sent again next start

    async def run(self) -> None:
        recovered = await self._outbox.recover()
        if recovered:
            log.warning("%d message(s) caught mid-send by a crash will be sent again", recovered)
        while not self._stopping:
            try:
                worked = await self.round()
            except Exception:
                log.exception("delivery round failed; retrying shortly")
                worked = False
                await asyncio.sleep(1.0)
            if not worked and not self._stopping:
                await self._idle()

    async def drain(self) -> None:
        """Send everything that is due now, then return (tests, the console)."""
        while await self.round():
            pass

    # -- the work --------------------------------------------------------------------------

    async def round(self) -> bool:
        """One pass over the due messages; False if there was nothing to do."""
        await self._record_sent()
        if self._tick is not None:
            await self._tick()
        items = await self._outbox.due(self._clock.now(), BATCH)
        for item in items:
            if self._stopping:
                break
            await self._deliver(item)
        return bool(items)

    async def _idle(self) -> None:
        self._wake.clear()
        timeout = IDLE_WAKE_SECONDS
        next_due = await self._outbox.next_due_at()
        if next_due is not None:
            ahead = (next_due - self._clock.now()).total_seconds()
            timeout = min(timeout, max(ahead, 0.05))
        try:
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass

    async def _deliver(self, item: OutboxItem) -> None:
        busy_for = self._pacer.chat_free_in(item.person_id)
        if busy_for > 0:  # the chat's share is taken (by replies, too): the queue goes on
            later = self._clock.now() + timedelta(seconds=busy_for)
            await self._outbox.postpone(item.id, later)
            return
        failure: TelegramAPIError | None = None
        # No wait between the check and the slot: the chat's place is taken at once.
        async with self._pacer.slot(item.person_id, paid=item.paid):
            if not await self._outbox.mark_sending(item.id):
                return  # cancelled while waiting
            try:
                message_id = await self._send(item.person_id, item.payload, item.paid)
            except TelegramAPIError as exc:  # whatever Telegram answered: recorded
                failure = exc
        if failure is None:
            self._unrecorded[item.id] = message_id
            await self._record_sent()
        else:
            await self._record(item, failure)
        if item.broadcast_id is not None and self._delivered is not None:
            await self._delivered(item.broadcast_id)

    async def _record_sent(self) -> None:
        """Mark delivered messages as sent; kept in memory while the database refuses.

        A message Telegram took is never sent again because the disk was full for a moment:
        it stays `sending` in the outbox (so nothing else picks it up) until this succeeds.
        """
        for item_id, message_id in list(self._unrecorded.items()):
            try:
                await self._outbox.mark_sent(item_id, message_id, self._clock.now())
            except sqlite3.OperationalError as exc:
                log.warning("could not record a delivered message yet (%s); will retry", exc)
                return
            del self._unrecorded[item_id]

    async def _record(self, item: OutboxItem, failure: TelegramAPIError) -> None:
        now = self._clock.now()
        match failure:
            case TelegramRetryAfter(retry_after=seconds):
                self._pacer.pause(seconds)
                later = now + timedelta(seconds=seconds)
                await self._outbox.retry_later(item.id, later, failure.message, count=False)
            case TelegramForbiddenError():
                await self._outbox.mark_blocked(item.person_id, failure.message, now)
                await self._people.mark_blocked(item.person_id, True)
            case TelegramBadRequest():
                await self._outbox.mark_failed(item.id, failure.message, now)
            case TelegramServerError() | TelegramNetworkError() if (
                item.attempts + 1 < self._max_attempts
            ):  # try again after a backoff
                ceiling = backoff_ceiling(item.attempts, self._base_backoff)
                later = now + timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))
                await self._outbox.retry_later(item.id, later, str(failure))
            case _:  # 401, 404, 409, ..., or out of attempts: not sent, and said why
                await self._outbox.mark_failed(item.id, str(failure), now)

    async def _send(self, chat_id: int, payload: Payload, paid: bool) -> int:
        markup = (
            InlineKeyboardMarkup.model_validate(payload.reply_markup)
            if payload.reply_markup
            else None
        )
        paid_flag = True if paid else None
        if payload.photo is not None:
            sent = await self._bot.send_photo(
                chat_id,
                payload.photo,
                caption=payload.text or None,
                reply_markup=markup,
                allow_paid_broadcast=paid_flag,
            )
        else:
            sent = await self._bot.send_message(
                chat_id, payload.text, reply_markup=markup, allow_paid_broadcast=paid_flag
            )
        return sent.message_id
