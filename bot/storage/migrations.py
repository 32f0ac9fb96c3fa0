"""Schema migrations, applied in order at start-up; `PRAGMA user_version` counts those applied.

Never edit a migration that has shipped: add a new one at the end.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: people
    (
        """
        CREATE TABLE people (
            id                INTEGER PRIMARY KEY,          -- Telegram user id
            full_name         TEXT NOT NULL,
            username          TEXT,
            language          TEXT CHECK (language IN ('kk', 'ru', 'en')),  -- NULL: not chosen
            telegram_language TEXT,                         -- language_code Telegram last sent
            delegation_id     TEXT,                         -- a delegation id of the program
            blocked           INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
            first_seen        TEXT NOT NULL,                -- ISO 8601, UTC
            last_seen         TEXT NOT NULL                 -- ISO 8601, UTC
        ) STRICT
        """,
        "CREATE INDEX people_delegation ON people (delegation_id) WHERE delegation_id IS NOT NULL",
        "CREATE INDEX people_language ON people (language)",
    ),
    # 2: sign-ups, waitlists and "remind me"
    (
        """
        CREATE TABLE signups (
            id         INTEGER PRIMARY KEY,                 -- grows with every press: the order
            person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            event_id   TEXT NOT NULL,                       -- an event id of the program
            status     TEXT NOT NULL CHECK (status IN ('seat', 'waitlist')),
            created_at TEXT NOT NULL,                       -- ISO 8601, UTC: when they pressed
            UNIQUE (person_id, event_id)
        ) STRICT
        """,
        "CREATE INDEX signups_event ON signups (event_id, status, id)",
        """
        CREATE TABLE remind_me (
            person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            event_id   TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (person_id, event_id)
        ) STRICT, WITHOUT ROWID
        """,
    ),
)
