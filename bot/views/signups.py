"""Sign-ups: notices, the clash and cancel prompts, the seat-granted message, /my, /stats."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TypeVar

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.buttons import Buttons
from bot.callbacks import (
    AgendaCb,
    EventAction,
    EventCb,
    MenuAction,
    MenuCb,
    Origin,
    SignupAction,
    SignupCb,
    StatsCb,
)
from bot.i18n import locale_of
from bot.keyboards import home_button
from bot.program.models import Event, Lang, Program
from bot.services.signups import AgendaItem, EventState, Outcome, SignupResult, Stats
from bot.storage.signups import Participant, Signup
from bot.texts import esc, fit, fitting_run, shorten
from bot.views.schedule import event_card, event_line, under_days

NOTICE_TITLE = 60  # a title inside a callback notice (200 characters at most)
AGENDA_ITEMS = 30  # /my lists at most this many (buttons: 2 per item, 100 at most)
STATS_EVENTS = 20  # /stats offers CSV buttons for this many events


def outcome_notice(result: SignupResult, lang: Lang) -> str:
    """A short notice (a callback answer: at most 200 characters) after a press."""
    signup = result.signup
    match result.outcome:
        case Outcome.SEAT:
            return _("✅ You are signed up!")
        case Outcome.WAITLIST:
            position = signup.position if signup else 0
            return _("⏳ It is full: you are number {position} on the waitlist.").format(
                position=position
            )
        case Outcome.ALREADY if signup is not None and signup.status == "waitlist":
            return _("You are already number {position} on the waitlist.").format(
                position=signup.position
            )
        case Outcome.ALREADY:
            return _("You already have a seat.")
        case Outcome.CLOSED:
            return _("Sign-ups for this event are closed.")
        case Outcome.CANCELLED:
            return _("This event is cancelled.")
        case Outcome.NO_SIGNUP:
            return _("This event needs no sign-up.")
        case Outcome.FORBIDDEN:
            other = result.clashes[0].title.get(lang)
            return _(
                "It overlaps «{title}», where you have a seat. Cancel that one first."
            ).format(title=shorten(other, NOTICE_TITLE))
        case Outcome.CLASH:
            return _("It overlaps another event of yours.")
        case _:
            return _("This event is no longer in the program.")


def clash_prompt(
    program: Program, event: Event, clashes: Sequence[Event], lang: Lang, origin: Origin
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("⚠️ <b>{title}</b> overlaps what you already have a seat for:").format(
            title=esc(shorten(event.title.get(lang), 200))
        ),
        "",
    ]
    lines += [event_line(program, other, lang) for other in clashes[:5]]
    lines += [
        "",
        _("Switch to it (your seat there goes to the next on the waitlist), or keep both?"),
    ]
    builder = Buttons()
    for text, action in (
        (_("🔁 Switch"), SignupAction.SWITCH),
        (_("➕ Keep both"), SignupAction.BOTH),
        (_("« Back"), SignupAction.KEEP),
    ):
        builder.button(
            text=text, callback_data=SignupCb(action=action, id=event.id, origin=origin)
        )
    builder.adjust(2, 1)
    return fit(lines), builder.as_markup()


def cancel_prompt(
    program: Program, event: Event, signup: Signup, lang: Lang, origin: Origin
) -> tuple[str, InlineKeyboardMarkup]:
    title = esc(shorten(event.title.get(lang), 200))
    if signup.status == "seat":
        question = _("Give up your seat at <b>{title}</b>? The next on the waitlist gets it.")
    else:
        question = _("Leave the waitlist of <b>{title}</b>?")
    builder = Buttons()
    builder.button(
        text=_("Yes, give it up"),
        callback_data=SignupCb(action=SignupAction.CANCEL, id=event.id, origin=origin),
    )
    builder.button(
        text=_("No, keep it"),
        callback_data=SignupCb(action=SignupAction.KEEP, id=event.id, origin=origin),
    )
    builder.adjust(2)
    text = fit([question.format(title=title), "", event_line(program, event, lang)])
    return text, builder.as_markup()


def released_notice() -> str:
    return _("Done: your place is given up.")


def reminder_notice(on: bool) -> str:
    return _("🔔 I will remind you.") if on else _("🔕 No reminder for this one.")


def reminder_too_late() -> str:
    return _("It has already begun: there is nothing to remind you of.")


def seat_granted(
    program: Program, event: Event, lang: Lang, state: EventState
) -> tuple[str, InlineKeyboardMarkup]:
    """Told to the first on the waitlist when a seat frees up."""
    head = _("🎉 Good news: a seat has freed up for you!")
    text = fit([head, "", *event_card(program, event, lang, state=state).split("\n")])
    builder = Buttons()
    builder.button(
        text=_("❌ I can't come: give the seat up"),
        callback_data=SignupCb(action=SignupAction.CANCEL, id=event.id, origin=Origin.CARD),
    )
    builder.button(
        text=_("📍 Where is it?"), callback_data=EventCb(action=EventAction.WHERE, id=event.id)
    )
    builder.button(
        text=_("📅 Add to calendar"),
        callback_data=EventCb(action=EventAction.CALENDAR, id=event.id),
    )
    builder.adjust(1, 2)
    return text, builder.as_markup()


def agenda(
    program: Program, items: Sequence[AgendaItem], lang: Lang
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    if not items:
        builder.button(text=_("📅 Schedule"), callback_data=MenuCb(action=MenuAction.SCHEDULE))
        text = _(
            "🗂 Your agenda is empty. Sign up for master classes and trainings, or ask me "
            "to remind you of an event, from its card in the schedule."
        )
        return text, home_button(builder).as_markup()
    shown = items[:AGENDA_ITEMS]
    lines = [_("🗂 <b>My agenda</b>")]
    lines += under_days(
        program,
        lang,
        (
            (item.event, event_line(program, item.event, lang, number) + " " + mark(item.signup))
            for number, item in enumerate(shown, 1)
        ),
    )
    if len(items) > AGENDA_ITEMS:
        lines += ["", _("… and more: see each event's card.")]
    lines += ["", _("A number opens the event; ✖ gives up your place there.")]
    for number, item in enumerate(shown, 1):
        builder.button(
            text=str(number), callback_data=EventCb(action=EventAction.OPEN, id=item.event.id)
        )
        action = SignupAction.ASK_CANCEL if item.signup else SignupAction.REMIND_OFF
        builder.button(
            text=f"✖ {number}",
            callback_data=SignupCb(action=action, id=item.event.id, origin=Origin.AGENDA),
        )
    if any(item.planned for item in items):  # waitlist places alone make no calendar
        builder.button(text=_("📅 Add all to calendar"), callback_data=AgendaCb(calendar=True))
    home_button(builder)
    builder.adjust(*([4] * (len(shown) // 2)), *([2] if len(shown) % 2 else []), 1)
    return fit(lines), builder.as_markup()


def nothing_to_add_to_calendar() -> str:
    """The calendar button of an older agenda, pressed when only waitlist places are left."""
    return _("Nothing to add yet: only seats and reminders go into the calendar, not waitlists.")


def mark(signup: Signup | None) -> str:
    if signup is None:
        return "🔔"
    if signup.status == "seat":
        return "✅"
    return "⏳ " + _("waitlist #{position}").format(position=signup.position)


def agenda_calendar_name() -> str:
    return _("My forum agenda")


def stats(program: Program, data: Stats, lang: Lang) -> tuple[str, InlineKeyboardMarkup]:
    """Seats and waitlists event by event, as many as fit, then who signed up by language and
    by delegation (kept whole: the events are cut, counted, and still reachable by /export)."""
    rows = []
    for number, row in enumerate(data.events, 1):
        event, counts = row.event, row.counts
        title = esc(shorten(event.title.get(lang), 70))
        cancelled = " ❌" if event.cancelled else ""
        rows.append(
            _("{number}. {title}{cancelled}: {seats}/{capacity}, waitlist {waitlist}").format(
                number=number,
                title=title,
                cancelled=cancelled,
                seats=counts.seats,
                capacity=event.capacity,
                waitlist=counts.waitlist,
            )
        )
    if data.by_language:
        tail = ["", _("<b>People signed up, by language</b>")]
        tail += [f"• {key}: {count}" for key, count in sorted_counts(data.by_language)]
        tail += ["", _("<b>By delegation</b>")]
        names = {d.id: d.name.get(lang) for d in program.delegations}
        tail += [
            f"• {esc(shorten(names.get(key or '', key or '—'), 60))}: {count}"
            for key, count in sorted_counts(data.by_delegation)
        ]
    else:  # two headings over nothing would look like something failed to load
        tail = ["", _("Nobody has signed up yet.")]
    tail += ["", _("📄 N sends event N's participants as CSV; /export EVENT_ID does too.")]

    def message(shown: range) -> list[str]:
        lines = [_("📊 <b>Sign-ups</b>"), "", *(rows[number] for number in shown)]
        if left := len(rows) - len(shown):
            lines.append(
                ngettext(
                    "…and {count} more event: /export EVENT_ID sends its participants.",
                    "…and {count} more events: /export EVENT_ID sends their participants.",
                    left,
                ).format(count=left)
            )
        return lines + tail

    shown, lines = fitting_run(len(rows), message)
    builder = Buttons()
    for number in shown:
        if number < STATS_EVENTS:
            event = data.events[number].event
            builder.button(text=f"📄 {number + 1}", callback_data=StatsCb(export=event.id))
    builder.adjust(5)
    return fit(lines), builder.as_markup()


Key = TypeVar("Key", bound=str | None)


def sorted_counts(counts: Mapping[Key, int]) -> list[tuple[Key, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0] or ""))


# Excel splits a CSV file at the list separator of the computer's regional settings: a
# semicolon where the comma is the decimal mark (Russian and Kazakh settings), a comma in
# English ones; with the other one, every row lands in one column. The organizer's language
# in the bot stands in for their settings.
CSV_DELIMITERS: dict[Lang, str] = {"kk": ";", "ru": ";", "en": ","}


def participants_csv(program: Program, people: Sequence[Participant], lang: Lang) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read Cyrillic right, and
    the list separator Excel expects in the reader's language (`CSV_DELIMITERS`).

    Every cell is `defused`: names are whatever people call themselves in Telegram. Usernames
    go without the "@", which would make them formulas too (they start with a letter).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITERS[lang])
    writer.writerow(
        ["name", "username", "language", "delegation", "status", "waitlist_position", "signed_up"]
    )
    for person in people:
        cells = [
            person.full_name,
            person.username or "",
            locale_of(person),
            person.delegation_id or "",
            person.status,
            str(person.position or ""),
            person.created_at.astimezone(program.tz).isoformat(timespec="seconds"),
        ]
        writer.writerow([defused(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# A cell starting with one of these is a formula to spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(cell: str) -> str:
    """The cell as text that a spreadsheet shows and never runs: OWASP's advice, a leading
    single quote before a formula's first character. (defusedcsv also rewrites "|" inside
    such cells and leaves tab and carriage return alone, so it is not used.)"""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
