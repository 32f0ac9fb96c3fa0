"""Program changes: what moved, changed room, was cancelled or added, and who must be told.

Events are told to those holding a seat, waiting or asking to be reminded (and to everyone for
the remind-everyone kinds); items of a delegation's itinerary (moved, another place, removed,
added) to the delegation's members. Each person gets one notice with all that concerns them.
What was over before and after the change (set right, cancelled or removed once it ended) is
no news to anyone.

Edits that come within a short window (an organizer fixing a typo after a reload) are told as
one notice: the difference is taken between the program people were last told about and the
one in force when the window closes. The program last told about is kept in the database, so
a restart inside the window, or a program file edited while the bot was stopped, is told too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from aiogram.utils.i18n import I18n
from pydantic import ValidationError

from bot.clock import Clock
from bot.i18n import locale_of
from bot.program.holder import ProgramHolder
from bot.program.models import Event, ItineraryItem, Program
from bot.services.delegations import title_key
from bot.services.reminders import hearing_everyone, members_by_delegation
from bot.storage.outbox import NewMessage, Payload
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


Subject = TypeVar("Subject", Event, ItineraryItem)


@dataclass(frozen=True, slots=True)
class _Changed(Generic[Subject]):
    kind: ChangeKind
    old: Subject | None
    new: Subject | None

    @property
    def subject(self) -> Subject:
        """What changed, as it is now (as it was, if it is gone)."""
        subject = self.new or self.old
        assert subject is not None
        return subject

    @property
    def starts_at(self) -> datetime:
        return self.subject.starts_at

    def ahead(self, now: datetime) -> bool:
        """Whether it was or is still to come: news while either its old or its new times have
        not ended yet (moved into the past, people holding it must hear it will not be). One
        over on both sides (set right, cancelled or removed after it ended) is no news."""
        return any(
            (subject.ends_at or subject.starts_at) > now
            for subject in (self.old, self.new)
            if subject is not None
        )


@dataclass(frozen=True, slots=True)
class Change(_Changed[Event]):
    """A change to an event (ROOM: another venue or room)."""

    @property
    def event_id(self) -> str:
        return self.subject.id


@dataclass(frozen=True, slots=True)
class ItemChange(_Changed[ItineraryItem]):
    """A change to an item of a delegation's itinerary (ROOM: another place)."""

    delegation_id: str


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
    changes.sort(key=lambda c: (c.starts_at, c.event_id, c.kind))
    return changes


def _held(program: Program, event_id: str) -> Event | None:
    """The event if it takes place in this program."""
    event = program.events_by_id.get(event_id)
    return None if event is None or event.cancelled else event


def item_diff(old: Program, new: Program) -> list[ItemChange]:
    """What changed in the delegations' itineraries: items moved, given another place, removed
    or added. A new title alone is no news (nor is it for events)."""
    changes: list[ItemChange] = []
    for delegation_id in sorted(set(old.delegations_by_id) | set(new.delegations_by_id)):
        before, after = (_itinerary(program, delegation_id) for program in (old, new))
        for was, now in item_pairs(before, after):
            if was is None or now is None:
                kind = ChangeKind.NEW if was is None else ChangeKind.CANCELLED
                changes.append(ItemChange(kind, was, now, delegation_id))
                continue
            if (was.starts_at, was.ends_at) != (now.starts_at, now.ends_at):
                changes.append(ItemChange(ChangeKind.MOVED, was, now, delegation_id))
            if _place(was) != _place(now):
                changes.append(ItemChange(ChangeKind.ROOM, was, now, delegation_id))
    changes.sort(key=lambda c: (c.starts_at, c.delegation_id, c.kind))
    return changes


def _itinerary(program: Program, delegation_id: str) -> Sequence[ItineraryItem]:
    delegation = program.delegations_by_id.get(delegation_id)
    return () if delegation is None else delegation.itinerary


def _place(item: ItineraryItem) -> tuple[object, ...]:
    return item.place, item.venue, item.lat, item.lon


ItemPair = tuple[ItineraryItem | None, ItineraryItem | None]


def item_pairs(before: Sequence[ItineraryItem], after: Sequence[ItineraryItem]) -> list[ItemPair]:
    """An itinerary's items before and after an edit, paired when they are one item.

    Items are known by the key of `item_keys`, their kind and title; of several sharing those,
    the ones that kept their start pair first and the rest in file order, so removing one of
    three daily transfers removes that one, not the last. An item left over with the kind and
    start of another left over is that item under a new title (a typo set right). What is left
    then was removed (old, None) or added (None, new).
    """
    rules: tuple[Callable[[ItineraryItem], Hashable], ...] = (
        lambda item: (title_key(item), item.starts_at),
        title_key,
        lambda item: (item.kind, item.starts_at),
    )
    pairs: list[ItemPair] = []
    olds, news = list(before), list(after)
    for same in rules:
        matched, olds, news = _pair_off(olds, news, same)
        pairs += matched
    return [*pairs, *((old, None) for old in olds), *((None, new) for new in news)]


def _pair_off(
    olds: list[ItineraryItem], news: list[ItineraryItem], same: Callable[[ItineraryItem], Hashable]
) -> tuple[list[ItemPair], list[ItineraryItem], list[ItineraryItem]]:
    """Old and new items alike by `same`, paired in file order; and those left unpaired."""
    waiting: dict[Hashable, list[int]] = {}
    for index, item in enumerate(news):
        waiting.setdefault(same(item), []).append(index)
    pairs: list[ItemPair] = []
    left: list[ItineraryItem] = []
    for item in olds:
        found = waiting.get(same(item))
        if found:
            pairs.append((item, news[found.pop(0)]))
        else:
            left.append(item)
    unpaired = sorted(index for indexes in waiting.values() for index in indexes)
    return pairs, left, [news[index] for index in unpaired]


class ProgramChanges:
    def __init__(
        self,
        programs: ProgramHolder,
        people: PeopleRepository,
        signups: SignupRepository,
        preferences: ReminderRepository,
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
            current = self._programs.current
            pending = [*diff(self._told, current), *item_diff(self._told, current)]
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
                told = Program.model_validate_json(snapshot)
            except ValidationError:
                log.warning("the program last told about could not be read; starting afresh")
            else:
                if told.forum.id == self._programs.current.forum.id:
                    self._told, self._told_at = told, told_at
                    return
                # Another forum's program: its differences are not news to anyone here.
                log.warning(
                    "the program last told about is of forum %r; starting afresh", told.forum.id
                )
                self._told = self._programs.current
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
        except Exception:  # the database refused (full, locked): try again after the window
            log.exception("telling program changes failed; trying again shortly")
            self._timer = asyncio.create_task(self._later())

    def close(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()

    async def flush(self) -> int:
        """Tell everyone concerned, in one notice each; returns how many were queued."""
        async with self._lock:
            await self._read_told()
            current = self._programs.current
            if current.fingerprint == self._told.fingerprint:
                return 0
            now = self._clock.now()
            # What is over on both sides is not told, but is remembered as told below.
            changes = [change for change in diff(self._told, current) if change.ahead(now)]
            items = [change for change in item_diff(self._told, current) if change.ahead(now)]
            notices = await self._notices(changes, items, current)
            # Queued and remembered in one transaction: a flush the database refuses leaves
            # neither, and the next one tells these changes (and any later) once.
            added = await self._told_repo.tell(notices, current.model_dump_json(), now)
            self._told, self._told_at = current, now
            if added:
                self._wake_sender()
            count = len(changes) + len(items)
            log.info("program changes: %d change(s), %d people told", count, added)
            return added

    async def _notices(
        self, changes: list[Change], items: list[ItemChange], current: Program
    ) -> list[NewMessage]:
        """One notice for each person concerned, with all of their changes."""
        if not changes and not items:
            return []
        everyone = {person.id: person for person in await self._people.reachable()}
        told: list[tuple[int, Change | ItemChange]] = [
            *await self._told_of_events(changes, current, everyone),
            *_told_of_items(items, everyone),
        ]
        concerned: dict[int, list[Change | ItemChange]] = {}
        for person_id, change in told:
            concerned.setdefault(person_id, []).append(change)
        assert self._told_at is not None
        stamp = f"{self._told_at.isoformat()}>{current.fingerprint}"  # the stored state
        return [
            self._notice(current, everyone[person_id], their, stamp)
            for person_id, their in sorted(concerned.items())
        ]

    async def _told_of_events(
        self, changes: list[Change], current: Program, everyone: dict[int, Person]
    ) -> list[tuple[int, Change]]:
        """Who hears of each event change: its holders, and everyone for the kinds of
        `remind_everyone` (as they hear its reminders) but those who gave that event up."""
        if not changes:
            return []
        preferences = await self._preferences.preferences()
        kinds = set(current.forum.remind_everyone)
        holders = await self._signups.holders(change.event_id for change in changes)
        hearing = hearing_everyone(everyone, preferences)
        declined = await self._signups.declined_by_event() if kinds else {}
        told: list[tuple[int, Change]] = []
        for change in changes:
            people = holders.get(change.event_id, set())
            if change.subject.kind in kinds:
                people = people | (hearing - declined.get(change.event_id, set()))
            told += [(person_id, change) for person_id in people if person_id in everyone]
        return told

    def _notice(
        self,
        program: Program,
        person: Person,
        changes: list[Change | ItemChange],
        stamp: str,
    ) -> NewMessage:
        """One person's notice: their changes in time order (events first at one time)."""
        lang = locale_of(person)
        changes = sorted(changes, key=lambda change: change.starts_at)
        with self._i18n.context(), self._i18n.use_locale(lang):
            text = views.notice(program, changes, lang)
        return NewMessage(
            person_id=person.id,
            kind="change",
            payload=Payload(text),
            dedupe=f"change:{stamp}:{person.id}",
        )


def _told_of_items(
    items: list[ItemChange], everyone: dict[int, Person]
) -> list[tuple[int, ItemChange]]:
    """Who hears of each itinerary change: the delegation's members."""
    members = members_by_delegation(everyone.values())
    return [
        (person_id, item) for item in items for person_id in members.get(item.delegation_id, ())
    ]
