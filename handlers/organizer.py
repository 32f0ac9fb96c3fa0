"""Organizers' tools: /stats and /export. Every handler checks the role itself."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot import texts
from bot.callbacks import StatsCb
from bot.commands import refresh_chat_menu
from bot.config import Settings
from bot.filters import Cmd, Pressed
from bot.program import Lang, ProgramError, ProgramHolder
from bot.reload import ProgramReload
from bot.services.people import PeopleService
from bot.services.roles import Roles
from bot.services.signups import SignupService
from bot.storage import Person
from bot.views import signups as views


async def _allowed(roles: Roles, person: Person, what: str) -> bool:
    if await roles.is_organizer(person.id):
        return True
    roles.refused(person.id, what)
    return False


async def stats_command(
    message: Message,
    lang: Lang,
    person: Person,
    roles: Roles,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    if not await _allowed(roles, person, "/stats"):
        await message.answer(texts.organizers_only())
        return
    text, markup = views.stats(programs.current, await signups.stats(), lang)
    await message.answer(text, reply_markup=markup)


async def export_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    lang: Lang,
    person: Person,
    roles: Roles,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    if not await _allowed(roles, person, "/export"):
        await message.answer(texts.organizers_only())
        return
    event_id = (command.args or "").strip()
    if event_id not in programs.current.events_by_id:
        await message.answer(texts.export_usage(event_id))
        return
    await _send_csv(bot, message.chat.id, programs, signups, event_id, lang)


async def export_pressed(
    query: CallbackQuery,
    callback_data: StatsCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    roles: Roles,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    if not await _allowed(roles, person, "a CSV export"):
        callback_answer.text = texts.organizers_only()
        return
    if callback_data.export not in programs.current.events_by_id:
        callback_answer.text = texts.event_gone()
        return
    await _send_csv(bot, query.from_user.id, programs, signups, callback_data.export, lang)


async def _send_csv(
    bot: Bot,
    chat_id: int,
    programs: ProgramHolder,
    signups: SignupService,
    event_id: str,
    lang: Lang,
) -> None:
    program = programs.current
    data = views.participants_csv(program, await signups.participants(event_id), lang)
    document = BufferedInputFile(data, filename=f"signups-{event_id}.csv")
    title = program.events_by_id[event_id].title
    await bot.send_document(
        chat_id, document, caption=texts.esc(texts.shorten(title.get(lang), 200))
    )


async def reload_command(
    message: Message,
    bot: Bot,
    i18n: I18n,
    lang: Lang,
    person: Person,
    people: PeopleService,
    roles: Roles,
    settings: Settings,
    reload: ProgramReload,
) -> None:
    """Validate the program file and, if it is valid, put it in force and tell who is concerned."""
    if not await _allowed(roles, person, "/reload"):
        await message.answer(texts.organizers_only())
        return
    try:
        reloaded = await reload.reload(settings.program_file)
    except ProgramError as exc:
        await message.answer(texts.reload_refused(exc.lines()))
        return
    loaded = reloaded.loaded
    events, warnings = len(loaded.program.events), len(loaded.warnings)
    await message.answer(texts.reloaded(events, warnings, settings.change_notice_delay, lang))
    for leader in sorted(reloaded.leaders_changed):  # their menus gain or lose /delegation
        await refresh_chat_menu(bot, i18n, people, roles, leader)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(stats_command, Cmd("stats"))
    router.message.register(export_command, Cmd("export"))
    router.message.register(reload_command, Cmd("reload"))
    router.callback_query.register(export_pressed, Pressed(StatsCb))
    return router
