"""Whatever no other router took: unknown commands, free text, other content, old buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.filters import PrivateChat
from bot.keyboards import main_menu
from bot.program import Lang, ProgramHolder
from bot.services.roles import Roles
from bot.storage import Person


async def not_understood(
    message: Message, person: Person, lang: Lang, programs: ProgramHolder, roles: Roles
) -> None:
    """An unknown command or something other than text: say so, then what the bot can do.

    Plain text never gets here: the ask router answers it.
    """
    typed = message.text or ""
    if typed.startswith("/"):
        head = texts.unknown_command(typed.split(maxsplit=1)[0])
    else:
        head = texts.text_only()
    help_text = texts.help_text(programs.current, lang, await roles.standing(person.id))
    await message.answer(f"{head}\n\n{help_text}", reply_markup=main_menu())


async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = texts.stale_button()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(not_understood, PrivateChat())
    router.callback_query.register(stale_button)
    return router
