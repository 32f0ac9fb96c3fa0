"""The bot's commands: one list for the Telegram menu (setMyCommands) and for /help."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    summary: str  # for the menu: short, 1-256 characters
    organizer_only: bool = False
    leader_only: bool = False


def commands(*, organizer: bool = False, leader: bool = False) -> list[CommandInfo]:
    """The commands in the current locale, in the order people need them."""
    listed = [
        CommandInfo("start", _("Welcome and main menu")),
        CommandInfo("schedule", _("The program, day by day")),
        CommandInfo("now", _("What is on now and next")),
        CommandInfo("where", _("Venues, maps and rooms")),
        CommandInfo("my", _("My agenda: sign-ups and reminders")),
        CommandInfo("itinerary", _("My days: arrival, transfers, hotel, meetings")),
        CommandInfo("settings", _("Reminders: when, and of what")),
        CommandInfo("help", _("What I can do")),
        CommandInfo("language", _("Change the language")),
        CommandInfo("stats", _("Sign-up figures (organizers)"), organizer_only=True),
        CommandInfo("export", _("Participants of an event as CSV (organizers)"), True),
        CommandInfo(
            "broadcast", _("Message people: all, a language, a delegation, an event"), True
        ),
        CommandInfo("broadcasts", _("Recent broadcasts and their reports"), True),
        CommandInfo("reload", _("Put the edited program file in force"), True),
        CommandInfo("organizers", _("Who the organizers are (admins add and remove)"), True),
    ]
    return [
        info
        for info in listed
        if (organizer or not info.organizer_only) and (leader or organizer or not info.leader_only)
    ]
