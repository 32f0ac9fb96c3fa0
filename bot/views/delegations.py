"""Delegations: joining, the itinerary, a leader's member list, the organizers' overview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.buttons import Buttons
from bot.callbacks import (
    DelegationsCb,
    EventAction,
    EventCb,
    ItineraryCb,
    JoinAction,
    JoinCb,
    MenuAction,
    MenuCb,
)
from bot.deeplinks import DeepLink, LinkKind, start_link
from bot.formatting import format_time, format_weekday
from bot.i18n import LANGUAGE_FLAGS
from bot.keyboards import back_to_menu, home_button
from bot.program.models import Delegation, ItineraryItem, ItineraryKind, Lang, Program
from bot.services.delegations import Entry, Itinerary, Spot, item_spot
from bot.storage.people import Person
from bot.texts import esc, fit, fitting_run, kind_icon, shorten
from bot.views import places as place_views
from bot.views.schedule import day_heading, place_of

ITEM_ICONS = {
    ItineraryKind.ARRIVAL: "🛬",
    ItineraryKind.TRANSFER: "🚐",
    ItineraryKind.HOTEL: "🏨",
    ItineraryKind.MEETING: "🤝",
    ItineraryKind.EXCURSION: "🚌",
    ItineraryKind.MEAL: "🍽",
    ItineraryKind.DEPARTURE: "🛫",
    ItineraryKind.OTHER: "📌",
}
ENTRIES = 40  # an itinerary lists at most this many entries ...
EARLIER = 2  # ... from this many before the one on now or next, when not all of them fit
PINS = 30  # 📍 buttons: for the first this many entries shown that have a place
OVERVIEW = 60  # delegations the organizers' overview lists at most, a QR button each
NAME = 120  # characters of a delegation's name that any message or caption shows
CONTACT = 200  # characters of a delegation's contact (its liaison and phone)


def name_of(delegation: Delegation, lang: Lang) -> str:
    return esc(shorten(delegation.name.get(lang), NAME))


def contact_lines(delegation: Delegation, lang: Lang) -> list[str]:
    """The delegation's liaison and phone, if the program gives them."""
    if delegation.contact is None:
        return []
    return ["☎️ " + esc(shorten(delegation.contact.get(lang), CONTACT))]


def join_prompt(
    delegation: Delegation, lang: Lang, code: str, leaving: Delegation | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Whether to join; `leaving`: the delegation the person is in now, which joining leaves."""
    builder = Buttons()
    builder.button(text=_("✅ Yes, join"), callback_data=JoinCb(action=JoinAction.JOIN, code=code))
    builder.button(text=_("✖ No"), callback_data=JoinCb(action=JoinAction.DECLINE))
    lines = [
        _("Join the delegation <b>{name}</b> ({origin})?").format(
            name=name_of(delegation, lang), origin=esc(shorten(delegation.origin.get(lang), 200))
        )
    ]
    if leaving is not None:
        lines.append(
            _("You will leave the delegation <b>{name}</b>.").format(name=name_of(leaving, lang))
        )
    contact = contact_lines(delegation, lang)  # whom to ask whether it is one's delegation
    if contact:
        lines += ["", *contact]
    return "\n".join(lines), builder.as_markup()


def already_member(delegation: Delegation, lang: Lang) -> tuple[str, InlineKeyboardMarkup]:
    """The invite link of one's own delegation, opened again: nothing to join."""
    builder = Buttons()
    builder.button(text=_("🧳 Itinerary"), callback_data=MenuCb(action=MenuAction.ITINERARY))
    text = _(
        "✅ You are already a member of the delegation <b>{name}</b>. /itinerary shows your days."
    ).format(name=name_of(delegation, lang))
    return text, builder.as_markup()


def joined(delegation: Delegation, lang: Lang) -> str:
    return _(
        "✅ You are a member of the delegation <b>{name}</b>. /itinerary shows your days: "
        "arrival, transfers, hotel, meetings and the sessions you signed up for."
    ).format(name=name_of(delegation, lang))


def declined() -> str:
    return _("Fine: you did not join.")


def unknown_code() -> str:
    return _("This invite link is not valid. Please check it with your delegation's liaison.")


def too_many_codes() -> str:
    return _("Too many wrong invite links. Please try again in an hour, or ask the organizers.")


def _when(program: Program, moment: datetime, lang: Lang) -> str:
    return format_time(moment, lang, program.tz)


@dataclass(frozen=True, slots=True)
class _Row:
    """One entry of an itinerary as shown: the day it is on, its lines, its 📍 button if any."""

    day: str
    lines: tuple[str, ...]
    start: str  # its start time: the 📍 button's label ("Thu 09:30" when days differ)
    weekday: str
    pin: CallbackData | None


def _row(program: Program, entry: Entry, lang: Lang, *, marked: bool) -> _Row:
    on = entry.starts_at.astimezone(program.tz).date()
    day, weekday = day_heading(on, lang), format_weekday(on, lang)
    start = _when(program, entry.starts_at, lang)
    span = start if entry.ends_at is None else f"{start}–{_when(program, entry.ends_at, lang)}"
    mark = "▶️ " if marked else ""
    if entry.event is not None:
        event = entry.event
        title = esc(shorten(event.title.get(lang), 100))
        line = f"{mark}{span} {kind_icon(event.kind)} {title} · {place_of(program, event, lang)}"
        return _Row(day, (line,), start, weekday, EventCb(action=EventAction.WHERE, id=event.id))
    item = entry.item
    assert item is not None  # an entry is an event or an item
    line = f"{mark}{span} {ITEM_ICONS[item.kind]} {esc(shorten(item.title.get(lang), 100))}"
    place = item_place(program, item, lang, 80)
    lines = [line if place is None else f"{line} · {place}"]
    if item.details is not None:
        lines.append("   " + esc(shorten(item.details.get(lang), 200)))
    placed = item_spot(program, item) is not None and entry.key is not None
    return _Row(day, tuple(lines), start, weekday, ItineraryCb(pin=entry.key) if placed else None)


def item_place(program: Program, item: ItineraryItem, lang: Lang, limit: int) -> str | None:
    """Where an itinerary item is, as its lines say it (escaped): its own place, else its venue's
    name; None if it gives neither (coordinates alone)."""
    if item.place is not None:
        return esc(shorten(item.place.get(lang), limit))
    venue = program.venues_by_id.get(item.venue or "")
    return esc(shorten(venue.name.get(lang), limit)) if venue is not None else None


def itinerary(
    program: Program, plan: Itinerary, lang: Lang
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The entries around what is on now or next, as many as fit, a 📍 button for each shown."""
    delegation = plan.delegation
    if delegation is None:
        head = [
            _("🧳 <b>Your itinerary</b>"),
            _(
                "You are not in a delegation yet: open the invite link your delegation's liaison "
                "sent you. Here are the sessions you signed up for."
            ),
        ]
    else:
        head = [
            _("🧳 <b>Itinerary: {name}</b>").format(name=name_of(delegation, lang)),
            *contact_lines(delegation, lang),
        ]
    if not plan.entries:
        return fit([*head, "", _("Nothing here yet.")]), back_to_menu()
    rows = [
        _row(program, entry, lang, marked=number == plan.next_index)
        for number, entry in enumerate(plan.entries)
    ]

    def page(shown: range) -> list[str]:
        lines = list(head)
        if shown.start:
            lines += ["", _earlier(shown.start)]
        for number in shown:
            if number == shown.start or rows[number].day != rows[number - 1].day:
                lines += ["", rows[number].day]
            lines += rows[number].lines
        if shown.stop < len(rows):
            lines += ["", _later(len(rows) - shown.stop)]
        lines += ["", _("▶️ marks what is on now or next; 📍 buttons send the place as a pin.")]
        return lines

    now = len(rows) if plan.next_index is None else plan.next_index  # all past: the last ones
    shown, lines = fitting_run(len(rows), page, start=now - EARLIER, most=ENTRIES)
    builder = Buttons()
    pinned = [(rows[n], pin) for n in shown if (pin := rows[n].pin) is not None][:PINS]
    several_days = len({row.day for row, _pin in pinned}) > 1  # "📍 09:30" could be any of them
    for row, pin in pinned:
        label = f"📍 {row.weekday} {row.start}" if several_days else f"📍 {row.start}"
        builder.button(text=label, callback_data=pin)
    pins = len(pinned)
    builder.button(text=_("📅 Add all to calendar"), callback_data=ItineraryCb(calendar=True))
    home_button(builder)
    builder.adjust(*([4] * (pins // 4)), *([pins % 4] if pins % 4 else []), 1)
    return fit(lines), builder.as_markup()


def _earlier(count: int) -> str:
    return ngettext(
        "⏮ {count} earlier entry is not shown.", "⏮ {count} earlier entries are not shown.", count
    ).format(count=count)


def _later(count: int) -> str:
    return ngettext(
        "⏭ {count} more entry later: the 📅 button puts the whole itinerary into your calendar.",
        "⏭ {count} more entries later: the 📅 button puts the whole itinerary into your calendar.",
        count,
    ).format(count=count)


def item_pin(item: ItineraryItem, spot: Spot, lang: Lang) -> tuple[str, str]:
    """Title and address of an item's pin (sendVenue): its place, else its venue's address, else
    its coordinates, since Telegram refuses a pin without an address."""
    if item.place is not None:
        address = shorten(item.place.get(lang), place_views.ADDRESS)
    elif spot.venue is not None:
        address = place_views.pin(spot.venue, lang)[1]
    else:
        address = ""
    title = shorten(item.title.get(lang), place_views.PIN_TITLE)
    return title, address.strip() or f"{spot.lat:.5f}, {spot.lon:.5f}"


def itinerary_name(delegation: Delegation | None, lang: Lang) -> str:
    """The calendar file's caption and calendar name: plain text, shortened like `name_of`."""
    if delegation is None:
        return _("My forum itinerary")
    return _("Itinerary: {name}").format(name=shorten(delegation.name.get(lang), NAME))


def members(
    delegation: Delegation, people: Sequence[Person], lang: Lang
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("🏛 <b>{name}</b>: {count} joined through the invite link").format(
            name=name_of(delegation, lang), count=len(people)
        ),
        "",
    ]
    for person in people[:80]:
        handle = f" @{esc(person.username)}" if person.username else ""
        flag = LANGUAGE_FLAGS[person.language] if person.language else ""
        lines.append(f"• {esc(shorten(person.full_name, 60))}{handle} {flag}".rstrip())
    if not people:
        lines.append(_("Nobody has joined yet: share the invite link with your delegation."))
    builder = Buttons()
    builder.button(
        text=_("✉️ Message the delegation"),
        callback_data=JoinCb(action=JoinAction.MESSAGE, delegation=delegation.id),
    )
    return fit(lines), builder.as_markup()


def not_a_leader() -> str:
    return _("This is for delegation leaders.")


def overview(
    program: Program, counts: dict[str, int], username: str, lang: Lang
) -> tuple[str, InlineKeyboardMarkup]:
    """Each delegation's invite link and member count, as many as fit, a QR button for each."""
    delegations = program.delegations
    entries = [
        (
            f"{number}. <b>{name_of(delegation, lang)}</b> — {counts.get(delegation.id, 0)}",
            "   " + esc(start_link(username, DeepLink(LinkKind.DELEGATION, delegation.join_code))),
        )
        for number, delegation in enumerate(delegations[:OVERVIEW], 1)
    ]

    def page(shown: range) -> list[str]:
        lines = [_("🏛 <b>Delegations</b> (the invite links are for their members only)"), ""]
        for number in shown:
            lines += entries[number]
        if shown.stop < len(delegations):
            lines += ["", _unlisted(len(delegations) - shown.stop)]
        lines += ["", _("Link a person by hand: /delegations link TELEGRAM_ID DELEGATION_ID")]
        lines.append(_("Unlink: /delegations unlink TELEGRAM_ID"))
        return lines

    shown, lines = fitting_run(len(entries), page)
    builder = Buttons()
    for number in shown:
        builder.button(
            text=f"QR {number + 1}", callback_data=DelegationsCb(qr=delegations[number].id)
        )
    builder.adjust(5)
    return fit(lines), builder.as_markup()


def _unlisted(count: int) -> str:
    return ngettext(
        "… and {count} more delegation: forum-bot qr --invites FOLDER writes every invite link "
        "as a QR code.",
        "… and {count} more delegations: forum-bot qr --invites FOLDER writes every invite link "
        "as a QR code.",
        count,
    ).format(count=count)


def linked(person_id: int, delegation: Delegation | None, lang: Lang) -> str:
    if delegation is None:
        return _("{person} is in no delegation now.").format(person=person_id)
    return _("{person} is in the delegation «{name}» now.").format(
        person=person_id, name=name_of(delegation, lang)
    )


def link_usage() -> str:
    return _(
        "Usage: /delegations link TELEGRAM_ID DELEGATION_ID, or /delegations unlink TELEGRAM_ID "
        "(the person must have written to the bot)."
    )
