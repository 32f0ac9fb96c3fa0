"""The forum program as typed, immutable models (the contract: docs in program-format.md).

Models validate the shape of each item; cross-item rules (references, overlaps, dates) live in
`bot.program.loader`, which sees the whole file and reports every problem at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Lang = Literal["kk", "ru", "en"]
LANGS: tuple[Lang, ...] = ("kk", "ru", "en")
# Where a text lacks the reader's language, the first of these that it has is shown.
FALLBACK_ORDER: tuple[Lang, ...] = ("ru", "kk", "en")

# Ids appear in deep links (start=e-<id>) and callback data (64 bytes), so they stay short.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]+$", min_length=1, max_length=32)]
JoinCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", min_length=4, max_length=32)
]


class EventKind(StrEnum):
    PLENARY = "plenary"
    SECTION = "section"
    MASTER_CLASS = "master_class"
    TRAINING = "training"
    LITERARY_MEETING = "literary_meeting"
    EXCURSION = "excursion"
    CEREMONY = "ceremony"
    BREAK = "break"
    OTHER = "other"


class ItineraryKind(StrEnum):
    ARRIVAL = "arrival"
    TRANSFER = "transfer"
    HOTEL = "hotel"
    MEETING = "meeting"
    EXCURSION = "excursion"
    MEAL = "meal"
    DEPARTURE = "departure"
    OTHER = "other"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A human-readable text in the three languages of the forum."""

    kk: str = ""
    ru: str = ""
    en: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            unknown = [str(key) for key in value if key not in LANGS]
            if unknown:
                raise ValueError(
                    f"unknown language {', '.join(map(repr, unknown))}; expected kk, ru and en"
                )
            return {
                key: str(text).strip() if isinstance(text, (int, float)) else text
                for key, text in value.items()
            }
        if isinstance(value, str):
            raise ValueError("expected a map with kk, ru and en texts, got a plain string")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if self.missing_languages() == LANGS:
            raise ValueError("the text is empty in every language")
        return self

    @classmethod
    def same(cls, value: str) -> Text:
        """A text that reads the same in every language (a person's name, a code)."""
        return cls(kk=value, ru=value, en=value)

    def missing_languages(self) -> tuple[Lang, ...]:
        return tuple(lang for lang in LANGS if not getattr(self, lang).strip())

    def get(self, lang: str) -> str:
        value: str = getattr(self, lang, "") if lang in LANGS else ""
        if value:
            return value
        for other in FALLBACK_ORDER:
            value = getattr(self, other)
            if value:
                return value
        return ""


def _speaker(value: Any) -> Any:
    if isinstance(value, str):
        return Text.same(value.strip())
    return value


def _localize(value: datetime | None, info: ValidationInfo) -> datetime | None:
    """Naive times in the file are in the forum's timezone; aware ones are kept as given."""
    if value is None or value.tzinfo is not None:
        return value
    zone = (info.context or {}).get("tz")
    if not isinstance(zone, ZoneInfo):
        zone = UTC
    return value.replace(tzinfo=zone)


class Forum(_Frozen):
    id: Id
    title: Text
    timezone: str
    starts_on: date
    ends_on: date
    reminders: dict[EventKind | Literal["default"], Annotated[int, Field(ge=0, le=24 * 60)]] = (
        Field(default_factory=dict)
    )
    remind_everyone: tuple[EventKind, ...] = ()
    contacts: Text | None = None
    materials: Text | None = None  # where presentations and recordings are, after the forum
    # Signing up for an event that overlaps one already held: allow it, warn and offer to
    # switch, or forbid it.
    clash_policy: Literal["allow", "warn", "forbid"] = "warn"
    # Sign-ups close this many minutes before an event starts.
    signup_closes_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; expected an IANA name like Asia/Almaty"
            ) from None
        return value

    @model_validator(mode="after")
    def _dates(self) -> Forum:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def days(self) -> tuple[date, ...]:
        count = (self.ends_on - self.starts_on).days + 1
        return tuple(self.starts_on + timedelta(days=n) for n in range(count))

    def reminder_minutes(self, kind: EventKind) -> int | None:
        if kind in self.reminders:
            return self.reminders[kind]
        return self.reminders.get("default")


class Section(_Frozen):
    id: Id
    title: Text


class Room(_Frozen):
    id: Id
    name: Text
    floor: int | None = None

    @property
    def key(self) -> str:
        """The room on a button: its venue's id and its own could pass 64 bytes together, and
        an index would name another room after a reload adds one."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:8]


class Venue(_Frozen):
    id: Id
    name: Text
    address: Text
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    directions: Text | None = None
    rooms: tuple[Room, ...] = ()

    @cached_property
    def rooms_by_id(self) -> Mapping[str, Room]:
        return {room.id: room for room in self.rooms}

    @cached_property
    def rooms_by_key(self) -> Mapping[str, Room]:
        return {room.key: room for room in self.rooms}


class Event(_Frozen):
    id: Id
    kind: EventKind
    title: Text
    description: Text | None = None
    starts_at: datetime
    ends_at: datetime
    venue: Id
    room: Id | None = None
    speakers: tuple[Text, ...] = ()  # a name as written, or a {kk, ru, en} map
    capacity: int | None = Field(default=None, ge=0)
    section: Id | None = None
    cancelled: bool = False

    _localize_times = field_validator("starts_at", "ends_at")(_localize)

    @field_validator("speakers", mode="before")
    @classmethod
    def _speakers(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [_speaker(item) for item in value]
        return value

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class ItineraryItem(_Frozen):
    kind: ItineraryKind
    title: Text
    starts_at: datetime
    ends_at: datetime | None = None
    place: Text | None = None
    venue: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    details: Text | None = None

    _localize_times = field_validator("starts_at", "ends_at")(_localize)

    @model_validator(mode="after")
    def _consistent(self) -> ItineraryItem:
        if self.place is not None and self.venue is not None:
            raise ValueError("give either place or venue, not both")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Delegation(_Frozen):
    id: Id
    name: Text
    origin: Text
    join_code: JoinCode
    leaders: tuple[Annotated[int, Field(gt=0)], ...] = ()
    contact: Text | None = None
    itinerary: tuple[ItineraryItem, ...] = ()


class FaqEntry(_Frozen):
    id: Id
    question: Text
    keywords: dict[Lang, tuple[str, ...]] = Field(default_factory=dict)
    answer: Text


class Program(_Frozen):
    """One validated snapshot of the program, with lookups built once."""

    forum: Forum
    sections: tuple[Section, ...] = ()
    venues: tuple[Venue, ...]
    events: tuple[Event, ...]
    delegations: tuple[Delegation, ...] = ()
    faq: tuple[FaqEntry, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return self.forum.tz

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Program:
        """A new snapshot with fresh lookups (a plain copy would carry the cached ones over)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(update or {})
        del deep  # the parts are immutable: sharing them is safe
        return type(self)(**data)

    @cached_property
    def fingerprint(self) -> str:
        """Short and the same for equal programs: names a snapshot (change notices' keys)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    @cached_property
    def events_by_id(self) -> Mapping[str, Event]:
        return {event.id: event for event in self.events}

    @cached_property
    def venues_by_id(self) -> Mapping[str, Venue]:
        return {venue.id: venue for venue in self.venues}

    @cached_property
    def sections_by_id(self) -> Mapping[str, Section]:
        return {section.id: section for section in self.sections}

    @cached_property
    def faq_by_id(self) -> Mapping[str, FaqEntry]:
        return {entry.id: entry for entry in self.faq}

    @cached_property
    def delegations_by_id(self) -> Mapping[str, Delegation]:
        return {delegation.id: delegation for delegation in self.delegations}

    @cached_property
    def delegations_by_code(self) -> Mapping[str, Delegation]:
        return {delegation.join_code: delegation for delegation in self.delegations}

    @cached_property
    def events_in_order(self) -> tuple[Event, ...]:
        """By start, then end, then id: the order of every list (sorted once per program)."""
        return tuple(sorted(self.events, key=lambda e: (e.starts_at, e.ends_at, e.id)))

    @cached_property
    def events_by_day(self) -> Mapping[date, tuple[Event, ...]]:
        return {
            day: tuple(
                e for e in self.events_in_order if e.starts_at.astimezone(self.tz).date() == day
            )
            for day in self.forum.days
        }

    @property
    def starts_at(self) -> datetime:
        """The first event's start (of those that take place, if any does)."""
        return min(event.starts_at for event in self._taking_place)

    @property
    def ends_at(self) -> datetime:
        """The last event's end (of those that take place, if any does)."""
        return max(event.ends_at for event in self._taking_place)

    @property
    def _taking_place(self) -> tuple[Event, ...]:
        held = tuple(event for event in self.events if not event.cancelled)
        return held or self.events

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)
