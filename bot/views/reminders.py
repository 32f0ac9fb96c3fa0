"""The reminder message, and the reminder settings screen."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.buttons import Buttons
from bot.callbacks import (
    EventAction,
    EventCb,
    ItineraryCb,
    Origin,
    SettingsCb,
    SignupAction,
    SignupCb,
    VenueCb,
)
from bot.formatting import format_when
from bot.program.models import EventKind, Lang, Program
from bot.services.delegations import item_spot
from bot.services.reminders import LEAD_CHOICES, Target
from bot.storage.reminders import Preference
from bot.texts import esc, fit, kind_plural, pick, shorten
from bot.views.changes import PLACE
from bot.views.delegations import item_place
from bot.views.schedule import CARD_TITLE, place_of


def minutes(count: int) -> str:
    return ngettext("{count} minute", "{count} minutes", count).format(count=count)


def _lead(value: int | None) -> str:
    """A lead the program sets for a kind: "30 minutes", or none (absent or 0)."""
    return minutes(value) if value else _("no reminder")


def reminder(
    program: Program, target: Target, lang: Lang, lead: int, *, seat: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    builder = Buttons()
    if target.event is not None:
        event = target.event
        title = esc(shorten(event.title.get(lang), CARD_TITLE))
        venue = program.venues_by_id[event.venue]
        place = pick(venue.name, lang)
        if event.room is not None:
            place = place_of(program, event, lang, floor=True) + " · " + place
        lines = [
            _("⏰ In {minutes}: <b>{title}</b>").format(minutes=minutes(lead), title=title),
            "🗓 " + format_when(event.starts_at, event.ends_at, lang, program.tz),
            "📍 " + place,
        ]
        builder.button(
            text=_("📍 Where is it?"), callback_data=EventCb(action=EventAction.WHERE, id=event.id)
        )
        if seat:
            builder.button(
                text=_("❌ I can't come"),
                callback_data=SignupCb(
                    action=SignupAction.CANCEL, id=event.id, origin=Origin.LIST
                ),
            )
    else:
        item = target.item
        assert item is not None
        lines = [
            _("⏰ In {minutes}: <b>{title}</b>").format(
                minutes=minutes(lead), title=esc(shorten(item.title.get(lang), CARD_TITLE))
            ),
            "🗓 " + format_when(item.starts_at, item.ends_at, lang, program.tz),
        ]
        where = item_place(program, item, lang, PLACE)
        if where is not None:
            lines.append("📍 " + where)
        if item.place is None and item.venue in program.venues_by_id:
            # A venue of the program: its pin, directions and rooms, as /where gives them.
            builder.button(text=_("📍 Where is it?"), callback_data=VenueCb(id=item.venue))
        elif target.item_key is not None and item_spot(program, item) is not None:
            builder.button(
                text=_("📍 Where is it?"), callback_data=ItineraryCb(pin=target.item_key)
            )
        if item.details is not None:
            lines.append(pick(item.details, lang))
    builder.adjust(1)
    markup = builder.as_markup() if builder.buttons else None
    return fit(lines), markup


def settings(program: Program, preference: Preference) -> tuple[str, InlineKeyboardMarkup]:
    forum = program.forum
    special = [kind for kind in forum.reminders if kind != "default"]
    kinds = ", ".join(
        f"{kind_plural(EventKind(kind)).lower()} — {_lead(forum.reminders[kind])}"
        for kind in special
    )
    default = _lead(forum.reminders.get("default"))
    lines = [_("⚙️ <b>Reminders</b>"), "", _("How long before an event should I remind you?")]
    if special:
        program_says = _("As the program says: {kinds}; other events — {default}.")
    else:
        program_says = _("As the program says: every event — {default}.")
    lines.append(program_says.format(kinds=kinds, default=default))
    everyone = ", ".join(kind_plural(kind).lower() for kind in forum.remind_everyone)
    if everyone:
        lines += ["", _("Everyone is reminded of: {kinds}.").format(kinds=everyone)]
    builder = Buttons()
    choices: list[tuple[int, str]] = [(-1, _("As the program says"))]
    choices += [(lead, minutes(lead)) for lead in LEAD_CHOICES]
    choices.append((0, _("No reminders")))
    current = -1 if preference.lead_minutes is None else preference.lead_minutes
    for lead, label in choices:
        mark = "● " if lead == current else "○ "
        builder.button(text=mark + label, callback_data=SettingsCb(lead=lead))
    if everyone:
        label = (
            _("🔔 Remind me of those too")
            if preference.everyone_off
            else _("🔕 Don't remind me of those")
        )
        builder.button(text=label, callback_data=SettingsCb(everyone=True))
    builder.adjust(1, 3, 1, 1)
    return fit(lines), builder.as_markup()
