"""Answers to questions asked in plain words."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.buttons import Buttons
from bot.callbacks import EventAction, EventCb, MenuAction, MenuCb, VenueCb
from bot.program.models import Event, FaqEntry, Lang, Program, Room, Venue
from bot.texts import esc, fit, fitting_run, shorten
from bot.views.schedule import event_line, under_days

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
    program: Program, events: Sequence[Event], lang: Lang, more: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """Events found for a question, in time order under their day's heading, as the schedule
    and the agenda show them: a time alone does not say which of the forum's days it is on.

    `more`: events found as well but not given; with those that do not fit the message they
    are counted in a last line that points to the schedule. One button per numbered line."""
    events = sorted(events, key=lambda event: (event.starts_at, event.id))  # a list reads by time

    def page(shown: range) -> list[str]:
        rows = ((events[i], event_line(program, events[i], lang, i + 1)) for i in shown)
        lines = [_("Here is what I found:"), *under_days(program, lang, rows)]
        lines += ["", _("Tap a number to open the event.")]
        if left := more + len(events) - len(shown):
            lines.append(_more_found(left))
        return lines

    shown, lines = fitting_run(len(events), page)
    builder = Buttons()
    for index in shown:
        builder.button(
            text=str(index + 1),
            callback_data=EventCb(action=EventAction.OPEN, id=events[index].id),
        )
    builder.adjust(len(shown) or 1)
    return fit(lines), builder.as_markup()


def _more_found(count: int) -> str:
    return ngettext(
        "…and {count} more event in the 📅 schedule: /schedule",
        "…and {count} more events in the 📅 schedule: /schedule",
        count,
    ).format(count=count)


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
