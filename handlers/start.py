"""/start: the greeting, the language choice on first contact, and deep links."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot import texts
from bot.deeplinks import parse_payload
from bot.keyboards import language_keyboard, main_menu
from bot.program import Lang, ProgramHolder
from bot.storage import Person


async def start(
    message: Message,
    command: CommandObject,
    person: Person,
    lang: Lang,
    programs: ProgramHolder,
) -> None:
    program = programs.current
    name = message.from_user.first_name if message.from_user else person.full_name
    if person.language is None:
        await message.answer(
            texts.first_contact(program, lang, name),
            reply_markup=language_keyboard(None, greet=True),
        )
    else:
        await message.answer(texts.greeting(program, lang, name), reply_markup=main_menu())
    if command.args:
        link = parse_payload(command.args)
        await message.answer(texts.link_answer(program, link, lang))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(start, CommandStart())
    return router
