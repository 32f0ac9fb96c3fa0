"""Answers to questions asked in plain words."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.buttons import Buttons
from bot.callbacks import EventAction, EventCb, MenuAction, MenuCb, VenueCb
from bot.program.models import Event, FaqEntry, Lang, Program, Room, Venue
from bot.texts import esc, fit, shorten
from bot.views.schedule import event_line

FAQ_ANSWER = 3500


def faq_answer(
    entry: FaqEntry, lang: Lang, venue: Venue | None, room: Room | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    text = fit(
        [
            f"<b>{esc(shorten(entry.question.get(lang), 200))}</b>",
            "",
            esc(shorten(entry.answer.get(lang), FAQ_ANSWER)),
        ]
    )
    if venue is None:
        return text, None
    builder = Buttons()
    key = room.key if room is not None else None
    builder.button(text=_("📍 Where is it?"), callback_data=VenueCb(id=venue.id, room=key))
    return text, builder.as_markup()


def events_found(
    program: Program, events: Sequence[Event], lang: Lang
) -> tuple[str, InlineKeyboardMarkup]:
    events = sorted(events, key=lambda event: (event.starts_at, event.id))  # a list reads by time
    lines = [_("Here is what I found:"), ""]
    lines += [event_line(program, event, lang, number) for number, event in enumerate(events, 1)]
    lines += ["", _("Tap a number to open the event.")]
    builder = Buttons()
    for number, event in enumerate(events, 1):
        builder.button(
            text=str(number), callback_data=EventCb(action=EventAction.OPEN, id=event.id)
        )
    builder.adjust(len(events))
    return fit(lines), builder.as_markup()


def not_found() -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    builder.button(text=_("📅 Schedule"), callback_data=MenuCb(action=MenuAction.SCHEDULE))
    builder.button(text=_("📍 Venues"), callback_data=MenuCb(action=MenuAction.WHERE))
    builder.button(text=_("☎️ Contacts"), callback_data=MenuCb(action=MenuAction.CONTACTS))
    builder.adjust(2, 1)
    text = _(
        "I could not find an answer to that in the forum's program. "
        "Try other words, or look in the schedule and the venues; "
        "the organizers will help too."
    )
    return text, builder.as_markup()
