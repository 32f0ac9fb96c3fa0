"""The delivery outbox: one row per message the bot sends on its own initiative."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.db import Database, Row, first_row, from_db, to_db

# A message that waits for its turn, is on its way, or has an outcome.
PENDING, SENDING, SENT, FAILED, BLOCKED, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "blocked",
    "cancelled",
)


@dataclass(frozen=True, slots=True)
class Payload:
    """What to send: HTML text (a caption with a photo) and an optional inline keyboard."""

    text: str
    reply_markup: dict[str, Any] | None = None
    photo: str | None = None  # a Telegram file_id

    def to_json(self) -> str:
        return json.dumps(
            {"text": self.text, "reply_markup": self.reply_markup, "photo": self.photo},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str) -> Payload:
        data = json.loads(raw)
        return cls(
            text=data["text"], reply_markup=data.get("reply_markup"), photo=data.get("photo")
        )


@dataclass(frozen=True, slots=True)
class NewMessage:
    person_id: int
    kind: str
    payload: Payload
    dedupe: str | None = None  # one message per key, ever: a repeated enqueue adds nothing
    broadcast_id: int | None = None
    paid: bool = False
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    person_id: int
    kind: str
    broadcast_id: int | None
    payload: Payload
    paid: bool
    attempts: int


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, messages: Sequence[NewMessage], now: datetime) -> int:
        """Add messages in one transaction; returns how many were new."""
        async with self._db.transaction() as tx:
            return await insert_all(tx, messages, now)

    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending messages whose time has come, oldest first; blocked people's are set aside."""
        await self._db.execute(
            """
            UPDATE outbox SET state = 'blocked', done_at = ?
            WHERE state = 'pending'
              AND person_id IN (SELECT id FROM people WHERE blocked = 1)
            """,
            (to_db(now),),
        )
        rows = await self._db.fetch_all(
            """
            SELECT * FROM outbox
            WHERE state = 'pending' AND not_before <= ?
            ORDER BY id LIMIT ?
            """,
            (to_db(now), limit),
        )
        return [_item(row) for row in rows]

    async def next_due_at(self) -> datetime | None:
        value = await self._db.fetch_value(
            "SELECT min(not_before) FROM outbox WHERE state = 'pending'"
        )
        return None if value is None else from_db(value)

    async def mark_sending(self, item_id: int) -> bool:
        """Claim a message just before sending it; False if it was cancelled meanwhile."""
        changed = await self._db.execute(
            "UPDATE outbox SET state = 'sending' WHERE id = ? AND state = 'pending'", (item_id,)
        )
        return changed == 1

    async def mark_sent(self, item_id: int, message_id: int, now: datetime) -> None:
        await self._db.execute(
            """
            UPDATE outbox SET state = 'sent', message_id = ?, done_at = ?, last_error = NULL
            WHERE id = ?
            """,
            (message_id, to_db(now), item_id),
        )

    async def retry_later(
        self, item_id: int, not_before: datetime, error: str, *, count: bool = True
    ) -> None:
        await self._db.execute(
            """
            UPDATE outbox SET state = 'pending', not_before = ?, last_error = ?,
                              attempts = attempts + ?
            WHERE id = ?
            """,
            (to_db(not_before), error, int(count), item_id),
        )

    async def postpone(self, item_id: int, not_before: datetime) -> None:
        """Not yet (the chat had a message a moment ago); no attempt is counted."""
        await self._db.execute(
            "UPDATE outbox SET not_before = ? WHERE id = ? AND state = 'pending'",
            (to_db(not_before), item_id),
        )

    async def mark_failed(self, item_id: int, error: str, now: datetime) -> None:
        await self._db.execute(
            """
            UPDATE outbox SET state = 'failed', last_error = ?, done_at = ?,
                              attempts = attempts + 1
            WHERE id = ?
            """,
            (error, to_db(now), item_id),
        )

    async def mark_blocked(self, person_id: int, error: str, now: datetime) -> None:
        """The person blocked the bot: this message and their other waiting ones are set aside."""
        await self._db.execute(
            """
            UPDATE outbox SET state = 'blocked', last_error = ?, done_at = ?
            WHERE person_id = ? AND state IN ('pending', 'sending')
            """,
            (error, to_db(now), person_id),
        )

    async def recover(self) -> int:
        """At start-up: messages caught mid-send by a crash are sent again.

        A message is marked `sending` just before the request and `sent` just after; a crash in
        between leaves it `sending`, and nobody can know whether Telegram got it. Sending it again
        is the one possible duplicate, and the sender has one message in flight at a time, so
        there is at most one per crash.
        """
        return await self._db.execute(
            "UPDATE outbox SET state = 'pending' WHERE state = 'sending'"
        )

    async def cancel_broadcast(self, broadcast_id: int, now: datetime) -> int:
        return await self._db.execute(
            """
            UPDATE outbox SET state = 'cancelled', done_at = ?
            WHERE broadcast_id = ? AND state = 'pending'
            """,
            (to_db(now), broadcast_id),
        )

    async def broadcast_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self._db.fetch_all(
            "SELECT state, count(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,),
        )
        return {row["state"]: row["n"] for row in rows}

    async def counts(self) -> dict[str, int]:
        rows = await self._db.fetch_all("SELECT state, count(*) AS n FROM outbox GROUP BY state")
        return {row["state"]: row["n"] for row in rows}


async def insert(tx: aiosqlite.Connection, message: NewMessage, now: datetime) -> int | None:
    """Queue one message inside the caller's transaction; its row id, or None if its dedupe
    key was queued before."""
    row = await first_row(
        tx,
        """
        INSERT INTO outbox (person_id, kind, broadcast_id, dedupe, payload, paid,
                            state, not_before, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
        ON CONFLICT (dedupe) DO NOTHING
        RETURNING id
        """,
        (
            message.person_id,
            message.kind,
            message.broadcast_id,
            message.dedupe,
            message.payload.to_json(),
            int(message.paid),
            to_db(message.not_before or now),
            to_db(now),
        ),
    )
    return None if row is None else int(row[0])


async def insert_all(
    tx: aiosqlite.Connection, messages: Sequence[NewMessage], now: datetime
) -> int:
    """Queue messages inside the caller's transaction; how many were new."""
    added = 0
    for message in messages:
        added += await insert(tx, message, now) is not None
    return added


def _item(row: Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        person_id=row["person_id"],
        kind=row["kind"],
        broadcast_id=row["broadcast_id"],
        payload=Payload.from_json(row["payload"]),
        paid=bool(row["paid"]),
        attempts=row["attempts"],
    )
