"""/language and the language buttons."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot import texts
from bot.callbacks import LanguageCb
from bot.commands import set_chat_menu
from bot.filters import Cmd, Pressed
from bot.i18n import supported
from bot.keyboards import language_choice, main_menu
from bot.program import ProgramHolder
from bot.replies import edit_in_place
from bot.services.people import PeopleService
from bot.services.roles import Roles
from bot.storage import Person


async def ask_language(message: Message, person: Person) -> None:
    text, markup = language_choice(person.language)
    await message.answer(text, reply_markup=markup)


async def language_chosen(
    query: CallbackQuery,
    callback_data: LanguageCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    i18n: I18n,
    people: PeopleService,
    programs: ProgramHolder,
    roles: Roles,
) -> None:
    lang = supported(callback_data.code)
    if lang is None or lang != callback_data.code:
        callback_answer.text = texts.stale_button()
        return
    await people.choose_language(query.from_user.id, lang)
    with i18n.use_locale(lang):
        if callback_data.greet:
            text = texts.greeting(programs.current, lang, query.from_user.first_name)
        else:
            text = texts.language_chosen()
        await edit_in_place(bot, query.message, text, main_menu())
    person_id = query.from_user.id
    await set_chat_menu(bot, i18n, person_id, lang, await roles.standing(person_id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_language, Cmd("language"))
    router.callback_query.register(language_chosen, Pressed(LanguageCb))
    return router
