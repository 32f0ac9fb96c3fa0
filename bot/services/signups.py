"""Sign-ups: seats, waitlists with automatic promotion, clashes, deadlines, the agenda."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.i18n import locale_of
from bot.program.holder import ProgramHolder
from bot.program.models import Event, Lang, Program
from bot.storage.signups import EventCounts, Participant, Signup, SignupRepository, Standing


class Outcome(StrEnum):
    SEAT = "seat"  # a seat was taken
    WAITLIST = "waitlist"  # full: a waitlist place was taken
    ALREADY = "already"  # the person holds one already (a double tap): nothing changed
    CLASH = "clash"  # overlaps a seat they hold; the policy asks them what to do
    FORBIDDEN = "forbidden"  # overlaps a seat they hold; the policy refuses
    CLOSED = "closed"  # sign-ups closed (deadline or the event is past)
    CANCELLED = "cancelled"  # the event is cancelled
    NO_SIGNUP = "no_signup"  # the event has no capacity: nothing to sign up for
    UNKNOWN = "unknown"  # no such event (any more)


class Resolve(StrEnum):
    ASK = "ask"  # apply the clash policy
    SWITCH = "switch"  # give up the overlapping seats, take this one
    BOTH = "both"  # keep both (only where the policy warns)


@dataclass(frozen=True, slots=True)
class SignupResult:
    outcome: Outcome
    signup: Signup | None = None
    clashes: tuple[Event, ...] = ()
    promoted: dict[str, tuple[int, ...]] = field(default_factory=dict)  # event id -> people


@dataclass(frozen=True, slots=True)
class Released:
    released: bool  # False: nothing was held
    promoted: dict[str, tuple[int, ...]] = field(default_factory=dict)  # event id -> people


@dataclass(frozen=True, slots=True)
class EventState:
    """What one person sees on an event's card."""

    signup: Signup | None
    seats_left: int | None  # None: the event has no capacity
    open: bool  # sign-ups open now
    reminded: bool  # they will be reminded: "remind me" is on, or everyone is reminded of it
    started: bool = False  # it has begun: nothing left to remind of


@dataclass(frozen=True, slots=True)
class AgendaItem:
    event: Event
    signup: Signup | None  # None: a "remind me" event

    @property
    def planned(self) -> bool:
        """A seat or a reminder belongs in a calendar; a waitlist place is not a plan yet."""
        return self.signup is None or self.signup.status == "seat"


@dataclass(frozen=True, slots=True)
class EventStats:
    event: Event
    counts: EventCounts


@dataclass(frozen=True, slots=True)
class Stats:
    events: tuple[EventStats, ...]
    by_language: dict[Lang, int]  # the language the bot speaks to them in
    by_delegation: dict[str | None, int]


def open_to_everyone(program: Program, event: Event) -> bool:
    """An event without seats of a kind everyone is reminded of: its card offers "remind me"
    and "don't remind me" against the reminder everyone gets."""
    return event.capacity is None and event.kind in program.forum.remind_everyone


def overlaps(a: Event, b: Event) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


@dataclass(slots=True)
class _Turn:
    """One person's lock, and how many of their presses hold it or wait for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


def _clashes(program: Program, event: Event, seats: Iterable[str]) -> tuple[Event, ...]:
    """The events overlapping `event` among those where the person holds a seat, in the order
    given (a seat at a cancelled event holds no time)."""
    others = (program.events_by_id[seat] for seat in seats if seat in program.events_by_id)
    return tuple(
        other
        for other in others
        if other.id != event.id and not other.cancelled and overlaps(other, event)
    )


def signups_open(program: Program, event: Event, now: datetime) -> bool:
    """Whether an event takes sign-ups at `now`: not cancelled, and not yet closed (they close
    `signup_closes_minutes` before it starts)."""
    closes_at = event.starts_at - timedelta(minutes=program.forum.signup_closes_minutes)
    return not event.cancelled and now < closes_at


class SignupService:
    def __init__(self, repo: SignupRepository, programs: ProgramHolder, clock: Clock) -> None:
        self._repo = repo
        self._programs = programs
        self._clock = clock
        self._changed: Callable[[], None] = lambda: None
        self._turns: dict[int, _Turn] = {}  # only people with a press in hand

    @asynccontextmanager
    async def _turn(self, person_id: int) -> AsyncIterator[None]:
        """One sign-up or cancellation of a person at a time: the clash check and the taking
        are separate steps, and two quick taps on overlapping events must not both pass the
        check. A lock lives only while someone holds or waits for it."""
        turn = self._turns.get(person_id)
        if turn is None:
            turn = self._turns[person_id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[person_id]

    def on_change(self, listener: Callable[[], None]) -> None:
        """Called after every change of who holds what (the reminder planner listens)."""
        self._changed = listener

    def is_open(self, program: Program, event: Event) -> bool:
        return signups_open(program, event, self._clock.now())

    def _rivals(self, program: Program, event: Event) -> tuple[str, ...]:
        """Under `clash_policy: forbid`, the events whose seat holders are passed over on this
        event's waitlist: those overlapping it, as a seat there could not be held with one
        here. A person passed over keeps their place, and is next in line again as soon as
        they hold no such seat (giving it up hands them the first seat free)."""
        if program.forum.clash_policy != "forbid":
            return ()
        return tuple(
            other.id
            for other in program.events
            if other.capacity is not None
            and not other.cancelled
            and other.id != event.id
            and overlaps(other, event)
        )

    async def state(self, person_id: int, event: Event) -> EventState:
        program = self._programs.current
        capacity = event.capacity
        rivals = self._rivals(program, event) if capacity is not None else ()
        standing = await self._repo.standing(person_id, event.id, rivals)
        seats_left = None if capacity is None else max(0, capacity - standing.taken)
        now = self._clock.now()
        open_ = signups_open(program, event, now)
        reminded = standing.reminded or self._reminds_everyone(program, event, standing)
        return EventState(
            standing.signup, seats_left, open_, reminded, started=now >= event.starts_at
        )

    @staticmethod
    def _reminds_everyone(program: Program, event: Event, standing: Standing) -> bool:
        """Whether the reminder everyone gets of this event reaches the person, as the
        planner decides it (bot/services/reminders.py): not if they declined the event,
        turned those reminders off, or hold a seat at the same time elsewhere."""
        if not open_to_everyone(program, event) or standing.declined or standing.everyone_off:
            return False
        elsewhere = (program.events_by_id.get(seat) for seat in standing.seats)
        return not any(
            other is not None and not other.cancelled and overlaps(other, event)
            for other in elsewhere
        )

    async def sign_up(
        self, person_id: int, event_id: str, resolve: Resolve = Resolve.ASK
    ) -> SignupResult:
        async with self._turn(person_id):
            return await self._sign_up(person_id, event_id, resolve)

    async def _sign_up(self, person_id: int, event_id: str, resolve: Resolve) -> SignupResult:
        program = self._programs.current
        event = program.events_by_id.get(event_id)
        if event is None:
            return SignupResult(Outcome.UNKNOWN)
        if event.capacity is None:
            return SignupResult(Outcome.NO_SIGNUP)
        if event.cancelled:
            return SignupResult(Outcome.CANCELLED)
        if not self.is_open(program, event):
            return SignupResult(Outcome.CLOSED)
        rivals = self._rivals(program, event)
        standing = await self._repo.standing(person_id, event_id, rivals)
        if standing.signup is not None:
            return SignupResult(Outcome.ALREADY, standing.signup)
        policy = program.forum.clash_policy
        # On a full event they join the waitlist and keep what they hold, so only a seat can
        # clash; under forbid a waitlist place does too: it could never become a seat.
        full = standing.taken >= event.capacity
        check = policy == "forbid" or not full
        clashes = _clashes(program, event, standing.seats) if check else ()
        promoted: dict[str, tuple[int, ...]] = {}
        if clashes and policy == "forbid":
            return SignupResult(Outcome.FORBIDDEN, clashes=clashes)
        if clashes and policy == "warn" and resolve is Resolve.ASK:
            return SignupResult(Outcome.CLASH, clashes=clashes)
        if clashes and resolve is Resolve.SWITCH:
            for other in clashes:
                promoted |= (await self._release(person_id, other.id)).promoted
        now = self._clock.now()
        seated = await self._repo.take(person_id, event.id, event.capacity, now, rivals=rivals)
        self._changed()
        if seated is None:  # a second tap that arrived at the same moment as the first
            signup = await self._repo.get(person_id, event.id)
            return SignupResult(Outcome.ALREADY, signup, promoted=promoted)
        ahead = tuple(other for other in seated if other != person_id)
        if ahead:  # people who waited for seats nobody had handed them yet
            promoted[event.id] = ahead
        if person_id in seated:  # a seat has no place in line: nothing to read back
            return SignupResult(
                Outcome.SEAT, Signup(person_id, event.id, "seat", now), clashes, promoted
            )
        signup = await self._repo.get(person_id, event.id)  # their place in line
        assert signup is not None
        return SignupResult(Outcome.WAITLIST, signup, clashes, promoted)

    async def cancel(self, person_id: int, event_id: str) -> Released:
        """Give up a seat or waitlist place; the waitlist moves up while sign-ups are open."""
        async with self._turn(person_id):
            return await self._release(person_id, event_id)

    async def _release(self, person_id: int, event_id: str) -> Released:
        """Give up a seat or place (a cancellation, or a switch to an overlapping event). The
        person is then on record as having declined the event: they are not reminded of it as
        everyone is, since they said they will not be there (see bot.services.reminders)."""
        program = self._programs.current
        event = program.events_by_id.get(event_id)
        now = self._clock.now()
        if event is None:
            released, _ = await self._repo.release(person_id, event_id, 0, promote=False, now=now)
            self._changed()
            return Released(released is not None)
        rivals = self._rivals(program, event)
        released, filled = await self._repo.release(
            person_id,
            event_id,
            event.capacity or 0,
            promote=self.is_open(program, event),
            now=now,
            rivals=rivals,
        )
        promoted = {event_id: tuple(filled)} if filled else {}
        if released == "seat" and rivals:  # waiting elsewhere, they may be next in line now
            waiting = [other for other in await self._waiting(person_id) if other in rivals]
            promoted |= await self._fill(program, waiting)
        self._changed()
        return Released(released is not None, promoted)

    async def resume(self, person_id: int) -> dict[str, tuple[int, ...]]:
        """The person unblocked the bot: their waitlist places, passed over meanwhile, are in
        line again, and seats left free for them are theirs now (those promoted, per event)."""
        async with self._turn(person_id):
            promoted = await self._fill(self._programs.current, await self._waiting(person_id))
        if promoted:
            self._changed()
        return promoted

    async def _waiting(self, person_id: int) -> list[str]:
        return [
            signup.event_id
            for signup in await self._repo.of_person(person_id)
            if signup.status == "waitlist"
        ]

    async def _fill(
        self, program: Program, event_ids: Iterable[str]
    ) -> dict[str, tuple[int, ...]]:
        """Hand the free seats of these events (those still open) to their waitlists."""
        promoted: dict[str, tuple[int, ...]] = {}
        for event_id in event_ids:
            event = program.events_by_id.get(event_id)
            if event is None or event.capacity is None or not self.is_open(program, event):
                continue
            rivals = self._rivals(program, event)
            filled = await self._repo.fill(event.id, event.capacity, rivals)
            if filled:
                promoted[event.id] = tuple(filled)
        return promoted

    async def fill_free_seats(self) -> dict[str, tuple[int, ...]]:
        """At start-up and after a reload: seats free while people wait (a capacity raised
        in the program file) go to the waitlist, in order."""
        program = self._programs.current
        return await self._fill(program, (event.id for event in program.events))

    async def set_reminder(self, person_id: int, event_id: str, *, on: bool) -> bool:
        """Turn "remind me" for an event without sign-up on or off; a second time changes
        nothing (a double tap). An event no longer in the program is left alone, and one that
        has begun is not reminded of: False then."""
        event = self._programs.current.events_by_id.get(event_id)
        now = self._clock.now()
        if event is None or (on and now >= event.starts_at):
            return False
        # "Don't remind me" of an event everyone is reminded of is a decline, as a seat given
        # up is: the planner leaves them out of everyone's reminder.
        decline = open_to_everyone(self._programs.current, event)
        await self._repo.set_reminder(person_id, event_id, now, on=on, decline=decline)
        self._changed()
        return True

    async def agenda(self, person_id: int) -> list[AgendaItem]:
        """The person's events (seats, waitlist places, reminders) in time order."""
        program = self._programs.current
        signups, reminders = await self._repo.agenda_of(person_id)
        items = [
            AgendaItem(program.events_by_id[signup.event_id], signup)
            for signup in signups
            if signup.event_id in program.events_by_id
        ]
        held = {item.event.id for item in items}
        items += [
            AgendaItem(program.events_by_id[event_id], None)
            for event_id in reminders
            if event_id in program.events_by_id and event_id not in held
        ]
        items.sort(key=lambda item: (item.event.starts_at, item.event.ends_at, item.event.id))
        return items

    async def planned(self, person_id: int) -> list[Event]:
        """What belongs in the person's calendar: seats and reminders."""
        return [item.event for item in await self.agenda(person_id) if item.planned]

    async def stats(self) -> Stats:
        program = self._programs.current
        with_capacity = [event for event in program.events if event.capacity is not None]
        counts = await self._repo.counts([event.id for event in with_capacity])
        ordered = sorted(with_capacity, key=lambda event: (event.starts_at, event.id))
        by_language: Counter[Lang] = Counter()
        by_delegation: Counter[str | None] = Counter()
        for cohort in await self._repo.cohorts():
            by_language[locale_of(cohort)] += cohort.people
            by_delegation[cohort.delegation_id] += cohort.people
        return Stats(
            events=tuple(EventStats(event, counts[event.id]) for event in ordered),
            by_language=dict(by_language),
            by_delegation=dict(by_delegation),
        )

    async def participants(self, event_id: str) -> list[Participant]:
        return await self._repo.participants(event_id)
