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
    # 3: organizers added by an admin, broadcasts, and the delivery outbox
    (
        """
        CREATE TABLE organizers (
            person_id  INTEGER PRIMARY KEY,                 -- a Telegram user id
            added_by   INTEGER NOT NULL,
            added_at   TEXT NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE broadcasts (
            id          INTEGER PRIMARY KEY,
            author_id   INTEGER NOT NULL,
            audience    TEXT NOT NULL,                      -- JSON: who receives it
            texts       TEXT NOT NULL,                      -- JSON: {"default": lang, lang: text}
            photo       TEXT,                               -- a Telegram file_id
            paid        INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
            status      TEXT NOT NULL
                        CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
            send_at     TEXT NOT NULL,                      -- ISO 8601, UTC
            total       INTEGER NOT NULL DEFAULT 0,         -- recipients, once expanded
            report_chat INTEGER,                            -- the author's progress message
            report_message INTEGER,
            created_at  TEXT NOT NULL,
            finished_at TEXT
        ) STRICT
        """,
        "CREATE INDEX broadcasts_due ON broadcasts (status, send_at)",
        """
        CREATE TABLE outbox (
            id           INTEGER PRIMARY KEY,
            person_id    INTEGER NOT NULL,                  -- the chat it goes to
            kind         TEXT NOT NULL,                     -- broadcast | promotion | ...
            broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE,
            dedupe       TEXT UNIQUE,                       -- one message per key, ever
            payload      TEXT NOT NULL,                     -- JSON: what to send
            paid         INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
            state        TEXT NOT NULL CHECK (state IN
                         ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')),
            attempts     INTEGER NOT NULL DEFAULT 0,
            not_before   TEXT NOT NULL,                     -- ISO 8601, UTC
            last_error   TEXT,
            message_id   INTEGER,                           -- Telegram's, once sent
            created_at   TEXT NOT NULL,
            done_at      TEXT
        ) STRICT
        """,
        "CREATE INDEX outbox_due ON outbox (state, not_before, id)",
        "CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state)",
    ),
    # 4: reminder preferences, and the record of reminders sent
    (
        """
        CREATE TABLE preferences (
            person_id    INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            lead_minutes INTEGER CHECK (lead_minutes IN (0, 10, 30, 60)),  -- NULL: per kind
            everyone_off INTEGER NOT NULL DEFAULT 0 CHECK (everyone_off IN (0, 1))
        ) STRICT
        """,
        """
        CREATE TABLE reminders_sent (
            person_id  INTEGER NOT NULL,
            target     TEXT NOT NULL,      -- an event id, or it:<delegation id>:<item key>
            starts_at  TEXT NOT NULL,      -- the start it reminded of: a moved event is new
            lead       INTEGER NOT NULL,   -- minutes before the start
            outbox_id  INTEGER REFERENCES outbox (id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (person_id, target, starts_at)
        ) STRICT, WITHOUT ROWID
        """,
    ),
    # 5: invite codes tried, to slow down guessing
    (
        """
        CREATE TABLE join_attempts (
            person_id INTEGER NOT NULL,
            at        TEXT NOT NULL
        ) STRICT
        """,
        "CREATE INDEX join_attempts_person ON join_attempts (person_id, at)",
    ),
    # 6: the program as people were last told about it, so a restart does not forget changes
    (
        """
        CREATE TABLE program_told (
            id       INTEGER PRIMARY KEY CHECK (id = 1),
            snapshot TEXT NOT NULL,   -- the program, as JSON
            told_at  TEXT NOT NULL
        ) STRICT
        """,
    ),
    # 7: seats and waitlist places given up: no reminder meant for everyone of that event
    (
        """
        CREATE TABLE declined (
            person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            event_id   TEXT NOT NULL,                       -- an event id of the program
            created_at TEXT NOT NULL,                       -- ISO 8601, UTC: when they gave up
            PRIMARY KEY (person_id, event_id)
        ) STRICT, WITHOUT ROWID
        """,
    ),
)
