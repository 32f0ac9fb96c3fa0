"""The program seen through time: which day, what is on now and next, pages of a day."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.program.models import Event, EventKind, Program, Venue

PAGE_SIZE = 8

# The kinds a person can filter the schedule by, in menu order.
FILTER_KINDS: tuple[EventKind, ...] = (
    EventKind.PLENARY,
    EventKind.SECTION,
    EventKind.MASTER_CLASS,
    EventKind.TRAINING,
    EventKind.LITERARY_MEETING,
    EventKind.EXCURSION,
)


class Phase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


@dataclass(frozen=True, slots=True)
class DayPage:
    day_index: int
    day: date
    events: tuple[Event, ...]  # this page's events, in time order
    first_number: int  # the list number of the first event on the page (1-based)
    page: int  # 0-based, clamped into range
    pages: int  # at least 1
    total: int  # events of the day after filters


def forum_phase(program: Program, now: datetime) -> Phase:
    if now < program.starts_at:
        return Phase.BEFORE
    if now >= program.ends_at:
        return Phase.AFTER
    return Phase.DURING


def default_day_index(program: Program, now: datetime) -> int:
    """Today during the forum, otherwise its first day."""
    today = now.astimezone(program.tz).date()
    days = program.forum.days
    return days.index(today) if today in days else 0


def named_day_index(program: Program, now: datetime, day: int | str) -> int | None:
    """The forum day a question names: a weekday (Monday 0), "today" or "tomorrow"; None when
    the forum is not on that day."""
    today = now.astimezone(program.tz).date()
    days = program.forum.days
    if day == "today" or day == "tomorrow":
        wanted = today + timedelta(days=1 if day == "tomorrow" else 0)
        if wanted in days:
            return days.index(wanted)
    elif isinstance(day, int):
        for index, on in enumerate(days):
            if on.weekday() == day:
                return index
    return None


def asked_day_index(program: Program, now: datetime, day: int | str | None) -> tuple[int, bool]:
    """The day a schedule asked for in words opens on (the named day, else the default one),
    and whether it is the day named (False: the forum is not on it)."""
    index = named_day_index(program, now, day) if day is not None else None
    if index is not None:
        return index, True
    return default_day_index(program, now), day is None


def day_page(
    program: Program,
    day_index: int,
    *,
    kind: EventKind | None = None,
    section: str | None = None,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> DayPage:
    """One page of a day's events, filtered; out-of-range days and pages are clamped."""
    days = program.forum.days
    day_index = min(max(day_index, 0), len(days) - 1)
    day = days[day_index]
    events = [
        event
        for event in program.events_by_day[day]
        if (kind is None or event.kind is kind) and (section is None or event.section == section)
    ]
    pages = max(1, math.ceil(len(events) / page_size))
    page = min(max(page, 0), pages - 1)
    start = page * page_size
    return DayPage(
        day_index=day_index,
        day=day,
        events=tuple(events[start : start + page_size]),
        first_number=start + 1,
        page=page,
        pages=pages,
        total=len(events),
    )


@dataclass(frozen=True, slots=True)
class VenueNow:
    venue: Venue
    current: tuple[Event, ...]  # on right now
    upcoming: tuple[Event, ...]  # the next start time at this venue (all events starting then)


@dataclass(frozen=True, slots=True)
class Now:
    phase: Phase
    venues: tuple[VenueNow, ...]  # during the forum: venues with something on now or later
    first: tuple[Event, ...]  # before the forum: the events that open it


def now_and_next(program: Program, now: datetime, *, opening_count: int = 3) -> Now:
    phase = forum_phase(program, now)
    live = [event for event in program.events_in_order if not event.cancelled]
    if phase is Phase.BEFORE:
        return Now(phase, (), tuple(live[:opening_count]))
    if phase is Phase.AFTER:
        return Now(phase, (), ())
    rows = []
    for venue in program.venues:
        here = [event for event in live if event.venue == venue.id]
        current = tuple(event for event in here if event.starts_at <= now < event.ends_at)
        later = [event for event in here if event.starts_at > now]
        upcoming = tuple(e for e in later if e.starts_at == later[0].starts_at) if later else ()
        if current or upcoming:
            rows.append(VenueNow(venue, current, upcoming))
    return Now(phase, tuple(rows), ())


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    radius = 6_371_000.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


FAR_METERS = 50_000  # farther than this from every venue: not at the forum yet


def is_far(meters: float) -> bool:
    """Too far from the nearest venue for its pin to help: another city."""
    return meters > FAR_METERS


def nearest_venue(program: Program, latitude: float, longitude: float) -> tuple[Venue, float]:
    """The venue closest to a point, with its distance in metres."""
    measured = [
        (haversine_m(latitude, longitude, venue.lat, venue.lon), venue) for venue in program.venues
    ]
    distance, venue = min(measured, key=lambda pair: pair[0])
    return venue, distance
