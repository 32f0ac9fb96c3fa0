"""The program as people were last told about it: change notices survive a restart."""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Database, from_db, to_db


class ToldRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> tuple[str, datetime] | None:
        """The stored program (JSON) and when it was stored; None before the first start."""
        row = await self._db.fetch_one("SELECT snapshot, told_at FROM program_told WHERE id = 1")
        return None if row is None else (row["snapshot"], from_db(row["told_at"]))

    async def save(self, snapshot: str, now: datetime) -> None:
        await self._db.execute(
            """
            INSERT INTO program_told (id, snapshot, told_at) VALUES (1, ?, ?)
            ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, told_at = excluded.told_at
            """,
            (snapshot, to_db(now)),
        )
