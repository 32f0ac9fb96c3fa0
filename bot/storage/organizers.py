"""Organizers added by an admin (admins themselves come from ADMIN_IDS)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.db import Database, to_db


class OrganizerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> set[int]:
        rows = await self._db.fetch_all("SELECT person_id FROM organizers")
        return {row["person_id"] for row in rows}

    async def add(self, person_id: int, added_by: int, now: datetime) -> bool:
        changed = await self._db.execute(
            """
            INSERT INTO organizers (person_id, added_by, added_at) VALUES (?, ?, ?)
            ON CONFLICT (person_id) DO NOTHING
            """,
            (person_id, added_by, to_db(now)),
        )
        return changed == 1

    async def remove(self, person_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM organizers WHERE person_id = ?", (person_id,)
        )
        return changed == 1
