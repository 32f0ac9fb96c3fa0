"""Venues: the overview, a venue's details and rooms by floor, the nearest venue."""

from __future__ import annotations

from collections import defaultdict

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.buttons import Buttons
from bot.callbacks import VenueCb
from bot.formatting import LOCALES
from bot.keyboards import home_button
from bot.program.models import Lang, Program, Room, Venue
from bot.texts import esc, fit, shorten

NAME = 200  # a venue or room name in a message
PIN_TITLE = 120  # the title of a location pin
ADDRESS = 300
DIRECTIONS = 1500
ROOMS_PER_FLOOR = 25
BUTTON_TEXT = 48


def venues_overview(program: Program, lang: Lang) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("📍 <b>Forum venues</b>"), ""]
    builder = Buttons()
    for number, venue in enumerate(program.venues[:20], start=1):
        lines.append(f"<b>{number}. {esc(shorten(venue.name.get(lang), NAME))}</b>")
        lines.append("   " + esc(shorten(venue.address.get(lang), NAME)))
        builder.button(
            text=f"{number}. {shorten(venue.name.get(lang), BUTTON_TEXT)}",
            callback_data=VenueCb(id=venue.id),
        )
    lines += ["", _("Tap a venue for its map pin, directions and rooms.")]
    lines.append(_("Or send me your location and I will find the nearest venue."))
    home_button(builder)
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


def pin(venue: Venue, lang: Lang, room: Room | None = None) -> tuple[str, str]:
    """Title and address of the location pin (sendVenue)."""
    title = venue.name.get(lang)
    if room is not None:
        title = f"{room.name.get(lang)} · {title}"
    return shorten(title, PIN_TITLE), shorten(venue.address.get(lang), ADDRESS)


def venue_details(venue: Venue, lang: Lang, *, room: Room | None = None) -> str:
    lines = [f"<b>{esc(shorten(venue.name.get(lang), NAME))}</b>"]
    lines.append("📍 " + esc(shorten(venue.address.get(lang), ADDRESS)))
    if room is not None:
        where = esc(shorten(room.name.get(lang), NAME))
        if room.floor is not None:
            where += ", " + _("floor {floor}").format(floor=room.floor)
        lines.append("🚪 " + where)
    if venue.directions is not None:
        lines += ["", "🧭 " + esc(shorten(venue.directions.get(lang), DIRECTIONS))]
    if venue.rooms:
        lines += ["", _("<b>Rooms</b>")]
        by_floor: dict[int | None, list[Room]] = defaultdict(list)
        for item in venue.rooms:
            by_floor[item.floor].append(item)
        for floor in sorted(by_floor, key=lambda f: (f is None, f or 0)):
            names = [esc(shorten(item.name.get(lang), 60)) for item in by_floor[floor]]
            if len(names) > ROOMS_PER_FLOOR:
                names = [*names[:ROOMS_PER_FLOOR], "…"]
            label = _("Floor {floor}").format(floor=floor) if floor is not None else _("Other")
            lines.append(f"• {label}: " + ", ".join(names))
    return fit(lines)


HERE_METERS = 50  # closer than this to a venue's pin, a person is at the venue


def format_distance(meters: float, lang: Lang) -> str:
    if meters < 1000:
        return _("{distance} m").format(
            distance=format_decimal(round(meters, -1), locale=LOCALES[lang])
        )
    kilometres = meters / 1000
    shown = (
        format_decimal(round(kilometres, 1), format="#,##0.0", locale=LOCALES[lang])
        if kilometres < 100
        else format_decimal(round(kilometres), format="#,##0", locale=LOCALES[lang])
    )
    return _("{distance} km").format(distance=shown)


def far_away(meters: float, lang: Lang) -> str:
    return _("You seem to be {distance} from the forum's venues. Here they are:").format(
        distance=format_distance(meters, lang)
    )


def nearest(venue: Venue, meters: float, lang: Lang) -> str:
    name = esc(shorten(venue.name.get(lang), NAME))
    if meters < HERE_METERS:  # "0 m from you" reads oddly: they are there
        return _("You are at <b>{venue}</b>, a forum venue.").format(venue=name)
    return _("The nearest forum venue is <b>{venue}</b>, {distance} from you.").format(
        venue=name, distance=format_distance(meters, lang)
    )
