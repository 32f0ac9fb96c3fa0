"""Delegations: joining by invite link, /itinerary, /delegation (leaders), /delegations
(organizers: links, QR codes, linking by hand)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.calendar import calendar_filename, events_calendar
from bot.callbacks import DelegationsCb, ItineraryCb, JoinAction, JoinCb, MenuAction, MenuCb
from bot.deeplinks import DeepLink, LinkKind, start_link
from bot.filters import Cmd, Pressed, user_id_of
from bot.program import Lang, ProgramHolder
from bot.qr import png_of
from bot.replies import edit_in_place
from bot.services.delegations import DelegationService, JoinCheck, find_item, item_spot
from bot.services.roles import Roles
from bot.storage import Person
from bot.views import delegations as views


async def join_pressed(
    query: CallbackQuery,
    callback_data: JoinCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    delegations: DelegationService,
) -> None:
    if callback_data.action is JoinAction.DECLINE:
        await edit_in_place(bot, query.message, views.declined())
        return
    check, delegation = await delegations.join(person.id, callback_data.code)
    if delegation is None:
        callback_answer.text = (
            views.too_many_codes() if check is JoinCheck.TOO_MANY else views.unknown_code()
        )
        return
    await edit_in_place(bot, query.message, views.joined(delegation, lang))


async def itinerary_command(
    message: Message,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    delegations: DelegationService,
) -> None:
    text, markup = views.itinerary(programs.current, await delegations.itinerary(person), lang)
    await message.answer(text, reply_markup=markup)


async def itinerary_from_menu(
    query: CallbackQuery,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    delegations: DelegationService,
) -> None:
    text, markup = views.itinerary(programs.current, await delegations.itinerary(person), lang)
    await edit_in_place(bot, query.message, text, markup)


async def itinerary_pressed(
    query: CallbackQuery,
    callback_data: ItineraryCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    delegations: DelegationService,
) -> None:
    program = programs.current
    if callback_data.calendar:
        plan = await delegations.itinerary(person)
        me = await bot.me()
        name = views.itinerary_name(plan.delegation, lang)
        data = events_calendar(
            program,
            plan.events(),
            lang=lang,
            bot_username=me.username,
            name=name,
            items=plan.items(),
        )
        document = BufferedInputFile(data, filename=calendar_filename("itinerary"))
        await bot.send_document(person.id, document, caption=texts.esc(name))
        return
    key, delegation = callback_data.pin, delegations.delegation_of(person)  # no query for a pin
    item = find_item(delegation, key) if delegation is not None and key is not None else None
    spot = item_spot(program, item) if item is not None else None
    if item is None or spot is None:  # a button from before a reload that removed it
        callback_answer.text = texts.stale_button()
        return
    title, address = views.item_pin(item, spot, lang)
    await bot.send_venue(person.id, spot.lat, spot.lon, title, address)


async def delegation_command(
    message: Message,
    lang: Lang,
    person: Person,
    roles: Roles,
    delegations: DelegationService,
) -> None:
    """A leader's view of their delegation; nobody else's."""
    led = roles.led_delegations(person.id)
    if not led:
        roles.refused(person.id, "/delegation")
        await message.answer(views.not_a_leader())
        return
    for delegation in led:
        text, markup = views.members(delegation, await delegations.members(delegation.id), lang)
        await message.answer(text, reply_markup=markup)


async def delegations_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
    delegations: DelegationService,
) -> None:
    if not await roles.is_organizer(person.id):
        roles.refused(person.id, "/delegations")
        await message.answer(texts.organizers_only())
        return
    program = programs.current
    words = (command.args or "").split()
    if words and words[0] in ("link", "unlink"):
        target = user_id_of(words[1]) if len(words) > 1 else None
        delegation_id = words[2] if words[0] == "link" and len(words) > 2 else None
        if target is None or (words[0] == "link" and delegation_id is None):
            await message.answer(views.link_usage())
            return
        if not await delegations.link(target, delegation_id):
            await message.answer(views.link_usage())
            return
        chosen = program.delegations_by_id.get(delegation_id or "")
        await message.answer(views.linked(target, chosen, lang))
        return
    me = await bot.me()
    text, markup = views.overview(program, await delegations.counts(), me.username or "", lang)
    await message.answer(text, reply_markup=markup)


async def delegation_qr(
    query: CallbackQuery,
    callback_data: DelegationsCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
) -> None:
    if not await roles.is_organizer(person.id):
        roles.refused(person.id, "a delegation QR code")
        callback_answer.text = texts.organizers_only()
        return
    delegation = programs.current.delegations_by_id.get(callback_data.qr)
    if delegation is None:
        callback_answer.text = texts.stale_button()
        return
    me = await bot.me()
    link = start_link(me.username or "", DeepLink(LinkKind.DELEGATION, delegation.join_code))
    photo = BufferedInputFile(png_of(link), filename=f"invite-{delegation.id}.png")
    caption = f"{views.name_of(delegation, lang)}\n{texts.esc(link)}"
    await bot.send_photo(person.id, photo, caption=caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(itinerary_command, Cmd("itinerary"))
    router.message.register(delegation_command, Cmd("delegation"))
    router.message.register(delegations_command, Cmd("delegations"))
    router.callback_query.register(
        itinerary_from_menu, Pressed(MenuCb, F.action == MenuAction.ITINERARY)
    )
    # MESSAGE (a leader writing to their delegation) starts a broadcast: handlers/broadcast.py
    router.callback_query.register(join_pressed, Pressed(JoinCb, F.action != JoinAction.MESSAGE))
    router.callback_query.register(itinerary_pressed, Pressed(ItineraryCb))
    router.callback_query.register(delegation_qr, Pressed(DelegationsCb))
    return router
