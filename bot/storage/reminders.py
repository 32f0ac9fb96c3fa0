"""Reminder preferences, and the record of every reminder sent (one per person, target, start)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Database, first_row, to_db
from bot.storage.outbox import NewMessage, insert

CHUNK = 100  # reminders recorded per transaction


@dataclass(frozen=True, slots=True)
class Preference:
    lead_minutes: int | None  # None: the program's lead for the kind; 0: no reminders
    everyone_off: bool  # no reminders of the kinds everyone gets


DEFAULT_PREFERENCE = Preference(None, False)


@dataclass(frozen=True, slots=True)
class Due:
    """One reminder to record and queue."""

    person_id: int
    target: str
    starts_at: datetime
    lead: int
    message: NewMessage


class ReminderRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def preference(self, person_id: int) -> Preference:
        row = await self._db.fetch_one(
            "SELECT lead_minutes, everyone_off FROM preferences WHERE person_id = ?",
            (person_id,),
        )
        if row is None:
            return DEFAULT_PREFERENCE
        return Preference(row["lead_minutes"], bool(row["everyone_off"]))

    async def preferences(self) -> dict[int, Preference]:
        rows = await self._db.fetch_all("SELECT * FROM preferences")
        return {
            row["person_id"]: Preference(row["lead_minutes"], bool(row["everyone_off"]))
            for row in rows
        }

    async def set_preference(self, person_id: int, preference: Preference) -> None:
        await self._db.execute(
            """
            INSERT INTO preferences (person_id, lead_minutes, everyone_off) VALUES (?, ?, ?)
            ON CONFLICT (person_id) DO UPDATE SET
                lead_minutes = excluded.lead_minutes, everyone_off = excluded.everyone_off
            """,
            (person_id, preference.lead_minutes, int(preference.everyone_off)),
        )

    async def record_and_queue(self, due: Sequence[Due], now: datetime) -> int:
        """Record each reminder and queue its message in the same transaction; a reminder
        recorded before (the same person, target and start) is skipped. Returns how many were
        new. A big fan-out commits every CHUNK people, so that sign-ups and replies are not
        held behind it; each reminder is recorded and queued together, so a stop in between
        leaves nobody half done, and the next run skips those done."""
        added = 0
        for start in range(0, len(due), CHUNK):
            added += await self._record_chunk(due[start : start + CHUNK], now)
        return added

    async def _record_chunk(self, due: Sequence[Due], now: datetime) -> int:
        added = 0
        async with self._db.transaction() as tx:
            for item in due:
                fresh = await first_row(
                    tx,
                    """
                    INSERT INTO reminders_sent (person_id, target, starts_at, lead, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    RETURNING person_id
                    """,
                    (item.person_id, item.target, to_db(item.starts_at), item.lead, to_db(now)),
                )
                if fresh is None:
                    continue
                outbox_id = await insert(tx, item.message, now)
                await tx.execute(
                    """
                    UPDATE reminders_sent SET outbox_id = ?
                    WHERE person_id = ? AND target = ? AND starts_at = ?
                    """,
                    (outbox_id, item.person_id, item.target, to_db(item.starts_at)),
                )
                added += 1
        return added
