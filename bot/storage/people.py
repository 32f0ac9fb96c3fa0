"""People who talk to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.program.models import LANGS, Lang
from bot.storage.db import Database, Row, from_db, to_db


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    full_name: str
    username: str | None
    language: Lang | None  # chosen by the person; None until they choose
    telegram_language: str | None
    delegation_id: str | None
    blocked: bool
    first_seen: datetime
    last_seen: datetime


def _person(row: Row) -> Person:
    language = row["language"]
    return Person(
        id=row["id"],
        full_name=row["full_name"],
        username=row["username"],
        language=language if language in LANGS else None,
        telegram_language=row["telegram_language"],
        delegation_id=row["delegation_id"],
        blocked=bool(row["blocked"]),
        first_seen=from_db(row["first_seen"]),
        last_seen=from_db(row["last_seen"]),
    )


class PeopleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, person_id: int) -> Person | None:
        row = await self._db.fetch_one("SELECT * FROM people WHERE id = ?", (person_id,))
        return None if row is None else _person(row)

    async def seen(
        self,
        person_id: int,
        *,
        full_name: str,
        username: str | None,
        telegram_language: str | None,
        now: datetime,
    ) -> Person:
        """Record that the person wrote to the bot: create them, or refresh name and last_seen.

        A person who writes has evidently not blocked the bot, so the blocked flag is cleared.
        """
        row = await self._db.fetch_one(
            """
            INSERT INTO people (id, full_name, username, telegram_language, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                full_name = excluded.full_name,
                username = excluded.username,
                telegram_language = excluded.telegram_language,
                blocked = 0,
                last_seen = max(last_seen, excluded.last_seen)
            RETURNING *
            """,
            (person_id, full_name, username, telegram_language, to_db(now), to_db(now)),
        )
        assert row is not None  # RETURNING always yields the row
        return _person(row)

    async def set_language(self, person_id: int, language: Lang) -> Person | None:
        row = await self._db.fetch_one(
            "UPDATE people SET language = ? WHERE id = ? RETURNING *", (language, person_id)
        )
        return None if row is None else _person(row)

    async def set_blocked(self, person_id: int, blocked: bool) -> bool:
        """True if that changed the flag."""
        changed = await self._db.execute(
            "UPDATE people SET blocked = ?1 WHERE id = ?2 AND blocked != ?1",
            (int(blocked), person_id),
        )
        return changed > 0

    async def set_delegation(self, person_id: int, delegation_id: str | None) -> bool:
        changed = await self._db.execute(
            "UPDATE people SET delegation_id = ? WHERE id = ?", (delegation_id, person_id)
        )
        return changed > 0

    async def count(self) -> int:
        return int(await self._db.fetch_value("SELECT count(*) FROM people"))

    async def reachable(self) -> list[Person]:
        """Everyone who has not blocked the bot."""
        rows = await self._db.fetch_all("SELECT * FROM people WHERE blocked = 0 ORDER BY id")
        return [_person(row) for row in rows]

    async def members(self, delegation_id: str) -> list[Person]:
        rows = await self._db.fetch_all(
            "SELECT * FROM people WHERE delegation_id = ? ORDER BY full_name, id",
            (delegation_id,),
        )
        return [_person(row) for row in rows]

    async def count_by_delegation(self) -> dict[str, int]:
        rows = await self._db.fetch_all(
            """
            SELECT delegation_id, count(*) AS n FROM people
            WHERE delegation_id IS NOT NULL GROUP BY delegation_id
            """
        )
        return {row["delegation_id"]: row["n"] for row in rows}

    async def failed_join(self, person_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO join_attempts (person_id, at) VALUES (?, ?)", (person_id, to_db(now))
        )

    async def failed_joins_since(self, person_id: int, since: datetime) -> int:
        value = await self._db.fetch_value(
            "SELECT count(*) FROM join_attempts WHERE person_id = ? AND at >= ?",
            (person_id, to_db(since)),
        )
        return int(value)
