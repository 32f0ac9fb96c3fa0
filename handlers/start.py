"""/start: the greeting, the language choice on first contact, and deep links."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import Message

from bot import texts
from bot.deeplinks import DeepLink, LinkKind, parse_payload
from bot.filters import CmdStart
from bot.keyboards import language_keyboard, main_menu
from bot.program import Lang, Program, ProgramHolder
from bot.replies import offer_to_join, send_event_card, send_venue
from bot.services.delegations import DelegationService
from bot.services.signups import SignupService
from bot.storage import Person


async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    person: Person,
    lang: Lang,
    programs: ProgramHolder,
    signups: SignupService,
    delegations: DelegationService,
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
        if link is not None and link.kind is LinkKind.DELEGATION:
            await offer_to_join(bot, message.chat.id, person, link.value, lang, delegations)
        else:
            await open_link(bot, message.chat.id, program, link, lang, signups)


async def open_link(
    bot: Bot,
    chat_id: int,
    program: Program,
    link: DeepLink | None,
    lang: Lang,
    signups: SignupService,
) -> None:
    """Show what a start link names: an event card or a venue; or why it shows nothing."""
    if link is not None and link.kind is LinkKind.EVENT and link.value in program.events_by_id:
        event = program.events_by_id[link.value]
        await send_event_card(bot, chat_id, program, event, lang, signups)
    elif link is not None and link.kind is LinkKind.VENUE and link.value in program.venues_by_id:
        await send_venue(bot, chat_id, program.venues_by_id[link.value], lang)
    else:
        await bot.send_message(chat_id, texts.unknown_link())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CmdStart())
    return router
