"""The bot's commands: one list for the Telegram menu (setMyCommands) and for /help."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import DEFAULT_LOCALE, locale_of
from bot.program import LANGS, Lang
from bot.services.people import PeopleService
from bot.services.roles import Roles, Standing

log = logging.getLogger(__name__)


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
        CommandInfo(
            "delegation",
            _("My delegation and a message to it (leaders)"),
            leader_only=True,
        ),
        CommandInfo(
            "delegations", _("Delegations: invite links, QR codes, who joined (organizers)"), True
        ),
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


def command_menu(
    i18n: I18n, lang: str, *, organizer: bool = False, leader: bool = False
) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(lang):
        return [
            BotCommand(command=info.name, description=info.summary)
            for info in commands(organizer=organizer, leader=leader)
        ]


async def set_command_menus(bot: Bot, i18n: I18n) -> None:
    """The command menu in each language, and Russian for clients in any other language."""
    scope = BotCommandScopeDefault()
    for lang in LANGS:
        await bot.set_my_commands(command_menu(i18n, lang), scope=scope, language_code=lang)
    await bot.set_my_commands(command_menu(i18n, DEFAULT_LOCALE), scope=scope)


async def set_chat_menu(
    bot: Bot, i18n: I18n, chat_id: int, lang: Lang, standing: Standing
) -> None:
    """The menu of one chat in the language chosen there (a Telegram app in Kazakh is rare,
    so the per-language menus alone would leave Kazakh speakers with another language), with
    the commands of their role. Telegram keeps it; a failure only costs the menu."""
    menu = command_menu(i18n, lang, organizer=standing.organizer, leader=standing.leader)
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as exc:
        log.warning("could not set the command menu of chat %d: %s", chat_id, exc)


async def refresh_chat_menu(
    bot: Bot, i18n: I18n, people: PeopleService, roles: Roles, person_id: int
) -> None:
    """After a change of role: the person's menu in their language, if the bot knows them."""
    known = await people.get(person_id)
    if known is not None:
        await set_chat_menu(
            bot, i18n, person_id, locale_of(known), await roles.standing(person_id)
        )
