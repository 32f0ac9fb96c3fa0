"""Message texts: pure functions of the program, the person's language and gettext.

Everything that comes from outside the code (program texts, what a person typed) is
HTML-escaped here, because every message is sent with parse_mode HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.commands import commands
from bot.formatting import format_date_range, format_in
from bot.program.models import Event, EventKind, Lang, Program, Text
from bot.services.roles import Standing
from bot.telegram_html import utf16_len

# Telegram refuses longer messages; quotes of what people typed are cut well below it.
MAX_MESSAGE = 4096
MAX_ECHO = 64


def esc(value: str) -> str:
    return escape(value, quote=False)


def pick(text: Text | None, lang: Lang) -> str:
    """A program text in the reader's language, HTML-escaped."""
    return esc(text.get(lang)) if text is not None else ""


def capitalized(value: str) -> str:
    """First letter upper-cased, the rest untouched ("четверг, 10 декабря" -> "Четверг, ...")."""
    return value[:1].upper() + value[1:]


def shorten(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary where one is near, with an ellipsis."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-") + "…"


def length(text: str) -> int:
    """A message's length as held against the limit, in UTF-16 code units (see `fit`): `fit`'s
    measure, and `window`'s."""
    return utf16_len(text)


def fit(lines: list[str], limit: int = MAX_MESSAGE) -> str:
    """Join lines into one message, dropping whole lines from the end if it would be too long.

    Lines carry balanced HTML of their own, so dropping whole lines keeps the markup valid; the
    length is measured on the HTML in UTF-16 code units, never less than what Telegram counts
    however it counts (an emoji is one character but two units, and entities count in units).
    """
    text = "\n".join(lines)
    while length(text) > limit and len(lines) > 1:
        lines = lines[:-1]
        text = "\n".join([*lines, "…"])
    return text


def window(count: int, fits: Callable[[range], bool], start: int = 0) -> range:
    """The run of `count` entries a list shows when not all of them may fit: from `start` on,
    as many as `fits` allows, then earlier ones while it still allows them (so a list that fits
    whole is shown whole). `fits` judges the whole message a run makes, notes of what is left out
    included, so the buttons of a list can be made for the entries shown and no others.

    The whole list is tried first: most lists fit (a handful of events found, an agenda), and
    each try renders the message, so growing the run one entry at a time rendered a list of n
    entries n + 1 times to show it whole.
    """
    if fits(range(count)):
        return range(count)
    start = stop = min(max(start, 0), count)
    while stop < count and fits(range(start, stop + 1)):
        stop += 1
    while start > 0 and fits(range(start - 1, stop)):
        start -= 1
    return range(start, stop)


def fitting_run(
    count: int, page: Callable[[range], list[str]], *, start: int = 0, most: int | None = None
) -> tuple[range, list[str]]:
    """`window` for a message whose lines `page` renders from a run of entries: the run shown
    (at most `most` entries, the message within Telegram's limit) and its lines, so the message
    shown is not rendered again. The run `window` settles on is the last one that fit."""
    fitted: list[tuple[tuple[int, int], list[str]]] = []

    def fits(run: range) -> bool:
        if most is not None and len(run) > most:
            return False
        lines = page(run)
        if length("\n".join(lines)) > MAX_MESSAGE:
            return False
        fitted[:] = [((run.start, run.stop), lines)]
        return True

    shown = window(count, fits, start)
    if fitted and fitted[0][0] == (shown.start, shown.stop):
        return shown, fitted[0][1]
    return shown, page(shown)  # not even one entry fits: `fit` cuts what is shown


def echo(typed: str) -> str:
    """What a person typed, safe to put into a message: escaped and shortened."""
    return esc(shorten(typed, MAX_ECHO))


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


def kind_icon(kind: EventKind) -> str:
    return {
        EventKind.PLENARY: "🎤",
        EventKind.SECTION: "💬",
        EventKind.MASTER_CLASS: "🛠",
        EventKind.TRAINING: "🎓",
        EventKind.LITERARY_MEETING: "📖",
        EventKind.EXCURSION: "🚌",
        EventKind.CEREMONY: "🎉",
        EventKind.BREAK: "☕",
        EventKind.OTHER: "📌",
    }[kind]


def kind_plural(kind: EventKind) -> str:
    """A kind as a filter: "Master classes"."""
    labels = {
        EventKind.PLENARY: _("Plenary sessions"),
        EventKind.SECTION: _("Sections"),
        EventKind.MASTER_CLASS: _("Master classes"),
        EventKind.TRAINING: _("Trainings"),
        EventKind.LITERARY_MEETING: _("Literary meetings"),
        EventKind.EXCURSION: _("Excursions"),
        EventKind.CEREMONY: _("Ceremonies"),
        EventKind.BREAK: _("Breaks"),
        EventKind.OTHER: _("Other events"),
    }
    return labels[kind]


def floor_label(floor: int) -> str:
    return _("floor {floor}").format(floor=floor)


def plain_place(program: Program, event: Event, lang: Lang) -> str:
    """Venue, room and floor as plain text, for files: "Library, Hall 2, floor 2"."""
    venue = program.venues_by_id[event.venue]
    parts = [venue.name.get(lang)]
    if event.room is not None:
        room = venue.rooms_by_id[event.room]
        parts.append(room.name.get(lang))
        if room.floor is not None:
            parts.append(floor_label(room.floor))
    return ", ".join(part for part in parts if part)


def you_are_welcome() -> str:
    return _("You are welcome! Ask me anything else about the forum, or use the menu.")


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


def help_text(program: Program, lang: Lang, standing: Standing) -> str:
    lines = [_("<b>What I can do</b>"), ""]
    shown = commands(organizer=standing.organizer, leader=standing.leader)
    lines += [f"/{info.name} — {esc(info.summary)}" for info in shown]
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


def unknown_link() -> str:
    return _("This link does not lead anywhere I know: it may be mistyped or out of date.")


def unknown_command(command: str) -> str:
    return _("I don't know the command {command}.").format(command=echo(command))


def text_only() -> str:
    return _("I can read only text messages and commands.")


def event_gone() -> str:
    return _("This event is no longer in the program.")


def organizers_only() -> str:
    return _("This is for the forum's organizers.")


def export_usage(given: str) -> str:
    if given:
        return _("There is no event {event_id} in the program. Usage: /export EVENT_ID").format(
            event_id=echo(given)
        )
    return _("Usage: /export EVENT_ID (the numbers in /stats send a CSV too).")


MAX_PROBLEM = 500  # one problem's line in a refused reload's report


def reload_refused(problems: Sequence[str]) -> str:
    """The refused reload's report, one problem a line in one block: as many whole problems as
    fit (measured escaped, as `&` or `<` in a path or a value grow), then how many are left."""
    head = _("❌ The program file has problems; the program in force stays as it was.")
    problems = [shorten(problem, MAX_PROBLEM) for problem in problems]

    def message(shown: range) -> str:
        report = esc("\n".join(problems[i] for i in shown))
        lines = [head, "", f"<pre>{report}</pre>"]
        if left := len(problems) - len(shown):
            lines.append(
                _("…and {count} more: forum-bot check-program lists them all.").format(count=left)
            )
        return "\n".join(lines)

    return message(window(len(problems), lambda shown: length(message(shown)) <= MAX_MESSAGE))


def reloaded(events: int, warnings: int, notice_delay: float, lang: Lang) -> str:
    text = _(
        "✅ The new program is in force: {events} events. The people concerned will be told "
        "about the changes {when}, if no other reload comes first."
    ).format(events=events, when=format_in(notice_delay, lang))
    if warnings:
        text += "\n" + _("⚠️ Warnings: {count} (see forum-bot check-program).").format(
            count=warnings
        )
    return text


def stale_button() -> str:
    return _("This button is out of date.")


def storage_trouble() -> str:
    return _(
        "Sorry, I could not save that just now: my storage is busy. Nothing was changed; "
        "please try again in a minute."
    )


def something_went_wrong() -> str:
    return _("Sorry, something went wrong on my side. Please try again in a minute.")
