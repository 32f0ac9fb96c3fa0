"""Message texts: pure functions of the program, the person's language and gettext.

Everything that comes from outside the code (program texts, what a person typed) is
HTML-escaped here, because every message is sent with parse_mode HTML.
"""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.commands import commands
from bot.deeplinks import DeepLink, LinkKind
from bot.formatting import format_date_range, format_when
from bot.program.models import Delegation, Event, EventKind, Lang, Program, Text, Venue

# Telegram refuses longer messages; quotes of what people typed are cut well below it.
MAX_MESSAGE = 4096
MAX_ECHO = 64


def esc(value: str) -> str:
    return escape(value, quote=False)


def pick(text: Text | None, lang: Lang) -> str:
    """A program text in the reader's language, HTML-escaped."""
    return esc(text.get(lang)) if text is not None else ""


def echo(typed: str) -> str:
    """What a person typed, safe to put into a message: escaped and shortened."""
    typed = " ".join(typed.split())
    if len(typed) > MAX_ECHO:
        typed = typed[: MAX_ECHO - 1] + "…"
    return esc(typed)


def kind_label(kind: EventKind) -> str:
    labels = {
        EventKind.PLENARY: _("Plenary session"),
        EventKind.SECTION: _("Section"),
        EventKind.MASTER_CLASS: _("Master class"),
        EventKind.TRAINING: _("Training"),
        EventKind.LITERARY_MEETING: _("Literary meeting"),
        EventKind.EXCURSION: _("Excursion"),
        EventKind.CEREMONY: _("Ceremony"),
        EventKind.BREAK: _("Break"),
        EventKind.OTHER: _("Event"),
    }
    return labels[kind]


def greeting(program: Program, lang: Lang, name: str) -> str:
    forum = program.forum
    venue = program.venues[0]
    return _(
        "Hello, {name}! 👋\n\n"
        "I am the companion bot of the forum:\n"
        "<b>{title}</b>\n"
        "{dates}, {venue}.\n\n"
        "I will help you find your way around the forum."
    ).format(
        name=esc(name),
        title=pick(forum.title, lang),
        dates=format_date_range(forum.starts_on, forum.ends_on, lang),
        venue=pick(venue.name, lang),
    )


def first_contact(program: Program, lang: Lang, name: str) -> str:
    return greeting(program, lang, name) + "\n\n" + _("🌐 Please choose your language:")


def language_prompt() -> str:
    return _("🌐 Choose the language I will speak with you:")


def language_chosen() -> str:
    """Rendered in the newly chosen locale: each catalog names its own language."""
    return _("✓ Done: from now on I speak English.")


def help_text(program: Program, lang: Lang, *, organizer: bool) -> str:
    lines = [_("<b>What I can do</b>"), ""]
    lines += [f"/{info.name} — {esc(info.summary)}" for info in commands(organizer=organizer)]
    if program.forum.contacts is not None:
        contacts = pick(program.forum.contacts, lang)
        lines += ["", _("Questions about the forum?"), contacts]
    return "\n".join(lines)


def contacts_text(program: Program, lang: Lang) -> str:
    contacts = program.forum.contacts
    if contacts is None:
        body = _("The organizers will be glad to help at the registration desk.")
    else:
        body = pick(contacts, lang)
    return _("<b>Contacts</b>") + "\n\n" + body


def event_brief(program: Program, event: Event, lang: Lang) -> str:
    venue = program.venues_by_id[event.venue]
    place = pick(venue.name, lang)
    if event.room is not None:
        room = venue.rooms_by_id[event.room]
        place += ", " + pick(room.name, lang)
        if room.floor is not None:
            place += ", " + _("floor {floor}").format(floor=room.floor)
    title = pick(event.title, lang)
    lines = [f"<s>{title}</s>" if event.cancelled else f"<b>{title}</b>"]
    if event.cancelled:
        lines.append(_("❌ Cancelled"))
    when = format_when(event.starts_at, event.ends_at, lang, program.tz)
    lines.append(f"{kind_label(event.kind)} · {when}")
    lines.append(f"📍 {place}")
    return "\n".join(lines)


def venue_brief(venue: Venue, lang: Lang) -> str:
    lines = [f"<b>{pick(venue.name, lang)}</b>", f"📍 {pick(venue.address, lang)}"]
    if venue.directions is not None:
        lines += ["", pick(venue.directions, lang)]
    return "\n".join(lines)


def delegation_invite(delegation: Delegation, lang: Lang) -> str:
    return _("This is the invitation link of the delegation <b>{name}</b> ({origin}).").format(
        name=pick(delegation.name, lang), origin=pick(delegation.origin, lang)
    )


def link_answer(program: Program, link: DeepLink | None, lang: Lang) -> str:
    """What a `/start <payload>` link shows: the thing it names, or why it shows nothing."""
    if link is not None:
        if link.kind is LinkKind.EVENT and link.value in program.events_by_id:
            return event_brief(program, program.events_by_id[link.value], lang)
        if link.kind is LinkKind.VENUE and link.value in program.venues_by_id:
            return venue_brief(program.venues_by_id[link.value], lang)
        if link.kind is LinkKind.DELEGATION and link.value in program.delegations_by_code:
            return delegation_invite(program.delegations_by_code[link.value], lang)
    return unknown_link()


def unknown_link() -> str:
    return _("This link does not lead anywhere I know: it may be mistyped or out of date.")


def unknown_command(command: str) -> str:
    return _("I don't know the command {command}.").format(command=echo(command))


def not_understood() -> str:
    return _("Sorry, I didn't understand that. Please use the menu or the commands below.")


def text_only() -> str:
    return _("I can read only text messages and commands.")


def stale_button() -> str:
    return _("This button is out of date.")


def something_went_wrong() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a minute.")
