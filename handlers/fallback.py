"""Whatever no other router took: unknown commands, free text, other content, old buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.config import Settings
from bot.keyboards import main_menu
from bot.program import Lang, ProgramHolder
from bot.storage import Person


def _with_help(
    head: str, person: Person, lang: Lang, programs: ProgramHolder, settings: Settings
) -> str:
    help_text = texts.help_text(programs.current, lang, organizer=settings.is_admin(person.id))
    return f"{head}\n\n{help_text}"


async def unknown_command(
    message: Message, person: Person, lang: Lang, programs: ProgramHolder, settings: Settings
) -> None:
    command = (message.text or "").split(maxsplit=1)[0]
    text = _with_help(texts.unknown_command(command), person, lang, programs, settings)
    await message.answer(text, reply_markup=main_menu())


async def free_text(
    message: Message, person: Person, lang: Lang, programs: ProgramHolder, settings: Settings
) -> None:
    text = _with_help(texts.not_understood(), person, lang, programs, settings)
    await message.answer(text, reply_markup=main_menu())


async def other_content(
    message: Message, person: Person, lang: Lang, programs: ProgramHolder, settings: Settings
) -> None:
    text = _with_help(texts.text_only(), person, lang, programs, settings)
    await message.answer(text, reply_markup=main_menu())


async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = texts.stale_button()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(free_text, F.text)
    router.message.register(other_content)
    router.callback_query.register(stale_button)
    return router
