"""The bot's SQLite database (WAL, foreign keys on): migrations, explicit transactions, and
reads that do not wait for them."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)

# Written into the file's header so that a database of another program is recognised as such.
APPLICATION_ID = 0x466F7242  # "ForB"

Row = sqlite3.Row


async def first_row(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> Row | None:
    """The first row of one statement, in one trip to aiosqlite's thread."""
    rows = list(await conn.execute_fetchall(sql, tuple(params)))
    return rows[0] if rows else None


class DatabaseRefused(Exception):
    """The file is not a database this bot may use; it was left untouched."""


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime in the database: {value!r}")
    return moment


class Database:
    """Writes go through one connection and one lock; reads of a file through a second one.

    aiosqlite runs statements one at a time on its own thread; the lock keeps a multi-statement
    transaction of one task from interleaving with statements of another. A transaction holds
    the lock for several trips to that thread, and each trip waits for a busy event loop to
    come round, so reads queued behind it kept everyone waiting: in the whole-bot benchmark the
    bot sat idle while every pending update waited for that lock (docs/PERFORMANCE.md). In WAL
    mode a reader never waits for the writer and sees every transaction committed before its
    statement began, so a lone SELECT (`fetch_one`, `fetch_all`, `fetch_value`) goes to a
    read-only connection of its own, without the lock. An in-memory database has one
    connection, and its reads take the lock as before.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path | None) -> None:
        self._conn = conn
        self._reader: aiosqlite.Connection | None = None  # opened after the migrations
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    @classmethod
    async def open(cls, path: Path | None) -> Database:
        if path is not None:
            _check_file(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if path is None else str(path)
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = sqlite3.Row
        db = cls(conn, path)
        try:
            await db._prepare()
            if path is not None:
                db._reader = await _reader(path)
        except BaseException:
            await conn.close()
            raise
        return db

    async def _prepare(self) -> None:
        conn = self._conn
        try:
            version = await self._pragma("user_version")
            app_id = await self._pragma("application_id")
            tables = await self.fetch_value(
                "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
            )
        except sqlite3.DatabaseError as exc:
            raise DatabaseRefused(f"{self.path}: not a SQLite database ({exc})") from None
        if tables and app_id != APPLICATION_ID:
            raise DatabaseRefused(
                f"{self.path}: this SQLite file belongs to another program; refusing to touch it"
            )
        if version > len(MIGRATIONS):
            raise DatabaseRefused(
                f"{self.path}: made by a newer version of the bot (schema {version}, "
                f"this one knows {len(MIGRATIONS)})"
            )
        if self.path is not None:
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        for number in range(version + 1, len(MIGRATIONS) + 1):
            async with self.transaction() as tx:
                for statement in MIGRATIONS[number - 1]:
                    await tx.execute(statement)
                await tx.execute(f"PRAGMA user_version = {number}")
                await tx.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            log.info("database schema migrated to version %d", number)

    async def _pragma(self, name: str) -> int:
        value = await self.fetch_value(f"PRAGMA {name}")
        return int(value or 0)

    @property
    def schema_version(self) -> int:
        return len(MIGRATIONS)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement on its own (atomic by itself); return the rows it changed."""
        async with self._lock, self._conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount

    # The reads below are one trip to aiosqlite's thread each (execute and fetch together);
    # a cursor would take three (execute, fetch, close), each waking the event loop again.

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """The first row, for statements that give at most one (by key, or RETURNING)."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        if self._reader is not None and _reads_only(sql):
            return list(await self._reader.execute_fetchall(sql, tuple(params)))
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    @property
    def closed(self) -> bool:
        return self._closed

    async def close(self) -> None:
        """Close the connection (once; later calls do nothing)."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._reader is not None:
                await self._reader.close()
            if self.path is not None:
                await self._conn.execute("PRAGMA optimize")
            await self._conn.close()


def _reads_only(sql: str) -> bool:
    """A lone SELECT (a statement beginning with WITH may write, and stays with the writer)."""
    return sql.lstrip()[:6].upper() == "SELECT"


async def _reader(path: Path) -> aiosqlite.Connection:
    """A second connection to the file that can only read (a write through it fails)."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA query_only = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        await conn.close()
        raise
    return conn


def _check_file(path: Path) -> None:
    """Refuse a file that is plainly not SQLite before SQLite gets a chance to write to it."""
    if not path.exists():
        return
    if path.is_dir():
        raise DatabaseRefused(f"{path}: is a directory, expected a database file")
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise DatabaseRefused(f"{path}: not a SQLite database; refusing to overwrite it")
