"""Program changes: what moved, changed room, was cancelled or added, and who must be told.

Edits that come within a short window (an organizer fixing a typo after a reload) are told as
one notice: the difference is taken between the program people were last told about and the
one in force when the window closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.program.holder import ProgramHolder
from bot.program.models import Event, Program
from bot.services.people import locale_of
from bot.services.reminders import hearing_everyone
from bot.storage.outbox import NewMessage, OutboxRepository, Payload
from bot.storage.people import PeopleRepository, Person
from bot.storage.reminders import ReminderRepository
from bot.storage.signups import SignupRepository
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
        self._clock = clock
        self._i18n = i18n
        self._wake_sender = wake_sender
        self._window = window
        self._told: Program = programs.current  # what people were last told about
        self._timer: asyncio.Task[None] | None = None  # the quiet window, then a flush
        self._telling: asyncio.Task[int] | None = None  # a flush under way
        self._lock = asyncio.Lock()
        self._round = 0

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
            current = self._programs.current
            added = await self._tell(diff(self._told, current), current)
            self._told = current  # only once queued: a failed flush is retried by the next
            return added

    async def _tell(self, changes: list[Change], current: Program) -> int:
        if not changes:
            return 0
        self._round += 1
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
        stamp = self._clock.now().isoformat()
        messages = [
            self._notice(current, everyone[person_id], their, f"{stamp}:{self._round}")
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
