"""Sign-ups and waitlists. Seats are settled inside SQLite, never by Python-side checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.storage.db import Database, Row, first_row, from_db, to_db

Status = Literal["seat", "waitlist"]


@dataclass(frozen=True, slots=True)
class Signup:
    person_id: int
    event_id: str
    status: Status
    created_at: datetime
    position: int | None = None  # place on the waitlist (1 = next to get a seat)


@dataclass(frozen=True, slots=True)
class Participant:
    """A row of an organizer's export."""

    person_id: int
    full_name: str
    username: str | None
    language: str | None  # chosen in the bot
    telegram_language: str | None
    delegation_id: str | None
    status: Status
    position: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Cohort:
    """How many people with a seat or waitlist place share these languages and delegation."""

    language: str | None  # chosen in the bot
    telegram_language: str | None
    delegation_id: str | None
    people: int


@dataclass(frozen=True, slots=True)
class Standing:
    """A person at an event: what they hold, the seats taken or owed, a reminder asked for,
    and the events where they hold a seat, in the order they took them (for the clashes a
    sign-up checks)."""

    signup: Signup | None
    taken: int
    reminded: bool
    seats: tuple[str, ...]
    declined: bool = False  # gave the event up, or asked not to be reminded of it
    everyone_off: bool = False  # no reminders of the kinds everyone gets (/settings)


@dataclass(frozen=True, slots=True)
class EventCounts:
    seats: int
    waitlist: int


# A waitlist place owed the next free seat of event ?1: not that of someone passed over, for
# having blocked the bot (a seat they would never hear of) or for holding a seat at one of the
# events ?2 (a JSON list: under clash_policy forbid, the events overlapping it).
_NEXT_IN_LINE = """
    s.event_id = ?1 AND s.status = 'waitlist'
    AND (SELECT blocked FROM people WHERE id = s.person_id) = 0
    AND NOT EXISTS (
        SELECT 1 FROM signups held
        WHERE held.person_id = s.person_id AND held.status = 'seat'
          AND held.event_id IN (SELECT value FROM json_each(?2))
    )
"""

_POSITION = """
    CASE s.status WHEN 'waitlist' THEN (
        SELECT count(*) FROM signups w
        WHERE w.event_id = s.event_id AND w.status = 'waitlist' AND w.id <= s.id
    ) END AS position
"""


_FORGET_REMINDER = "DELETE FROM remind_me WHERE person_id = ? AND event_id = ?"


class SignupRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def take(
        self,
        person_id: int,
        event_id: str,
        capacity: int,
        now: datetime,
        *,
        rivals: Sequence[str] = (),
    ) -> list[int] | None:
        """Join the waitlist and hand the free seats to its head, in one transaction.

        A newcomer thus gets a seat only when nobody waits ahead of them: free seats that
        waiting people were owed (a capacity raised, a fill that did not run) go to those
        people first. Returns who got a seat, in order (the person among them if they did),
        or None when the person already holds a seat or place (a double tap): nothing changes
        then. `rivals`: see `fill`.
        They come back to the event: a decline of theirs recorded by `release` is forgotten.
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM declined WHERE person_id = ? AND event_id = ?", (person_id, event_id)
            )
            row = await first_row(
                tx,
                """
                INSERT INTO signups (person_id, event_id, status, created_at)
                VALUES (?, ?, 'waitlist', ?)
                ON CONFLICT (person_id, event_id) DO NOTHING
                RETURNING id
                """,
                (person_id, event_id, to_db(now)),
            )
            if row is None:
                return None
            return await _fill(tx, event_id, capacity, rivals)

    async def get(self, person_id: int, event_id: str) -> Signup | None:
        row = await self._db.fetch_one(
            f"SELECT s.*, {_POSITION} FROM signups s WHERE s.person_id = ? AND s.event_id = ?",
            (person_id, event_id),
        )
        return None if row is None else _signup(row)

    async def standing(
        self, person_id: int, event_id: str, rivals: Sequence[str] = ()
    ) -> Standing:
        """A person's standing at an event, in one trip: what they hold (with their place in
        line), the seats a newcomer could not take (held, or owed to someone waiting), whether
        they asked to be reminded or declined the event, whether they turned off the reminders
        everyone gets, and where they hold seats. The inner `s` of the count is a waiting
        person, the outer one theirs."""
        row = await self._db.fetch_one(
            f"""
            SELECT s.*, {_POSITION},
                (SELECT count(*) FROM signups WHERE event_id = ?1 AND status = 'seat')
                    + (SELECT count(*) FROM signups s WHERE {_NEXT_IN_LINE}) AS taken,
                EXISTS (
                    SELECT 1 FROM remind_me WHERE person_id = ?3 AND event_id = ?1
                ) AS reminded,
                EXISTS (
                    SELECT 1 FROM declined WHERE person_id = ?3 AND event_id = ?1
                ) AS declined,
                (SELECT everyone_off FROM preferences WHERE person_id = ?3) AS everyone_off,
                (
                    SELECT json_group_array(json_array(id, event_id)) FROM signups
                    WHERE person_id = ?3 AND status = 'seat'
                ) AS seats
            FROM (SELECT 1) LEFT JOIN signups s ON s.person_id = ?3 AND s.event_id = ?1
            """,
            (event_id, json.dumps(list(rivals)), person_id),
        )
        assert row is not None  # the one row of (SELECT 1)
        signup = None if row["id"] is None else _signup(row)
        seats = tuple(event for _id, event in sorted(json.loads(row["seats"])))  # by sign-up
        return Standing(
            signup,
            int(row["taken"]),
            bool(row["reminded"]),
            seats,
            declined=bool(row["declined"]),
            everyone_off=bool(row["everyone_off"]),
        )

    async def of_person(self, person_id: int) -> list[Signup]:
        rows = await self._db.fetch_all(
            f"SELECT s.*, {_POSITION} FROM signups s WHERE s.person_id = ? ORDER BY s.id",
            (person_id,),
        )
        return [_signup(row) for row in rows]

    async def release(
        self,
        person_id: int,
        event_id: str,
        capacity: int,
        *,
        promote: bool,
        now: datetime,
        rivals: Sequence[str] = (),
    ) -> tuple[Status | None, list[int]]:
        """Give up a seat or a waitlist place; fill the free seats from the waitlist in order.

        Returns what was released (None if nothing was held) and who got a seat, all in one
        transaction so a seat is never handed out twice. Whoever gave something up is recorded
        as having declined the event in the same transaction (`declined_by_event`), until they
        take a seat or place again or ask to be reminded of it.
        """
        async with self._db.transaction() as tx:
            row = await first_row(
                tx,
                "DELETE FROM signups WHERE person_id = ? AND event_id = ? RETURNING status",
                (person_id, event_id),
            )
            released: Status | None = None if row is None else row[0]
            if released is not None:
                await tx.execute(
                    """
                    INSERT INTO declined (person_id, event_id, created_at) VALUES (?, ?, ?)
                    ON CONFLICT (person_id, event_id)
                    DO UPDATE SET created_at = excluded.created_at
                    """,
                    (person_id, event_id, to_db(now)),
                )
            promoted = await _fill(tx, event_id, capacity, rivals) if promote else []
        return released, promoted

    async def fill(self, event_id: str, capacity: int, rivals: Sequence[str] = ()) -> list[int]:
        """Hand free seats to the waitlist in order, passing over whoever has blocked the bot
        or holds a seat at one of `rivals` (they keep their place, and are next in line again
        once they unblock it or hold no such seat)."""
        async with self._db.transaction() as tx:
            return await _fill(tx, event_id, capacity, rivals)

    async def counts(self, event_ids: Sequence[str] | None = None) -> dict[str, EventCounts]:
        rows = await self._db.fetch_all(
            """
            SELECT event_id,
                   sum(status = 'seat') AS seats,
                   sum(status = 'waitlist') AS waitlist
            FROM signups GROUP BY event_id
            """
        )
        found = {row["event_id"]: EventCounts(row["seats"], row["waitlist"]) for row in rows}
        if event_ids is None:
            return found
        return {event_id: found.get(event_id, EventCounts(0, 0)) for event_id in event_ids}

    async def participants(self, event_id: str) -> list[Participant]:
        rows = await self._db.fetch_all(
            f"""
            SELECT s.*, {_POSITION},
                   p.full_name, p.username, p.language, p.telegram_language, p.delegation_id
            FROM signups s JOIN people p ON p.id = s.person_id
            WHERE s.event_id = ?
            ORDER BY s.status = 'waitlist', s.id
            """,
            (event_id,),
        )
        return [
            Participant(
                person_id=row["person_id"],
                full_name=row["full_name"],
                username=row["username"],
                language=row["language"],
                telegram_language=row["telegram_language"],
                delegation_id=row["delegation_id"],
                status=row["status"],
                position=row["position"],
                created_at=from_db(row["created_at"]),
            )
            for row in rows
        ]

    async def cohorts(self) -> list[Cohort]:
        """People holding a seat or waitlist place, counted by languages and delegation (the
        language they read is decided from both languages, by the service)."""
        rows = await self._db.fetch_all(
            """
            SELECT language, telegram_language, delegation_id, count(*) AS n
            FROM people WHERE id IN (SELECT person_id FROM signups)
            GROUP BY language, telegram_language, delegation_id
            """
        )
        return [
            Cohort(row["language"], row["telegram_language"], row["delegation_id"], row["n"])
            for row in rows
        ]

    async def seats_by_event(self) -> dict[str, set[int]]:
        """Every seat holder, by event."""
        return (await self.standing_by_event())["seat"]

    async def standing_by_event(self) -> dict[Status, dict[str, set[int]]]:
        """Every seat holder and everyone waiting, by event (the reminder planner reads them
        all at once, in one pass over the table)."""
        rows = await self._db.fetch_all("SELECT event_id, person_id, status FROM signups")
        found: dict[Status, dict[str, set[int]]] = {"seat": {}, "waitlist": {}}
        for row in rows:
            found[row["status"]].setdefault(row["event_id"], set()).add(row["person_id"])
        return found

    async def reminders_by_event(self) -> dict[str, set[int]]:
        return _by_event(await self._db.fetch_all("SELECT event_id, person_id FROM remind_me"))

    async def declined_by_event(self) -> dict[str, set[int]]:
        """Who gave up their seat or place at each event (and has not come back to it)."""
        return _by_event(await self._db.fetch_all("SELECT event_id, person_id FROM declined"))

    async def holders(self, event_ids: Iterable[str]) -> dict[str, set[int]]:
        """For each event, everyone with a seat, a waitlist place or a reminder for it."""
        wanted = json.dumps(sorted(set(event_ids)))
        rows = await self._db.fetch_all(
            """
            SELECT event_id, person_id FROM signups
             WHERE event_id IN (SELECT value FROM json_each(?))
            UNION SELECT event_id, person_id FROM remind_me
             WHERE event_id IN (SELECT value FROM json_each(?))
            """,
            (wanted, wanted),
        )
        found: dict[str, set[int]] = {}
        for row in rows:
            found.setdefault(row["event_id"], set()).add(row["person_id"])
        return found

    # -- "remind me" for events without sign-up ------------------------------------------

    async def set_reminder(
        self, person_id: int, event_id: str, now: datetime, *, on: bool, decline: bool = False
    ) -> None:
        """Turn the person's reminder for an event on or off (idempotent). Asking to be
        reminded forgets a decline of the event (`release`); turning it off with `decline`
        records one, for an event everyone is reminded of."""
        if on:
            async with self._db.transaction() as tx:
                await tx.execute(
                    """
                    INSERT INTO remind_me (person_id, event_id, created_at) VALUES (?, ?, ?)
                    ON CONFLICT (person_id, event_id) DO NOTHING
                    """,
                    (person_id, event_id, to_db(now)),
                )
                await tx.execute(
                    "DELETE FROM declined WHERE person_id = ? AND event_id = ?",
                    (person_id, event_id),
                )
        elif decline:
            async with self._db.transaction() as tx:
                await tx.execute(_FORGET_REMINDER, (person_id, event_id))
                await tx.execute(
                    """
                    INSERT INTO declined (person_id, event_id, created_at) VALUES (?, ?, ?)
                    ON CONFLICT (person_id, event_id) DO NOTHING
                    """,
                    (person_id, event_id, to_db(now)),
                )
        else:
            await self._db.execute(_FORGET_REMINDER, (person_id, event_id))

    async def agenda_of(self, person_id: int) -> tuple[list[Signup], set[str]]:
        """What the person holds (as `of_person`) and the events they asked to be reminded
        of, in one trip: a row per sign-up (one empty row if none), each carrying the same
        list of reminders."""
        rows = await self._db.fetch_all(
            f"""
            SELECT s.*, {_POSITION}, (
                SELECT json_group_array(event_id) FROM remind_me WHERE person_id = ?1
            ) AS reminders
            FROM (SELECT 1) LEFT JOIN signups s ON s.person_id = ?1
            ORDER BY s.id
            """,
            (person_id,),
        )
        held = [_signup(row) for row in rows if row["id"] is not None]
        return held, set(json.loads(rows[0]["reminders"]))


async def _fill(
    tx: aiosqlite.Connection, event_id: str, capacity: int, rivals: Sequence[str]
) -> list[int]:
    """Hand the free seats to the next in line, in one statement; who got one, in order.

    Promoting someone here changes nobody else's standing in line (being passed over depends
    on seats at other events), so taking the first free-seats-many at once is the same as
    taking them one by one, in one trip to the database instead of one per seat."""
    rows = await tx.execute_fetchall(
        f"""
        UPDATE signups SET status = 'seat'
        WHERE id IN (
            SELECT s.id FROM signups s WHERE {_NEXT_IN_LINE} ORDER BY s.id
            LIMIT max(0, ?3 - (
                SELECT count(*) FROM signups WHERE event_id = ?1 AND status = 'seat'
            ))
        )
        RETURNING id, person_id
        """,
        (event_id, json.dumps(list(rivals)), capacity),
    )
    return [int(row[1]) for row in sorted(rows, key=lambda row: int(row[0]))]  # by sign-up


def _by_event(rows: Iterable[Row]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for row in rows:
        found.setdefault(row["event_id"], set()).add(row["person_id"])
    return found


def _signup(row: Row) -> Signup:
    return Signup(
        person_id=row["person_id"],
        event_id=row["event_id"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
        position=row["position"],
    )
