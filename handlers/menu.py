"""/help and the main menu's buttons (navigation edits the menu message in place)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import MenuAction, MenuCb
from bot.filters import Cmd, Pressed
from bot.keyboards import back_to_menu, language_choice, main_menu
from bot.program import Lang, ProgramHolder
from bot.replies import edit_in_place
from bot.services.roles import Roles
from bot.storage import Person


async def show_help(
    message: Message, person: Person, lang: Lang, programs: ProgramHolder, roles: Roles
) -> None:
    text = texts.help_text(programs.current, lang, await roles.standing(person.id))
    await message.answer(text, reply_markup=main_menu())


async def menu_pressed(
    query: CallbackQuery,
    callback_data: MenuCb,
    bot: Bot,
    person: Person,
    lang: Lang,
    programs: ProgramHolder,
    roles: Roles,
) -> None:
    program = programs.current
    match callback_data.action:
        case MenuAction.HOME:
            text = texts.greeting(program, lang, query.from_user.first_name)
            markup = main_menu()
        case MenuAction.HELP:
            text = texts.help_text(program, lang, await roles.standing(person.id))
            markup = back_to_menu()
        case MenuAction.CONTACTS:
            text = texts.contacts_text(program, lang)
            markup = back_to_menu()
        case MenuAction.LANGUAGE:
            text, markup = language_choice(person.language)
        case _:  # the schedule, now and venues have routers of their own
            return
    await edit_in_place(bot, query.message, text, markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Cmd("help"))
    router.callback_query.register(
        menu_pressed,
        Pressed(
            MenuCb,
            F.action.in_(
                {MenuAction.HOME, MenuAction.HELP, MenuAction.CONTACTS, MenuAction.LANGUAGE}
            ),
        ),
    )
    return router
