"""The program as people were last told about it: change notices survive a restart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.storage.db import Database, from_db, to_db
from bot.storage.outbox import NewMessage, insert_all

SAVE = """
    INSERT INTO program_told (id, snapshot, told_at) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, told_at = excluded.told_at
"""


class ToldRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> tuple[str, datetime] | None:
        """The stored program (JSON) and when it was stored; None before the first start."""
        row = await self._db.fetch_one("SELECT snapshot, told_at FROM program_told WHERE id = 1")
        return None if row is None else (row["snapshot"], from_db(row["told_at"]))

    async def save(self, snapshot: str, now: datetime) -> None:
        await self._db.execute(SAVE, (snapshot, to_db(now)))

    async def tell(self, notices: Sequence[NewMessage], snapshot: str, now: datetime) -> int:
        """Queue the change notices and store the program they tell of, in one transaction:
        both or neither, so a retry tells the same changes once. How many notices were new."""
        async with self._db.transaction() as tx:
            added = await insert_all(tx, notices, now)
            await tx.execute(SAVE, (snapshot, to_db(now)))
        return added
