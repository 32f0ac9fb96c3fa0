""".ics files ("Add to calendar") for one event or several (a personal agenda).

Times are written as UTC instants (`DTSTART:20261210T050000Z`), not as local times with a TZID
and a VTIMEZONE: many calendar apps ignore an embedded VTIMEZONE and read the TZID from their own
timezone database, and Asia/Almaty moved from UTC+6 to UTC+5 in March 2024, so a device with
older data would show every event an hour late. A UTC instant means the same moment everywhere,
and the app shows it in the reader's own zone.

Program texts are plain text (the bot escapes them for Telegram), so they go in as they are;
icalendar escapes commas, semicolons, backslashes and newlines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiogram.utils.i18n import gettext as _
from icalendar import Alarm, Calendar
from icalendar import Event as VEvent

from bot.deeplinks import DeepLink, LinkKind, normalize_bot_username, start_link
from bot.i18n import in_language
from bot.program.models import Event, ItineraryItem, Lang, Program
from bot.services.delegations import item_spot
from bot.texts import plain_place

PRODID = "-//forum-bot//Pavlodar international library forum//EN"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 64


def speakers_label(lang: Lang) -> str:
    with in_language(lang):
        return _("Speakers")


def event_uid(program: Program, event: Event) -> str:
    """The same for every file made for the event, so a calendar app updates it in place."""
    return f"{event.id}@{program.forum.id}"


def event_location(program: Program, event: Event, lang: Lang) -> str:
    """Venue, room, floor and address: "Library, Main hall, floor 1, 1 Satpayev St, Pavlodar"."""
    venue = program.venues_by_id[event.venue]
    with in_language(lang):
        place = plain_place(program, event, lang)
    parts = [place, venue.address.get(lang)]
    return ", ".join(part for part in parts if part)


def event_description(event: Event, lang: Lang) -> str:
    """The description and the speakers, as plain text."""
    parts: list[str] = []
    if event.description is not None and event.description.get(lang):
        parts.append(event.description.get(lang))
    speakers = [name for name in (speaker.get(lang) for speaker in event.speakers) if name]
    if speakers:
        parts.append(f"{speakers_label(lang)}: {', '.join(speakers)}")
    return "\n\n".join(parts)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got the naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _vevent(
    program: Program, event: Event, *, lang: Lang, bot_username: str | None, stamp: datetime
) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event_uid(program, event))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _utc(event.starts_at))
    vevent.add("dtend", _utc(event.ends_at))
    vevent.add("summary", event.title.get(lang))
    vevent.add("location", event_location(program, event, lang))
    venue = program.venues_by_id[event.venue]
    vevent.add("geo", (venue.lat, venue.lon))
    description = event_description(event, lang)
    if description:
        vevent.add("description", description)
    if bot_username is not None:
        vevent.add("url", start_link(bot_username, DeepLink(LinkKind.EVENT, event.id)))
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    minutes = program.forum.reminder_minutes(event.kind)
    if minutes and not event.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.title.get(lang))
        alarm.add("trigger", timedelta(minutes=-minutes))
        vevent.add_component(alarm)
    return vevent


def _item_vevent(
    program: Program, key: str, item: ItineraryItem, *, lang: Lang, stamp: datetime
) -> VEvent:
    """An itinerary item (arrival, transfer, hotel...) as a VEVENT; `key` makes its UID."""
    vevent = VEvent()
    vevent.add("uid", f"{key}@{program.forum.id}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _utc(item.starts_at))
    if item.ends_at is not None:
        vevent.add("dtend", _utc(item.ends_at))
    vevent.add("summary", item.title.get(lang))
    venue = program.venues_by_id.get(item.venue or "")
    if item.place is not None:
        vevent.add("location", item.place.get(lang))
    elif venue is not None:
        vevent.add("location", f"{venue.name.get(lang)}, {venue.address.get(lang)}")
    spot = item_spot(program, item)
    if spot is not None:
        vevent.add("geo", (spot.lat, spot.lon))
    if item.details is not None:
        vevent.add("description", item.details.get(lang))
    vevent.add("status", "CONFIRMED")
    return vevent


def events_calendar(
    program: Program,
    events: Sequence[Event],
    *,
    lang: Lang,
    bot_username: str | None,
    name: str,
    now: datetime | None = None,
    items: Sequence[tuple[str, ItineraryItem]] = (),
) -> bytes:
    """One calendar with a VEVENT per event (in time order; an event given twice appears once).

    `bot_username` adds each event's deep link as its URL; `now` is the DTSTAMP (default: the
    current time), for files that are byte-for-byte reproducible.
    """
    username = None if bot_username is None else normalize_bot_username(bot_username)
    stamp = _utc(now) if now is not None else datetime.now(UTC)
    stamp = stamp.replace(microsecond=0)
    unique = {event.id: event for event in reversed(events)}  # the first of duplicates wins
    ordered = sorted(unique.values(), key=lambda event: (event.starts_at, event.ends_at, event.id))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in ordered:
        calendar.add_component(
            _vevent(program, event, lang=lang, bot_username=username, stamp=stamp)
        )
    for key, item in sorted(items, key=lambda pair: (pair[1].starts_at, pair[0])):
        calendar.add_component(_item_vevent(program, key, item, lang=lang, stamp=stamp))
    data: bytes = calendar.to_ical()
    return data


def event_calendar(
    program: Program,
    event: Event,
    *,
    lang: Lang,
    bot_username: str | None,
    now: datetime | None = None,
) -> bytes:
    """A calendar with the one event, named after the forum."""
    return events_calendar(
        program,
        [event],
        lang=lang,
        bot_username=bot_username,
        name=program.forum.title.get(lang),
        now=now,
    )


def calendar_filename(name: str) -> str:
    """A safe ASCII file name ending in .ics: "opening" -> "opening.ics"."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.removesuffix(".ics"))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    stem = _UNSAFE.sub("-", ascii_name).strip("-._")[:_MAX_NAME].strip("-._")
    return f"{stem or 'calendar'}.ics"
