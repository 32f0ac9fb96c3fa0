"""Program changes: what moved, changed room, was cancelled or added, and who must be told.

Edits that come within a short window (an organizer fixing a typo after a reload) are told as
one notice: the difference is taken between the program people were last told about and the
one in force when the window closes. The program last told about is kept in the database, so
a restart inside the window, or a program file edited while the bot was stopped, is told too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aiogram.utils.i18n import I18n
from pydantic import ValidationError

from bot.clock import Clock
from bot.program.holder import ProgramHolder
from bot.program.models import Event, Program
from bot.services.people import locale_of
from bot.services.reminders import hearing_everyone
from bot.storage.outbox import NewMessage, OutboxRepository, Payload
from bot.storage.people import PeopleRepository, Person
from bot.storage.reminders import ReminderRepository
from bot.storage.signups import SignupRepository
from bot.storage.told import ToldRepository
from bot.views import changes as views

log = logging.getLogger(__name__)


class ChangeKind(StrEnum):
    MOVED = "moved"
    ROOM = "room"
    CANCELLED = "cancelled"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    old: Event | None
    new: Event | None

    @property
    def event_id(self) -> str:
        event = self.new or self.old
        assert event is not None
        return event.id


def diff(old: Program, new: Program) -> list[Change]:
    """What people were told before against what is in force now; a cancelled event counts as
    gone, so one put back is new again."""
    changes: list[Change] = []
    for event_id in sorted(set(old.events_by_id) | set(new.events_by_id)):
        before, after = _held(old, event_id), _held(new, event_id)
        if before is None and after is not None:
            changes.append(Change(ChangeKind.NEW, None, after))
        elif before is not None and after is None:
            changes.append(Change(ChangeKind.CANCELLED, before, new.events_by_id.get(event_id)))
        elif before is not None and after is not None:
            if (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at):
                changes.append(Change(ChangeKind.MOVED, before, after))
            if (before.venue, before.room) != (after.venue, after.room):
                changes.append(Change(ChangeKind.ROOM, before, after))
    changes.sort(key=lambda c: ((c.new or c.old).starts_at, c.event_id, c.kind))  # type: ignore[union-attr]
    return changes


def _held(program: Program, event_id: str) -> Event | None:
    """The event if it takes place in this program."""
    event = program.events_by_id.get(event_id)
    return None if event is None or event.cancelled else event


class ProgramChanges:
    def __init__(
        self,
        programs: ProgramHolder,
        people: PeopleRepository,
        signups: SignupRepository,
        preferences: ReminderRepository,
        outbox: OutboxRepository,
        told: ToldRepository,
        clock: Clock,
        i18n: I18n,
        wake_sender: Callable[[], None],
        *,
        window: float = 60.0,
    ) -> None:
        self._programs = programs
        self._people = people
        self._signups = signups
        self._preferences = preferences
        self._outbox = outbox
        self._told_repo = told
        self._clock = clock
        self._i18n = i18n
        self._wake_sender = wake_sender
        self._window = window
        self._told: Program = programs.current  # what people were last told about
        self._told_at: datetime | None = None  # when that was stored; None: not read yet
        self._timer: asyncio.Task[None] | None = None  # the quiet window, then a flush
        self._telling: asyncio.Task[int] | None = None  # a flush under way
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """At start-up: if the program changed since people were last told, tell them once the
        window has passed (a restart inside the window, or a file edited while stopped)."""
        async with self._lock:
            await self._read_told()
            pending = diff(self._told, self._programs.current)
        if pending:
            log.info("%d program change(s) not told yet: telling them shortly", len(pending))
            self.reloaded()

    async def _read_told(self) -> None:
        if self._told_at is not None:
            return
        stored = await self._told_repo.load()
        if stored is not None:
            snapshot, told_at = stored
            try:
                self._told, self._told_at = Program.model_validate_json(snapshot), told_at
                return
            except ValidationError:
                log.warning("the program last told about could not be read; starting afresh")
        await self._remember(self._told)  # the first start: what is in force is what is known

    async def _remember(self, program: Program) -> None:
        now = self._clock.now()
        await self._told_repo.save(program.model_dump_json(), now)
        self._told, self._told_at = program, now

    def reloaded(self) -> None:
        """A new program is in force: tell people once the window has passed quietly.

        Another reload restarts the window; a flush already under way is not interrupted (it
        tells what it read, and the next one tells what came after)."""
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer = asyncio.create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(self._window)
        self._telling = asyncio.create_task(self.flush())
        try:
            await asyncio.shield(self._telling)
        except Exception:
            log.exception("telling program changes failed")

    def close(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()

    async def flush(self) -> int:
        """Tell everyone concerned, in one notice each; returns how many were queued."""
        async with self._lock:
            await self._read_told()
            current = self._programs.current
            changes = diff(self._told, current)
            added = await self._tell(changes, current)
            if changes or current.fingerprint != self._told.fingerprint:
                # Only once queued: a failed flush is retried by the next, with the same
                # dedupe keys (they name the stored state), so nobody is told twice.
                await self._remember(current)
            return added

    async def _tell(self, changes: list[Change], current: Program) -> int:
        if not changes:
            return 0
        everyone = {person.id: person for person in await self._people.reachable()}
        preferences = await self._preferences.preferences()
        kinds = set(current.forum.remind_everyone)
        holders = await self._signups.holders(change.event_id for change in changes)
        hearing = hearing_everyone(everyone, preferences)  # as they hear its reminders
        concerned: dict[int, list[Change]] = {}
        for change in changes:
            people = holders.get(change.event_id, set())
            event = change.new or change.old
            assert event is not None
            if event.kind in kinds:
                people = people | hearing
            for person_id in people:
                if person_id in everyone:
                    concerned.setdefault(person_id, []).append(change)
        assert self._told_at is not None
        stamp = f"{self._told_at.isoformat()}>{current.fingerprint}"
        messages = [
            self._notice(current, everyone[person_id], their, stamp)
            for person_id, their in sorted(concerned.items())
        ]
        added = await self._outbox.enqueue(messages, self._clock.now())
        if added:
            self._wake_sender()
        log.info("program changes: %d change(s), %d people told", len(changes), added)
        return added

    def _notice(
        self, program: Program, person: Person, changes: list[Change], stamp: str
    ) -> NewMessage:
        lang = locale_of(person)
        with self._i18n.context(), self._i18n.use_locale(lang):
            text = views.notice(program, changes, lang)
        return NewMessage(
            person_id=person.id,
            kind="change",
            payload=Payload(text),
            dedupe=f"change:{stamp}:{person.id}",
        )
