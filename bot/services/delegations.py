"""Delegations: joining by invite code (guessing slowed), members, and a person's itinerary."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.program.holder import ProgramHolder
from bot.program.models import Delegation, Event, ItineraryItem, Program, Venue
from bot.services.people import PeopleService
from bot.storage.people import PeopleRepository, Person
from bot.storage.signups import SignupRepository

MAX_FAILED_JOINS = 5  # wrong codes a person may try ...
FAILED_JOIN_WINDOW = timedelta(hours=1)  # ... within this time


@dataclass(frozen=True, slots=True)
class Spot:
    """Where an itinerary item is on the map."""

    lat: float
    lon: float
    venue: Venue | None  # the item's venue, if it names one the program knows


def item_spot(program: Program, item: ItineraryItem) -> Spot | None:
    """The item's own coordinates (the more precise), else its venue's; None if neither.

    The one rule for the 📍 button, the pin it sends and the calendar's GEO."""
    venue = program.venues_by_id.get(item.venue or "")
    if item.lat is not None and item.lon is not None:
        return Spot(item.lat, item.lon, venue)
    if venue is not None:
        return Spot(venue.lat, venue.lon, venue)
    return None


class JoinCheck(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"  # no delegation has this code
    TOO_MANY = "too_many"  # too many wrong codes lately: not even checked


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of an itinerary: a delegation's item or an event the person holds a seat for."""

    starts_at: datetime
    ends_at: datetime | None
    item: ItineraryItem | None = None
    key: str | None = None  # the item's key in the delegation's itinerary (`item_keys`)
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class Itinerary:
    delegation: Delegation | None
    entries: tuple[Entry, ...]
    next_index: int | None  # the entry on now or next, to highlight

    def events(self) -> list[Event]:
        return [entry.event for entry in self.entries if entry.event is not None]

    def items(self) -> list[tuple[str, ItineraryItem]]:
        """The delegation's items, each with the key of its calendar UID: the same in every
        export, though the item moves (`item_keys`)."""
        if self.delegation is None:
            return []
        return [
            (f"it-{self.delegation.id}-{entry.key}", entry.item)
            for entry in self.entries
            if entry.item is not None and entry.key is not None
        ]


def item_keys(delegation: Delegation) -> list[tuple[str, ItineraryItem]]:
    """Each item of the itinerary with a key for its pin button and calendar entry.

    The program gives items no id, so the key is made of what an edit rarely touches: a short
    hash of the kind and the title in the three languages (`title_key`). Moving the item (the
    bus is late), changing its place, and adding, removing or reordering other items leave it
    alone, so a re-imported calendar updates a moved item instead of adding it again. Items
    sharing a kind and title (three daily transfers) add the minute they start: never another
    item's key after a removal, at the price of a moved one being new. A key that no longer
    names an item makes its old button say it is out of date; it never shows another place.
    """
    items = delegation.itinerary
    shared = Counter(title_key(item) for item in items)
    bases = [
        title_key(item) if shared[title_key(item)] == 1 else f"{title_key(item)}.{_minute(item)}"
        for item in items
    ]
    return _distinct(bases, items)


def reminder_keys(delegation: Delegation) -> list[tuple[str, ItineraryItem]]:
    """Each item with the key its reminders are remembered by: its kind and the minute it
    starts. A retitled item, or an item of the same title added or removed elsewhere, is not
    reminded again; a moved one is new, as a moved event is."""
    items = delegation.itinerary
    return _distinct([f"{item.kind.value}.{_minute(item)}" for item in items], items)


def _minute(item: ItineraryItem) -> int:
    return int(item.starts_at.timestamp()) // 60


def _distinct(
    bases: Sequence[str], items: Sequence[ItineraryItem]
) -> list[tuple[str, ItineraryItem]]:
    """The keys made unique in file order (a repeat gets -1, -2...)."""
    seen: Counter[str] = Counter()
    keyed = []
    for base, item in zip(bases, items, strict=True):
        keyed.append((f"{base}-{seen[base]}" if seen[base] else base, item))
        seen[base] += 1
    return keyed


def title_key(item: ItineraryItem) -> str:
    """A short hash of the item's kind and title, the same in every process (10 hex digits:
    callback data, calendar UIDs and job ids take them as they are)."""
    title = item.title
    named = "\n".join((item.kind.value, title.kk, title.ru, title.en))
    return hashlib.sha256(named.encode()).hexdigest()[:10]


def find_item(delegation: Delegation, key: str) -> ItineraryItem | None:
    return next((item for item_key, item in item_keys(delegation) if item_key == key), None)


class DelegationService:
    def __init__(
        self,
        people: PeopleService,
        people_repo: PeopleRepository,
        signups: SignupRepository,
        programs: ProgramHolder,
        clock: Clock,
    ) -> None:
        self._people = people
        self._people_repo = people_repo
        self._signups = signups
        self._programs = programs
        self._clock = clock
        self._changed: Callable[[], None] = lambda: None

    def on_change(self, listener: Callable[[], None]) -> None:
        """Called when someone joins or leaves a delegation (their reminders change)."""
        self._changed = listener

    async def check_code(self, person_id: int, code: str) -> tuple[JoinCheck, Delegation | None]:
        """Whether a code names a delegation; a wrong one counts against the person."""
        since = self._clock.now() - FAILED_JOIN_WINDOW
        if await self._people_repo.failed_joins_since(person_id, since) >= MAX_FAILED_JOINS:
            return JoinCheck.TOO_MANY, None
        delegation = self._programs.current.delegations_by_code.get(code)
        if delegation is None:
            await self._people_repo.failed_join(person_id, self._clock.now())
            return JoinCheck.UNKNOWN, None
        return JoinCheck.OK, delegation

    async def join(self, person_id: int, code: str) -> tuple[JoinCheck, Delegation | None]:
        """Join by code (the confirm button carries the code, never a bare delegation id)."""
        check, delegation = await self.check_code(person_id, code)
        if delegation is not None:
            await self._people.set_delegation(person_id, delegation.id)
            self._changed()
        return check, delegation

    async def link(self, person_id: int, delegation_id: str | None) -> bool:
        """An organizer links (or, with None, unlinks) a person by hand."""
        if (
            delegation_id is not None
            and delegation_id not in self._programs.current.delegations_by_id
        ):
            return False
        linked = await self._people.set_delegation(person_id, delegation_id)
        if linked:
            self._changed()  # their reminders follow the delegation's itinerary
        return linked

    async def members(self, delegation_id: str) -> list[Person]:
        return await self._people_repo.members(delegation_id)

    async def counts(self) -> dict[str, int]:
        return await self._people_repo.count_by_delegation()

    def delegation_of(self, person: Person) -> Delegation | None:
        if person.delegation_id is None:
            return None
        return self._programs.current.delegations_by_id.get(person.delegation_id)

    async def itinerary(self, person: Person) -> Itinerary:
        """The delegation's items and the person's seats, in time order; what is next marked."""
        program = self._programs.current
        delegation = self.delegation_of(person)
        entries = [
            Entry(item.starts_at, item.ends_at, item=item, key=key)
            for key, item in (item_keys(delegation) if delegation else ())
        ]
        for signup in await self._signups.of_person(person.id):
            event = program.events_by_id.get(signup.event_id)
            if event is not None and signup.status == "seat" and not event.cancelled:
                entries.append(Entry(event.starts_at, event.ends_at, event=event))
        entries.sort(key=lambda entry: (entry.starts_at, entry.event is not None))
        now = self._clock.now()
        upcoming = [
            number
            for number, entry in enumerate(entries)
            if (entry.ends_at or entry.starts_at) > now
        ]
        return Itinerary(delegation, tuple(entries), upcoming[0] if upcoming else None)
