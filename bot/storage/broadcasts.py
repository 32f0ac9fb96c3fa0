"""Broadcasts: what an organizer sent to whom, when, and where its report is shown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Database, Row, from_db, to_db


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    author_id: int
    audience: dict[str, Any]
    texts: dict[str, str]  # language -> HTML; "default" names the fallback language
    photo: str | None
    paid: bool
    status: str  # scheduled | sending | done | cancelled
    send_at: datetime
    total: int
    report_chat: int | None
    report_message: int | None
    created_at: datetime
    finished_at: datetime | None


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        author_id: int,
        audience: dict[str, Any],
        texts: dict[str, str],
        photo: str | None,
        paid: bool,
        send_at: datetime,
        report_chat: int | None,
        report_message: int | None,
        now: datetime,
    ) -> Broadcast:
        row = await self._db.fetch_one(
            """
            INSERT INTO broadcasts (author_id, audience, texts, photo, paid, status, send_at,
                                    report_chat, report_message, created_at)
            VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)
            RETURNING *
            """,
            (
                author_id,
                json.dumps(audience),
                json.dumps(texts, ensure_ascii=False),
                photo,
                int(paid),
                to_db(send_at),
                report_chat,
                report_message,
                to_db(now),
            ),
        )
        assert row is not None
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def due(self, now: datetime) -> list[Broadcast]:
        rows = await self._db.fetch_all(
            "SELECT * FROM broadcasts WHERE status = 'scheduled' AND send_at <= ? ORDER BY id",
            (to_db(now),),
        )
        return [_broadcast(row) for row in rows]

    async def start(self, broadcast_id: int, total: int) -> bool:
        """scheduled -> sending, once (a second call finds it started and does nothing)."""
        changed = await self._db.execute(
            """
            UPDATE broadcasts SET status = 'sending', total = ?
            WHERE id = ? AND status = 'scheduled'
            """,
            (total, broadcast_id),
        )
        return changed == 1

    async def finish(self, broadcast_id: int, status: str, now: datetime) -> bool:
        changed = await self._db.execute(
            """
            UPDATE broadcasts SET status = ?, finished_at = ?
            WHERE id = ? AND status IN ('scheduled', 'sending')
            """,
            (status, to_db(now), broadcast_id),
        )
        return changed == 1

    async def recent(self, limit: int) -> list[Broadcast]:
        rows = await self._db.fetch_all(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(row) for row in rows]


def _broadcast(row: Row) -> Broadcast:
    finished = row["finished_at"]
    return Broadcast(
        id=row["id"],
        author_id=row["author_id"],
        audience=json.loads(row["audience"]),
        texts=json.loads(row["texts"]),
        photo=row["photo"],
        paid=bool(row["paid"]),
        status=row["status"],
        send_at=from_db(row["send_at"]),
        total=row["total"],
        report_chat=row["report_chat"],
        report_message=row["report_message"],
        created_at=from_db(row["created_at"]),
        finished_at=None if finished is None else from_db(finished),
    )
