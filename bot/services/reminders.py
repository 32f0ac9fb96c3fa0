"""Reminders, derived from the program, sign-ups and preferences (never stored as jobs).

Who is reminded of what:
- everyone (unless they opted out) before events of the kinds in `forum.remind_everyone`, but
  for those it would mislead: who gave up their seat or left the waitlist of the event (until
  they sign up again or ask to be reminded), who waits for a seat at it (they hold none), and
  who holds a seat at another event at the same time (they will be there);
- each person before the events they hold a seat for or asked to be reminded of;
- delegation members before their itinerary items that they must be somewhere for.

The lead time is the person's own choice (10, 30, 60 minutes, or none), else the program's lead
for the kind. A plan is a set of jobs, one per (target, lead): each knows when it must start its
fan-out so that the last of its messages leaves before the lead time at the delivery rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.program.holder import ProgramHolder
from bot.program.models import Event, ItineraryItem, ItineraryKind, Program
from bot.services.delegations import item_keys, reminder_keys
from bot.services.signups import overlaps
from bot.storage.people import PeopleRepository, Person
from bot.storage.reminders import DEFAULT_PREFERENCE, Preference, ReminderRepository
from bot.storage.signups import SignupRepository

# Itinerary items worth a reminder: someone has to be somewhere at a time.
ITINERARY_REMINDED = frozenset(
    {
        ItineraryKind.TRANSFER,
        ItineraryKind.EXCURSION,
        ItineraryKind.DEPARTURE,
        ItineraryKind.MEETING,
    }
)
LEAD_CHOICES = (10, 30, 60)
FANOUT_MARGIN = timedelta(seconds=5)  # head room for the queue's other traffic


@dataclass(frozen=True, slots=True)
class Target:
    """Something to be reminded of: an event, or an item of a delegation's itinerary."""

    key: str  # the event id, or it:<delegation id>:<kind>.<minute> (`reminder_keys`)
    starts_at: datetime
    kind_lead: int | None  # the program's lead for it, in minutes
    everyone: bool  # an event of a kind everyone is reminded of
    event: Event | None = None
    # Of an event everyone is reminded of: the other events (not cancelled) at the same time.
    overlapping: tuple[str, ...] = ()
    item: ItineraryItem | None = None
    delegation: str | None = None
    item_key: str | None = None  # the item's key in the itinerary (`item_keys`): its 📍 button


@dataclass(frozen=True, slots=True)
class Job:
    target: str
    lead: int  # minutes
    starts_at: datetime
    fire_at: datetime  # starts_at - lead: every message must be out by then
    run_at: datetime  # when the fan-out starts (earlier for many recipients; now, if late)
    recipients: int

    @property
    def id(self) -> str:
        return f"remind:{self.target}:{self.lead}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the planner reads from the database, read once."""

    people: dict[int, Person]
    preferences: dict[int, Preference]
    seats: dict[str, set[int]]
    waiting: dict[str, set[int]]  # waitlist places
    asked: dict[str, set[int]]  # "remind me"
    declined: dict[str, set[int]]  # seats and places given up (and not taken again)
    members: dict[str, set[int]]  # delegation id -> people


def targets(program: Program) -> list[Target]:
    forum = program.forum
    held = [event for event in program.events if not event.cancelled]
    found = []
    for event in held:
        everyone = event.kind in forum.remind_everyone
        overlapping = (
            tuple(o.id for o in held if o.id != event.id and overlaps(o, event))
            if everyone
            else ()
        )
        found.append(
            Target(
                key=event.id,
                starts_at=event.starts_at,
                kind_lead=forum.reminder_minutes(event.kind),
                everyone=everyone,
                event=event,
                overlapping=overlapping,
            )
        )
    default = forum.reminders.get("default")
    for delegation in program.delegations:
        keyed = zip(item_keys(delegation), reminder_keys(delegation), strict=True)
        for (pin_key, item), (reminder_key, _) in keyed:  # both in file order
            if item.kind in ITINERARY_REMINDED:
                found.append(
                    Target(
                        key=f"it:{delegation.id}:{reminder_key}",
                        starts_at=item.starts_at,
                        kind_lead=default,
                        everyone=False,
                        item=item,
                        delegation=delegation.id,
                        item_key=pin_key,
                    )
                )
    return found


def hearing_everyone(people: Iterable[int], preferences: Mapping[int, Preference]) -> set[int]:
    """Who hears of the events meant for everyone: all but those who turned that off."""
    return {
        person_id
        for person_id in people
        if not preferences.get(person_id, DEFAULT_PREFERENCE).everyone_off
    }


def not_expected(snapshot: Snapshot, target: Target) -> set[int]:
    """Whom the reminder meant for everyone would tell of an event they will not be at: who
    gave up their seat or place there, who only waits for a seat, and who holds a seat at
    another event at the same time. (Their own seat or "remind me" still reminds them.)"""
    away = snapshot.declined.get(target.key, set()) | snapshot.waiting.get(target.key, set())
    for other in target.overlapping:
        away |= snapshot.seats.get(other, set())
    return away


def members_by_delegation(people: Iterable[Person]) -> dict[str, set[int]]:
    """Who is in each delegation (delegation id -> people)."""
    members: dict[str, set[int]] = {}
    for person in people:
        if person.delegation_id is not None:
            members.setdefault(person.delegation_id, set()).add(person.id)
    return members


def recipients(snapshot: Snapshot, target: Target) -> dict[int, int]:
    """Who is reminded of the target, each with their lead in minutes."""
    wanted: set[int] = set()
    if target.event is not None:
        wanted |= snapshot.seats.get(target.key, set()) | snapshot.asked.get(target.key, set())
        if target.everyone:
            hearing = hearing_everyone(snapshot.people, snapshot.preferences)
            wanted |= hearing - not_expected(snapshot, target)
    elif target.delegation is not None:
        wanted |= snapshot.members.get(target.delegation, set())
    leads: dict[int, int] = {}
    for person_id in wanted:
        if person_id not in snapshot.people:  # blocked, or unknown
            continue
        chosen = snapshot.preferences.get(person_id, DEFAULT_PREFERENCE).lead_minutes
        lead = target.kind_lead if chosen is None else chosen
        if lead:
            leads[person_id] = lead
    return leads


class ReminderPlanner:
    def __init__(
        self,
        people: PeopleRepository,
        signups: SignupRepository,
        repo: ReminderRepository,
        programs: ProgramHolder,
        clock: Clock,
        *,
        rate: float,
    ) -> None:
        self._people = people
        self._signups = signups
        self._repo = repo
        self._programs = programs
        self._clock = clock
        self._rate = rate
        self._changed: Callable[[], None] = lambda: None

    def on_change(self, listener: Callable[[], None]) -> None:
        """Called after a person changes their reminder settings (the reminders re-plan)."""
        self._changed = listener

    async def choose(
        self, person_id: int, *, lead: int | None, everyone: bool
    ) -> Preference | None:
        """A press in /settings: switch the reminders everyone gets, or choose the lead (-1: as
        the program says, 0: none, or one of LEAD_CHOICES). None for a choice not offered."""
        current = await self.preference(person_id)
        if everyone:
            chosen = Preference(current.lead_minutes, not current.everyone_off)
        elif lead == -1:
            chosen = Preference(None, current.everyone_off)
        elif lead in (0, *LEAD_CHOICES):
            chosen = Preference(lead, current.everyone_off)
        else:
            return None
        await self.set_preference(person_id, chosen)
        self._changed()
        return chosen

    async def snapshot(self) -> Snapshot:
        people = {person.id: person for person in await self._people.reachable()}
        members = members_by_delegation(people.values())
        standing = await self._signups.standing_by_event()
        return Snapshot(
            people=people,
            preferences=await self._repo.preferences(),
            seats=standing["seat"],
            waiting=standing["waitlist"],
            asked=await self._signups.reminders_by_event(),
            declined=await self._signups.declined_by_event(),
            members=members,
        )

    async def plan(self) -> list[Job]:
        """The jobs for every reminder still to come, from the program and the database."""
        now = self._clock.now()
        snapshot = await self.snapshot()
        jobs = []
        for target in targets(self._programs.current):
            if target.starts_at <= now:
                continue  # it has started: a reminder now would be no use
            by_lead: dict[int, int] = {}
            for lead in recipients(snapshot, target).values():
                by_lead[lead] = by_lead.get(lead, 0) + 1
            for lead, count in by_lead.items():
                fire_at = target.starts_at - timedelta(minutes=lead)
                fanout = timedelta(seconds=math.ceil(count / self._rate)) + FANOUT_MARGIN
                run_at = max(now, fire_at - fanout)
                jobs.append(Job(target.key, lead, target.starts_at, fire_at, run_at, count))
        jobs.sort(key=lambda job: (job.run_at, job.target, job.lead))
        return jobs

    async def due(
        self, target_key: str, lead: int
    ) -> tuple[Target, list[Person], set[int]] | None:
        """At fire time: the target (if still ahead), the people with this lead for it, and
        who of everyone holds a seat at it (their reminder says so)."""
        found = next((t for t in targets(self._programs.current) if t.key == target_key), None)
        if found is None or found.starts_at <= self._clock.now():
            return None
        snapshot = await self.snapshot()
        chosen = recipients(snapshot, found)
        people = [snapshot.people[pid] for pid, their in sorted(chosen.items()) if their == lead]
        return found, people, snapshot.seats.get(found.key, set())

    async def preference(self, person_id: int) -> Preference:
        return await self._repo.preference(person_id)

    async def set_preference(self, person_id: int, preference: Preference) -> None:
        await self._repo.set_preference(person_id, preference)
